from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, float_compare

from .res_partner import (
    CREDIT_REVIEWER_GROUP,
    KAM_GROUP,
    KAM_MANAGER_GROUP,
    RISK_MANAGER_GROUP,
)
from .workflow import check_workflow_fields, in_workflow, workflow

RELEASE_FIELDS = (
    "kam_credit_released_by",
    "kam_credit_release_reason",
    "kam_credit_release_date",
    "kam_credit_release_amount",
    "kam_credit_release_partner_id",
)
ENTER_ORDER_ACTIVITY = "kam_management.mail_activity_type_enter_order"
# who works on orders: the statuses below are for them (not for accountants)
SALES_GROUP = "sales_team.group_sale_salesman"
# the reasons of a cancelled order (credit notes take return / refusal)
ORDER_REASON_TYPES = ("cancellation", "lost")
# posted customer invoices whose payment status counts for the order
PAID_STATES = ("paid", "in_payment", "reversed")
# discount authority (duty 2.9): the head of sales' review of an order's terms
DISCOUNT_TIER = "kam_management.tier_definition_kam_discount"
# what only the discount review writes; what a review of the terms lets be edited
DISCOUNT_FIELDS = ("kam_discount_escalated", "kam_discount_terms")
DISCOUNT_TERMS_FIELDS = ("order_line", "pricelist_id")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    kam_user_id = fields.Many2one(
        related="partner_id.commercial_partner_id.kam_user_id",
        string="Key Account Manager",
        store=True,
        index="btree_not_null",
    )
    kam_reason_id = fields.Many2one(
        "kam.reason",
        string="Cancellation Reason",
        ondelete="restrict",
        tracking=True,
        copy=False,
        groups="sales_team.group_sale_salesman,account.group_account_invoice",
        domain=[("reason_type", "in", ORDER_REASON_TYPES)],
        help="Why a key account's confirmed order was cancelled (returns and "
        "refusals analysis).",
    )
    # fulfilment (duty 2.11): what the KAM and sales support follow after the order
    kam_payment_status = fields.Selection(
        [
            ("none", "Not Invoiced"),
            ("not_paid", "Not Paid"),
            ("partial", "Partially Paid"),
            ("paid", "Paid"),
        ],
        string="Payment Status",
        compute="_compute_kam_payment_status",
        search="_search_kam_payment_status",
        compute_sudo=True,
        groups=SALES_GROUP,
        help="The payment status of the order's posted customer invoices.",
    )
    kam_is_late = fields.Boolean(
        string="Late Delivery",
        compute="_compute_kam_is_late",
        search="_search_kam_is_late",
        compute_sudo=True,
        groups=SALES_GROUP,
        help="A confirmed order not fully delivered whose delivery date (the "
        "committed date, else the scheduled date of an open delivery) has passed.",
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
    # a release by a head of sales, for this order as it was when released
    kam_credit_released_by = fields.Many2one(
        "res.users",
        string="Credit Released By",
        ondelete="restrict",
        readonly=True,
        copy=False,
        tracking=True,
        groups=KAM_GROUP,
    )
    kam_credit_release_reason = fields.Text(
        string="Credit Release Reason", readonly=True, copy=False, groups=KAM_GROUP
    )
    kam_credit_release_date = fields.Datetime(
        string="Credit Released On", readonly=True, copy=False, groups=KAM_GROUP
    )
    kam_credit_release_amount = fields.Monetary(
        string="Released Amount",
        readonly=True,
        copy=False,
        groups=KAM_GROUP,
        help="The order's total when the credit block was released: the release is "
        "void once the order changes.",
    )
    kam_credit_release_partner_id = fields.Many2one(
        "res.partner",
        string="Released for",
        readonly=True,
        copy=False,
        groups=KAM_GROUP,
    )
    kam_credit_release_valid = fields.Boolean(
        string="Credit Release Valid",
        compute="_compute_kam_credit_release_valid",
        compute_sudo=True,
        groups=KAM_GROUP,
    )
    # the credit gate's verdict without its figures: sales support enters and
    # confirms orders, and must know which ones the gate holds
    kam_credit_status = fields.Selection(
        [("clear", "Clear"), ("blocked", "Blocked")],
        string="Credit Gate",
        compute="_compute_kam_credit_status",
        search="_search_kam_credit_status",
        groups=SALES_GROUP,
        help="For a quotation of a key account: whether the credit gate lets it be "
        "confirmed (a head of sales may release a blocked one).",
    )
    kam_credit_block_reason = fields.Text(
        string="Blocked Because",
        compute="_compute_kam_credit_status",
        groups=SALES_GROUP,
        help="Why the credit gate holds the order (the figures are shown to users "
        "of credit data only).",
    )
    kam_entry_user_id = fields.Many2one(
        "res.users",
        string="Order Entry By",
        compute="_compute_kam_entry_user_id",
        search="_search_kam_entry_user_id",
        groups=SALES_GROUP,
        help="Who has the open Enter Order activity: the order was taken by a KAM "
        "and waits to be entered.",
    )

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

    @api.depends(
        "kam_credit_released_by",
        "kam_credit_release_amount",
        "kam_credit_release_partner_id",
        "amount_total",
        "partner_id",
    )
    def _compute_kam_credit_release_valid(self):
        for order in self:
            order.kam_credit_release_valid = bool(
                order.kam_credit_released_by
                and order.kam_credit_release_partner_id
                == order.partner_id.commercial_partner_id
                and not order.currency_id.compare_amounts(
                    order.kam_credit_release_amount, order.amount_total
                )
            )

    @api.depends(
        "state", "partner_id", "company_id", "amount_total", "kam_credit_released_by"
    )
    def _compute_kam_credit_status(self):
        for order in self:
            status = reason = False
            if order.state in ("draft", "sent") and order._kam_key_orders():
                # the reasons name no figure (see _kam_refusal)
                reasons = order._kam_credit_block_reasons()
                status = "blocked" if reasons else "clear"
                reason = "\n".join(reasons) or False
            order.kam_credit_status = status
            order.kam_credit_block_reason = reason

    def _search_kam_credit_status(self, operator, value):
        if operator != "in":
            return NotImplemented
        # the verdict is computed: on the open key account quotations the user reads
        candidates = self.search(
            [
                ("state", "in", ("draft", "sent")),
                ("partner_id.commercial_partner_id.is_key_account", "=", True),
            ]
        )
        domain = Domain(
            "id",
            "in",
            candidates.filtered(lambda o: o.kam_credit_status in value).ids,
        )
        if False in value:
            domain |= Domain("id", "not in", candidates.ids)
        return domain

    @api.depends("activity_ids.user_id", "activity_ids.activity_type_id")
    def _compute_kam_entry_user_id(self):
        entry_type = self.env.ref(ENTER_ORDER_ACTIVITY, raise_if_not_found=False)
        for order in self:
            order.kam_entry_user_id = order.activity_ids.filtered(
                lambda a: a.activity_type_id == entry_type
            )[:1].user_id

    def _search_kam_entry_user_id(self, operator, value):
        if operator not in ("in", "any"):
            return NotImplemented
        entry_type = self.env.ref(ENTER_ORDER_ACTIVITY, raise_if_not_found=False)
        if not entry_type:
            return (
                Domain.FALSE if operator == "any" or False not in value else Domain.TRUE
            )
        open_entry = Domain(
            [
                ("res_model", "=", self._name),
                ("active", "=", True),
                ("activity_type_id", "=", entry_type.id),
            ]
        )
        if operator == "any":
            return Domain(
                "activity_ids", "any", open_entry & Domain("user_id", "any", value)
            )
        users = [user for user in value if user]
        domain = (
            Domain("activity_ids", "any", open_entry & Domain("user_id", "in", users))
            if users
            else Domain.FALSE
        )
        if False in value:
            # no entry user: no open Enter Order activity
            domain |= ~Domain("activity_ids", "any", open_entry)
        return domain

    @api.depends("invoice_ids.state", "invoice_ids.payment_state")
    def _compute_kam_payment_status(self):
        for order in self:
            states = set(
                order.invoice_ids.filtered(
                    lambda m: m.state == "posted" and m.move_type == "out_invoice"
                ).mapped("payment_state")
            )
            if not states:
                status = "none"
            elif states <= set(PAID_STATES):
                status = "paid"
            elif states == {"not_paid"}:
                status = "not_paid"
            else:
                status = "partial"
            order.kam_payment_status = status

    @api.model
    def _kam_invoiced_domain(self, payment_states=None):
        """Orders with a posted customer invoice (in one of ``payment_states``)."""
        move = Domain([("state", "=", "posted"), ("move_type", "=", "out_invoice")])
        if payment_states:
            move &= Domain("payment_state", "in", payment_states)
        return Domain(
            "order_line",
            "any",
            Domain("invoice_lines", "any", Domain("move_id", "any", move)),
        )

    def _search_kam_payment_status(self, operator, value):
        if operator != "in":
            return NotImplemented
        invoiced = self._kam_invoiced_domain()
        paid = self._kam_invoiced_domain(PAID_STATES)
        unpaid = self._kam_invoiced_domain(["not_paid"])
        partial = self._kam_invoiced_domain(["partial"])
        domains = {
            "none": ~invoiced,
            "paid": invoiced & ~unpaid & ~partial,
            "not_paid": unpaid & ~paid & ~partial,
            "partial": partial | (paid & unpaid),
        }
        return Domain.OR(domains[status] for status in value if status in domains)

    @api.model
    def _kam_late_domain(self):
        now = fields.Datetime.now()
        open_picking = Domain(
            [
                ("state", "not in", ("done", "cancel")),
                ("picking_type_code", "=", "outgoing"),
                ("scheduled_date", "<", now),
            ]
        )
        return Domain(
            [
                ("state", "=", "sale"),
                ("delivery_status", "in", ("pending", "started", "partial")),
            ]
        ) & (
            Domain("commitment_date", "<", now)
            | Domain("picking_ids", "any", open_picking)
        )

    @api.depends(
        "state",
        "delivery_status",
        "commitment_date",
        "picking_ids.state",
        "picking_ids.scheduled_date",
    )
    def _compute_kam_is_late(self):
        now = fields.Datetime.now()
        for order in self:
            order.kam_is_late = (
                order.state == "sale"
                and order.delivery_status in ("pending", "started", "partial")
                and bool(
                    (order.commitment_date and order.commitment_date < now)
                    or order.picking_ids.filtered(
                        lambda p: p.state not in ("done", "cancel")
                        and p.picking_type_code == "outgoing"
                        and p.scheduled_date < now
                    )
                )
            )

    def _search_kam_is_late(self, operator, value):
        if operator != "in":
            return NotImplemented
        late = self._kam_late_domain()
        if True in value and False in value:
            return Domain.TRUE
        if True in value:
            return late
        if False in value:
            return ~late
        return Domain.FALSE

    # --- cancellation reasons (duty 2.11) -----------------------------------
    @api.constrains("kam_reason_id")
    def _check_kam_reason_type(self):
        for order in self.sudo():
            if (
                order.kam_reason_id
                and order.kam_reason_id.reason_type not in ORDER_REASON_TYPES
            ):
                raise ValidationError(
                    self.env._(
                        "%(order)s: the reason of a cancelled order is a "
                        "cancellation or lost reason, not %(reason)s.",
                        order=order.name,
                        reason=order.kam_reason_id.display_name,
                    )
                )

    def _kam_check_cancel_reason(self, vals):
        """A key account's confirmed order is cancelled with a cancellation or lost
        reason: whatever the context or the path (button, mass cancel, write)."""
        if "kam_reason_id" in vals and not vals["kam_reason_id"]:
            if self.sudo().filtered(lambda o: o.state == "cancel" and o.kam_reason_id):
                raise UserError(
                    self.env._("The reason of a cancelled order cannot be removed.")
                )
        if vals.get("state") != "cancel":
            return
        # sudo: the flag and the reason, for whoever cancels
        confirmed = self.sudo().filtered(lambda o: o.state == "sale")._kam_key_orders()
        if not confirmed:
            return
        reason_id = vals.get("kam_reason_id")
        reason = (
            self.env["kam.reason"]
            .sudo()
            .browse(reason_id if isinstance(reason_id, int) else ())
        )
        if "kam_reason_id" in vals and not reason:
            missing = confirmed
        else:
            missing = confirmed.filtered(lambda o: not (reason or o.kam_reason_id))
        if missing:
            raise UserError(
                self.env._(
                    "%(orders)s: a confirmed order of a key account is cancelled "
                    "with a reason. Cancel it with the Cancel button and choose the "
                    "cancellation or lost reason.",
                    orders=", ".join(missing.mapped("name")),
                )
            )

    def action_cancel(self):
        """A confirmed key account order without a reason: the reason wizard."""
        missing = (
            self.sudo()
            .filtered(lambda o: o.state == "sale" and not o.kam_reason_id)
            ._kam_key_orders()
        )
        if missing and len(self) == 1 and not self.env.su:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Cancel the Order"),
                "res_model": "kam.order.cancel",
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
                "context": {"default_order_id": self.id},
            }
        return super().action_cancel()

    # --- CRUD: what only the gate and the release wizard write ---------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # the KAM follows the account; releases come from the release wizard
            check_workflow_fields(
                self,
                vals,
                RELEASE_FIELDS + DISCOUNT_FIELDS + ("kam_user_id",),
                create=True,
            )
            if vals.get("state", "draft") not in ("draft", "sent"):
                partner = self.env["res.partner"].browse(vals.get("partner_id"))
                # sudo: the flag only; sales support and portal may not read it
                if partner.sudo().commercial_partner_id.is_key_account:
                    check_workflow_fields(self, vals, ["state"])
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(
            self, vals, RELEASE_FIELDS + DISCOUNT_FIELDS + ("kam_user_id",)
        )
        self._kam_check_cancel_reason(vals)
        if vals.get("state") == "sale" and self._kam_key_orders():
            # confirming is action_confirm's job: it passes the credit gate
            check_workflow_fields(self, vals, ["state"])
        if not {"partner_id", "order_line", "pricelist_id"} & vals.keys():
            return super().write(vals)
        # sudo: sales support edits orders too; release fields are KAM-only
        released = self.sudo().filtered("kam_credit_released_by")
        res = super().write(vals)
        released._kam_void_changed_releases()
        self._kam_void_changed_discount_approvals()
        return res

    def _kam_void_changed_releases(self):
        """A release holds for the order as released: drop it once the order's
        amount or account changed (the gate checks it again on confirmation)."""
        for order in self.filtered(
            lambda o: o.state in ("draft", "sent") and not o.kam_credit_release_valid
        ):
            order.message_post(
                body=self.env._(
                    "The credit release by %(user)s is void: the order changed "
                    "after it (total %(total)s, released for %(released)s).",
                    user=order.kam_credit_released_by.name,
                    total=order.currency_id.format(order.amount_total),
                    released=order.currency_id.format(order.kam_credit_release_amount),
                )
            )
            with workflow():
                order.write(dict.fromkeys(RELEASE_FIELDS, False))

    # --- the credit gate ----------------------------------------------------
    def _kam_key_orders(self):
        # sudo: the flag only, for whoever confirms (sales support, portal)
        return self.filtered(
            lambda o: o.partner_id.commercial_partner_id.sudo().is_key_account
        )

    def _kam_paid_online(self):
        """Confirmed by an online payment (in sudo: no user can reach it over RPC)
        that reached the amount the company requires before confirmation."""
        self.ensure_one()
        return (
            self.env.su
            and self.amount_paid > 0
            and self._is_confirmation_amount_reached()
        )

    def _kam_credit_block_reasons(self):
        """Why this key account order may not be confirmed ([] when it may)."""
        self.ensure_one()
        # sudo: the gate reads credit data whoever confirms; only the reasons
        # reach a user without credit rights (_kam_refusal)
        order = self.sudo()
        partner = order.partner_id.commercial_partner_id.with_company(order.company_id)
        if not partner.is_key_account or order.kam_credit_release_valid:
            return []
        reasons = []
        risk_message = order.evaluate_risk_message(partner)
        if risk_message:
            reasons.append(risk_message.strip())
        if partner.kam_credit_hold:
            reasons.append(self.env._("The account is on credit hold."))
        if order.company_id.kam_credit_check_required and not (
            partner.kam_credit_valid_until
            and partner.kam_credit_valid_until >= fields.Date.context_today(self)
        ):
            reasons.append(self.env._("The account has no valid credit check."))
        return reasons

    def _kam_credit_figures(self):
        self.ensure_one()
        # sudo: callers show the figures only to users of credit data
        order = self.sudo()
        partner = order.partner_id.commercial_partner_id.with_company(order.company_id)
        currency = partner.risk_currency_id or order.company_id.currency_id
        amount = order.currency_id._convert(
            order.amount_total,
            currency,
            order.company_id,
            fields.Date.context_today(self),
        )
        overdue = partner.with_company(order.company_id)._kam_overdue_amounts()

        def fmt(value):
            return currency.format(value)

        return self.env._(
            "Credit limit: %(limit)s. Exposure with this order: %(exposure)s "
            "(this order %(order)s). Overdue: %(overdue)s.",
            limit=fmt(partner.credit_limit),
            exposure=fmt(partner.risk_total + amount),
            order=fmt(amount),
            overdue=fmt(overdue.get(partner, 0.0)),
        )

    def _kam_sees_credit_figures(self):
        user = self.env.user
        return (
            user.has_group(KAM_GROUP)
            or user.has_group(RISK_MANAGER_GROUP)
            or user.has_group(CREDIT_REVIEWER_GROUP)
        )

    def _kam_refusal(self, reasons):
        """The refusal names the reasons; only users of credit data see figures."""
        self.ensure_one()
        if not self._kam_sees_credit_figures():
            return UserError(
                self.env._(
                    "%(order)s cannot be confirmed:\n- %(reasons)s\n"
                    "Ask the account's key account manager or a head of sales.",
                    order=self.name,
                    reasons="\n- ".join(reasons),
                )
            )
        return UserError(
            self.env._(
                "%(order)s cannot be confirmed:\n- %(reasons)s\n%(figures)s\n"
                "A head of sales can release it.",
                order=self.name,
                reasons="\n- ".join(reasons),
                figures=self._kam_credit_figures(),
            )
        )

    def _kam_can_release(self):
        return self.env.user.has_group(KAM_MANAGER_GROUP) or self.env.user.has_group(
            RISK_MANAGER_GROUP
        )

    def _kam_lock_accounts(self):
        """Serialize the confirmations of one account. Odoo's transactions are
        REPEATABLE READ: a mere row lock would let the second transaction evaluate
        the exposure from the snapshot it took before the first one committed.
        Updating the account's row instead makes the second one fail with a
        serialization error, which Odoo retries with fresh figures."""
        partners = self.partner_id.commercial_partner_id
        if partners:
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET write_date = write_date "
                    "WHERE id IN (SELECT id FROM res_partner WHERE id = ANY(%s) "
                    "ORDER BY id FOR NO KEY UPDATE)",
                    sorted(partners.ids),
                )
            )

    def action_confirm(self):
        """Key account orders pass the credit gate one by one, each with the
        exposure of those confirmed before it. No context key switches it off."""
        key_orders = self._kam_key_orders()
        if not key_orders:
            return super().action_confirm()
        key_orders._kam_lock_accounts()
        # the discount first: the terms decide the amount the credit gate weighs
        key_orders._kam_check_discount_approved()
        for order in key_orders:
            reasons = (
                [] if order._kam_paid_online() else order._kam_credit_block_reasons()
            )
            if reasons:
                if len(self) == 1 and not self.env.su and order._kam_can_release():
                    return order._kam_release_wizard()
                raise order._kam_refusal(reasons)
            with workflow():
                # the gate has evaluated OCA's financial risk already
                super(SaleOrder, order.with_context(bypass_risk=True)).action_confirm()
            self.env.flush_all()
            order.partner_id.commercial_partner_id.invalidate_recordset()
        others = self - key_orders
        if others:
            return super(SaleOrder, others).action_confirm()
        return True

    def _action_confirm(self):
        """A confirmed order has been entered: its Enter Order activity is done."""
        res = super()._action_confirm()
        self._kam_close_order_entry(self.env._("Order confirmed."))
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self._kam_close_order_entry(self.env._("Order cancelled."))
        return res

    def _kam_close_order_entry(self, feedback):
        # sudo: whoever confirms or cancels the order closes the activity of the
        # user who was to enter it (also one scheduled by hand)
        self.sudo().activity_feedback(
            [ENTER_ORDER_ACTIVITY], feedback=feedback, only_automated=False
        )

    def _validate_order(self):
        """Signed on the portal (in sudo): a key account order the gate holds stays a
        signed quotation, and its KAM is told, instead of failing the signature."""
        held = self.env["sale.order"]
        for order in self._kam_key_orders():
            # terms beyond the KAM's authority wait for the head of sales, paid or not
            discount_reasons = order._kam_discount_block_reasons()
            if discount_reasons:
                held |= order
                order._kam_notify_held(
                    discount_reasons,
                    self.env._("Discount approval on an accepted order"),
                )
                continue
            reasons = (
                [] if order._kam_paid_online() else order._kam_credit_block_reasons()
            )
            if reasons:
                held |= order
                order._kam_notify_held(reasons)
        return super(SaleOrder, self - held)._validate_order()

    def _kam_notify_held(self, reasons, summary=None):
        self.ensure_one()
        note = self.env._(
            "%(order)s was accepted by the customer but cannot be confirmed yet: "
            "%(reasons)s",
            order=self.name,
            reasons=" ".join(reasons),
        )
        self.message_post(body=note)
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(self.kam_user_id or self.user_id).id or self.env.uid,
            summary=summary or self.env._("Credit block on an accepted order"),
            note=note,
        )

    def _kam_release_wizard(self):
        wizard = self.env["kam.credit.release"].create({"order_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Block"),
            "res_model": "kam.credit.release",
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    # --- promotions and bonus programmes (duty 2.18) ----------------------
    kam_promotion_summary = fields.Html(
        string="Running Promotions",
        compute="_compute_kam_promotion_summary",
        sanitize=False,
        groups=SALES_GROUP,
        help="The account's running bonus programmes (progress toward the next "
        "tier for users who see its figures) and approved discount promotions.",
    )

    @api.depends("partner_id", "company_id", "state")
    @api.depends_context("uid")
    def _compute_kam_promotion_summary(self):
        self.kam_promotion_summary = False
        Participant = self.env["kam.promotion.participant"]
        quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
        for company, orders in quotations.grouped("company_id").items():
            summary = Participant._kam_running_summary(
                orders.partner_id.commercial_partner_id, company
            )
            for order in orders:
                order.kam_promotion_summary = summary.get(
                    order.partner_id.commercial_partner_id, False
                )

    def _kam_promotion_domain(self, prefix=""):
        """Programmes restricted to key accounts apply once approved, to orders of
        their accounts or of their segment's (the order's commercial partner);
        the others as in Odoo. A list, as sale_loyalty's domains (website_sale_
        loyalty edits their leaves)."""
        # sudo: the account's segment is a KAM field; sales support enters orders
        account = self.partner_id.commercial_partner_id.sudo()
        segment = account.is_key_account and account.kam_segment_id
        allowed = [(f"{prefix}kam_partner_ids", "in", account.ids)]
        if segment:
            allowed = ["|", *allowed, (f"{prefix}kam_segment_id", "=", segment.id)]
        return [
            "|",
            (f"{prefix}kam_restricted", "=", False),
            "&",
            (f"{prefix}kam_state", "=", "approved"),
            *allowed,
        ]

    def _get_program_domain(self):
        return [*super()._get_program_domain(), *self._kam_promotion_domain()]

    def _get_trigger_domain(self):
        return [
            *super()._get_trigger_domain(),
            *self._kam_promotion_domain("program_id."),
        ]

    # --- discount authority (duty 2.9) --------------------------------------
    kam_discount_needs_approval = fields.Boolean(
        string="Discount Needs Approval",
        compute="_compute_kam_discount_authority",
        help="A key account order with a line discount above the KAM's authority, "
        "or on a pricelist outside the account tier's columns: a head of sales "
        "approves it before it is confirmed.",
        groups="base.group_user",
    )
    kam_discount_reason = fields.Text(
        string="Approval Needed Because",
        compute="_compute_kam_discount_authority",
        groups="base.group_user",
    )
    kam_discount_escalated = fields.Boolean(
        string="Discount Escalated",
        readonly=True,
        copy=False,
        tracking=True,
        help="The order's discount or pricelist went to a head of sales for approval.",
        groups="base.group_user",
    )
    # the terms (account, pricelist, lines' prices and discounts) under review:
    # once they change, the review (requested or decided) is void
    kam_discount_terms = fields.Char(
        string="Terms under Review",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )

    @api.depends(
        "order_line.discount",
        "order_line.price_unit",  # a price typed below the pricelist's is a discount
        "order_line.product_uom_qty",
        "order_line.display_type",
        "order_line.product_id",
        "fiscal_position_id",
        "pricelist_id",
        "partner_id",
        "company_id",
    )
    def _compute_kam_discount_authority(self):
        for order in self:
            reasons = order._kam_discount_reasons()
            order.kam_discount_needs_approval = bool(reasons)
            order.kam_discount_reason = "\n".join(reasons) or False

    def _kam_discount_reasons(self):
        """Why this order needs a head of sales' approval of its terms ([]: it
        does not): only key accounts' orders are concerned."""
        self.ensure_one()
        # sudo: the account's flag and tier and the company's settings, for
        # whoever enters the order (sales support)
        order = self.sudo()
        partner = order.partner_id.commercial_partner_id
        if not partner.is_key_account or not order.company_id:
            return []
        tier = partner.kam_tier
        tier_label = (
            dict(partner._fields["kam_tier"]._description_selection(self.env)).get(tier)
            or "-"
        )
        company = order.company_id
        reasons = []
        columns = company._kam_pricelist_columns(tier)
        if columns and order.pricelist_id and order.pricelist_id not in columns:
            reasons.append(
                self.env._(
                    "Pricelist %(pricelist)s is not a column of tier %(tier)s "
                    "(%(columns)s).",
                    pricelist=order.pricelist_id.name,
                    tier=tier_label,
                    columns=", ".join(columns.mapped("name")),
                )
            )
        authority = company._kam_discount_authority(tier)
        for line in order.order_line:
            if line.display_type:
                continue
            granted = line._kam_granted_discount()
            if float_compare(granted, authority, precision_digits=2) > 0:
                reasons.append(
                    self.env._(
                        "Line %(line)s: %(discount)s %% discount above the "
                        "authority of %(authority)s %% (tier %(tier)s).",
                        line=line.product_id.display_name or line.name,
                        discount=f"{granted:g}",
                        authority=f"{authority:g}",
                        tier=tier_label,
                    )
                )
        return reasons

    def _kam_discount_terms(self):
        """What a head of sales approves: the account, the pricelist, and each
        line's product, price and discount."""
        self.ensure_one()
        order = self.sudo()
        lines = order.order_line.filtered(lambda line: not line.display_type)
        return repr(
            (
                order.partner_id.commercial_partner_id.id,
                order.pricelist_id.id,
                sorted(
                    (
                        line.id,
                        line.product_id.id,
                        round(line.price_unit, 6),
                        round(line.discount, 4),
                    )
                    for line in lines
                ),
            )
        )

    def _kam_discount_review(self):
        """The discount review of the order (the tier definition's)."""
        self.ensure_one()
        tier = self.env.ref(DISCOUNT_TIER, raise_if_not_found=False)
        return self.sudo().review_ids.filtered(lambda r: r.definition_id == tier)

    def _kam_discount_approved(self):
        """Approved by a head of sales for the terms the order has now."""
        self.ensure_one()
        reviews = self.sudo().review_ids
        return bool(
            self._kam_discount_review()
            and all(review.status == "approved" for review in reviews)
            and self.sudo().kam_discount_terms == self._kam_discount_terms()
        )

    def _kam_discount_block_reasons(self):
        """Why the order's terms keep it from being confirmed ([]: they do not)."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            return []
        reasons = self._kam_discount_reasons()
        if not reasons or self._kam_discount_approved():
            return []
        return reasons

    def _kam_check_discount_approved(self):
        """Refuse to confirm an order whose terms need an approval they lack
        (whatever the context: no key lifts it)."""
        for order in self:
            reasons = order._kam_discount_block_reasons()
            if not reasons:
                continue
            review = order._kam_discount_review()
            if review.filtered(lambda r: r.status == "rejected"):
                status = self.env._(
                    "A head of sales rejected it: restart the validation once the "
                    "terms are changed."
                )
            elif review:
                status = self.env._("The approval of a head of sales is pending.")
            else:
                status = self.env._(
                    "Request the validation of a head of sales (Request Validation)."
                )
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed: its terms are beyond the key "
                    "account manager's authority.\n- %(reasons)s\n%(status)s",
                    order=order.name,
                    reasons="\n- ".join(reasons),
                    status=status,
                )
            )

    def request_validation(self):
        reviews = super().request_validation()
        tier = self.env.ref(DISCOUNT_TIER, raise_if_not_found=False)
        escalated = self.browse(
            reviews.filtered(lambda r: r.definition_id == tier).mapped("res_id")
        )
        with workflow():
            for order in escalated:
                # sudo: the KAM or sales support escalates; the terms are recorded
                order.sudo().with_context(skip_validation_check=True).write(
                    {
                        "kam_discount_escalated": True,
                        "kam_discount_terms": order._kam_discount_terms(),
                    }
                )
        return reviews

    def _kam_void_changed_discount_approvals(self):
        """A review holds for the terms reviewed: once a discount, a price or the
        pricelist changed, the review (pending, approved or rejected) is void."""
        for order in self.sudo():
            if (
                order.state not in ("draft", "sent")
                or not order.kam_discount_terms
                or order.kam_discount_terms == order._kam_discount_terms()
            ):
                continue
            status = order.validation_status
            with workflow():
                order.restart_validation()
                order.write({"kam_discount_terms": False})
            order.message_post(
                body=self.env._(
                    "The discount review (%(status)s) is void: a discount, a price "
                    "or the pricelist changed after it. The order needs approval "
                    "again.",
                    status=dict(
                        order._fields["validation_status"]._description_selection(
                            self.env
                        )
                    ).get(status, status),
                )
            )

    def _tier_validation_check_write_allowed(self, vals):
        # OCA's skip_validation_check is a context key any client can send
        records = (
            self
            if in_workflow(self.env)
            else self.with_context(skip_validation_check=False)
        )
        return super(SaleOrder, records)._tier_validation_check_write_allowed(vals)

    @api.model
    def _get_under_validation_exceptions(self):
        """The terms of an order under discount review stay editable: a change
        voids the review (_kam_void_changed_discount_approvals)."""
        res = super()._get_under_validation_exceptions()
        tier = self.env.ref(DISCOUNT_TIER, raise_if_not_found=False)
        if self and all(
            order.sudo().review_ids
            and all(r.definition_id == tier for r in order.sudo().review_ids)
            for order in self
        ):
            res = list(set(res) | set(DISCOUNT_TERMS_FIELDS))
        return res

    def validate_tier(self):
        self._kam_check_can_review()
        return super().validate_tier()

    def reject_tier(self):
        self._kam_check_can_review()
        return super().reject_tier()

    def _kam_check_can_review(self):
        """OCA lets anybody press Validate / Reject and does nothing for a user who
        is no reviewer: say so for a discount review."""
        for order in self:
            review = order._kam_discount_review().filtered(
                lambda r: r.status in ("waiting", "pending")
            )
            if review and not order.can_review:
                raise AccessError(
                    self.env._(
                        "Only a head of sales decides the discount review of "
                        "%(order)s, and never the key account manager of its account.",
                        order=order.name,
                    )
                )

    @api.model
    def _get_all_validation_exceptions(self):
        # the form keeps the lines and the pricelist editable under review
        return list(
            set(super()._get_all_validation_exceptions()) | set(DISCOUNT_TERMS_FIELDS)
        )
