from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .cron_batch import process_in_batches
from .res_partner import KAM_GROUP, KAM_MANAGER_GROUP
from .workflow import (
    check_create,
    check_locked,
    check_workflow_fields,
    require_group,
    require_states,
    workflow,
)

# set by the actions only
WORKFLOW_FIELDS = (
    "state",
    "approved_by_id",
    "date_approved",
    "moved_activity_ids",
    "activities_moved",
    "activities_returned",
)
LOCKED_STATES = ("approved", "ended", "cancelled")
OPEN_STATES = ("requested", "approved")


class KamDelegation(models.Model):
    """Substitution during absence (duty 1.4): while an approved delegation runs
    (from its first to its last day), the deputy sees and works the absent KAM's
    accounts and their documents as the KAM would: the key-account record rules
    and server checks take ``res.users._kam_acting_ids()`` (the user and the KAMs
    they stand in for today) instead of the user alone. Plans are read-only for
    the deputy and variable pay stays the KAM's.

    A head of sales creates and approves one (one click); a KAM requests their own
    and a head of sales approves it. Approved delegations are read-only; a head of
    sales ends one early or cancels it. A KAM has one deputy at a time."""

    _name = "kam.delegation"
    _description = "Substitution During Absence"
    _inherit = ["kam.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    # --- fields ---------------------------------------------------------
    user_id = fields.Many2one(
        "res.users",
        string="Absent KAM",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.user,
        domain=lambda self: [("all_group_ids", "in", self.env.ref(KAM_GROUP).id)],
        tracking=True,
    )
    deputy_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        ondelete="cascade",
        domain=lambda self: [("all_group_ids", "in", self.env.ref(KAM_GROUP).id)],
        tracking=True,
        help="Works the absent KAM's accounts and their documents from the first "
        "to the last day.",
    )
    date_from = fields.Date(string="First Day", required=True, tracking=True)
    date_to = fields.Date(string="Last Day", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("requested", "Requested"),
            ("approved", "Approved"),
            ("ended", "Ended"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    is_running = fields.Boolean(
        string="Active Now",
        compute="_compute_is_running",
        search="_search_is_running",
        help="Approved and today is one of its days: the deputy works the accounts.",
    )
    reason = fields.Char(size=256, tracking=True)
    move_activities = fields.Boolean(
        string="Hand Over Activities",
        tracking=True,
        help="The absent KAM's open activities go to the deputy on the first day "
        "and those still open come back after the last day.",
    )
    approved_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False, ondelete="set null", tracking=True
    )
    date_approved = fields.Date(readonly=True, copy=False)
    moved_activity_ids = fields.Many2many(
        "mail.activity",
        "kam_delegation_activity_rel",
        "delegation_id",
        "activity_id",
        string="Handed-over Activities",
        readonly=True,
        copy=False,
    )
    activities_moved = fields.Boolean(readonly=True, copy=False)
    activities_returned = fields.Boolean(readonly=True, copy=False)

    # --- computes -------------------------------------------------------
    @api.depends("user_id", "deputy_id", "date_from", "date_to")
    def _compute_display_name(self):
        for delegation in self:
            delegation.display_name = self.env._(
                "%(kam)s → %(deputy)s (%(start)s – %(end)s)",
                kam=delegation.user_id.name or "",
                deputy=delegation.deputy_id.name or "",
                start=delegation.date_from or "",
                end=delegation.date_to or "",
            )

    @api.depends("state", "date_from", "date_to")
    @api.depends_context("tz")
    def _compute_is_running(self):
        today = fields.Date.context_today(self)
        for delegation in self:
            delegation.is_running = (
                delegation.state == "approved"
                and delegation.date_from <= today <= delegation.date_to
            )

    def _search_is_running(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        running = [
            ("state", "=", "approved"),
            ("date_from", "<=", today),
            ("date_to", ">=", today),
        ]
        if True in value:
            return running
        return ["!", *running] if False in value else [("id", "=", False)]

    # --- constraints ----------------------------------------------------
    @api.constrains("date_from", "date_to", "user_id", "deputy_id", "company_id")
    def _check_people_and_dates(self):
        for delegation in self:
            if delegation.date_to < delegation.date_from:
                raise ValidationError(
                    self.env._("A substitution ends on or after its first day.")
                )
            if delegation.deputy_id == delegation.user_id:
                raise ValidationError(
                    self.env._("The deputy is another key account manager.")
                )
            for user in delegation.user_id | delegation.deputy_id:
                if not user.has_group(KAM_GROUP):
                    raise ValidationError(
                        self.env._(
                            "%(user)s is not a key account manager.", user=user.name
                        )
                    )
            if delegation.company_id not in delegation.deputy_id.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s does not work in %(company)s.",
                        user=delegation.deputy_id.name,
                        company=delegation.company_id.name,
                    )
                )

    @api.constrains("state", "date_from", "date_to", "user_id")
    def _check_overlap(self):
        """One deputy at a time: a KAM's requested and approved substitutions do
        not overlap (one search for all)."""
        open_ones = self.filtered(lambda d: d.state in OPEN_STATES)
        if not open_ones:
            return
        # sudo: a clash in a company outside the user's current ones counts too
        others = (
            self.sudo().search(
                [
                    ("user_id", "in", open_ones.user_id.ids),
                    ("state", "in", OPEN_STATES),
                    ("id", "not in", open_ones.ids),
                ]
            )
            | open_ones
        )
        for delegation in open_ones:
            clash = others.filtered(
                lambda o, d=delegation: o != d
                and o.user_id == d.user_id
                and o.date_from <= d.date_to
                and d.date_from <= o.date_to
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "%(kam)s already has a deputy from %(start)s to %(end)s: a "
                        "key account manager has one deputy at a time.",
                        kam=delegation.user_id.name,
                        start=clash[0].date_from,
                        end=clash[0].date_to,
                    )
                )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"draft"}, WORKFLOW_FIELDS)
        delegations = super().create(vals_list)
        delegations._kam_check_owner()
        delegations._kam_check_not_past()
        return delegations

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        check_locked(
            self,
            vals,
            LOCKED_STATES,
            lambda d: self.env._(
                "%(delegation)s is %(state)s and cannot be changed; a head of sales "
                "ends it early or cancels it.",
                delegation=d.display_name,
                state=d._kam_state_label(),
            ),
        )
        result = super().write(vals)
        if isinstance(vals, dict) and "user_id" in vals:
            self._kam_check_owner()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approved(self):
        require_states(
            self,
            ("draft", "requested", "cancelled"),
            self.env._("An approved substitution stays: end it or cancel it."),
        )

    def _kam_check_owner(self):
        """A KAM enters their own absence; a head of sales anyone's."""
        if self.env.su or self.env.user.has_group(KAM_MANAGER_GROUP):
            return
        if any(delegation.user_id != self.env.user for delegation in self):
            raise AccessError(
                self.env._(
                    "A key account manager requests a substitute for their own "
                    "absence; a head of sales sets up the others."
                )
            )

    def _kam_check_not_past(self):
        today = fields.Date.context_today(self)
        if any(delegation.date_to < today for delegation in self):
            raise ValidationError(
                self.env._("A substitution is for today or later, not for the past.")
            )

    def _kam_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _kam_rules_changed(self):
        """Who stands in for whom changed: the record rules (cached per user and
        day) are computed again."""
        self.env.registry.clear_cache()

    # --- actions --------------------------------------------------------
    def action_request(self):
        """The absent KAM asks a head of sales to approve."""
        require_states(
            self, ("draft",), self.env._("Only draft substitutions are requested.")
        )
        self.check_access("write")
        self._kam_check_owner()
        self._kam_check_not_past()
        with workflow():
            self.write({"state": "requested"})
        for delegation in self:
            # sudo: who leads the KAM's sales team, nothing else is read
            head = delegation.user_id.sudo().sale_team_id.user_id
            if (
                head
                and head != delegation.user_id
                and head.has_group(KAM_MANAGER_GROUP)
            ):
                delegation.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=head.id,
                    summary=self.env._("Approve the substitution"),
                )
            else:
                delegation.message_post(
                    body=self.env._(
                        "Substitution requested: a head of sales approves it."
                    )
                )

    def _kam_close_requests(self):
        """The approval to-dos of a request are done once it is decided (sudo:
        the head who decides may not be the one who was asked)."""
        self.sudo().activity_feedback(["mail.mail_activity_data_todo"])

    def action_approve(self):
        """A head of sales approves (their own absence: another head of sales);
        from the first day the deputy works the accounts."""
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales approves a substitution."),
        )
        require_states(
            self,
            ("draft", "requested"),
            self.env._("Only draft or requested substitutions are approved."),
        )
        if any(delegation.user_id == self.env.user for delegation in self):
            raise AccessError(
                self.env._("Another head of sales approves your own substitution.")
            )
        self.check_access("write")
        self._kam_check_not_past()
        with workflow():
            self.write(
                {
                    "state": "approved",
                    "approved_by_id": self.env.user.id,
                    "date_approved": fields.Date.context_today(self),
                }
            )
        self._kam_close_requests()
        self._kam_rules_changed()
        self._kam_hand_over_due()

    def action_end(self):
        """A head of sales ends a substitution early: the deputy's access stops
        now and the activities still open come back."""
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales ends a substitution."),
        )
        require_states(
            self, ("approved",), self.env._("Only approved substitutions are ended.")
        )
        self.check_access("write")
        self._kam_close("ended")

    def action_cancel(self):
        """The KAM withdraws their draft or request; a head of sales cancels any
        substitution not ended yet."""
        require_states(
            self,
            ("draft", "requested", "approved"),
            self.env._("Ended or cancelled substitutions stay as they are."),
        )
        if not self.env.user.has_group(KAM_MANAGER_GROUP):
            if self.filtered(lambda d: d.state == "approved"):
                raise AccessError(
                    self.env._("Only a head of sales cancels an approved substitution.")
                )
            self._kam_check_owner()
        self.check_access("write")
        self._kam_close("cancelled")

    def _kam_close(self, state):
        with workflow():
            self.write({"state": state})
        self._kam_close_requests()
        self._kam_rules_changed()
        self._kam_give_back()

    # --- activities -----------------------------------------------------
    def _kam_hand_over_due(self):
        """On the first day: the absent KAM's open activities go to the deputy
        (once; sudo: activities of any document of the KAM's)."""
        today = fields.Date.context_today(self)
        due = self.filtered(
            lambda d: d.state == "approved"
            and d.move_activities
            and not d.activities_moved
            and d.date_from <= today <= d.date_to
        )
        if not due:
            return
        Activity = self.env["mail.activity"].sudo()
        activities = Activity.search(
            [
                ("user_id", "in", due.user_id.ids),
                ("res_model", "!=", self._name),
            ]
        )
        by_user = activities.grouped("user_id")
        with workflow():
            for delegation in due.sudo():
                moved = by_user.get(delegation.user_id, Activity)
                moved.with_context(mail_activity_quick_update=True).write(
                    {"user_id": delegation.deputy_id.id}
                )
                delegation.write(
                    {
                        "moved_activity_ids": [Command.set(moved.ids)],
                        "activities_moved": True,
                    }
                )
                delegation.message_post(
                    body=self.env._(
                        "%(count)s open activities of %(kam)s handed over to "
                        "%(deputy)s.",
                        count=len(moved),
                        kam=delegation.user_id.name,
                        deputy=delegation.deputy_id.name,
                    )
                )

    def _kam_give_back(self):
        """After the last day (or when ended or cancelled): the handed-over
        activities still open and still the deputy's come back (once)."""
        today = fields.Date.context_today(self)
        due = self.filtered(
            lambda d: d.activities_moved
            and not d.activities_returned
            and (d.state in ("ended", "cancelled") or d.date_to < today)
        )
        with workflow():
            for delegation in due.sudo():
                back = delegation.moved_activity_ids.filtered(
                    lambda a, d=delegation: a.user_id == d.deputy_id
                )
                back.with_context(mail_activity_quick_update=True).write(
                    {"user_id": delegation.user_id.id}
                )
                delegation.write({"activities_returned": True})
                delegation.message_post(
                    body=self.env._(
                        "%(count)s open activities back to %(kam)s.",
                        count=len(back),
                        kam=delegation.user_id.name,
                    )
                )

    @api.model
    def _cron_sync_delegations(self):
        """Daily, after midnight: substitutions whose first day has come hand the
        activities over, those past their last day end and give them back (the
        record rules follow the day by themselves)."""
        today = fields.Date.context_today(self)
        process_in_batches(
            self,
            [
                ("state", "=", "approved"),
                ("move_activities", "=", True),
                ("activities_moved", "=", False),
                ("date_from", "<=", today),
                ("date_to", ">=", today),
            ],
            lambda batch: batch._kam_hand_over_due(),
        )
        process_in_batches(
            self,
            [("state", "=", "approved"), ("date_to", "<", today)],
            lambda batch: batch._kam_close("ended"),
        )
        process_in_batches(
            self,
            [
                ("state", "in", ("ended", "cancelled")),
                ("activities_moved", "=", True),
                ("activities_returned", "=", False),
            ],
            lambda batch: batch._kam_give_back(),
        )
