from odoo import fields, models
from odoo.tools import SQL

from .kam_cockpit_common import values_rows

COLUMNS = (
    "id",
    "partner_id",
    "kam_user_id",
    "kam_tier",
    "segment_id",
    "company_id",
    "currency_id",
    "credit_limit",
    "risk_total",
    "overdue_amount",
    "headroom",
    "over_limit_amount",
    "over_limit_count",
)


class KamCreditExposureReport(models.Model):
    """Credit exposure and headroom per key account (duties 2.13, 2.20).

    The figures are OCA financial risk's (``account_financial_risk``,
    ``sale_financial_risk``) for the current company: the total risk (the risk
    components the account includes: open and overdue invoices, orders not
    invoiced...) against the credit limit. They are computed by OCA's own computes
    for all the key accounts at once, then read as rows. Headroom is the limit
    minus the risk; it is empty (not zero) for an account without a credit limit.
    A KAM reads their own accounts, a head of sales all; sales support none.
    """

    _name = "kam.credit.exposure.report"
    _description = "Key Account Credit Exposure"
    _auto = False
    _order = "risk_total desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    kam_user_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True
    )
    kam_tier = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C")], string="Tier", readonly=True
    )
    segment_id = fields.Many2one("kam.segment", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    credit_limit = fields.Monetary(readonly=True)
    risk_total = fields.Monetary(
        string="Exposure", readonly=True, help="OCA's total risk of the account."
    )
    overdue_amount = fields.Monetary(
        string="Overdue Invoices",
        readonly=True,
        help="OCA's unpaid invoices past their due date.",
    )
    headroom = fields.Monetary(
        readonly=True,
        help="Credit limit minus exposure; empty without a credit limit.",
    )
    over_limit_amount = fields.Monetary(
        string="Over Limit",
        readonly=True,
        help="Exposure above the credit limit.",
    )
    over_limit_count = fields.Integer(string="Accounts over Limit", readonly=True)

    @property
    def _table_query(self):
        company = self.env.company
        # sudo: the exposure of every key account of the company (OCA computes it
        # with sudo too); this report's own record rules say whose rows one reads
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .search(
                [
                    ("is_key_account", "=", True),
                    ("is_company", "=", True),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )
        # OCA's risk figures are computed, not stored: never an earlier value
        # left in the cache
        partners.invalidate_recordset(["risk_total", "risk_invoice_unpaid"])
        rows = []
        for partner in partners:
            limit = partner.credit_limit
            risk = partner.risk_total
            rows.append(
                (
                    partner.id,
                    partner.id,
                    partner.kam_user_id.id or None,
                    partner.kam_tier or None,
                    partner.kam_segment_id.id or None,
                    company.id,
                    company.currency_id.id,
                    limit,
                    risk,
                    partner.risk_invoice_unpaid,
                    limit - risk if limit else None,
                    max(risk - limit, 0.0) if limit else 0.0,
                    int(bool(limit) and risk > limit),
                )
            )
        return SQL(
            """
            SELECT v.id::int AS id, v.partner_id::int AS partner_id,
                   v.kam_user_id::int AS kam_user_id, v.kam_tier::varchar AS kam_tier,
                   v.segment_id::int AS segment_id, v.company_id::int AS company_id,
                   v.currency_id::int AS currency_id,
                   v.credit_limit::numeric AS credit_limit,
                   v.risk_total::numeric AS risk_total,
                   v.overdue_amount::numeric AS overdue_amount,
                   v.headroom::numeric AS headroom,
                   v.over_limit_amount::numeric AS over_limit_amount,
                   v.over_limit_count::int AS over_limit_count
              FROM (VALUES %(rows)s) AS v(%(columns)s)
             WHERE v.id IS NOT NULL
            """,
            rows=values_rows(rows, len(COLUMNS)),
            columns=SQL(", ").join(SQL.identifier(column) for column in COLUMNS),
        )
