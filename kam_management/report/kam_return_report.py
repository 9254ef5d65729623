from odoo import fields, models
from odoo.tools import SQL

SOURCES = [("order", "Cancelled Order"), ("credit_note", "Credit Note")]
REASON_TYPES = [
    ("return", "Return"),
    ("refusal", "Refusal"),
    ("cancellation", "Cancellation"),
    ("lost", "Lost"),
    ("bonus", "Volume Bonus"),
]


class KamReturnReport(models.Model):
    """Returns and refusals of key accounts by reason (duty 2.11).

    A row is either a line of a cancelled order of a key account that carries a
    reason (a confirmed order is cancelled only with one), or a product line of a
    posted credit note of a key account. Amounts are untaxed, in the company
    currency, positive; the date is the order date or the credit note's date.
    """

    _name = "kam.return.report"
    _description = "Key Account Returns and Refusals Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "reason_id"

    source = fields.Selection(SOURCES, readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    move_id = fields.Many2one("account.move", string="Credit Note", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    kam_user_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True
    )
    kam_tier = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C")], string="Tier", readonly=True
    )
    kam_segment_id = fields.Many2one(
        "kam.segment", string="Market Segment", readonly=True
    )
    reason_id = fields.Many2one("kam.reason", readonly=True)
    reason_type = fields.Selection(REASON_TYPES, readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True)
    quantity = fields.Float(readonly=True)
    amount = fields.Monetary(readonly=True, help="Untaxed, in the company currency.")

    _depends = {
        "sale.order": [
            "partner_id",
            "state",
            "date_order",
            "company_id",
            "currency_rate",
            "kam_reason_id",
        ],
        "sale.order.line": [
            "order_id",
            "product_id",
            "product_uom_qty",
            "price_subtotal",
            "display_type",
        ],
        "account.move": [
            "commercial_partner_id",
            "company_id",
            "state",
            "move_type",
            "invoice_date",
            "kam_reason_id",
        ],
        "account.move.line": [
            "move_id",
            "display_type",
            "balance",
            "quantity",
            "product_id",
            "company_currency_id",
        ],
        "kam.reason": ["reason_type"],
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
        # ids: order lines even, credit note lines odd (stable, unique)
        return SQL(
            """
            SELECT line.id * 2 AS id,
                   'order' AS source,
                   so.id AS order_id,
                   NULL::integer AS move_id,
                   account.id AS partner_id,
                   account.kam_user_id,
                   account.kam_tier,
                   account.kam_segment_id,
                   reason.id AS reason_id,
                   reason.reason_type,
                   line.product_id,
                   so.company_id,
                   company.currency_id,
                   so.date_order::date AS date,
                   line.product_uom_qty AS quantity,
                   line.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1.0)
                       AS amount
              FROM sale_order_line line
              JOIN sale_order so ON so.id = line.order_id
              JOIN res_company company ON company.id = so.company_id
              JOIN res_partner customer ON customer.id = so.partner_id
              JOIN res_partner account ON account.id = customer.commercial_partner_id
              JOIN kam_reason reason ON reason.id = so.kam_reason_id
             WHERE so.state = 'cancel'
               AND account.is_key_account
               AND line.display_type IS NULL
            UNION ALL
            SELECT line.id * 2 + 1,
                   'credit_note',
                   NULL::integer,
                   move.id,
                   account.id,
                   account.kam_user_id,
                   account.kam_tier,
                   account.kam_segment_id,
                   reason.id,
                   reason.reason_type,
                   line.product_id,
                   move.company_id,
                   line.company_currency_id,
                   move.invoice_date,
                   line.quantity,
                   line.balance
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN res_partner account ON account.id = move.commercial_partner_id
              LEFT JOIN kam_reason reason ON reason.id = move.kam_reason_id
             WHERE move.state = 'posted'
               AND move.move_type = 'out_refund'
               AND account.is_key_account
               AND line.display_type = 'product'
               -- a volume bonus is no return (bonus programmes report it)
               AND reason.reason_type IS DISTINCT FROM 'bonus'
            """
        )
