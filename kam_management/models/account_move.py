from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# the reasons of a credit note (cancelled orders take cancellation / lost); a
# bonus programme's credit notes carry a volume bonus reason
REFUND_REASON_TYPES = ("return", "refusal", "bonus")


class AccountMove(models.Model):
    _inherit = "account.move"

    kam_reason_id = fields.Many2one(
        "kam.reason",
        string="Return Reason",
        ondelete="restrict",
        tracking=True,
        copy=False,
        groups="base.group_user",
        domain=[("reason_type", "in", REFUND_REASON_TYPES)],
        help="Why a credit note was made for a key account (returns and refusals "
        "analysis).",
    )

    kam_is_key_account = fields.Boolean(
        string="Key Account Move",
        related="commercial_partner_id.is_key_account",
        groups="base.group_user",
    )

    @api.constrains("kam_reason_id")
    def _check_kam_reason_type(self):
        for move in self.sudo():
            if (
                move.kam_reason_id
                and move.kam_reason_id.reason_type not in REFUND_REASON_TYPES
            ):
                raise ValidationError(
                    self.env._(
                        "%(move)s: the reason of a credit note is a return or "
                        "refusal reason, not %(reason)s.",
                        move=move.display_name,
                        reason=move.kam_reason_id.display_name,
                    )
                )

    def _kam_key_refunds(self):
        # sudo: the flag only, for whoever posts (accounting)
        return self.sudo().filtered(
            lambda m: m.move_type == "out_refund"
            and m.commercial_partner_id.is_key_account
        )

    def _post(self, soft=True):
        """A key account's credit note is posted with its return or refusal reason,
        whatever the context or the path (button, reversal wizard, code)."""
        missing = self._kam_key_refunds().filtered(lambda m: not m.kam_reason_id)
        if missing:
            raise UserError(
                self.env._(
                    "%(moves)s: a credit note of a key account needs a return or "
                    "refusal reason (Return Reason) before it is posted.",
                    moves=", ".join(missing.mapped("display_name")),
                )
            )
        return super()._post(soft=soft)

    def write(self, vals):
        if "kam_reason_id" in vals and not vals["kam_reason_id"]:
            posted = self._kam_key_refunds().filtered(lambda m: m.state == "posted")
            if posted:
                raise UserError(
                    self.env._(
                        "The return reason of a posted credit note of a key account "
                        "cannot be removed."
                    )
                )
        return super().write(vals)

    def action_kam_collection_action(self):
        """A collection action about these invoices (the overdue invoices list):
        the open customer invoices of one key account."""
        accounts = self.commercial_partner_id
        if len(accounts) != 1 or not accounts.is_key_account:
            raise UserError(
                self.env._(
                    "Choose the invoices of one key account: a collection action is "
                    "about one account's invoices."
                )
            )
        wrong = self.filtered(
            lambda move: move.move_type != "out_invoice"
            or move.state != "posted"
            or move.currency_id.is_zero(move.amount_residual)
        )
        if wrong:
            raise UserError(
                self.env._(
                    "%(invoices)s: a collection action is about open posted customer "
                    "invoices only.",
                    invoices=", ".join(wrong.mapped("display_name")),
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "kam.collection.action",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_partner_id": accounts.id,
                "default_company_id": self.company_id[:1].id,
                "default_invoice_ids": self.ids,
            },
        }
