from collections.abc import Mapping

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .cron_batch import process_in_batches, schedule_todos
from .workflow import (
    check_create,
    check_locked,
    check_workflow_fields,
    in_workflow,
    workflow,
)

# set by the actions and the cron only
WORKFLOW_FIELDS = ("state", "residual_at_promise", "date_closed")
PROMISE_FIELDS = ("invoice_ids", "promised_date", "promised_amount")
# a decided promise is not changed
DECIDED_STATES = ("kept", "broken")


class KamCollectionAction(models.Model):
    """A step of the collection of a key account's receivables (duty 2.13): a call,
    letter, visit, e-mail or legal step about some of its open invoices, with what
    came out of it and, often, a promise to pay an amount by a date.

    A promise is kept when the open amount of its invoices (in the company
    currency) went down by at least the promised amount between the moment it was
    logged and its date (payments and credit notes applied count), broken
    otherwise: the daily cron decides the day after the promised date."""

    _name = "kam.collection.action"
    _description = "Collection Action"
    _inherit = ["kam.account.document"]
    _order = "date desc, id desc"
    _check_company_auto = True

    action_type = fields.Selection(
        [
            ("call", "Call"),
            ("letter", "Letter"),
            ("visit", "Visit"),
            ("email", "E-mail"),
            ("legal", "Legal Action"),
        ],
        string="Type",
        required=True,
        default="call",
        tracking=True,
    )
    date = fields.Date(
        required=True, default=fields.Date.context_today, index=True, tracking=True
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "kam_collection_action_invoice_rel",
        "action_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('amount_residual', '>', 0)]",
        help="The account's own open invoices this action is about.",
    )
    visit_id = fields.Many2one(
        "kam.visit",
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    promised_date = fields.Date(
        tracking=True, help="The day by which the account promised to pay."
    )
    promised_amount = fields.Monetary(
        tracking=True,
        help="What the account promised to pay on these invoices, in the company "
        "currency.",
    )
    result = fields.Text(help="What came out of the call, letter, visit...")
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")],
        required=True,
        default="open",
        copy=False,
        index=True,
        tracking=True,
        help="Kept or broken: decided by the daily check the day after the "
        "promised date, from the payments on the invoices.",
    )
    residual_at_promise = fields.Monetary(
        string="Open When Promised",
        readonly=True,
        copy=False,
        help="The open amount of the invoices when the promise was logged.",
    )
    amount_open = fields.Monetary(
        string="Open Now",
        compute="_compute_amounts",
        # sudo: the figures of an action the user reads, whoever is the invoices'
        # salesperson
        compute_sudo=True,
        help="The open amount of the invoices today.",
    )
    amount_paid = fields.Monetary(
        string="Paid Since the Promise",
        compute="_compute_amounts",
        compute_sudo=True,
        help="How much the open amount of the invoices went down since the "
        "promise was logged.",
    )
    date_closed = fields.Date(string="Decided On", readonly=True, copy=False)

    # --- computes -------------------------------------------------------
    @api.depends("invoice_ids.amount_residual_signed", "residual_at_promise")
    def _compute_amounts(self):
        for action in self:
            action.amount_open = sum(
                action.invoice_ids.mapped("amount_residual_signed")
            )
            action.amount_paid = (
                action.residual_at_promise - action.amount_open
                if action.promised_date
                else 0.0
            )

    # --- checks ---------------------------------------------------------
    @api.constrains("invoice_ids", "partner_id", "company_id")
    def _check_invoices(self):
        for action in self:
            wrong = action.invoice_ids.filtered(
                lambda move, action=action: move.commercial_partner_id
                != action.partner_id
                or move.move_type != "out_invoice"
                or move.state != "posted"
                or move.company_id != action.company_id
            )
            if wrong:
                raise UserError(
                    self.env._(
                        "A collection action of %(account)s is about its own posted "
                        "customer invoices only, not %(invoices)s.",
                        account=action.partner_id.display_name,
                        invoices=", ".join(wrong.mapped("display_name")),
                    )
                )

    def _kam_check_promise(self):
        """A promise is in the future, of a positive amount not above what the
        invoices still owe, on open invoices."""
        today = fields.Date.context_today(self)
        for action in self:
            paid = action.invoice_ids.filtered(
                lambda move: move.currency_id.is_zero(move.amount_residual)
            )
            if paid:
                raise UserError(
                    self.env._(
                        "%(invoices)s is no longer open: a collection action is "
                        "about open invoices.",
                        invoices=", ".join(paid.mapped("display_name")),
                    )
                )
            if not (action.promised_date or action.promised_amount):
                continue
            if not (action.promised_date and action.promised_amount):
                raise UserError(
                    self.env._("A promise to pay has both a date and an amount.")
                )
            if action.promised_date < today:
                raise UserError(
                    self.env._(
                        "The promised date %(date)s is in the past: a promise to "
                        "pay is for today or later.",
                        date=action.promised_date,
                    )
                )
            if not action.invoice_ids:
                raise UserError(
                    self.env._("Choose the invoices the promise to pay is about.")
                )
            rounding = action.currency_id.rounding
            if (
                float_compare(action.promised_amount, 0.0, precision_rounding=rounding)
                <= 0
            ):
                raise UserError(self.env._("The promised amount must be positive."))
            if (
                float_compare(
                    action.promised_amount,
                    action.amount_open,
                    precision_rounding=rounding,
                )
                > 0
            ):
                raise UserError(
                    self.env._(
                        "The promised amount %(promised)s is more than the open "
                        "amount of the invoices (%(open)s).",
                        promised=action.promised_amount,
                        open=action.amount_open,
                    )
                )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"open"}, WORKFLOW_FIELDS)
        actions = super().create(vals_list)
        if not in_workflow(self.env):
            actions._kam_check_promise()
        actions._kam_log_promise()
        return actions

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        check_locked(
            self,
            vals,
            DECIDED_STATES,
            lambda action: self.env._(
                "%(action)s is %(state)s: a decided promise is not changed.",
                action=action.display_name,
                state=action._kam_state_label(),
            ),
        )
        result = super().write(vals)
        if isinstance(vals, Mapping) and set(PROMISE_FIELDS) & vals.keys():
            if not in_workflow(self.env):
                self._kam_check_promise()
            # a new promise (or new invoices) counts the payments from now on
            self._kam_log_promise()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if any(action.state != "open" for action in self):
            raise UserError(
                self.env._(
                    "A kept or broken promise is the account's payment history: "
                    "it cannot be deleted."
                )
            )

    def _kam_log_promise(self):
        with workflow():
            for action in self:
                action.residual_at_promise = action.amount_open

    # --- cron -----------------------------------------------------------
    @api.model
    def _cron_check_promises(self):
        """Decide the promises whose date has passed: kept when the invoices'
        open amount went down by the promised amount since the promise, broken
        otherwise (with a to-do for the KAM). A decided promise leaves the
        domain: running it again does nothing again."""
        today = fields.Date.context_today(self)
        process_in_batches(
            self,
            [("state", "=", "open"), ("promised_date", "<", today)],
            lambda batch: batch._kam_decide_promises(today),
        )

    def _kam_decide_promises(self, today):
        """Mark these promises kept or broken, a to-do for the KAM of each broken
        one: a constant number of queries whatever their number (no chatter
        message or e-mail per promise; the to-do is the KAM's notice)."""
        self = self.with_context(tracking_disable=True, mail_activity_quick_update=True)
        self.invoice_ids.fetch(["amount_residual_signed"])
        kept = self.filtered(
            lambda action: float_compare(
                action.amount_paid,
                action.promised_amount,
                precision_rounding=action.currency_id.rounding,
            )
            >= 0
        )
        broken = self - kept
        with workflow():
            kept.write({"state": "kept", "date_closed": today})
            broken.write({"state": "broken", "date_closed": today})
        schedule_todos(
            broken,
            self.env._("Broken promise to pay"),
            lambda action: action.user_id,
            lambda action: self.env._(
                "%(account)s promised to pay %(amount)s by %(date)s and paid "
                "%(paid)s: call them.",
                account=action.partner_id.name,
                amount=action.promised_amount,
                date=action.promised_date,
                paid=action.amount_paid,
            ),
        )
