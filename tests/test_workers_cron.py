"""Several workers: a real ``odoo-bin --workers=2 --max-cron-threads=2`` server on a
copy of the demo database, with work for every cron of the add-on. Each cron is fired
three times at the same moment through the HTTP workers (twice the cron itself, once
a copy of it: a second cron record on the same method) while the two cron workers
are woken to take both (due: their next call is in the past). Then: every cron did
its work, none failed, and nothing was created twice.

The database: ``make test`` installs the demo database beside the tests and names it
in KAM_DEMO_CHECK_DB (its install writes KAM_DEMO_CHECK_DONE when it ends); this
test waits for it and works on a copy. Run alone, it installs its own demo copy from
the demo template (a few minutes). The copy and its filestore are dropped at the end.
"""

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from odoo.tests import BaseCase, tagged

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo-19.0"))
PYTHON = ROOT / ".venv" / "bin" / "python"
CONF = ROOT / ".odoo.conf"
STATE = ROOT / ".state"
CRONS = (
    "ir_cron_kam_visit_mark_missed",
    "ir_cron_kam_visit_plan_next_week",
    "ir_cron_kam_collection_promises",
    "ir_cron_kam_credit_check_expiry",
    "ir_cron_kam_contract_renewals",
    "ir_cron_kam_delegation_sync",
    "ir_cron_kam_health",
    "ir_cron_kam_merchandising_recurring",
    "ir_cron_kam_promotion_start",
)
DEMO_WAIT = 1200  # seconds for make test's demo install to end
SERVER_WAIT = 120
CRONS_WAIT = 300

# run by `odoo-bin shell` on the copy: work for every cron, then commit
PREPARE = """
from datetime import timedelta
from odoo import Command, fields
from odoo.addons.kam_management.models.workflow import workflow

today = fields.Date.context_today(env["res.users"])
now = fields.Datetime.now()
company = env.ref("base.main_company")
company.kam_visit_autoplan = True
accounts = env["res.partner"].search(
    [("is_key_account", "=", True), ("is_company", "=", True),
     ("kam_user_id", "!=", False), ("company_id", "in", [False, company.id])],
    order="id",
)
assert len(accounts) >= 6, "the demo has key accounts"
# plan next week: nothing planned for next week yet
monday = today + timedelta(days=7 - today.weekday())
env["kam.visit"].search(
    [("date_start", ">=", monday), ("state", "=", "planned")]
).action_cancel()
# mark missed: visits of last week still planned
env["kam.visit"].create([
    {"partner_id": a.id, "user_id": a.kam_user_id.id, "company_id": company.id,
     "date_start": now - timedelta(days=5 + i)}
    for i, a in enumerate(accounts[:4])
])
# collection promises: open promises whose date has passed
invoices = env["account.move"].search(
    [("move_type", "=", "out_invoice"), ("state", "=", "posted"),
     ("payment_state", "in", ("not_paid", "partial")),
     ("commercial_partner_id", "in", accounts.ids)], limit=4)
assert invoices, "the demo has open invoices of key accounts"
promises = env["kam.collection.action"].create([
    {"partner_id": inv.commercial_partner_id.id, "action_type": "call",
     "invoice_ids": [Command.set(inv.ids)], "promised_date": today + timedelta(days=3),
     "promised_amount": inv.amount_residual, "company_id": inv.company_id.id}
    for inv in invoices
])
env.cr.execute(
    "UPDATE kam_collection_action SET promised_date = %s, date = %s WHERE id IN %s",
    [today - timedelta(days=2), today - timedelta(days=10), tuple(promises.ids)])
# credit checks: approved ones that expired, others that expire soon (reminders)
checks = env["kam.credit.check"].search([("state", "=", "approved")], order="id")
assert len(checks) >= 2, "the demo has approved credit checks"
env.cr.execute("UPDATE kam_credit_check SET valid_until = %s WHERE id = %s",
               [today - timedelta(days=1), checks[0].id])
env.cr.execute("UPDATE kam_credit_check SET valid_until = %s WHERE id IN %s",
               [today + timedelta(days=5), tuple(checks[1:].ids)])
checks[1:].activity_ids.unlink()
# contracts: an active one that ended, the others end soon (reminders)
contracts = env["kam.contract"].search([("state", "=", "active")], order="id")
assert len(contracts) >= 2, "the demo has active contracts"
env.cr.execute("UPDATE kam_contract SET date_end = %s WHERE id = %s",
               [today - timedelta(days=1), contracts[0].id])
env.cr.execute(
    "UPDATE kam_contract SET date_end = %s, reminder_sent = false WHERE id IN %s",
    [today + timedelta(days=10), tuple(contracts[1:].ids)])
contracts[1:].activity_ids.unlink()
# delegation: an absence that starts today and hands the activities over
kams = accounts.kam_user_id
delegation = None
for absent in kams:  # a KAM with no other deputy these days
    for deputy in kams - absent:
        try:
            with env.cr.savepoint(), workflow():
                delegation = env["kam.delegation"].create({
                    "user_id": absent.id, "deputy_id": deputy.id,
                    "company_id": company.id, "move_activities": True,
                    "date_from": today + timedelta(days=1),
                    "date_to": today + timedelta(days=5),
                })
                delegation.write({"state": "approved"})
            break
        except Exception:
            delegation = None
    if delegation:
        break
assert delegation, "a KAM can be given a deputy"
env.cr.execute("UPDATE kam_delegation SET date_from = %s WHERE id = %s",
               [today, delegation.id])
env["mail.activity"].create([
    {"activity_type_id": env.ref("mail.mail_activity_data_todo").id,
     "summary": "Call back", "user_id": absent.id,
     "res_model_id": env["ir.model"]._get_id("res.partner"), "res_id": a.id}
    for a in accounts.filtered(lambda a: a.kam_user_id == absent)[:3]
])
# health: every key account's score is from yesterday
env.cr.execute(
    "UPDATE res_partner SET kam_health_date = %s WHERE is_key_account",
    [today - timedelta(days=1)])
# recurring merchandising: a checklist due for every key account now
env["kam.merchandising.task.type"].create({
    "name": "Workers Shelf Check", "recurrence_days": 7, "company_id": company.id,
    "line_ids": [Command.create({"name": "Planogram followed"})],
})
# promotion: an approved programme whose first day has come
promotion = env["kam.promotion"].search([], order="id", limit=1)
assert promotion, "the demo has bonus programmes"
promotion = promotion.copy({"name": "Workers Programme"})
env.cr.execute(
    "UPDATE kam_promotion SET state = 'approved', date_from = %s, date_to = %s "
    "WHERE id = %s", [today, today + timedelta(days=30), promotion.id])
# no cron is due when the server starts (the test makes each of ours due in turn)
env.cr.execute(
    "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' + interval '1 day'")
env.cr.execute("DELETE FROM ir_cron_trigger")
env.cr.execute(
    "UPDATE ir_cron SET active = true WHERE id IN %s",
    [tuple(env.ref("kam_management." + name).id for name in CRONS)])
env.cr.commit()
print("PREPARED", delegation.id, promotion.id, *promises.ids)
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args, **kwargs):
    return subprocess.run(
        args, capture_output=True, text=True, cwd=ROOT, check=False, **kwargs
    )


@tagged("post_install", "-at_install", "kam")
class TestCronsOnTwoWorkers(BaseCase):
    """No Odoo cursor of its own: it talks to the server over HTTP and SQL."""

    # --- the database --------------------------------------------------------
    def _bash(self, script, *args):
        """A helper of scripts/common.sh (it runs the set-up: idempotent)."""
        return _run(
            [
                "bash",
                "-c",
                f"source scripts/common.sh >/dev/null; {script}",
                "-",
                *args,
            ]
        )

    def _psql(self, db, sql):
        result = _run(["psql", "-XtAq", "-d", db, "-c", sql])
        self.assertEqual(result.returncode, 0, f"psql on {db}: {result.stderr}")
        return result.stdout.strip()

    def _source_db(self):
        """The demo database to copy: make test's, or one installed now."""
        name = os.environ.get("KAM_DEMO_CHECK_DB")
        if name:
            done = Path(os.environ["KAM_DEMO_CHECK_DONE"])
            deadline = time.time() + DEMO_WAIT
            while not done.exists() and time.time() < deadline:
                time.sleep(2)
            if not done.exists():
                self.fail(f"make test's demo install into {name} did not end in time")
            rc = done.read_text().strip()
            if rc != "0":
                self.fail(
                    f"make test's demo install into {name} failed (exit {rc}): "
                    "no demo database to run the crons on (see .state/install_*.log)"
                )
            return name, False
        name = f"kam_workers_src_{uuid.uuid4().hex[:8]}"
        result = self._bash(
            'tmpl=$(ensure_template demo) && copy_db "$tmpl" "$1" && '
            'odoo_checked "$ROOT/.state/install_$1.log" -d "$1" -i kam_management '
            "--with-demo --stop-after-init --log-level=warn",
            name,
        )
        if result.returncode:
            self._bash('drop_db "$1"', name)
            self.fail(
                f"could not install the demo database {name} to run the crons on:\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            )
        return name, True

    # --- the server ----------------------------------------------------------
    def _start_server(self, db, log):
        self.port = _free_port()
        gevent_port = _free_port()
        server = subprocess.Popen(
            [
                str(PYTHON),
                str(ODOO_SRC / "odoo-bin"),
                "-c",
                str(CONF),
                "-d",
                db,
                "--db-filter",
                f"^{db}$",
                "--workers=2",
                "--max-cron-threads=2",
                "--http-interface=127.0.0.1",
                f"--http-port={self.port}",
                f"--gevent-port={gevent_port}",
                f"--logfile={log}",
                "--log-level=info",
                "--limit-time-real=300",
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its workers in its own process group
        )
        deadline = time.time() + SERVER_WAIT
        while time.time() < deadline:
            if server.poll() is not None:
                self.fail(f"odoo-bin --workers=2 stopped at start, see {log}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/web/health", timeout=5
                ) as response:
                    if response.status == 200:
                        return server
            except OSError:
                time.sleep(1)
        self.fail(f"odoo-bin --workers=2 did not answer in {SERVER_WAIT} s, see {log}")

    @staticmethod
    def _stop_server(server):
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(30)

    def _rpc(self, model, method, *args, **kwargs):
        """JSON-RPC as admin: (result, None) or (None, error message)."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.db,
                    self.admin_uid,
                    "admin",
                    model,
                    method,
                    list(args),
                    kwargs,
                ],
            },
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/jsonrpc",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.load(response)
        if "error" in answer:
            data = answer["error"].get("data") or {}
            return None, data.get("message") or answer["error"].get("message")
        return answer["result"], None

    def _call(self, model, method, *args, **kwargs):
        result, error = self._rpc(model, method, *args, **kwargs)
        self.assertIsNone(error, f"{model}.{method}: {error}")
        return result

    # --- the test ------------------------------------------------------------
    def test_every_cron_twice_at_once_on_two_workers(self):
        started = time.time()
        source, own_source = self._source_db()
        self.db = f"kam_workers_{uuid.uuid4().hex[:8]}"
        log = STATE / f"workers_{self.db}.log"
        server = None
        try:
            result = self._bash('copy_db "$1" "$2"', source, self.db)
            self.assertEqual(result.returncode, 0, f"copy of {source}: {result.stderr}")
            result = _run(
                [
                    str(PYTHON),
                    str(ODOO_SRC / "odoo-bin"),
                    "shell",
                    "-c",
                    str(CONF),
                    "-d",
                    self.db,
                    "--no-http",
                    "--log-level=warn",
                ],
                input=f"CRONS = {CRONS!r}\n{PREPARE}",
            )
            self.assertIn(
                "PREPARED",
                result.stdout,
                f"the data set-up failed:\n{result.stderr[-3000:]}",
            )
            before = self._snapshot()
            server = self._start_server(self.db, log)
            self.admin_uid = self._uid()
            self._fire_every_cron()
            self._wait_for_crons()
            self._check(before)
            self._check_log(log)
        finally:
            if server is not None:
                self._stop_server(server)
            self._bash('drop_db "$1"', self.db)
            if own_source:
                self._bash('drop_db "$1"', source)
        print(f"\n[workers] two-worker cron test: {time.time() - started:.0f} s")

    def _uid(self):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "service": "common",
                "method": "login",
                "args": [self.db, "admin", "admin"],
            },
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/jsonrpc",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            uid = json.load(response).get("result")
        self.assertTrue(uid, "admin logs in on the copy")
        return uid

    def _fire_every_cron(self):
        """Per cron: a copy of it (a second record on the same method), both due
        now; then at the same moment the cron twice and its copy once through the
        HTTP workers, and a wake-up of the cron workers (which take both)."""
        ids = {}
        for name in CRONS:
            [cron_id] = self._call(
                "ir.model.data",
                "search_read",
                [("module", "=", "kam_management"), ("name", "=", name)],
                fields=["res_id"],
            )
            ids[name] = cron_id["res_id"]
        self.cron_ids = list(ids.values())
        for name in CRONS:
            cron = ids[name]
            copy = self._call("ir.cron", "copy", [cron])[0]
            self.cron_ids.append(copy)
            self._psql(
                self.db,
                "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' - interval "
                f"'1 minute' WHERE id IN ({cron}, {copy})",
            )
            barrier = threading.Barrier(4)
            outcomes = []

            def fire(cron_id, barrier=barrier, outcomes=outcomes):
                barrier.wait()
                outcomes.append(
                    self._rpc("ir.cron", "method_direct_trigger", [cron_id])
                )

            def wake_cron_workers(barrier=barrier):
                barrier.wait()
                # as ir.cron._notifydb: the cron workers listen in "postgres"
                self._psql("postgres", f"SELECT pg_notify('cron_trigger', '{self.db}')")

            threads = [
                threading.Thread(target=fire, args=(cron_id,))
                for cron_id in (cron, cron, copy)
            ] + [threading.Thread(target=wake_cron_workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(320)
            self.assertEqual(len(outcomes), 3, f"{name}: the three calls answered")
            for result, error in outcomes:
                if error:
                    self.assertIn("already executing", error, f"{name} failed: {error}")
                else:
                    self.assertIs(result, True, f"{name} failed: {result}")

    def _wait_for_crons(self):
        """Until no cron of the add-on runs (its row lock) or waits for a run."""
        deadline = time.time() + CRONS_WAIT
        ids = ",".join(str(cron_id) for cron_id in self.cron_ids)
        while time.time() < deadline:
            free = self._psql(
                self.db,
                "BEGIN; SELECT count(*) FROM (SELECT id FROM ir_cron "
                f"WHERE id IN ({ids}) FOR NO KEY UPDATE SKIP LOCKED) free; ROLLBACK;",
            )
            due = self._psql(
                self.db,
                f"SELECT count(*) FROM ir_cron WHERE id IN ({ids}) AND ("
                "nextcall <= now() at time zone 'UTC' OR id IN (SELECT cron_id FROM "
                "ir_cron_trigger WHERE call_at <= now() at time zone 'UTC'))",
            )
            if free.splitlines()[-1] == str(len(self.cron_ids)) and due == "0":
                return
            time.sleep(2)
        self.fail(f"the crons were still running or due after {CRONS_WAIT} s")

    # --- what the crons made -------------------------------------------------
    def _snapshot(self):
        return {
            table: int(self._psql(self.db, f"SELECT coalesce(max(id), 0) FROM {table}"))
            for table in ("kam_visit", "mail_activity", "kam_merchandising_task")
        }

    def _rows(self, sql):
        out = self._psql(self.db, sql)
        return [tuple(line.split("|")) for line in out.splitlines() if line]

    def _check(self, before):
        today_sql = "(now() at time zone 'UTC')::date"
        # visits: next week planned, each account once
        visits = self._rows(
            "SELECT partner_id, user_id FROM kam_visit "
            f"WHERE id > {before['kam_visit']}"
        )
        self.assertTrue(visits, "plan next week: visits planned")
        self._no_duplicates("visits of next week (account, KAM)", visits)
        # visits missed: each with one to-do
        missed = self._rows(
            "SELECT id FROM kam_visit WHERE state = 'missed' AND date_start < now() "
            "- interval '4 days' AND date_start > now() - interval '10 days'"
        )
        self.assertGreaterEqual(len(missed), 4, "mark missed: the late visits")
        # activities: all made during the test, by their natural key
        activities = self._rows(
            "SELECT res_model, res_id, user_id, summary FROM mail_activity "
            f"WHERE id > {before['mail_activity']}"
        )
        summaries = Counter(row[3] for row in activities)
        for summary in (
            "Missed: reschedule",
            "Broken promise to pay",
            "Renew the credit check",
            "Renew the contract",
        ):
            self.assertTrue(summaries[summary], f"no '{summary}' to-do was made")
        self._no_duplicates("activities (record, user, summary)", activities)
        # recurring merchandising: one task per account and checklist
        tasks = self._rows(
            "SELECT t.partner_id, t.task_type_id, t.date_deadline "
            "FROM kam_merchandising_task t WHERE t.id > "
            f"{before['kam_merchandising_task']}"
        )
        self.assertTrue(tasks, "recurring merchandising: tasks made")
        self._no_duplicates(
            "merchandising tasks (account, checklist)", [t[:2] for t in tasks]
        )
        # states
        self.assertEqual(
            self._psql(
                self.db,
                "SELECT count(*) FROM kam_collection_action WHERE "
                f"state = 'open' AND promised_date < {today_sql}",
            ),
            "0",
            "collection promises: all decided",
        )
        self.assertEqual(
            self._psql(
                self.db,
                "SELECT count(*) FROM kam_credit_check WHERE "
                f"state = 'approved' AND valid_until < {today_sql}",
            ),
            "0",
            "credit checks: the expired ones expired",
        )
        self.assertEqual(
            self._psql(
                self.db,
                "SELECT count(*) FROM kam_contract WHERE "
                f"state = 'active' AND date_end < {today_sql}",
            ),
            "0",
            "contracts: the ended ones expired",
        )
        self.assertEqual(
            self._psql(
                self.db,
                "SELECT count(*) FROM kam_delegation WHERE state = "
                "'approved' AND move_activities AND NOT activities_moved AND "
                f"date_from <= {today_sql} AND date_to >= {today_sql}",
            ),
            "0",
            "delegations: the activities went to the deputy",
        )
        self.assertEqual(
            self._psql(
                self.db,
                "SELECT count(*) FROM kam_promotion WHERE "
                f"state = 'approved' AND date_from <= {today_sql}",
            ),
            "0",
            "promotions: the due ones started",
        )
        self.assertEqual(
            self._psql(
                self.db,
                "SELECT count(*) FROM res_partner WHERE is_key_account AND is_company "
                f"AND (kam_health_date IS NULL OR kam_health_date < {today_sql})",
            ),
            "0",
            "health: every key account scored today",
        )

    def _no_duplicates(self, what, rows):
        twice = {key: count for key, count in Counter(rows).items() if count > 1}
        self.assertFalse(twice, f"{what} made twice: {twice}")

    def _check_log(self, log):
        text = log.read_text()
        errors = [
            line
            for line in text.splitlines()
            if " ERROR " in line or " CRITICAL " in line
        ]
        self.assertFalse(
            errors, f"the server logged errors (see {log}):\n" + "\n".join(errors[:20])
        )
        self.assertIn("kam_management", text)
