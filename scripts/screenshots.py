"""Screenshots of each demo role's main screens, on a desktop and a phone-size screen.

    python scripts/screenshots.py --url http://127.0.0.1:8079 --db kam_demo --out DIR \
        [--apps kam_management/static/description/screenshots]

Logs in each demo user through JSON-RPC, hands the session cookie to a headless
Chromium (DevTools protocol over a websocket), opens each page of ``PAGES``, waits for
the web client to settle and writes DIR/<login>-<page>-<desktop|phone>.png. Prints one
line per page: ok, or the text of an error dialog (then exits 1). Needs Debian's
``chromium`` and the Python package ``websocket-client``.

With ``--apps DIR``, the shots of ``APPS`` (those of the Apps page,
kam_management/static/description/index.html, and the manifest's cover image) are
then copied from DIR of ``--out`` to DIR, and DIR keeps nothing else: the add-on (and
its wheel) carries these only, the others stay in the repository's docs/screenshots/.
"""

import argparse
import base64
import http.cookiejar
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import websocket

SIZES = {"desktop": (1366, 768), "phone": (375, 667)}
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
)
M = "kam_management."

# login: [(page, action xml id, optional record: (model, domain) read as that user)]
PAGES = {
    "hector": [
        ("dashboard", M + "kam_dashboard_action", None),
        ("visits", M + "kam_visit_action_open", None),
        ("plan-analysis", M + "kam_plan_report_action_open", None),
        ("key-account-sales", M + "sale_report_action_key_accounts_open", None),
        ("credit-checks-to-review", M + "kam_credit_check_action_to_review", None),
        (
            "credit-check",
            M + "kam_credit_check_action",
            ("kam.credit.check", [("state", "=", "submitted")]),
        ),
        (
            "merchandising-compliance",
            M + "kam_merchandising_task_action_analysis",
            None,
        ),
        ("training-analysis", M + "kam_training_action_analysis", None),
        ("key-account-settings", M + "res_company_action_kam_settings", None),
        # issue 13: receivables and returns
        ("aging", M + "kam_aging_report_action", None),
        ("returns", M + "kam_return_report_action", None),
        # issue 14: discounts escalated, bonus programmes
        ("discounts", M + "sale_report_action_kam_discounts_open", None),
        (
            "escalated-order",
            "sale.action_quotations_with_onboarding",
            (
                "sale.order",
                [("kam_discount_escalated", "=", True), ("state", "=", "draft")],
            ),
        ),
        (
            "bonus-programme",
            M + "kam_promotion_action",
            ("kam.promotion", [("state", "=", "running")]),
        ),
        # issue 15: competitors' price gaps, a segment proposal to approve
        ("competitor-price-gaps", M + "kam_competitor_observation_action", None),
        (
            "segment-proposal",
            M + "kam_proposal_action",
            ("kam.proposal", [("state", "=", "to_approve")]),
        ),
    ],
    "anna": [
        ("today", M + "kam_visit_action_open_today", None),
        ("key-accounts", M + "res_partner_action_key_accounts_open", None),
        (
            "account",
            M + "res_partner_action_key_accounts_open",
            ("res.partner", [("is_key_account", "=", True), ("is_company", "=", True)]),
        ),
        (
            "visit",
            M + "kam_visit_action",
            ("kam.visit", [("state", "=", "planned")]),
        ),
        ("merchandising-tasks", M + "kam_merchandising_task_action", None),
        (
            "merchandising-task",
            M + "kam_merchandising_task_action",
            ("kam.merchandising.task", [("state", "=", "todo")]),
        ),
        ("trainings", M + "kam_training_action", None),
        ("plans", M + "kam_plan_action", None),
        # issue 18: the week planned by area and travel order
        ("plan-the-week", M + "kam_visit_planner_action", None),
        # issue 15: prospects and relationship maps
        ("prospects", M + "res_partner_action_prospects_open", None),
        ("relationship-map", M + "res_partner_action_relationship_map", None),
        # issue 13: promises to pay
        ("collection", M + "kam_collection_action_action", None),
    ],
    # issue 17: a KAM who works in Russian
    "dmitry": [
        ("key-accounts", M + "res_partner_action_key_accounts_open", None),
        (
            "visit",
            M + "kam_visit_action",
            ("kam.visit", [("state", "=", "planned")]),
        ),
        ("plans", M + "kam_plan_action", None),
    ],
    "sofia": [
        ("orders-to-enter", M + "sale_order_action_to_enter", None),
        (
            "order",
            "sale.action_quotations_with_onboarding",
            ("sale.order", [("partner_id.is_key_account", "=", True)]),
        ),
        ("contracts", M + "kam_contract_action", None),
        # issue 13: fulfilment and acts
        ("fulfilment", M + "sale_order_action_fulfilment", None),
        ("acts", M + "kam_act_action", None),
    ],
}

# the Apps page's screenshots, a few per role (the cover first); about 0.8 MB in all
APPS = [
    "hector-dashboard-desktop.png",
    "anna-key-accounts-phone.png",
    "anna-visit-phone.png",
    "anna-merchandising-task-phone.png",
    "hector-visits-desktop.png",
    "anna-account-desktop.png",
    "hector-plan-analysis-desktop.png",
    "hector-credit-check-desktop.png",
    "hector-escalated-order-desktop.png",
    "key-account-review.png",
    "sofia-orders-to-enter-desktop.png",
    "sofia-order-phone.png",
    "dmitry-visit-phone.png",
]

SETTLED = """
(() => {
    const busy = document.querySelector('.o_loading_indicator, .o_blockUI');
    const view = document.querySelector(
        '.o_action_manager .o_view_controller, .o_action_manager .o_action');
    return Boolean(view) && !busy;
})()
"""
ERROR = """
(document.querySelector('.o_error_dialog, .o_notification.border-danger')
 || {}).innerText || ''
"""
CLOSE_CHATS = """
document.querySelectorAll('.o-mail-ChatWindow button[title^="Close"]')
    .forEach((button) => button.click());
"""


class Rpc:
    """JSON-RPC as one user of the web client (session cookie kept)."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )
        self.uid = self._post(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )["uid"]

    def _post(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(
            self.url + path, body.encode(), {"Content-Type": "application/json"}
        )
        reply = json.loads(self.opener.open(request, timeout=60).read())
        if "error" in reply:
            raise RuntimeError(reply["error"]["data"]["message"])
        return reply["result"]

    def call(self, model, method, *args, **kwargs):
        return self._post(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    @property
    def session_id(self):
        return next(c.value for c in self.jar if c.name == "session_id")


class Browser:
    """One headless Chromium tab driven over the DevTools protocol."""

    def __init__(self, port=9339):
        self.profile = tempfile.mkdtemp(prefix="kam-shots-")
        self.proc = subprocess.Popen(
            [
                "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        tabs = self._tabs(port)
        page = next(tab for tab in tabs if tab["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0
        self.send("Page.enable")
        self.send("Runtime.enable")

    @staticmethod
    def _tabs(port):
        for _attempt in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as reply:
                    return json.loads(reply.read())
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("chromium did not start")

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def size(self, width, height):
        mobile = width < 600
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.send("Emulation.setTouchEmulationEnabled", enabled=mobile)
        self.send(
            "Emulation.setUserAgentOverride", userAgent=PHONE_AGENT if mobile else ""
        )

    def open(self, url, timeout=30):
        self.send("Page.navigate", url=url)
        time.sleep(1.0)
        deadline = time.time() + timeout
        while time.time() < deadline and not self.evaluate(SETTLED):
            time.sleep(0.3)
        time.sleep(1.5)  # charts and kanban images draw after the data
        self.evaluate(CLOSE_CHATS)
        time.sleep(0.3)

    def shot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def record_id(rpc, model, domain):
    ids = rpc.call(model, "search", domain, limit=1, order="id")
    if not ids:
        raise RuntimeError(f"no {model} matching {domain} for this user")
    return ids[0]


def quiet_odoobot(args):
    """OdooBot's welcome chat would cover the phone screens: as admin, mark the
    demo users as done with it (the field exists when mail_bot is installed)."""
    admin = Rpc(args.url, args.db, "admin", "admin")
    if "odoobot_state" not in admin.call("res.users", "fields_get", ["odoobot_state"]):
        return
    users = admin.call("res.users", "search", [("login", "in", list(PAGES))])
    admin.call("res.users", "write", users, {"odoobot_state": "disabled"})


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="kam_demo")
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", help="one login; none: only copy --apps")
    parser.add_argument("--apps", help="copy the Apps page's shots (APPS) there")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.apps and args.only == "none":
        return copy_apps(out, pathlib.Path(args.apps))
    host = urllib.parse.urlparse(args.url).hostname
    quiet_odoobot(args)
    failed = 0
    browser = Browser()
    try:
        for login, pages in PAGES.items():
            if args.only and login != args.only:
                continue
            rpc = Rpc(args.url, args.db, login, login)
            browser.send("Network.enable")
            browser.send("Network.clearBrowserCookies")
            browser.send(
                "Network.setCookie",
                name="session_id",
                value=rpc.session_id,
                domain=host,
                path="/",
            )
            for page, action, record in pages:
                url = f"{args.url}/odoo/action-{action}"
                if record:
                    url += f"/{record_id(rpc, *record)}"
                for size_name, (width, height) in SIZES.items():
                    browser.size(width, height)
                    browser.open(url)
                    error = browser.evaluate(ERROR)
                    browser.shot(out / f"{login}-{page}-{size_name}.png")
                    print(
                        f"{login} {page} {size_name}:",
                        "ok" if not error else error[:300],
                    )
                    failed += bool(error)
    finally:
        browser.close()
    if args.apps:
        failed += copy_apps(out, pathlib.Path(args.apps))
    return 1 if failed else 0


def copy_apps(out, apps):
    """DIR holds exactly the APPS shots, copied from ``out``; 1 when one is missing."""
    apps.mkdir(parents=True, exist_ok=True)
    for stale in apps.glob("*.png"):
        if stale.name not in APPS:
            stale.unlink()
    missing = 0
    for name in APPS:
        if (out / name).exists():
            shutil.copyfile(out / name, apps / name)
        else:
            print(f"{name}: missing in {out}, not copied for the Apps page")
            missing = 1
    size = sum(path.stat().st_size for path in apps.glob("*.png"))
    print(f"Apps page: {len(APPS)} screenshots, {size / 1e6:.2f} MB in {apps}")
    return missing


if __name__ == "__main__":
    sys.exit(main())
