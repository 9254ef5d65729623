from odoo import api, fields, models
from odoo.tools import SQL

from .kam_cockpit_common import ratio_select


class KamVisitConversionReport(models.Model):
    """Visits that turned into orders (duty 2.20).

    A row is a done visit or call: its KAM, account and day, the confirmed orders
    taken on it (``sale.order.kam_visit_id``, state sale) and their untaxed amount
    in the company currency. The conversion of a group is its visits with at least
    one order / its visits.
    """

    _name = "kam.visit.conversion.report"
    _description = "Key Account Visit to Order Conversion"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "visit_id"

    visit_id = fields.Many2one("kam.visit", readonly=True)
    visit_type = fields.Selection(
        [("visit", "Visit"), ("call", "Call")], string="Type", readonly=True
    )
    user_id = fields.Many2one("res.users", string="Key Account Manager", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    kam_tier = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C")], string="Tier", readonly=True
    )
    segment_id = fields.Many2one("kam.segment", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True)
    visit_count = fields.Integer(string="Visits Done", readonly=True)
    converted_count = fields.Integer(string="Visits with Orders", readonly=True)
    order_count = fields.Integer(string="Orders Taken", readonly=True)
    amount = fields.Monetary(
        string="Order Amount",
        readonly=True,
        help="Untaxed amount of the confirmed orders taken on the visits, in the "
        "company currency.",
    )
    conversion = fields.Float(
        string="Conversion (%)",
        compute="_compute_conversion",
        aggregator="avg",
        digits=(16, 1),
        help="Visits with at least one confirmed order / visits done.",
    )

    _depends = {
        "kam.visit": [
            "visit_type",
            "user_id",
            "partner_id",
            "company_id",
            "state",
            "date_start",
        ],
        "sale.order": ["kam_visit_id", "state", "amount_untaxed", "currency_rate"],
        "res.partner": ["kam_tier", "kam_segment_id"],
    }

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT visit.id,
                   visit.id AS visit_id,
                   visit.visit_type,
                   visit.user_id,
                   visit.partner_id,
                   account.kam_tier,
                   account.kam_segment_id AS segment_id,
                   visit.company_id,
                   company.currency_id,
                   visit.date_start::date AS date,
                   1 AS visit_count,
                   (COALESCE(orders.n, 0) > 0)::int AS converted_count,
                   COALESCE(orders.n, 0) AS order_count,
                   COALESCE(orders.amount, 0.0) AS amount
              FROM kam_visit visit
              JOIN res_partner account ON account.id = visit.partner_id
              JOIN res_company company ON company.id = visit.company_id
              LEFT JOIN (
                SELECT sale.kam_visit_id, COUNT(*) AS n,
                       SUM(sale.amount_untaxed
                           / COALESCE(NULLIF(sale.currency_rate, 0), 1.0)) AS amount
                  FROM sale_order sale
                 WHERE sale.state = 'sale' AND sale.kam_visit_id IS NOT NULL
              GROUP BY sale.kam_visit_id
              ) orders ON orders.kam_visit_id = visit.id
             WHERE visit.state = 'done'
            """
        )

    @api.depends("visit_count", "converted_count")
    def _compute_conversion(self):
        for row in self:
            row.conversion = (
                row.converted_count / row.visit_count * 100.0
                if row.visit_count
                else 0.0
            )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec not in ("conversion:avg", "conversion:sum"):
            return super()._read_group_select(aggregate_spec, query)
        return ratio_select(self, query, "converted_count", "visit_count")
