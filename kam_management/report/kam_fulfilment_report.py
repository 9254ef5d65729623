from odoo import fields, models
from odoo.tools import SQL

from ..models.res_partner import KAM_GROUP

# the aggregates of the rates: the ratio of the group's sums
RATE_AGGREGATES = {
    "fill_rate:avg": "qty_delivered",
    "fill_rate:sum": "qty_delivered",
    "on_time_rate:avg": "qty_on_time",
    "on_time_rate:sum": "qty_on_time",
}


class KamFulfilmentReport(models.Model):
    """Order fulfilment of key accounts (duty 2.11): a row is a goods line of a
    confirmed order of a key account, its quantities in the product's unit.

    The due date is the order's committed delivery date, else the order date plus
    the line's lead time. A quantity is on time when its delivery was done by the
    due date; a line is late when a delivery of it is still open (not fully
    delivered, no backorder cancelled) and its due date has passed. The fill rate
    and on-time rate of any group are ratios of its sums.
    """

    _name = "kam.fulfilment.report"
    _description = "Key Account Fulfilment Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one("sale.order", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    kam_user_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True
    )
    kam_tier = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C")],
        string="Tier",
        readonly=True,
        groups=KAM_GROUP,
    )
    # the tier and segment are KAM data: sales support reads fulfilment without
    kam_segment_id = fields.Many2one(
        "kam.segment", string="Market Segment", readonly=True, groups=KAM_GROUP
    )
    product_id = fields.Many2one("product.product", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(string="Order Date", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    is_late = fields.Boolean(
        string="Late",
        readonly=True,
        help="Not fully delivered and the due date has passed.",
    )
    qty_ordered = fields.Float(string="Ordered Qty", readonly=True)
    qty_delivered = fields.Float(string="Delivered Qty", readonly=True)
    qty_on_time = fields.Float(
        string="Delivered on Time", readonly=True, help="Delivered by the due date."
    )
    qty_open = fields.Float(string="Qty to Deliver", readonly=True)
    late_count = fields.Integer(string="Late Lines", readonly=True)
    # not stored: a percentage does not add up; _read_group_select computes any
    # group's value as the ratio of its sums (see kam.plan.report)
    fill_rate = fields.Float(
        string="Fill Rate (%)",
        compute="_compute_rates",
        aggregator="avg",
        digits=(16, 1),
        help="Delivered quantity divided by ordered quantity.",
    )
    on_time_rate = fields.Float(
        string="On-Time Rate (%)",
        compute="_compute_rates",
        aggregator="avg",
        digits=(16, 1),
        help="Quantity delivered by the due date divided by ordered quantity.",
    )

    _depends = {
        "sale.order": [
            "partner_id",
            "state",
            "date_order",
            "commitment_date",
            "company_id",
        ],
        "sale.order.line": [
            "order_id",
            "product_id",
            "product_uom_id",
            "product_uom_qty",
            "qty_delivered",
            "customer_lead",
            "display_type",
        ],
        "stock.move": ["sale_line_id", "state", "date", "product_qty"],
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
        return SQL(
            """
            SELECT rows.*,
                   rows.late AS is_late,
                   CASE WHEN rows.late THEN 1 ELSE 0 END AS late_count
              FROM (
                SELECT line.id,
                       so.id AS order_id,
                       account.id AS partner_id,
                       account.kam_user_id,
                       account.kam_tier,
                       account.kam_segment_id,
                       line.product_id,
                       so.company_id,
                       so.date_order::date AS date,
                       due.at::date AS date_due,
                       due.at AS due,
                       line.product_uom_qty * u.factor / u2.factor AS qty_ordered,
                       line.qty_delivered * u.factor / u2.factor AS qty_delivered,
                       LEAST(on_time.qty, line.qty_delivered * u.factor / u2.factor)
                           AS qty_on_time,
                       GREATEST(line.product_uom_qty - line.qty_delivered, 0)
                           * u.factor / u2.factor AS qty_open,
                       -- late: still to deliver (an open move) past the due date
                       line.qty_delivered < line.product_uom_qty
                       AND due.at < NOW() AT TIME ZONE 'UTC'
                       AND EXISTS (SELECT 1
                                     FROM stock_move open_move
                                    WHERE open_move.sale_line_id = line.id
                                      AND open_move.state NOT IN ('done', 'cancel'))
                           AS late
                  FROM sale_order_line line
                  JOIN sale_order so ON so.id = line.order_id
                  JOIN res_partner customer ON customer.id = so.partner_id
                  JOIN res_partner account
                    ON account.id = customer.commercial_partner_id
                  JOIN product_product product ON product.id = line.product_id
                  JOIN product_template template
                    ON template.id = product.product_tmpl_id
                  JOIN uom_uom u ON u.id = line.product_uom_id
                  JOIN uom_uom u2 ON u2.id = template.uom_id
                  CROSS JOIN LATERAL (
                        SELECT COALESCE(so.commitment_date,
                                        so.date_order
                                        + line.customer_lead * INTERVAL '1 day') AS at
                       ) due
                  CROSS JOIN LATERAL (
                        SELECT COALESCE(SUM(move.product_qty), 0.0) AS qty
                          FROM stock_move move
                          JOIN stock_location dest
                            ON dest.id = move.location_dest_id
                         WHERE move.sale_line_id = line.id
                           AND move.state = 'done'
                           AND dest.usage = 'customer'
                           AND move.date <= due.at
                       ) on_time
                 WHERE so.state = 'sale'
                   AND account.is_key_account
                   AND line.display_type IS NULL
                   AND template.type = 'consu'
              ) rows
            """
        )

    def _compute_rates(self):
        for row in self:
            row.fill_rate = (
                row.qty_delivered / row.qty_ordered * 100.0 if row.qty_ordered else 0.0
            )
            row.on_time_rate = (
                row.qty_on_time / row.qty_ordered * 100.0 if row.qty_ordered else 0.0
            )

    def _read_group_select(self, aggregate_spec, query):
        """A group's rate is the ratio of its sums, never an average of rates."""
        if aggregate_spec not in RATE_AGGREGATES:
            return super()._read_group_select(aggregate_spec, query)
        return SQL(
            "SUM(%(part)s) / NULLIF(SUM(%(ordered)s), 0.0) * 100.0",
            part=self._field_to_sql(
                self._table, RATE_AGGREGATES[aggregate_spec], query
            ),
            ordered=self._field_to_sql(self._table, "qty_ordered", query),
        )
