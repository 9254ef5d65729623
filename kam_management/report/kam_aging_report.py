from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

# keys that sort in age order (a pivot orders a selection's groups by key)
AGING_BUCKETS = [
    ("0_not_due", "Not Due"),
    ("1_30", "1-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("91_plus", "Over 90 Days"),
]

# the revenue days of the DSO: open receivables / revenue of the last DSO_DAYS days
# x DSO_DAYS
DSO_DAYS = 90


class KamAgingReport(models.Model):
    """What the accounts owe, by age (duty 2.13).

    A row is an open receivable installment: the lines of
    ``account.move.line._kam_open_debt_domain`` (the definition the overdue figure
    uses), aged on their due date against today: not due, 1-30, 31-60, 61-90 and
    over 90 days past due. Amounts are the residual in the company currency,
    taxes included. A row belongs to the commercial partner of the line.

    ``dso`` (days sales outstanding) is the account's, in the row's company: its
    open receivables / its revenue of the last 90 days (``kam.revenue.report``,
    untaxed) x 90; empty without revenue in those days.
    """

    _name = "kam.aging.report"
    _description = "Key Account Receivables Aging"
    _auto = False
    _order = "date_maturity, id"
    _rec_name = "move_id"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Account", readonly=True)
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    kam_user_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True
    )
    kam_tier = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C")], string="Tier", readonly=True
    )
    segment_id = fields.Many2one("kam.segment", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(AGING_BUCKETS, string="Age", readonly=True)
    amount = fields.Monetary(
        string="Open Amount",
        readonly=True,
        help="Still owed, taxes included, in the company currency.",
    )
    overdue_amount = fields.Monetary(
        string="Overdue",
        readonly=True,
        help="The open amount past its due date.",
    )
    # computed for the rows shown, not in the SQL: the pivots (by KAM, by age) do
    # not pay for the revenue of every account
    dso = fields.Float(
        string="DSO (days)",
        compute="_compute_dso",
        digits=(16, 0),
        help="The account's days sales outstanding: its open receivables / its "
        "untaxed revenue of the last 90 days x 90 (empty without revenue).",
    )

    _depends = {
        "account.move.line": [
            "move_id",
            "partner_id",
            "account_id",
            "parent_state",
            "reconciled",
            "amount_residual",
            "date_maturity",
            "company_id",
            "company_currency_id",
        ],
        "res.partner": [
            "commercial_partner_id",
            "is_key_account",
            "kam_user_id",
            "kam_tier",
            "kam_segment_id",
        ],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        # sudo: every open debt; this report's own rules say whose rows one reads
        lines = (
            self.env["account.move.line"]
            .sudo()
            ._search(self.env["account.move.line"]._kam_open_debt_domain())
        )
        return SQL(
            """
            SELECT line.id,
                   line.move_id,
                   account.id AS partner_id,
                   account.is_key_account IS TRUE AS is_key_account,
                   account.kam_user_id,
                   account.kam_tier,
                   account.kam_segment_id AS segment_id,
                   line.company_id,
                   line.company_currency_id AS currency_id,
                   line.date_maturity,
                   GREATEST(%(today)s - line.date_maturity, 0) AS days_overdue,
                   CASE
                       WHEN line.date_maturity IS NULL
                            OR line.date_maturity >= %(today)s THEN '0_not_due'
                       WHEN %(today)s - line.date_maturity <= 30 THEN '1_30'
                       WHEN %(today)s - line.date_maturity <= 60 THEN '31_60'
                       WHEN %(today)s - line.date_maturity <= 90 THEN '61_90'
                       ELSE '91_plus'
                   END AS bucket,
                   line.amount_residual AS amount,
                   CASE WHEN line.date_maturity < %(today)s
                        THEN line.amount_residual ELSE 0 END AS overdue_amount
              FROM (%(lines)s) line
              JOIN res_partner contact ON contact.id = line.partner_id
              JOIN res_partner account ON account.id = contact.commercial_partner_id
            """,
            today=today,
            # the open installments with the columns read: no second look-up
            lines=lines.select(
                *(
                    SQL.identifier(lines.table, column)
                    for column in (
                        "id",
                        "move_id",
                        "partner_id",
                        "company_id",
                        "company_currency_id",
                        "date_maturity",
                        "amount_residual",
                    )
                )
            ),
        )

    def _compute_dso(self):
        # two queries per company of the rows, whatever their number
        for company, rows in self.grouped("company_id").items():
            dso = self.with_company(company)._kam_dso(rows.partner_id)
            for row in rows:
                row.dso = dso.get(row.partner_id, False)

    @api.model
    def _kam_dso(self, partners):
        """{partner: DSO in days} of the commercial ``partners`` in the current
        company, as the report computes it; no entry without revenue in the last
        90 days. Two queries whatever the number of partners."""
        today = fields.Date.context_today(self)
        # sudo: figures for callers that show them to users of credit data only
        debt = dict(
            self.sudo()._read_group(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["amount:sum"],
            )
        )
        revenue = (
            self.env["kam.revenue.report"]
            .sudo()
            ._kam_amounts(partners, today - relativedelta(days=DSO_DAYS - 1), today)
        )
        return {
            partner: round(debt.get(partner, 0.0) / amount * DSO_DAYS)
            for partner, amount in revenue.items()
            if amount > 0
        }
