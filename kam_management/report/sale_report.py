from odoo import fields, models

from ..models.res_partner import KAM_GROUP


class SaleReport(models.Model):
    _inherit = "sale.report"

    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    kam_user_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True
    )
    kam_tier = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C")],
        string="Tier",
        readonly=True,
        groups=KAM_GROUP,
    )
    kam_segment_id = fields.Many2one(
        "kam.segment", string="Market Segment", readonly=True, groups=KAM_GROUP
    )

    # sale.report declares no _depends on partners: without it a pending change of
    # the KAM would not be flushed before the report query
    _depends = {
        "res.partner": [
            "commercial_partner_id",
            "is_key_account",
            "kam_user_id",
            "kam_tier",
            "kam_segment_id",
        ]
    }

    def _select_additional_fields(self):
        res = super()._select_additional_fields()
        res["is_key_account"] = "COALESCE(kam_partner.is_key_account, FALSE)"
        res["kam_user_id"] = "kam_partner.kam_user_id"
        res["kam_tier"] = "kam_partner.kam_tier"
        res["kam_segment_id"] = "kam_partner.kam_segment_id"
        return res

    def _from_sale(self):
        return (
            super()._from_sale()
            + """
            LEFT JOIN res_partner kam_partner
                   ON kam_partner.id = partner.commercial_partner_id"""
        )

    def _group_by_sale(self):
        return (
            super()._group_by_sale()
            + """,
            kam_partner.is_key_account,
            kam_partner.kam_user_id,
            kam_partner.kam_tier,
            kam_partner.kam_segment_id"""
        )
