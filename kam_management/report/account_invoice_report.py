from odoo import fields, models
from odoo.tools import SQL

from ..models.res_partner import KAM_GROUP


class AccountInvoiceReport(models.Model):
    _inherit = "account.invoice.report"

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

    _depends = {
        "res.partner": ["is_key_account", "kam_user_id", "kam_tier", "kam_segment_id"]
    }

    def _select(self):
        # _from() joins the move's commercial partner as `commercial_partner`
        return SQL(
            """%s,
                COALESCE(commercial_partner.is_key_account, FALSE) AS is_key_account,
                commercial_partner.kam_user_id AS kam_user_id,
                commercial_partner.kam_tier AS kam_tier,
                commercial_partner.kam_segment_id AS kam_segment_id""",
            super()._select(),
        )
