from odoo import fields, models

from .res_partner import KAM_GROUP


class SaleOrder(models.Model):
    _inherit = "sale.order"

    kam_user_id = fields.Many2one(
        related="partner_id.commercial_partner_id.kam_user_id",
        string="Key Account Manager",
        store=True,
        index="btree_not_null",
    )
    kam_visit_id = fields.Many2one(
        "kam.visit",
        string="Taken on Visit",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        groups=KAM_GROUP,
        check_company=True,
    )
