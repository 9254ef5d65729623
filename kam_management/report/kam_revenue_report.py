from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

# the moves whose untaxed lines are revenue: customer invoices count positive,
# customer credit notes negative (sales receipts are left out)
REVENUE_MOVE_TYPES = [
    ("out_invoice", "Customer Invoice"),
    ("out_refund", "Customer Credit Note"),
]


class KamRevenueReport(models.Model):
    """Invoiced revenue: the one definition of revenue of kam_management.

    A row is an untaxed line (product or cash rounding) of a posted customer invoice
    or credit note: ``amount`` is in the company currency, negative for credit notes,
    so that the rows of a move add up to its amount_untaxed_signed. A row belongs to
    the move's commercial partner (a contact's invoice counts for its company), its
    company and its invoice date.

    The partner KPIs, the plan actuals, the account targets, the plan split and the
    plan analysis all read it: the ORM with ``_read_group``, SQL by embedding
    ``_table_sql``, whose metadata flushes the pending ORM writes it depends on.
    """

    _name = "kam.revenue.report"
    _description = "Key Account Revenue Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "move_id"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_type = fields.Selection(REVENUE_MOVE_TYPES, string="Type", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Account",
        readonly=True,
        help="The commercial partner of the invoice: its company for a contact.",
    )
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    kam_user_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True
    )
    product_id = fields.Many2one("product.product", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(string="Invoice Date", readonly=True)
    amount = fields.Monetary(
        string="Revenue",
        readonly=True,
        help="Untaxed, in the company currency; credit notes count negative.",
    )

    _depends = {
        "account.move": [
            "commercial_partner_id",
            "company_id",
            "state",
            "move_type",
            "invoice_date",
        ],
        "account.move.line": [
            "move_id",
            "display_type",
            "tax_repartition_line_id",
            "balance",
            "product_id",
            "company_currency_id",
        ],
        "res.partner": ["is_key_account", "kam_user_id"],
    }

    @property
    def _table_query(self):
        # the lines account.move._compute_amount counts as untaxed (a rounding line
        # with a tax repartition is tax); the non-deductible pairs of vendor bills
        # never occur on customer invoices
        return SQL(
            """
            SELECT line.id,
                   move.id AS move_id,
                   move.move_type,
                   move.commercial_partner_id AS partner_id,
                   COALESCE(account.is_key_account, FALSE) AS is_key_account,
                   account.kam_user_id,
                   line.product_id,
                   move.company_id,
                   line.company_currency_id AS currency_id,
                   move.invoice_date AS date,
                   -line.balance AS amount
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN res_partner account ON account.id = move.commercial_partner_id
             WHERE move.state = 'posted'
               AND move.move_type IN %(move_types)s
               AND (line.display_type = 'product'
                    OR (line.display_type = 'rounding'
                        AND line.tax_repartition_line_id IS NULL))
            """,
            move_types=tuple(dict(REVENUE_MOVE_TYPES)),
        )

    @api.model
    def _kam_amounts(self, partners, date_from, date_to):
        """{partner: revenue} of ``partners`` in the current company, invoice dates
        from ``date_from`` to ``date_to`` included."""
        return dict(
            self._read_group(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "=", self.env.company.id),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ],
                ["partner_id"],
                ["amount:sum"],
            )
        )

    @api.model
    def _kam_account_figures(self, kam_ids, company_id, date_from, date_to):
        """{kam_id: {account_id: (revenue, first invoice date)}} for the key accounts
        of ``kam_ids`` with revenue rows in ``company_id`` from ``date_from`` to
        ``date_to`` included, in one query whatever the number of KAMs.

        The first invoice date is the account's first posted customer invoice in
        the company (credit notes do not count), over its whole history: an account
        is new in a period when that date falls in it. It is read from the posted
        invoices themselves, through the partial index created in init(), rather
        than from their revenue rows (a posted invoice always has invoice lines)."""
        if not kam_ids:
            return {}
        self.env["account.move"].flush_model(
            [
                "commercial_partner_id",
                "company_id",
                "state",
                "move_type",
                "invoice_date",
            ]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT revenue.kam_user_id, revenue.partner_id, SUM(revenue.amount),
                       (SELECT MIN(invoice.invoice_date)
                          FROM account_move invoice
                         WHERE invoice.commercial_partner_id = revenue.partner_id
                           AND invoice.company_id = revenue.company_id
                           AND invoice.state = 'posted'
                           AND invoice.move_type = 'out_invoice')
                  FROM %(revenue)s revenue
                 WHERE revenue.is_key_account
                   AND revenue.kam_user_id = ANY(%(kams)s)
                   AND revenue.company_id = %(company)s
                   AND revenue.date BETWEEN %(date_from)s AND %(date_to)s
              GROUP BY revenue.kam_user_id, revenue.partner_id, revenue.company_id
                """,
                revenue=self._table_sql,
                kams=list(kam_ids),
                company=company_id,
                date_from=date_from,
                date_to=date_to,
            )
        )
        result = defaultdict(dict)
        for kam, account, amount, first_day in rows:
            result[kam][account] = (amount, first_day)
        return result

    def init(self):
        # an account's first invoice (new accounts of the plan actuals): one index
        # probe per account instead of a scan of all its invoices
        create_index(
            self.env.cr,
            "account_move_kam_first_invoice_idx",
            "account_move",
            ["commercial_partner_id", "company_id", "invoice_date"],
            where="state = 'posted' AND move_type = 'out_invoice'",
        )
