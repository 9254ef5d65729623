from odoo import fields, models
from odoo.tools import SQL


class KamPlanReport(models.Model):
    """Plan versus actual per KAM, key account and month, for pivot and graph views.

    Targets of the account lines are spread evenly over the months of the period;
    actuals are the invoiced revenue of each line's account (kam.revenue.report) by
    invoice month.
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
    target_amount = fields.Monetary(string="Target", readonly=True)
    actual_amount = fields.Monetary(string="Invoiced", readonly=True)

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
