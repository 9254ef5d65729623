from odoo import fields, models
from odoo.exceptions import UserError


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
