from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.workflow import workflow


class KamCreditRelease(models.TransientModel):
    """A head of sales (or an OCA risk manager) releases a blocked order, with a reason
    that goes to the order's chatter with the figures. The release holds for the order
    as it is now: a later change of its amount or account voids it."""

    _name = "kam.credit.release"
    _description = "Release a Credit Block"
    _inherit = ["kam.input.mixin"]

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    block_reasons = fields.Text(compute="_compute_block", compute_sudo=True)
    figures = fields.Text(
        compute="_compute_block",
        compute_sudo=True,
        groups="kam_management.group_kam_user,"
        "account_financial_risk.group_account_financial_risk_manager",
    )
    reason = fields.Text(
        string="Reason for the Release",
        help="Why the order may be confirmed although the credit rules block it.",
    )

    @api.depends("order_id")
    def _compute_block(self):
        # figures are computed on the server from the order, never taken from the client
        for wizard in self:
            order = wizard.order_id
            wizard.block_reasons = "\n".join(order._kam_credit_block_reasons())
            wizard.figures = order._kam_credit_figures() if order else False

    def action_release(self):
        self.ensure_one()
        order = self.order_id
        if not order._kam_can_release():
            raise AccessError(
                self.env._("Only a head of sales can release a credit block.")
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for the release."))
        if order.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "%(order)s is no quotation any more: nothing to release.",
                    order=order.name,
                )
            )
        order.check_access("write")
        reasons = order._kam_credit_block_reasons()
        figures = order._kam_credit_figures()
        now = fields.Datetime.now()
        with workflow():
            # sudo: release fields are readonly for everybody; the group check and
            # the reason are above
            order.sudo().write(
                {
                    "kam_credit_released_by": self.env.user.id,
                    "kam_credit_release_reason": self.reason,
                    "kam_credit_release_date": now,
                    "kam_credit_release_amount": order.amount_total,
                    "kam_credit_release_partner_id": (
                        order.partner_id.commercial_partner_id.id
                    ),
                }
            )
        order.message_post(
            body=Markup("<p>%s</p><ul><li>%s</li></ul><p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "Credit block released by %(user)s on %(date)s for %(amount)s.",
                    user=self.env.user.name,
                    date=fields.Datetime.to_string(now),
                    amount=order.currency_id.format(order.amount_total),
                ),
                Markup("</li><li>").join(reasons),
                figures,
                self.env._("Reason: %(reason)s", reason=self.reason),
            )
        )
        return order.action_confirm()
