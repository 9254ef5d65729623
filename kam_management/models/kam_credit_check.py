from collections.abc import Mapping

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .cron_batch import process_in_batches, process_per_company
from .kam_credit_rating_policy import RATINGS
from .res_partner import CREDIT_REVIEWER_GROUP, KAM_MANAGER_GROUP
from .workflow import (
    check_create,
    check_locked,
    check_workflow_fields,
    harmless,
    in_workflow,
    workflow,
)

# set by the actions only: the state, the decision and our own history
WORKFLOW_FIELDS = (
    "state",
    "result",
    "avg_days_late",
    "overdue_share",
    "largest_overdue",
    "history_date",
)
# what the reviewer decides while the check is submitted
REVIEWER_FIELDS = (
    "approved_limit",
    "valid_until",
    "rating_override",
    "override_reason",
    "hold_on_reject",
)
LOCKED_STATES = ("approved", "rejected", "expired")
EXTERNAL_RATINGS = [
    ("a", "A - excellent"),
    ("b", "B - good"),
    ("c", "C - fair"),
    ("d", "D - poor"),
]


class KamCreditCheck(models.Model):
    _name = "kam.credit.check"
    _description = "Credit Check"
    _inherit = ["kam.account.document", "kam.tier.validation"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    _state_from = ["submitted"]
    _state_to = ["approved"]
    _cancel_state = "cancel"
    _tier_validation_manual_config = False

    # --- fields ---------------------------------------------------------
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("expired", "Expired"),
        ],
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    requested_limit = fields.Monetary(tracking=True, required=True)
    approved_limit = fields.Monetary(
        compute="_compute_approved_limit",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    valid_until = fields.Date(
        compute="_compute_valid_until",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    result = fields.Selection(
        [
            ("approved", "Approved"),
            ("conditional", "Conditional"),
            ("rejected", "Rejected"),
        ],
        readonly=True,
        copy=False,
        tracking=True,
    )
    hold_on_reject = fields.Boolean(
        string="Credit Hold if Rejected",
        default=True,
        help="A rejection puts the account on credit hold in this company.",
    )
    # indicators entered by the KAM
    annual_revenue = fields.Monetary(string="Client's Annual Revenue")
    equity = fields.Monetary(string="Client's Equity")
    years_in_business = fields.Integer()
    external_rating = fields.Selection(EXTERNAL_RATINGS)
    bureau_reference = fields.Char()
    attachment_ids = fields.Many2many("ir.attachment", string="Documents")
    # indicators from our own history (snapshot taken when computed/submitted)
    avg_days_late = fields.Float(
        string="Average Days Paid Late",
        readonly=True,
        copy=False,
        help="Over the last 12 months, weighted by the amounts paid.",
    )
    overdue_share = fields.Float(
        string="Overdue Share (%)",
        readonly=True,
        copy=False,
        help="Overdue debt today as a share of the last 12 months' invoicing.",
    )
    largest_overdue = fields.Monetary(readonly=True, copy=False)
    history_date = fields.Date(string="History Computed On", readonly=True, copy=False)
    # score
    score = fields.Float(compute="_compute_score", store=True, tracking=True)
    computed_rating = fields.Selection(RATINGS, compute="_compute_score", store=True)
    rating_override = fields.Selection(
        RATINGS,
        tracking=True,
        help="The reviewer's rating, replacing the computed one.",
    )
    override_reason = fields.Text(tracking=True)
    rating = fields.Selection(
        RATINGS, compute="_compute_rating", store=True, tracking=True, index=True
    )
    score_details = fields.Html(compute="_compute_score_details")

    # --- computes -------------------------------------------------------
    @api.depends("requested_limit")
    def _compute_approved_limit(self):
        for check in self:
            if check.state in ("draft", "submitted"):
                check.approved_limit = check.requested_limit

    @api.depends("date", "company_id")
    def _compute_valid_until(self):
        for check in self:
            months = check.company_id.kam_credit_check_validity_months or 12
            check.valid_until = check.date and check.date + relativedelta(months=months)

    # --- constraints ----------------------------------------------------
    @api.constrains("rating_override", "override_reason")
    def _check_override_reason(self):
        for check in self:
            if check.rating_override and not (check.override_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "Give the reason for overriding the rating of %(check)s.",
                        check=check.name,
                    )
                )

    @api.constrains(
        "requested_limit",
        "approved_limit",
        "annual_revenue",
        "equity",
        "years_in_business",
    )
    def _check_amounts(self):
        for check in self:
            if (
                min(
                    check.requested_limit,
                    check.approved_limit or 0.0,
                    check.annual_revenue,
                    check.years_in_business,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Limits, revenue and years in business cannot be negative."
                    )
                )

    @api.constrains("date", "valid_until")
    def _check_dates(self):
        for check in self:
            if check.valid_until and check.valid_until < check.date:
                raise ValidationError(
                    self.env._("A credit check cannot expire before its date.")
                )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"draft"}, WORKFLOW_FIELDS + ("rating_override",))
        checks = super().create(vals_list)
        with workflow():
            checks._kam_compute_history()
        return checks

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        self._kam_check_locked(vals)
        return super().write(vals)

    def _kam_check_locked(self, vals):
        """Decided checks are read-only; a submitted check's decision fields belong
        to the reviewers."""
        check_locked(
            self,
            vals,
            LOCKED_STATES,
            lambda check: self.env._(
                "%(check)s is %(state)s and cannot be changed; a head of "
                "sales can reset it to draft.",
                check=check.name,
                state=check._kam_state_label(),
            ),
        )
        if not isinstance(vals, Mapping) or in_workflow(self.env) or harmless(vals):
            return  # values that are no mapping: kam.input.mixin refuses them
        reviewer_fields = set(REVIEWER_FIELDS) & vals.keys()
        if reviewer_fields and not self.env.user.has_group(CREDIT_REVIEWER_GROUP):
            if "rating_override" in vals or any(
                check.state == "submitted" for check in self
            ):
                raise AccessError(
                    self.env._(
                        "Only a credit reviewer decides the limit, validity and rating "
                        "of a submitted credit check."
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if any(check.state not in ("draft", "rejected") for check in self):
            raise UserError(
                self.env._("Only draft or rejected credit checks can be deleted.")
            )

    # --- tier validation ------------------------------------------------
    def _get_under_validation_exceptions(self):
        # what the reviewer decides while the review is open
        return super()._get_under_validation_exceptions() + [
            "rating_override",
            "override_reason",
            "approved_limit",
            "valid_until",
            "hold_on_reject",
            "activity_ids",
        ]

    @api.depends_context("uid")
    def _compute_to_validate_message(self):
        # the banner over a submitted check says who decides (see below)
        return super()._compute_to_validate_message()

    def _get_to_validate_message(self):
        """The banner of a submitted check: to its reviewer, what to decide; to
        the others, who decides."""
        icon = Markup('<i class="fa fa-lg fa-info-circle"></i> ')
        if self.can_review:
            return icon + self.env._(
                "Your decision: validate or reject a credit limit of %(limit)s for "
                "%(partner)s. Adjust the approved limit, validity or rating below "
                "first if needed.",
                limit=self.currency_id.format(self.approved_limit),
                partner=self.partner_id.display_name,
            )
        return icon + self.env._(
            "Waiting for a credit reviewer (a head of sales or an accounting manager) "
            "to approve or reject this check. Withdraw it to change it."
        )

    def _compute_next_review(self):
        # one review: the banner says it all ("Next: <tier name>" repeats it)
        single = self.filtered(lambda check: len(check.review_ids) <= 1)
        single.next_review = False
        return super(KamCreditCheck, self - single)._compute_next_review()

    @api.model
    def _get_all_validation_exceptions(self):
        # the fields a reviewer decides stay editable in the form while the review
        # is open; the view shows them read-only to the others (as _kam_check_locked)
        return super()._get_all_validation_exceptions() + list(REVIEWER_FIELDS)

    def _add_tier_validation_buttons(self, node, params):
        # Withdraw restarts the review and returns the check to draft: OCA's bare
        # "Restart Validation" would leave it submitted with no reviewer
        buttons = super()._add_tier_validation_buttons(node, params)
        for button in buttons.xpath("//button[@name='restart_validation']"):
            button.getparent().remove(button)
        return buttons

    # --- actions --------------------------------------------------------
    def action_refresh_history(self):
        if any(check.state != "draft" for check in self):
            raise UserError(self.env._("The history of a submitted check is frozen."))
        self.check_access("write")
        with workflow():
            self._kam_compute_history()

    def action_submit(self):
        if any(check.state != "draft" for check in self):
            raise UserError(self.env._("Only draft credit checks can be submitted."))
        self.check_access("write")
        with workflow():
            self._kam_compute_history()
            for check in self:
                # the reviewer starts from what was requested
                months = check.company_id.kam_credit_check_validity_months or 12
                check.write(
                    {
                        "state": "submitted",
                        "approved_limit": check.requested_limit,
                        "valid_until": check.date + relativedelta(months=months),
                    }
                )
        # need_validation is not stored and depends on the state just written
        self.invalidate_recordset(["need_validation"])
        self.filtered("need_validation").request_validation()

    def action_reset_to_draft(self):
        """The KAM withdraws a submitted check; a head of sales reopens a decided
        one (it then no longer counts as a valid check)."""
        if any(check.state == "draft" for check in self):
            raise UserError(self.env._("The credit check is a draft already."))
        if any(
            check.state in LOCKED_STATES for check in self
        ) and not self.env.user.has_group(KAM_MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a head of sales resets a decided credit check.")
            )
        self.check_access("write")
        for check in self.filtered(lambda c: c.state in LOCKED_STATES):
            check.message_post(
                body=self.env._(
                    "Reset to draft by %(user)s (it was %(state)s).",
                    user=self.env.user.name,
                    state=check._kam_state_label(),
                )
            )
        self.restart_validation()
        with workflow():
            self.write({"state": "draft", "result": False})

    def _kam_validated(self):
        """Approval: the partner's Odoo credit limit in this company, the rating, and
        the financial risk settings the company chose for that rating."""
        policies = self.env["kam.credit.rating.policy"].search(
            [
                ("rating", "in", self.mapped("rating")),
                ("company_id", "in", [*self.company_id.ids, False]),
            ]
        )
        policy_by_key = {(p.rating, p.company_id): p for p in policies}
        no_company = self.env["res.company"]
        for check in self:
            # a company's own policy wins over the shared one (no company)
            policy = policy_by_key.get(
                (check.rating, check.company_id)
            ) or policy_by_key.get((check.rating, no_company))
            partner = check.partner_id.with_company(check.company_id)
            vals = {
                "credit_limit": check.approved_limit,
                "kam_credit_rating": check.rating,
                "kam_credit_hold": False,
            }
            if policy:
                vals.update(policy._kam_partner_vals())
            partner.write(vals)
            check.write(
                {
                    "state": "approved",
                    "result": "conditional"
                    if check.rating in ("c", "d")
                    else "approved",
                }
            )
            partner.message_post(
                body=self.env._(
                    "Credit check %(check)s approved: limit %(limit)s, rating "
                    "%(rating)s, valid until %(date)s.",
                    check=check.name,
                    limit=check.approved_limit,
                    rating=check.rating.upper(),
                    date=check.valid_until,
                )
            )

    def _kam_rejected(self):
        for check in self:
            check.write({"state": "rejected", "result": "rejected"})
            if check.hold_on_reject:
                check.partner_id.with_company(check.company_id).kam_credit_hold = True

    # --- cron -----------------------------------------------------------
    @api.model
    def _cron_check_expiry(self):
        """Expire the checks whose validity ended; remind the KAM of the renewal the
        company's number of days before a check expires."""
        today = fields.Date.context_today(self)
        with workflow():
            process_in_batches(
                self,
                [("state", "=", "approved"), ("valid_until", "<", today)],
                lambda checks: checks.write({"state": "expired"}),
            )
        # each company has its own number of days
        process_per_company(
            self,
            [("state", "=", "approved"), ("activity_ids", "=", False)],
            lambda company: [
                (
                    "valid_until",
                    "<=",
                    today + relativedelta(days=company.kam_credit_check_reminder_days),
                )
            ],
            lambda checks: checks._kam_remind_before(
                "valid_until",
                self.env._("Renew the credit check"),
                lambda check: self.env._(
                    "%(check)s of %(partner)s expires on %(date)s.",
                    check=check.name,
                    partner=check.partner_id.name,
                    date=check.valid_until,
                ),
            ),
        )
