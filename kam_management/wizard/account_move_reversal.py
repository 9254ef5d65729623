from odoo import api, fields, models

from ..models.account_move import REFUND_REASON_TYPES


class AccountMoveReversal(models.TransientModel):
    """The credit note of a key account carries its return or refusal reason."""

    _inherit = "account.move.reversal"

    kam_reason_id = fields.Many2one(
        "kam.reason",
        string="Return Reason",
        domain=[("reason_type", "in", REFUND_REASON_TYPES)],
        help="Required for the credit notes of key accounts (returns and refusals "
        "analysis).",
    )
    kam_reason_required = fields.Boolean(compute="_compute_kam_reason_required")

    @api.depends("move_ids")
    def _compute_kam_reason_required(self):
        for wizard in self:
            # sudo: the flag only, for whoever reverses (accounting)
            wizard.kam_reason_required = any(
                move.move_type == "out_invoice"
                and move.commercial_partner_id.is_key_account
                for move in wizard.move_ids.sudo()
            )

    def _prepare_default_reversal(self, move):
        vals = super()._prepare_default_reversal(move)
        if self.kam_reason_id and move.move_type == "out_invoice":
            vals["kam_reason_id"] = self.kam_reason_id.id
        return vals
