from odoo import api, fields, models
from odoo.exceptions import UserError

from .res_partner import KAM_GROUP, KAM_MANAGER_GROUP

RISK_MANAGER_GROUP = "account_financial_risk.group_account_financial_risk_manager"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    kam_user_id = fields.Many2one(
        related="partner_id.commercial_partner_id.kam_user_id",
        string="Key Account Manager",
        store=True,
        index="btree_not_null",
    )
    kam_visit_id = fields.Many2one(
        "kam.visit",
        string="Taken on Visit",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        groups=KAM_GROUP,
        check_company=True,
    )
    # credit control (duties 2.5, 2.8)
    kam_is_key_account = fields.Boolean(
        related="partner_id.commercial_partner_id.is_key_account"
    )
    kam_credit_headroom = fields.Monetary(
        string="Credit Headroom",
        compute="_compute_kam_credit",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Credit limit minus the current exposure (financial risk) of the account, "
        "before this order.",
    )
    kam_overdue_share = fields.Float(
        string="Overdue Debt (%)",
        compute="_compute_kam_credit",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Share of the account's open debt that is past due.",
    )
    kam_credit_released_by = fields.Many2one(
        "res.users", readonly=True, copy=False, tracking=True, groups=KAM_GROUP
    )
    kam_credit_release_reason = fields.Text(readonly=True, copy=False, groups=KAM_GROUP)

    @api.depends("partner_id", "company_id")
    def _compute_kam_credit(self):
        for order in self:
            partner = order.partner_id.commercial_partner_id.with_company(
                order.company_id
            )
            open_debt = partner.risk_invoice_open + partner.risk_invoice_unpaid
            order.kam_credit_headroom = (
                partner.credit_limit - partner.risk_total
                if partner.credit_limit
                else 0.0
            )
            # unapplied credit notes can make the unpaid balance negative
            unpaid = max(partner.risk_invoice_unpaid, 0.0)
            order.kam_overdue_share = (
                min(unpaid / open_debt * 100.0, 100.0) if open_debt > 0 else 0.0
            )

    # --- the credit gate ----------------------------------------------------
    def _kam_credit_block_reasons(self):
        """Why this key account order may not be confirmed ([] when it may)."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id.with_company(
            self.company_id
        ).sudo()
        if not partner.is_key_account or self.kam_credit_released_by:
            return []
        reasons = []
        risk_message = self.sudo().evaluate_risk_message(partner)
        if risk_message:
            reasons.append(risk_message.strip())
        if partner.kam_credit_hold:
            reasons.append(self.env._("The account is on credit hold."))
        if self.company_id.kam_credit_check_required and not (
            partner.kam_credit_valid_until
            and partner.kam_credit_valid_until >= fields.Date.context_today(self)
        ):
            reasons.append(self.env._("The account has no valid credit check."))
        return reasons

    def _kam_credit_figures(self):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id.with_company(
            self.company_id
        ).sudo()
        currency = partner.risk_currency_id or self.company_id.currency_id
        amount = self.currency_id._convert(
            self.amount_total,
            currency,
            self.company_id,
            fields.Date.context_today(self),
        )

        def fmt(value):
            return currency.format(value)

        return self.env._(
            "Credit limit: %(limit)s. Exposure with this order: %(exposure)s "
            "(this order %(order)s). Overdue: %(overdue)s.",
            limit=fmt(partner.credit_limit),
            exposure=fmt(partner.risk_total + amount),
            order=fmt(amount),
            overdue=fmt(partner.risk_invoice_unpaid),
        )

    def _kam_can_release(self):
        return self.env.user.has_group(KAM_MANAGER_GROUP) or self.env.user.has_group(
            RISK_MANAGER_GROUP
        )

    def action_confirm(self):
        # portal and payment flows confirm in sudo: an order already paid is not held
        if self.env.su or self.env.context.get("kam_skip_credit_check"):
            return super().action_confirm()
        blocked = [(order, order._kam_credit_block_reasons()) for order in self]
        blocked = [(order, reasons) for order, reasons in blocked if reasons]
        if blocked:
            order, reasons = blocked[0]
            if order._kam_can_release() and len(self) == 1:
                return order._kam_release_wizard(reasons)
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed:\n- %(reasons)s\n%(figures)s\n"
                    "A head of sales can release it.",
                    order=order.name,
                    reasons="\n- ".join(reasons),
                    figures=order._kam_credit_figures(),
                )
            )
        orders = self
        if all(order.kam_is_key_account for order in self):
            # the gate above already evaluated the OCA financial risk
            orders = self.with_context(bypass_risk=True)
        return super(SaleOrder, orders).action_confirm()

    def _kam_release_wizard(self, reasons):
        wizard = self.env["kam.credit.release"].create(
            {
                "order_id": self.id,
                "block_reasons": "\n".join(reasons),
                "figures": self._kam_credit_figures(),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Block"),
            "res_model": "kam.credit.release",
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
