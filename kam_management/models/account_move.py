from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    kam_reason_id = fields.Many2one(
        "kam.reason",
        string="Return Reason",
        ondelete="restrict",
        tracking=True,
        copy=False,
        groups="base.group_user",
        help="Why a credit note was made for a key account (returns and refusals "
        "analysis).",
    )
