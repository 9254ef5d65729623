from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .cron_batch import process_in_batches
from .res_partner import KAM_MANAGER_GROUP
from .workflow import (
    check_create,
    check_workflow_fields,
    harmless,
    in_workflow,
    require_group,
    require_states,
    workflow,
)

# set by the actions only
WORKFLOW_FIELDS = ("state", "approved_by_id", "date_approved", "date_settled")
LOCKED_STATES = ("approved", "running", "settled", "cancelled")


class KamPromotion(models.Model):
    """A volume bonus programme (duty 2.18): over a period, each participating key
    account earns a bonus of its invoiced revenue (net of credit notes) by tier of
    revenue reached; at the end, one draft credit note per account settles it.

    A KAM proposes a programme for their own accounts or for a market segment; a
    head of sales approves it (a head-only action: one decision, no review chain);
    it runs from its first day (button or daily cron) and is settled after its
    last day. Approved, running and settled programmes are read-only."""

    _name = "kam.promotion"
    _description = "Volume Bonus Programme"
    _inherit = ["kam.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    # --- fields ---------------------------------------------------------
    name = fields.Char(required=True, tracking=True, size=256)
    user_id = fields.Many2one(
        "res.users",
        string="Proposed By",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(string="Start", required=True, tracking=True)
    date_to = fields.Date(string="End", required=True, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("approved", "Approved"),
            ("running", "Running"),
            ("settled", "Settled"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "kam_promotion_partner_rel",
        "promotion_id",
        "partner_id",
        string="Accounts",
        domain="[('is_key_account', '=', True), ('is_company', '=', True)]",
        help="The participating key accounts (with the segment's, if one is set).",
    )
    segment_id = fields.Many2one(
        "kam.segment",
        string="Market Segment",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="Every key account of the segment takes part.",
    )
    tier_ids = fields.One2many(
        "kam.promotion.tier", "promotion_id", string="Tiers", copy=True
    )
    participant_ids = fields.One2many(
        "kam.promotion.participant", "promotion_id", string="Participants"
    )
    participant_count = fields.Integer(compute="_compute_participant_count")
    credit_note_count = fields.Integer(compute="_compute_participant_count")
    note = fields.Html(string="Terms")
    approved_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False, ondelete="restrict", tracking=True
    )
    date_approved = fields.Date(readonly=True, copy=False)
    date_settled = fields.Date(readonly=True, copy=False)

    # --- computes -------------------------------------------------------
    @api.depends("participant_ids")
    def _compute_participant_count(self):
        Participant = self.env["kam.promotion.participant"]
        counts = dict(
            Participant._read_group(
                [("promotion_id", "in", self.ids)], ["promotion_id"], ["__count"]
            )
        )
        notes = dict(
            Participant._read_group(
                [("promotion_id", "in", self.ids), ("credit_note_id", "!=", False)],
                ["promotion_id"],
                ["__count"],
            )
        )
        for promotion in self:
            promotion.participant_count = counts.get(promotion, 0)
            promotion.credit_note_count = notes.get(promotion, 0)

    # --- constraints ----------------------------------------------------
    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for promotion in self:
            if promotion.date_to < promotion.date_from:
                raise ValidationError(
                    self.env._(
                        "%(promotion)s ends before it starts.",
                        promotion=promotion.name,
                    )
                )

    @api.constrains("partner_ids", "user_id")
    def _check_partners(self):
        # constraints run in sudo: the user is still the one who writes
        head = self.env.user.has_group(KAM_MANAGER_GROUP)
        acting = self.env.user._kam_acting_for()
        for promotion in self.sudo():
            partners = promotion.partner_ids
            partners._kam_ensure_key_account()
            if head:
                continue
            # sudo: the account's KAM only, to compare with the user
            others = partners.filtered(lambda p: p.kam_user_id not in acting)
            if others:
                raise AccessError(
                    self.env._(
                        "%(accounts)s: a KAM proposes a bonus programme for their "
                        "own accounts (or a whole segment); a head of sales adds "
                        "other KAMs' accounts.",
                        accounts=", ".join(others.mapped("display_name")),
                    )
                )

    @api.constrains("tier_ids")
    def _check_tiers(self):
        self.tier_ids._check_increasing()

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"draft"}, WORKFLOW_FIELDS)
        promotions = super().create(vals_list)
        promotions._kam_sync_participants()
        return promotions

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        if not (in_workflow(self.env) or harmless(vals)):
            locked = self.filtered(lambda p: p.state in LOCKED_STATES)
            if locked:
                raise UserError(
                    self.env._(
                        "%(promotion)s is %(state)s and cannot be changed; a head "
                        "of sales can cancel it and reset it to draft.",
                        promotion=locked[0].name,
                        state=locked[0]._kam_state_label(),
                    )
                )
        result = super().write(vals)
        if isinstance(vals, dict) and {"partner_ids", "segment_id", "company_id"} & set(
            vals
        ):
            self._kam_sync_participants()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        require_states(
            self,
            ("draft", "cancelled"),
            self.env._("Only draft or cancelled bonus programmes can be deleted."),
        )
        if self.participant_ids.filtered("credit_note_id"):
            raise UserError(
                self.env._("A bonus programme that made credit notes stays.")
            )

    def _kam_check_tiers_editable(self):
        if in_workflow(self.env):
            return
        locked = self.filtered(lambda p: p.state in LOCKED_STATES)
        if locked:
            raise UserError(
                self.env._(
                    "The tiers of %(promotion)s are fixed: it is %(state)s.",
                    promotion=locked[0].name,
                    state=locked[0]._kam_state_label(),
                )
            )

    def _kam_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # --- participants ---------------------------------------------------
    def _kam_accounts(self):
        """{promotion: key accounts taking part}: the accounts listed and the key
        accounts of the segment (one search for all the segments)."""
        # sudo: the segment of an account is a KAM field; the accounts are listed
        # for the programme, their figures stay behind the participants' rules
        segments = self.sudo().segment_id
        by_segment = {}
        if segments:
            accounts = (
                self.env["res.partner"]
                .sudo()
                .search(
                    [
                        ("kam_segment_id", "in", segments.ids),
                        ("is_key_account", "=", True),
                        ("is_company", "=", True),
                    ]
                )
            )
            by_segment = accounts.grouped("kam_segment_id")
        result = {}
        for promotion in self.sudo():
            partners = promotion.partner_ids.commercial_partner_id
            segment_accounts = by_segment.get(promotion.segment_id)
            if segment_accounts:
                partners |= segment_accounts.filtered(
                    lambda p, c=promotion.company_id: p.company_id in (c, c.browse())
                )
            result[promotion] = partners
        return result

    def _kam_sync_participants(self):
        """One participant per account taking part (commercial partner), while the
        programme is a draft or at its approval: added and removed to match the
        accounts and the segment (sudo: participants are set by the programme)."""
        Participant = self.env["kam.promotion.participant"].sudo()
        to_create, to_remove = [], Participant
        for promotion, accounts in self._kam_accounts().items():
            if promotion.state != "draft":
                continue
            current = promotion.participant_ids
            to_remove |= current.filtered(lambda p, a=accounts: p.partner_id not in a)
            to_create += [
                {"promotion_id": promotion.id, "partner_id": account.id}
                for account in accounts - current.partner_id
            ]
        to_remove.unlink()
        Participant.create(to_create)

    # --- actions --------------------------------------------------------
    def action_approve(self):
        """A head of sales approves: the terms are fixed and the accounts listed;
        the programme runs from its first day."""
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales approves a bonus programme."),
        )
        require_states(
            self, ("draft",), self.env._("Only draft bonus programmes are approved.")
        )
        self.check_access("write")
        self._kam_sync_participants()
        for promotion in self:
            if not promotion.participant_ids:
                raise UserError(
                    self.env._(
                        "%(promotion)s has no participants: list accounts or a "
                        "segment with key accounts.",
                        promotion=promotion.name,
                    )
                )
            if not promotion.tier_ids:
                raise UserError(
                    self.env._(
                        "%(promotion)s has no tiers: give the revenue thresholds "
                        "and their bonus.",
                        promotion=promotion.name,
                    )
                )
        with workflow():
            self.write(
                {
                    "state": "approved",
                    "approved_by_id": self.env.user.id,
                    "date_approved": fields.Date.context_today(self),
                }
            )
        self._kam_start_due()

    def action_start(self):
        """Run an approved programme whose first day has come (the daily cron
        does it too)."""
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales starts a bonus programme."),
        )
        require_states(
            self,
            ("approved",),
            self.env._("Only approved bonus programmes are started."),
        )
        today = fields.Date.context_today(self)
        early = self.filtered(lambda p: p.date_from > today)
        if early:
            raise UserError(
                self.env._(
                    "%(promotion)s starts on %(date)s.",
                    promotion=early[0].name,
                    date=early[0].date_from,
                )
            )
        with workflow():
            self.write({"state": "running"})

    def _kam_start_due(self):
        today = fields.Date.context_today(self)
        due = self.filtered(lambda p: p.state == "approved" and p.date_from <= today)
        with workflow():
            due.write({"state": "running"})

    @api.model
    def _cron_start_promotions(self):
        """Approved programmes whose first day has come start running."""
        today = fields.Date.context_today(self)
        process_in_batches(
            self,
            [("state", "=", "approved"), ("date_from", "<=", today)],
            lambda batch: batch._kam_start_due(),
        )

    def action_settle(self):
        """After the last day: each participant's figures are frozen and one draft
        credit note per participant with a bonus is made (sudo: KAMs and heads of
        sales do not write invoices; accounting checks and posts them). A
        participant settled already gets nothing twice."""
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales settles a bonus programme."),
        )
        require_states(
            self,
            ("running",),
            self.env._("Only running bonus programmes are settled."),
        )
        self.check_access("write")
        today = fields.Date.context_today(self)
        for promotion in self:
            if promotion.date_to >= today:
                raise UserError(
                    self.env._(
                        "%(promotion)s runs until %(date)s: settle it after its "
                        "last day.",
                        promotion=promotion.name,
                        date=promotion.date_to,
                    )
                )
        # sudo: the figures of every participant, whoever settles
        participants = self.sudo().participant_ids.filtered(
            lambda p: not p.credit_note_id
        )
        figures = {p: (p.revenue, p.bonus_amount) for p in participants}
        with workflow():
            for participant, (revenue, bonus) in figures.items():
                participant.write({"settled_revenue": revenue, "settled_bonus": bonus})
            refunds = participants.filtered(
                lambda p: p.currency_id.compare_amounts(p.settled_bonus, 0) > 0
            )._kam_create_credit_notes()
            self.write({"state": "settled", "date_settled": today})
        for promotion in self:
            promotion.message_post(
                body=self.env._(
                    "Settled: %(count)s draft credit notes.",
                    count=len(
                        promotion.sudo().participant_ids.credit_note_id & refunds
                    ),
                )
            )
        return self.action_view_credit_notes() if len(self) == 1 else True

    def action_cancel(self):
        require_states(
            self,
            ("draft", "approved", "running"),
            self.env._("Only draft, approved or running programmes are cancelled."),
        )
        if self.filtered(lambda p: p.state != "draft") and not self.env.user.has_group(
            KAM_MANAGER_GROUP
        ):
            raise UserError(
                self.env._("Only a head of sales cancels an approved programme.")
            )
        self.check_access("write")
        with workflow():
            self.write({"state": "cancelled"})

    def action_reset_draft(self):
        require_states(
            self,
            ("cancelled",),
            self.env._("Only cancelled bonus programmes go back to draft."),
        )
        self.check_access("write")
        with workflow():
            self.write(
                {"state": "draft", "approved_by_id": False, "date_approved": False}
            )

    @api.readonly
    def action_view_participants(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_promotion_participant_action"
        )
        action["domain"] = [("promotion_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    @api.readonly
    def action_view_credit_notes(self):
        self.ensure_one()
        moves = self.participant_ids.credit_note_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bonus Credit Notes"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
            "context": {"create": False, "default_move_type": "out_refund"},
        }
