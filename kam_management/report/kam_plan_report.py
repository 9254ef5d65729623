from odoo import api, fields, models
from odoo.tools import SQL

from .sale_report import kam_report_action

# the aggregates of kam.plan.report's achievement: the ratio of the group's sums
ACHIEVEMENT_AGGREGATES = ("achievement:avg", "achievement:sum")


class KamPlanReport(models.Model):
    """Plan versus actual per KAM, key account and month, for pivot and graph views.

    Targets of the account lines are spread evenly over the months of the period;
    actuals are the invoiced revenue of each line's account (kam.revenue.report) by
    invoice month. A row is either a target or an invoiced amount (``figure``), so
    that a graph grouped by figure shows the target next to the invoiced revenue:
    Odoo's graph plots one measure at a time.
    """

    _name = "kam.plan.report"
    _description = "Key Account Plan Analysis"
    _auto = False
    _order = "date desc"

    plan_id = fields.Many2one("kam.plan", readonly=True)
    parent_id = fields.Many2one("kam.plan", string="Department Plan", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Key Account Manager", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("approved", "Approved"), ("closed", "Closed")],
        readonly=True,
    )
    date = fields.Date(string="Month", readonly=True)
    figure = fields.Selection(
        [("target", "Target"), ("invoiced", "Invoiced")],
        readonly=True,
        help="Whether the row is a share of a target or invoiced revenue.",
    )
    amount = fields.Monetary(
        readonly=True, help="The target or the invoiced revenue, as the figure says."
    )
    target_amount = fields.Monetary(string="Target", readonly=True)
    actual_amount = fields.Monetary(string="Invoiced", readonly=True)
    # not stored: a percentage does not add up. Any group's value is computed from
    # the group's sums by _read_group_select (the target-weighted average of its
    # rows' achievements), which also makes it a measure of the pivot and graph
    achievement = fields.Float(
        string="Achievement (%)",
        compute="_compute_achievement",
        aggregator="avg",
        digits=(16, 1),
        help="Invoiced revenue of the group divided by its target; empty without a "
        "target.",
    )

    _depends = {
        "kam.plan": [
            "parent_id",
            "team_id",
            "user_id",
            "company_id",
            "state",
            "date_from",
            "date_to",
        ],
        "kam.plan.line": ["plan_id", "partner_id", "target_amount"],
        # and, through it, what the revenue depends on
        "kam.revenue.report": ["partner_id", "company_id", "date", "amount"],
    }

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT ROW_NUMBER() OVER (ORDER BY rows.plan_id, rows.partner_id, rows.date)
                       AS id,
                   rows.*
              FROM (
                SELECT p.id AS plan_id, p.parent_id, p.team_id, p.user_id, p.company_id,
                       company.currency_id, p.state, line.partner_id,
                       month.day::date AS date,
                       'target' AS figure,
                       line.target_amount / months.n AS amount,
                       line.target_amount / months.n AS target_amount,
                       0.0 AS actual_amount
                  FROM kam_plan_line line
                  JOIN kam_plan p ON p.id = line.plan_id
                  JOIN res_company company ON company.id = p.company_id
                  CROSS JOIN LATERAL (
                        SELECT COUNT(*) AS n
                          FROM generate_series(date_trunc('month', p.date_from),
                                               p.date_to::timestamp, interval '1 month')
                       ) months
                  CROSS JOIN LATERAL generate_series(
                        date_trunc('month', p.date_from), p.date_to::timestamp,
                        interval '1 month') AS month(day)
                UNION ALL
                SELECT p.id, p.parent_id, p.team_id, p.user_id, p.company_id,
                       company.currency_id, p.state, line.partner_id,
                       date_trunc('month', revenue.date)::date,
                       'invoiced',
                       SUM(revenue.amount),
                       0.0,
                       SUM(revenue.amount)
                  FROM kam_plan_line line
                  JOIN kam_plan p ON p.id = line.plan_id
                  JOIN res_company company ON company.id = p.company_id
                  JOIN %(revenue)s revenue
                    ON revenue.partner_id = line.partner_id
                   AND revenue.company_id = p.company_id
                   AND revenue.date BETWEEN p.date_from AND p.date_to
              GROUP BY p.id, company.currency_id, line.partner_id,
                       date_trunc('month', revenue.date)
              ) rows
            """,
            revenue=self.env["kam.revenue.report"]._table_sql,
        )

    @api.model
    def _kam_action_open(self):
        return kam_report_action(
            self.env,
            "kam_management.kam_plan_report_action",
            graph_groupbys=["partner_id", "figure"],
            pivot_row_groupby=["partner_id"],
        )

    @api.depends("target_amount", "actual_amount")
    def _compute_achievement(self):
        for row in self:
            row.achievement = (
                row.actual_amount / row.target_amount * 100.0
                if row.target_amount
                else 0.0
            )

    def _read_group_select(self, aggregate_spec, query):
        """A group's achievement is the ratio of its sums, as account.invoice.report
        computes its average price: never an average or a sum of percentages."""
        if aggregate_spec not in ACHIEVEMENT_AGGREGATES:
            return super()._read_group_select(aggregate_spec, query)
        return SQL(
            "SUM(%(actual)s) / NULLIF(SUM(%(target)s), 0.0) * 100.0",
            actual=self._field_to_sql(self._table, "actual_amount", query),
            target=self._field_to_sql(self._table, "target_amount", query),
        )
