from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class KamCreditRelease(models.TransientModel):
    """A head of sales (or an OCA risk manager) releases a blocked order, with a reason
    that goes to the order's chatter with the figures."""

    _name = "kam.credit.release"
    _description = "Release a Credit Block"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    block_reasons = fields.Text(readonly=True)
    figures = fields.Text(readonly=True)
    reason = fields.Text(
        string="Reason for the Release",
        help="Why the order may be confirmed although the credit rules block it.",
    )

    def action_release(self):
        self.ensure_one()
        order = self.order_id
        if not order._kam_can_release():
            raise AccessError(
                self.env._("Only a head of sales can release a credit block.")
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for the release."))
        order.sudo().write(
            {
                "kam_credit_released_by": self.env.user.id,
                "kam_credit_release_reason": self.reason,
            }
        )
        order.message_post(
            body=Markup("<p>%s</p><ul><li>%s</li></ul><p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "Credit block released by %(user)s on %(date)s.",
                    user=self.env.user.name,
                    date=fields.Datetime.to_string(fields.Datetime.now()),
                ),
                Markup("</li><li>").join((self.block_reasons or "").splitlines()),
                self.figures or "",
                self.env._("Reason: %(reason)s", reason=self.reason),
            )
        )
        return order.with_context(
            kam_skip_credit_check=True, bypass_risk=True
        ).action_confirm()
