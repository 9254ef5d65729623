"""Measurements of the kam_management benchmark, each against its baseline.

Every figure runs once to warm the caches, then is measured with the ORM cache
invalidated: wall time (time.perf_counter) and queries (cursor.sql_log_count).
``measure`` returns rows (figure, kam, baseline, ratio, goal, met) and
``markdown`` formats them.
"""

import resource
import statistics
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from lxml import etree

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import IrCron

from .generate import QUIET

LIST_VIEW = "kam_management.res_partner_view_list_key_accounts"
KANBAN_VIEW = "kam_management.res_partner_view_kanban_key_accounts"


class Row(dict):
    """figure, kam, baseline, ratio, goal, met (True/False)"""


def _row(figure, kam, baseline, ratio, goal, met):
    return Row(
        figure=figure, kam=kam, baseline=baseline, ratio=ratio, goal=goal, met=met
    )


class Meter:
    def __init__(self, env, runs=3):
        self.env = env
        self.runs = runs

    def once(self, func):
        """(seconds, queries) of one call of ``func(env)``, cache invalidated."""
        env = self.env
        env.flush_all()
        env.invalidate_all()
        cr = env.cr
        before = cr.sql_log_count
        started = time.perf_counter()
        func()
        env.flush_all()
        return time.perf_counter() - started, cr.sql_log_count - before

    def median(self, func):
        """Warm once, then the median time and the queries of ``runs`` calls."""
        self.once(func)
        results = [self.once(func) for _i in range(self.runs)]
        return (
            statistics.median(seconds for seconds, _q in results),
            max(queries for _s, queries in results),
        )


def _ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def _ratio(a, b):
    return a / b if b else float("inf")


def _user_env(env, user_id):
    return api.Environment(env.cr, user_id, dict(env.context, **QUIET))


# --- confirmation -----------------------------------------------------------
def bench_confirmation(env, data, meter):
    support = _user_env(env, data["support"])
    products = data["products"][:10]
    key_account = env["res.partner"].browse(data["key_accounts"][0])
    customer = env["res.partner"].browse(data["customers"][0])

    def new_order(partner):
        return (
            support["sale.order"]
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": pid, "product_uom_qty": 2})
                        for pid in products
                    ],
                }
            )
            .id
        )

    def confirm(partner):
        order_ids = [new_order(partner) for _i in range(meter.runs + 1)]
        env.flush_all()
        results = []
        for order_id in order_ids:
            order = support["sale.order"].browse(order_id)
            results.append(meter.once(order.action_confirm))
            assert order.state == "sale", f"{order.name} was not confirmed"
        results = results[1:]  # the first one warms the caches
        return (
            statistics.median(s for s, _q in results),
            max(q for _s, q in results),
        )

    kam_s, kam_q = confirm(key_account)
    base_s, base_q = confirm(customer)
    ratio = _ratio(kam_s, base_s)
    return [
        _row(
            "confirm a 10-line order (key account vs ordinary), time",
            _ms(kam_s),
            _ms(base_s),
            f"{ratio:.2f}x",
            "<= 1.2x",
            ratio <= 1.2,
        ),
        _row(
            "confirm a 10-line order, queries",
            kam_q,
            base_q,
            f"{kam_q - base_q:+d}",
            "<= +5",
            kam_q - base_q <= 5,
        ),
    ]


# --- key accounts list and kanban --------------------------------------------
def view_specification(env, xmlid):
    """The web client's specification of a view: its fields (not sub-views'),
    many2ones with their display_name."""
    view = env.ref(xmlid)
    Partner = env["res.partner"]
    arch = etree.fromstring(view.get_combined_arch())
    spec = {}
    for node in arch.iter("field"):
        name = node.get("name")
        if name not in Partner._fields:
            continue
        field = Partner._fields[name]
        if field.type in ("many2one", "many2many", "one2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def bench_key_account_views(env, data, meter):
    head = _user_env(env, data["head"])
    kam = _user_env(env, data["kams"][0])
    rows = []
    for label, xmlid in (("list", LIST_VIEW), ("kanban", KANBAN_VIEW)):
        spec = view_specification(env, xmlid)
        for who, user_env in (("head of sales", head), ("KAM", kam)):
            Partner = user_env["res.partner"]
            domain = [("is_key_account", "=", True)]

            def read(limit, Partner=Partner, domain=domain, spec=spec):
                return lambda: Partner.web_search_read(domain, spec, limit=limit)

            few_s, few_q = meter.median(read(20))
            many_s, many_q = meter.median(read(80))
            rows.append(
                _row(
                    f"Key Accounts {label} ({who}), 80 vs 20 records: queries",
                    many_q,
                    few_q,
                    f"{many_q - few_q:+d}",
                    "constant",
                    many_q <= few_q,
                )
            )
            rows.append(
                _row(
                    f"Key Accounts {label} ({who}), 80 records: time",
                    _ms(many_s),
                    _ms(few_s),
                    f"{_ratio(many_s, few_s):.2f}x",
                    "(info)",
                    None,
                )
            )
    return rows


# --- plan actuals --------------------------------------------------------------
def bench_plan_actuals(env, data, meter):
    plans = env["kam.plan"].browse(data["plans"] + [data["department_plan"]])
    names = [
        "actual_amount",
        "actual_active_accounts",
        "actual_new_accounts",
        "achievement_amount",
        "achievement_active",
        "achievement_new",
    ]

    def orm():
        plans.fetch(["state", "date_from", "date_to", "target_amount"])
        for name in names:
            plans.mapped(name)

    department = plans[-1]

    params = {
        "company": department.company_id.id,
        "date_from": department.date_from,
        "date_to": department.date_to,
        "kams": data["kams"],
    }
    # the same three figures per KAM for the period, hand-written: revenue and
    # active accounts from the period's invoice lines, new accounts from each
    # account's first invoice (the history before the period is needed for it)
    raw_sql = SQL(
        """
        SELECT kam_user_id, SUM(amount), COUNT(*) FILTER (WHERE amount > 0),
               COUNT(*) FILTER (WHERE first_day BETWEEN %(date_from)s AND %(date_to)s)
          FROM (SELECT partner.kam_user_id, partner.id, SUM(-line.balance) AS amount,
                       (SELECT MIN(invoice.invoice_date)
                          FROM account_move invoice
                         WHERE invoice.commercial_partner_id = partner.id
                           AND invoice.company_id = %(company)s
                           AND invoice.state = 'posted'
                           AND invoice.move_type = 'out_invoice') AS first_day
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                  JOIN res_partner partner ON partner.id = move.commercial_partner_id
                 WHERE move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND line.display_type = 'product'
                   AND move.company_id = %(company)s
                   AND move.invoice_date BETWEEN %(date_from)s AND %(date_to)s
                   AND partner.is_key_account AND partner.kam_user_id = ANY(%(kams)s)
              GROUP BY partner.kam_user_id, partner.id) account
      GROUP BY kam_user_id
        """,
        **params,
    )
    # revenue and active accounts only: the period's rows, no history
    revenue_sql = SQL(
        """
        SELECT partner.kam_user_id, COUNT(DISTINCT partner.id), SUM(-line.balance)
          FROM account_move_line line
          JOIN account_move move ON move.id = line.move_id
          JOIN res_partner partner ON partner.id = move.commercial_partner_id
         WHERE move.state = 'posted'
           AND move.move_type IN ('out_invoice', 'out_refund')
           AND line.display_type = 'product'
           AND move.company_id = %(company)s
           AND move.invoice_date BETWEEN %(date_from)s AND %(date_to)s
           AND partner.is_key_account AND partner.kam_user_id = ANY(%(kams)s)
      GROUP BY partner.kam_user_id
        """,
        **params,
    )

    # small figures: more runs, so that the median is not one scheduler hiccup
    runs = Meter(env, runs=max(meter.runs, 15))
    orm_s, orm_q = runs.median(orm)
    raw_s, _raw_q = runs.median(lambda: env.execute_query(raw_sql))
    revenue_s, _q = runs.median(lambda: env.execute_query(revenue_sql))
    ratio = _ratio(orm_s, raw_s)
    return [
        _row(
            f"plan actuals, {len(plans)} plans x {len(data['key_accounts'])} "
            "accounts vs one SQL GROUP BY of the same figures",
            f"{_ms(orm_s)}, {orm_q} q",
            _ms(raw_s),
            f"{ratio:.2f}x",
            "<= 1.5x",
            ratio <= 1.5,
        ),
        _row(
            "plan actuals vs SQL of revenue and active accounts only (no new accounts)",
            _ms(orm_s),
            _ms(revenue_s),
            f"{_ratio(orm_s, revenue_s):.2f}x",
            "(info)",
            None,
        ),
    ]


# --- receivables aging -----------------------------------------------------------
def bench_aging(env, data, meter):
    """The aging pivot of the head of sales (KAM x age bucket) vs one SQL GROUP BY
    of the same open receivable lines (debts of the company) by KAM and bucket,
    ordered by the KAM's name as the pivot's groups are."""
    head = _user_env(env, data["head"])
    Aging = head["kam.aging.report"]

    def orm():
        Aging._read_group(
            [("is_key_account", "=", True)],
            ["kam_user_id", "bucket"],
            ["amount:sum", "overdue_amount:sum"],
        )

    raw_sql = SQL(
        """
        SELECT account.kam_user_id, kam_partner.name,
               CASE WHEN line.date_maturity >= CURRENT_DATE THEN 0
                    WHEN CURRENT_DATE - line.date_maturity <= 30 THEN 1
                    WHEN CURRENT_DATE - line.date_maturity <= 60 THEN 2
                    WHEN CURRENT_DATE - line.date_maturity <= 90 THEN 3
                    ELSE 4 END AS bucket,
               SUM(line.amount_residual)
          FROM account_move_line line
          JOIN account_account acc ON acc.id = line.account_id
          JOIN res_partner contact ON contact.id = line.partner_id
          JOIN res_partner account ON account.id = contact.commercial_partner_id
          JOIN res_users kam ON kam.id = account.kam_user_id
          JOIN res_partner kam_partner ON kam_partner.id = kam.partner_id
         WHERE acc.account_type = 'asset_receivable'
           AND line.parent_state = 'posted' AND NOT line.reconciled
           AND line.amount_residual > 0
           AND line.company_id = %s
           AND account.is_key_account
      GROUP BY account.kam_user_id, kam_partner.name, 3
      ORDER BY kam_partner.name, 3
        """,
        head.company.id,
    )
    runs = Meter(env, runs=max(meter.runs, 5))
    orm_s, orm_q = runs.median(orm)
    raw_s, _q = runs.median(lambda: env.execute_query(raw_sql))
    ratio = _ratio(orm_s, raw_s)
    return [
        _row(
            "receivables aging pivot, KAM x age bucket, vs one SQL GROUP BY",
            f"{_ms(orm_s)}, {orm_q} q",
            _ms(raw_s),
            f"{ratio:.2f}x",
            "<= 1.5x",
            ratio <= 1.5,
        )
    ]


# --- weekly planner ------------------------------------------------------------
def bench_planner(env, data, meter):
    head = _user_env(env, data["head"])
    Planner = head["kam.visit.planner"]
    today = fields.Date.context_today(Planner)
    monday = today + timedelta(days=7 - today.weekday())
    planners = Planner.create(
        [{"user_id": kam, "week_start": monday} for kam in data["kams"]]
    )
    planners[0].action_propose()  # warm
    results = [meter.once(planner.action_propose) for planner in planners]
    total = sum(s for s, _q in results)
    queries = [q for _s, q in results]
    return [
        _row(
            f"weekly planner, all {len(planners)} KAMs",
            f"{total:.2f} s",
            "",
            f"{_ms(total / len(planners))}/KAM",
            "<= 2 s",
            total <= 2.0,
        ),
        _row(
            "weekly planner, queries per KAM (min-median-max)",
            f"{min(queries)}-{statistics.median(queries):.0f}-{max(queries)}",
            "",
            "",
            "(info)",
            None,
        ),
    ]


# --- sale.report pivot ---------------------------------------------------------
def bench_report(env, data, meter):
    head = _user_env(env, data["head"])
    Report = head["sale.report"]
    aggregates = ["__count", "price_subtotal:sum", "product_uom_qty:sum"]

    def pivot(groupby):
        return lambda: Report.formatted_read_group(
            [("state", "=", "sale")], groupby, aggregates
        )

    kam_s, kam_q = meter.median(pivot(["kam_user_id", "date:month"]))
    base_s, base_q = meter.median(pivot(["user_id", "date:month"]))
    ratio = _ratio(kam_s, base_s)
    return [
        _row(
            "sale.report pivot by KAM x month vs by salesperson x month",
            f"{_ms(kam_s)}, {kam_q} q",
            f"{_ms(base_s)}, {base_q} q",
            f"{ratio:.2f}x",
            "<= 1.1x",
            ratio <= 1.1,
        )
    ]


# --- daily crons ---------------------------------------------------------------
CRONS = {
    "kam_management.ir_cron_kam_visit_mark_missed": (
        "kam_visit",
        ("date_start", "date_end"),
        "state = 'planned'",
    ),
    "kam_management.ir_cron_kam_contract_renewals": (
        "kam_contract",
        ("date_end",),
        "state = 'active'",
    ),
    "kam_management.ir_cron_kam_credit_check_expiry": (
        "kam_credit_check",
        ("valid_until",),
        "state = 'approved'",
    ),
    "kam_management.ir_cron_kam_collection_promises": (
        "kam_collection_action",
        ("promised_date",),
        "state = 'open'",
    ),
}


def _make_promises(env, data, count=300):
    """Promises to pay on open invoices of key accounts, due yesterday (made for
    tomorrow, then moved in SQL: a promise in the past is refused), half of them
    for more than the invoice will have been paid."""
    invoices = env["account.move"].search(
        [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("commercial_partner_id", "in", data["key_accounts"]),
        ],
        limit=count,
    )
    tomorrow = fields.Date.context_today(invoices) + timedelta(days=1)
    actions = env["kam.collection.action"].create(
        [
            {
                "partner_id": invoice.commercial_partner_id.id,
                "company_id": invoice.company_id.id,
                "action_type": "call",
                "invoice_ids": [Command.set(invoice.ids)],
                "promised_date": tomorrow,
                "promised_amount": invoice.amount_residual / (1 + i % 2),
            }
            for i, invoice in enumerate(invoices)
        ]
    )
    env.flush_all()
    env.execute_query(
        SQL(
            "UPDATE kam_collection_action SET promised_date = %s WHERE id = ANY(%s)",
            tomorrow - timedelta(days=2),
            actions.ids,
        )
    )
    env.invalidate_all()


@contextmanager
def counting_commits(commit):
    """Count the cron's batches (ir.cron._commit_progress calls); commit them
    only when ``commit`` (not inside a test transaction)."""
    calls = []
    original = IrCron._commit_progress

    def counted(self, processed=0, *, remaining=None, deactivate=False):
        if processed:  # not the commit that opens a batch's transaction
            calls.append(processed)
        if commit:
            return original(self, processed, remaining=remaining, deactivate=deactivate)
        return float("inf")

    with patch.object(IrCron, "_commit_progress", counted):
        yield calls


def _shift(env, table, columns, ids, days):
    if ids:
        env.execute_query(
            SQL(
                "UPDATE %s SET %s WHERE id = ANY(%s)",
                SQL.identifier(table),
                SQL(", ").join(
                    SQL("%s = %s + %s", SQL.identifier(c), SQL.identifier(c), days)
                    for c in columns
                ),
                ids,
            )
        )
    env.invalidate_all()


def bench_crons(env, data, meter, commit):
    """Each cron twice: on every third of its due records, then on the other two
    thirds (moved out of its domain by ten years meanwhile, in SQL): the queries
    per batch and per record must not grow with the work."""
    rows = []
    far = timedelta(days=3650)
    for xmlid, (table, columns, state) in CRONS.items():
        cron = env.ref(xmlid).sudo()
        model = env[cron.model_id.model]
        method = getattr(model, cron.code.split(".", 1)[1].split("(")[0])
        env.flush_all()
        ids = [
            row[0]
            for row in env.execute_query(
                SQL(
                    "SELECT id FROM %s WHERE %s AND %s < now() + interval '60 days'"
                    " ORDER BY id",
                    SQL.identifier(table),
                    SQL(state),
                    SQL.identifier(columns[-1]),
                )
            )
        ]
        # every third record: both waves have the same mix of work
        first = ids[::3]
        chosen = set(first)
        later = [i for i in ids if i not in chosen]
        waves = []
        _shift(env, table, columns, later, far)
        for wave_ids in (first, later):
            with counting_commits(commit) as calls:
                seconds, queries = meter.once(method)
            waves.append((len(wave_ids), max(len(calls), 1), seconds, queries))
            if wave_ids is first:
                _shift(env, table, columns, later, -far)
        (n1, b1, _s1, q1), (n2, b2, s2, q2) = waves
        per_rec1 = q1 / n1 if n1 else float(q1)
        per_rec2 = q2 / n2 if n2 else float(q2)
        rows.append(
            _row(
                f"cron {xmlid.split('.')[1]}: {n2} records in {b2} batches "
                f"vs {n1} in {b1}",
                f"{s2:.2f} s, {q2} q, {q2 / b2:.0f} q/batch, {per_rec2:.1f} q/rec",
                f"{q1} q, {q1 / b1:.0f} q/batch, {per_rec1:.1f} q/rec",
                f"{_ratio(per_rec2, per_rec1):.2f}x q/rec",
                "constant q/batch",
                per_rec2 <= per_rec1 * 1.1 + 1,
            )
        )
    return rows


def bench_merchandising_cron(env, data, meter, commit):
    """The recurring merchandising tasks: a checklist for one segment's accounts
    (a third of them), then for all (the other two thirds): the queries per task
    made must not grow with the work."""
    accounts = env["res.partner"].browse(data["key_accounts"])
    segment = accounts[:1].kam_segment_id
    task_type = env["kam.merchandising.task.type"].create(
        {
            "name": "Bench shelf check",
            "recurrence_days": 14,
            "segment_ids": [Command.set(segment.ids)],
            "line_ids": [
                Command.create({"name": "Planogram followed"}),
                Command.create({"name": "Promo display", "photo_required": True}),
            ],
        }
    )
    Task = env["kam.merchandising.task"]
    waves = []
    for scope in (segment, env["kam.segment"]):
        task_type.segment_ids = scope
        before = Task.search_count([("task_type_id", "=", task_type.id)])
        with counting_commits(commit) as calls:
            seconds, queries = meter.once(Task._cron_create_recurring)
        made = Task.search_count([("task_type_id", "=", task_type.id)]) - before
        waves.append((made, max(len(calls), 1), seconds, queries))
    (n1, b1, _s1, q1), (n2, b2, s2, q2) = waves
    per_rec1, per_rec2 = q1 / max(n1, 1), q2 / max(n2, 1)
    return [
        _row(
            f"cron ir_cron_kam_merchandising_recurring: {n2} tasks in {b2} batches "
            f"vs {n1} in {b1}",
            f"{s2:.2f} s, {q2} q, {q2 / b2:.0f} q/batch, {per_rec2:.1f} q/task",
            f"{q1} q, {q1 / b1:.0f} q/batch, {per_rec1:.1f} q/task",
            f"{_ratio(per_rec2, per_rec1):.2f}x q/task",
            "constant q/batch",
            per_rec2 <= per_rec1 * 1.1 + 1,
        )
    ]


def measure(env, data, runs=3, commit=False, log=print):
    env = api.Environment(env.cr, SUPERUSER_ID, dict(env.context, **QUIET), su=True)
    meter = Meter(env, runs=runs)
    rows = []
    for bench in (
        bench_confirmation,
        bench_key_account_views,
        bench_plan_actuals,
        bench_planner,
        bench_report,
        bench_aging,
    ):
        started = time.perf_counter()
        rows += bench(env, data, meter)
        log(f"[bench] {bench.__name__} in {time.perf_counter() - started:.1f} s")
        if commit:
            env.cr.commit()
    _make_promises(env, data)
    rows += bench_crons(env, data, meter, commit)
    rows += bench_merchandising_cron(env, data, meter, commit)
    rows.append(
        _row(
            "peak memory (max RSS) of the Odoo process",
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
            "",
            "",
            "(info)",
            None,
        )
    )
    return rows


def markdown(rows):
    lines = [
        "| figure | kam | baseline | ratio | goal | met? |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        met = {True: "yes", False: "**no**", None: ""}[row["met"]]
        lines.append(
            f"| {row['figure']} | {row['kam']} | {row['baseline']} | "
            f"{row['ratio']} | {row['goal']} | {met} |"
        )
    return "\n".join(lines) + "\n"


def stamp():
    return datetime.now().strftime("%Y-%m-%d %H:%M")
