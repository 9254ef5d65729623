from odoo import api, fields, models
from odoo.tools.safe_eval import safe_eval

from ..models.res_partner import KAM_GROUP, KAM_MANAGER_GROUP


def kam_report_action(env, xmlid, **kam_context):
    """The window action ``xmlid`` as the user's role expects it: a head of sales
    compares the KAMs (the views' defaults); a KAM, who sees their own figures only,
    gets ``kam_context`` (graph_groupbys, pivot_row_groupby: by account)."""
    action = env["ir.actions.act_window"]._for_xml_id(xmlid)
    if not env.user.has_group(KAM_MANAGER_GROUP):
        context = dict(safe_eval(action.get("context") or "{}"))
        context.update(kam_context)
        action["context"] = context
    return action


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
    kam_discount_escalated = fields.Boolean(
        string="Discount Escalated",
        readonly=True,
        help="The order's terms went to a head of sales (discount authority).",
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
        ],
        "sale.order": ["kam_discount_escalated"],
    }

    @api.model
    def _kam_action_key_accounts(self):
        return kam_report_action(
            self.env,
            "kam_management.sale_report_action_key_accounts",
            graph_groupbys=["partner_id"],
            pivot_row_groupby=["partner_id"],
        )

    @api.model
    def _kam_action_discounts(self):
        return kam_report_action(
            self.env,
            "kam_management.sale_report_action_kam_discounts",
            graph_groupbys=["partner_id", "kam_discount_escalated"],
            pivot_row_groupby=["partner_id"],
        )

    def _select_additional_fields(self):
        res = super()._select_additional_fields()
        res["is_key_account"] = "COALESCE(kam_partner.is_key_account, FALSE)"
        res["kam_user_id"] = "kam_partner.kam_user_id"
        res["kam_tier"] = "kam_partner.kam_tier"
        res["kam_segment_id"] = "kam_partner.kam_segment_id"
        res["kam_discount_escalated"] = "COALESCE(s.kam_discount_escalated, FALSE)"
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
            kam_partner.kam_segment_id,
            s.kam_discount_escalated"""
        )
