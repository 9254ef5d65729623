from odoo import api, fields, models
from odoo.tools import SQL

from ..models.res_partner import KAM_GROUP
from .kam_cockpit_common import ratio_select, values_rows

COLUMNS = (
    "id",
    "plan_id",
    "user_id",
    "team_id",
    "company_id",
    "currency_id",
    "state",
    "date",
    "target_amount",
    "actual_amount",
    "target_active_accounts",
    "actual_active_accounts",
    "target_new_accounts",
    "actual_new_accounts",
    "base_variable_pay",
    "payout_amount",
)


class KamPlanResultReport(models.Model):
    """The results of the individual plans per KAM (duty 2.20): revenue, active and
    new accounts against their targets, and the variable pay they earn.

    The figures are the plans' own (``kam.plan._compute_actuals``: live until the
    plan is closed, then frozen; ``_compute_payout``), computed for all the
    individual plans of the user's companies in a number of queries that does not
    grow with the plans (one per distinct period), then read as rows: one
    definition of achievement and pay. A KAM reads their own plans' rows, a head of
    sales all (record rules); the pay measures are for KAMs and heads of sales.
    """

    _name = "kam.plan.result.report"
    _description = "Key Account Plan Results"
    _auto = False
    _order = "date desc, user_id"
    _rec_name = "plan_id"

    plan_id = fields.Many2one("kam.plan", readonly=True)
    user_id = fields.Many2one("res.users", string="Key Account Manager", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("approved", "Approved"), ("closed", "Closed")],
        readonly=True,
    )
    date = fields.Date(string="Period Start", readonly=True)
    target_amount = fields.Monetary(string="Target Revenue", readonly=True)
    actual_amount = fields.Monetary(string="Invoiced Revenue", readonly=True)
    achievement = fields.Float(
        string="Achievement (%)",
        compute="_compute_achievements",
        aggregator="avg",
        digits=(16, 1),
        help="Invoiced revenue / target revenue of the group.",
    )
    target_active_accounts = fields.Integer(readonly=True)
    actual_active_accounts = fields.Integer(string="Active Accounts", readonly=True)
    active_achievement = fields.Float(
        string="Active Accounts Achievement (%)",
        compute="_compute_achievements",
        aggregator="avg",
        digits=(16, 1),
    )
    target_new_accounts = fields.Integer(readonly=True)
    actual_new_accounts = fields.Integer(string="New Accounts", readonly=True)
    new_achievement = fields.Float(
        string="New Accounts Achievement (%)",
        compute="_compute_achievements",
        aggregator="avg",
        digits=(16, 1),
    )
    base_variable_pay = fields.Monetary(readonly=True, groups=KAM_GROUP)
    payout_amount = fields.Monetary(
        string="Variable Pay", readonly=True, groups=KAM_GROUP
    )

    @property
    def _table_query(self):
        # sudo: the figures of every individual plan of the user's companies; this
        # report's own record rules say whose rows one reads
        plans = (
            self.env["kam.plan"]
            .sudo()
            .search(
                [
                    ("plan_type", "=", "individual"),
                    ("company_id", "in", self.env.companies.ids),
                ]
            )
        )
        rows = [
            (
                plan.id,
                plan.id,
                plan.user_id.id or None,
                plan.team_id.id or None,
                plan.company_id.id,
                plan.currency_id.id,
                plan.state,
                plan.date_from,
                plan.target_amount,
                plan.actual_amount,
                plan.target_active_accounts,
                plan.actual_active_accounts,
                plan.target_new_accounts,
                plan.actual_new_accounts,
                plan.base_variable_pay,
                plan.payout_amount,
            )
            for plan in plans
        ]
        return SQL(
            """
            SELECT v.id::int AS id, v.plan_id::int AS plan_id,
                   v.user_id::int AS user_id, v.team_id::int AS team_id,
                   v.company_id::int AS company_id, v.currency_id::int AS currency_id,
                   v.state::varchar AS state, v.date::date AS date,
                   v.target_amount::numeric AS target_amount,
                   v.actual_amount::numeric AS actual_amount,
                   v.target_active_accounts::int AS target_active_accounts,
                   v.actual_active_accounts::int AS actual_active_accounts,
                   v.target_new_accounts::int AS target_new_accounts,
                   v.actual_new_accounts::int AS actual_new_accounts,
                   v.base_variable_pay::numeric AS base_variable_pay,
                   v.payout_amount::numeric AS payout_amount
              FROM (VALUES %(rows)s) AS v(%(columns)s)
             WHERE v.id IS NOT NULL
            """,
            rows=values_rows(rows, len(COLUMNS)),
            columns=SQL(", ").join(SQL.identifier(column) for column in COLUMNS),
        )

    @api.depends(
        "target_amount",
        "actual_amount",
        "target_active_accounts",
        "actual_active_accounts",
        "target_new_accounts",
        "actual_new_accounts",
    )
    def _compute_achievements(self):
        for row in self:
            row.achievement = _pct(row.actual_amount, row.target_amount)
            row.active_achievement = _pct(
                row.actual_active_accounts, row.target_active_accounts
            )
            row.new_achievement = _pct(row.actual_new_accounts, row.target_new_accounts)

    def _read_group_select(self, aggregate_spec, query):
        ratios = {
            "achievement": ("actual_amount", "target_amount"),
            "active_achievement": (
                "actual_active_accounts",
                "target_active_accounts",
            ),
            "new_achievement": ("actual_new_accounts", "target_new_accounts"),
        }
        fname, __, aggregate = aggregate_spec.partition(":")
        if fname not in ratios or aggregate not in ("avg", "sum"):
            return super()._read_group_select(aggregate_spec, query)
        return ratio_select(self, query, *ratios[fname])


def _pct(actual, target):
    return actual / target * 100.0 if target else 0.0
