from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.sale_order import ORDER_REASON_TYPES


class KamOrderCancel(models.TransientModel):
    """Cancel a key account's confirmed order with its cancellation or lost reason
    (the order's own check refuses the cancellation without one)."""

    _name = "kam.order.cancel"
    _description = "Cancel a Key Account Order"
    _inherit = ["kam.input.mixin"]

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    reason_id = fields.Many2one(
        "kam.reason",
        string="Cancellation Reason",
        domain=[("reason_type", "in", ORDER_REASON_TYPES)],
        help="Why the account's confirmed order is cancelled.",
    )
    note = fields.Text(help="Posted on the order's chatter with the reason.")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # the wizard is for the orders the user may cancel
        wizards.order_id.check_access("write")
        return wizards

    def write(self, vals):
        # the wizard of an order the user may not change is not theirs to change
        self.order_id.check_access("write")
        res = super().write(vals)
        if "order_id" in vals:
            self.order_id.check_access("write")
        return res

    @api.constrains("reason_id")
    def _check_reason_type(self):
        for wizard in self:
            if (
                wizard.reason_id
                and wizard.reason_id.reason_type not in ORDER_REASON_TYPES
            ):
                raise ValidationError(
                    self.env._(
                        "An order is cancelled with a cancellation or lost reason, "
                        "not %(reason)s.",
                        reason=wizard.reason_id.display_name,
                    )
                )

    def action_cancel_order(self):
        self.ensure_one()
        self.order_id.check_access("write")
        if not self.reason_id:
            raise UserError(
                self.env._(
                    "Choose the reason why %(order)s is cancelled.",
                    order=self.order_id.name,
                )
            )
        order = self.order_id
        order.write({"kam_reason_id": self.reason_id.id})
        if self.note:
            order.message_post(body=self.note)
        return order.action_cancel()
