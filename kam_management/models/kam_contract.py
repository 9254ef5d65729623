from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from .cron_batch import process_in_batches, process_per_company
from .res_partner import KAM_GROUP, KAM_MANAGER_GROUP
from .workflow import (
    check_create,
    check_locked,
    check_workflow_fields,
    require_group,
    workflow,
)

# set by the actions only
WORKFLOW_FIELDS = ("state", "credit_check_id", "reminder_sent", "renewal_of_id")
LOCKED_STATES = ("active", "expired", "terminated")


class KamContract(models.Model):
    _name = "kam.contract"
    _description = "Key Account Contract"
    _inherit = ["kam.account.document"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    active = fields.Boolean(default=True, tracking=True)
    contract_type = fields.Selection(
        [("new", "New"), ("renewal", "Renewal"), ("amendment", "Amendment")],
        string="Type",
        required=True,
        default="new",
        tracking=True,
    )
    date_start = fields.Date(
        string="Start", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(string="End", tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("negotiation", "Negotiation"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("terminated", "Terminated"),
        ],
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    payment_term_id = fields.Many2one(
        "account.payment.term", check_company=True, ondelete="restrict", tracking=True
    )
    pricelist_id = fields.Many2one(
        "product.pricelist", check_company=True, ondelete="restrict", tracking=True
    )
    credit_limit = fields.Monetary(
        string="Agreed Credit Limit",
        tracking=True,
        groups=KAM_GROUP,
        help="Leave at zero when the contract agrees no credit limit (a signed "
        "contract then shows none). Applied only through an approved credit check.",
    )
    renewal_of_id = fields.Many2one(
        "kam.contract", copy=False, ondelete="set null", index=True
    )
    renewal_ids = fields.One2many("kam.contract", "renewal_of_id", string="Renewals")
    credit_check_id = fields.Many2one(
        "kam.credit.check",
        copy=False,
        readonly=True,
        ondelete="set null",
        groups=KAM_GROUP,
    )
    credit_check_state = fields.Selection(
        related="credit_check_id.state", string="Credit Check Status", groups=KAM_GROUP
    )
    note = fields.Html(string="Terms and Conditions")
    reminder_sent = fields.Boolean(copy=False, readonly=True)
    order_count = fields.Integer(
        compute="_compute_order_count",
        help="Confirmed orders of the account in the contract's company and period.",
    )

    _date_check = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)",
        "A contract cannot end before it starts.",
    )
    _one_active_per_partner = models.UniqueIndex(
        "(partner_id, company_id) WHERE state = 'active' AND active",
        "An account has at most one active contract per company.",
    )

    # --- computes -------------------------------------------------------
    @api.depends_context("uid", "tz")
    @api.depends("partner_id", "company_id", "date_start", "date_end")
    def _compute_order_count(self):
        orders = self.env["sale.order"]
        contracts = self.filtered(lambda c: c.partner_id and c.date_start)
        if contracts and orders.has_access("read"):
            orders = orders.search_fetch(
                Domain.OR(contract._kam_order_domain() for contract in contracts),
                ["partner_id", "company_id", "state", "date_order"],
                order="id",
            )
        for contract in self:
            contract.order_count = (
                len(orders.filtered_domain(contract._kam_order_domain()))
                if contract in contracts
                else 0
            )

    def _kam_order_domain(self):
        """The account's confirmed orders in the contract's company and period (its
        days in the user's time zone)."""
        self.ensure_one()

        def day_start(day):
            start = self.env.tz.localize(datetime.combine(day, time.min))
            return start.astimezone(pytz.utc).replace(tzinfo=None)

        domain = Domain(
            [
                ("partner_id.commercial_partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "sale"),
                ("date_order", ">=", day_start(self.date_start)),
            ]
        )
        if self.date_end:
            domain &= Domain(
                "date_order", "<", day_start(self.date_end + relativedelta(days=1))
            )
        return domain

    def _kam_check_no_other_active(self):
        """At most one active contract per account and company (checked before the
        database's unique index would refuse it, for a clear message)."""
        # sudo: the unique index sees every contract, so must this check; only the
        # other contract's reference is shown
        others = (
            self.sudo()
            .search(
                [
                    ("state", "=", "active"),
                    ("partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("id", "not in", self.ids),
                ]
            )
            .grouped(lambda c: (c.partner_id, c.company_id))
        )
        for contract in self:
            other = others.get((contract.partner_id, contract.company_id))
            if other:
                raise ValidationError(
                    self.env._(
                        "%(partner)s already has an active contract (%(other)s): "
                        "terminate or renew it first.",
                        partner=contract.partner_id.display_name,
                        other=other[:1].name,
                    )
                )

    @api.constrains("state", "partner_id", "company_id")
    def _check_one_active(self):
        self.filtered(lambda c: c.state == "active")._kam_check_no_other_active()

    @api.constrains("credit_limit")
    def _check_credit_limit(self):
        if any(contract.credit_limit < 0 for contract in self):
            raise ValidationError(
                self.env._("The agreed credit limit cannot be negative.")
            )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"draft"}, WORKFLOW_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        # a signed contract is read-only; it can still be archived
        check_locked(
            self,
            vals,
            LOCKED_STATES,
            lambda contract: self.env._(
                "%(contract)s is %(state)s and cannot be changed: renew it, "
                "or a head of sales resets it to draft.",
                contract=contract.name,
                state=contract._kam_state_label(),
            ),
            writable=("active",),
        )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active_or_expired(self):
        if any(contract.state in ("active", "expired") for contract in self):
            raise UserError(
                self.env._(
                    "Active or expired contracts cannot be deleted: archive them."
                )
            )

    # --- actions --------------------------------------------------------
    def action_negotiate(self):
        if any(contract.state != "draft" for contract in self):
            raise UserError(self.env._("Only draft contracts go to negotiation."))
        with workflow():
            self.write({"state": "negotiation"})

    def action_activate(self):
        """Activate: the payment terms and pricelist become the account's; an agreed
        credit limit goes to a credit check (never straight to the partner)."""
        self.check_access("write")
        with workflow():
            self._kam_activate()

    def _kam_activate(self):
        for contract in self:
            if contract.state not in ("draft", "negotiation"):
                raise UserError(self.env._("Only draft contracts can be activated."))
            # a renewal or amendment replaces the contract it follows
            contract.renewal_of_id.filtered(lambda c: c.state == "active").write(
                {"state": "expired"}
            )
            contract._kam_check_no_other_active()
            contract.renewal_of_id.flush_recordset(["state"])
            contract.state = "active"
            contract.partner_id._kam_apply_terms(
                contract.company_id,
                contract.payment_term_id,
                contract.pricelist_id,
                self.env._(
                    "Terms of contract %(contract)s applied.", contract=contract.name
                ),
            )
            partner = contract.partner_id.with_company(contract.company_id)
            if (
                contract.credit_limit
                # sudo: compared only, never shown (an accounting field)
                and contract.credit_limit != partner.sudo().credit_limit
            ):
                check = self.env["kam.credit.check"].create(
                    {
                        "partner_id": contract.partner_id.id,
                        "company_id": contract.company_id.id,
                        "requested_limit": contract.credit_limit,
                    }
                )
                contract.credit_check_id = check
                check.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=check.user_id.id,
                    summary=self.env._("Complete and submit the credit check"),
                    note=self.env._(
                        "Contract %(contract)s agrees a credit limit of %(limit)s.",
                        contract=contract.name,
                        limit=contract.currency_id.format(contract.credit_limit),
                    ),
                )

    def action_terminate(self):
        if any(contract.state in ("expired", "terminated") for contract in self):
            raise UserError(
                self.env._("An expired or terminated contract cannot be terminated.")
            )
        with workflow():
            self.write({"state": "terminated"})

    def action_reset_to_draft(self):
        """A head of sales reopens a signed, expired or terminated contract (the terms
        it applied to the account stay until another contract changes them)."""
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales resets a contract."),
        )
        if any(contract.state == "draft" for contract in self):
            raise UserError(self.env._("The contract is a draft already."))
        for contract in self:
            contract.message_post(
                body=self.env._(
                    "Reset to draft by %(user)s (it was %(state)s).",
                    user=self.env.user.name,
                    state=contract._kam_state_label(),
                )
            )
        with workflow():
            self.write({"state": "draft", "reminder_sent": False})

    def action_renew(self):
        self.ensure_one()
        if self.state not in ("active", "expired"):
            raise UserError(
                self.env._("Only an active or expired contract can be renewed.")
            )
        start = (self.date_end or fields.Date.context_today(self)) + relativedelta(
            days=1
        )
        length = self.date_end and (self.date_end - self.date_start)
        self.check_access("read")
        self.env["kam.contract"].check_access("create")
        with workflow():
            renewal = self._kam_copy_renewal(start, length)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": renewal.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _kam_copy_renewal(self, start, length):
        return self.copy(
            {
                "contract_type": "renewal",
                "renewal_of_id": self.id,
                "date_start": start,
                "date_end": start + length if length else False,
            }
        )

    @api.readonly
    def action_view_orders(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        contracts = self.filtered(lambda c: c.partner_id and c.date_start)
        action["domain"] = (
            Domain.OR(contract._kam_order_domain() for contract in contracts)
            if contracts
            else Domain.FALSE
        )
        action["context"] = {"create": False}
        return action

    @api.readonly
    def action_view_credit_check(self):
        checks = self.credit_check_id
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Checks"),
            "res_model": "kam.credit.check",
            "domain": [("id", "in", checks.ids)],
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }
        if len(checks) == 1:
            action.update(res_id=checks.id, view_mode="form", views=[(False, "form")])
        return action

    # --- cron -----------------------------------------------------------
    @api.model
    def _cron_contract_renewals(self):
        """Expire the contracts that ended; remind their KAM of the renewal the
        company's number of days before the end."""
        today = fields.Date.context_today(self)
        with workflow():
            process_in_batches(
                self,
                [("state", "=", "active"), ("date_end", "<", today)],
                lambda contracts: contracts.write({"state": "expired"}),
            )
            # each company has its own number of days
            process_per_company(
                self,
                [("state", "=", "active"), ("reminder_sent", "=", False)],
                lambda company: [
                    (
                        "date_end",
                        "<=",
                        today + relativedelta(days=company.kam_contract_reminder_days),
                    )
                ],
                lambda contracts: contracts._kam_remind_renewal(),
            )

    def _kam_remind_renewal(self):
        self._kam_remind_before(
            "date_end",
            self.env._("Renew the contract"),
            lambda contract: self.env._(
                "%(contract)s with %(partner)s ends on %(date)s.",
                contract=contract.name,
                partner=contract.partner_id.name,
                date=contract.date_end,
            ),
        )
        self.write({"reminder_sent": True})
