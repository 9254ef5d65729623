from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .plan_split import individual_plans_vals
from .res_partner import KAM_GROUP, KAM_MANAGER_GROUP
from .workflow import (
    check_create,
    check_locked,
    check_workflow_fields,
    in_workflow,
    require_group,
    require_states,
    workflow,
)

# set by the actions only
WORKFLOW_FIELDS = (
    "state",
    "date_closed",
    "frozen_actual_amount",
    "frozen_active_accounts",
    "frozen_new_accounts",
)


class KamPlan(models.Model):
    _name = "kam.plan"
    _description = "Key Account Sales Plan"
    _inherit = [
        "kam.input.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "kam.tier.validation",
    ]
    _order = "date_from desc, plan_type, user_id, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    # tier validation (OCA base_tier_validation): draft -> approved needs the review
    _state_from = ["draft"]
    _state_to = ["approved"]
    _cancel_state = "cancel"
    _tier_validation_manual_config = False

    # --- fields ---------------------------------------------------------
    name = fields.Char(required=True, tracking=True)
    plan_type = fields.Selection(
        [("department", "Department"), ("individual", "Individual")],
        string="Type",
        required=True,
        default="individual",
        tracking=True,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("approved", "Approved"), ("closed", "Closed")],
        required=True,
        default="draft",
        copy=False,
        tracking=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    parent_id = fields.Many2one(
        "kam.plan",
        string="Department Plan",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        domain="[('plan_type', '=', 'department')]",
        tracking=True,
    )
    child_ids = fields.One2many("kam.plan", "parent_id", string="Individual Plans")
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        recursive=True,
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Key Account Manager",
        index="btree_not_null",
        ondelete="restrict",
        domain="[('share', '=', False)]",
        tracking=True,
    )
    date_from = fields.Date(
        compute="_compute_period",
        recursive=True,
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
    )
    date_to = fields.Date(
        compute="_compute_period",
        recursive=True,
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
    )
    line_ids = fields.One2many(
        "kam.plan.line", "plan_id", string="Account Targets", copy=True
    )

    # targets
    target_amount = fields.Monetary(
        string="Revenue Target",
        tracking=True,
        help="Invoiced revenue to reach in the period (untaxed, company currency).",
    )
    target_active_accounts = fields.Integer(
        string="Active Accounts Target",
        tracking=True,
        help="Key accounts that should buy in the period.",
    )
    target_new_accounts = fields.Integer(
        string="New Accounts Target",
        tracking=True,
        help="Accounts whose first invoice should fall in the period.",
    )
    lines_target_amount = fields.Monetary(
        string="Sum of Account Targets",
        compute="_compute_split_figures",
        compute_sudo=True,
    )
    children_target_amount = fields.Monetary(
        string="Sum of Individual Targets",
        compute="_compute_split_figures",
        compute_sudo=True,
    )
    target_gap = fields.Monetary(
        string="Gap to Target",
        compute="_compute_split_figures",
        compute_sudo=True,
        help="Department target minus the sum of the individual targets.",
    )

    # --- defaults / computes --------------------------------------------
    @api.depends("parent_id.team_id")
    def _compute_team_id(self):
        for plan in self.filtered("parent_id"):
            plan.team_id = plan.parent_id.team_id

    @api.depends("parent_id.date_from", "parent_id.date_to")
    def _compute_period(self):
        for plan in self:
            if plan.parent_id:
                plan.date_from = plan.parent_id.date_from
                plan.date_to = plan.parent_id.date_to
            elif not plan.date_from:
                today = fields.Date.context_today(plan)
                plan.date_from = today.replace(month=1, day=1)
                plan.date_to = today.replace(month=12, day=31)

    @api.depends(
        "plan_type",
        "line_ids.target_amount",
        "child_ids.target_amount",
        "target_amount",
    )
    def _compute_split_figures(self):
        for plan in self:
            plan.lines_target_amount = sum(plan.line_ids.mapped("target_amount"))
            plan.children_target_amount = sum(plan.child_ids.mapped("target_amount"))
            plan.target_gap = (
                plan.target_amount - plan.children_target_amount
                if plan.plan_type == "department"
                else plan.target_amount - plan.lines_target_amount
            )

    # --- constraints ----------------------------------------------------
    @api.constrains("date_from", "date_to", "parent_id")
    def _check_dates(self):
        for plan in self:
            if plan.date_to < plan.date_from:
                raise ValidationError(
                    self.env._(
                        "The plan %(plan)s ends before it starts.",
                        plan=plan.display_name,
                    )
                )
            parent = plan.parent_id
            if parent and (
                plan.date_from < parent.date_from or plan.date_to > parent.date_to
            ):
                raise ValidationError(
                    self.env._(
                        "The period of %(plan)s must lie within the period of its "
                        "department "
                        "plan %(parent)s.",
                        plan=plan.display_name,
                        parent=parent.display_name,
                    )
                )

    @api.constrains(
        "target_amount",
        "target_active_accounts",
        "target_new_accounts",
        "base_variable_pay",
    )
    def _check_targets(self):
        # sudo: pay fields are group-restricted; the check only compares them
        for plan in self.sudo():
            if (
                min(
                    plan.target_amount,
                    plan.target_active_accounts,
                    plan.target_new_accounts,
                    plan.base_variable_pay,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Targets and variable pay of %(plan)s cannot be negative.",
                        plan=plan.display_name,
                    )
                )

    @api.constrains("user_id")
    def _check_line_accounts(self):
        # the account targets stay with the accounts of the plan's KAM
        self.line_ids._check_partner()

    @api.constrains("plan_type", "user_id", "team_id", "parent_id")
    def _check_type(self):
        for plan in self:
            if plan.plan_type == "department" and (not plan.team_id or plan.parent_id):
                raise ValidationError(
                    self.env._(
                        "The department plan %(plan)s needs a sales team and no "
                        "parent plan.",
                        plan=plan.display_name,
                    )
                )
            if plan.plan_type == "individual" and not plan.user_id:
                raise ValidationError(
                    self.env._(
                        "The individual plan %(plan)s needs a key account manager.",
                        plan=plan.display_name,
                    )
                )

    @api.constrains(
        "plan_type", "user_id", "company_id", "date_from", "date_to", "state"
    )
    def _check_overlap(self):
        individual = self.filtered(lambda p: p.plan_type == "individual")
        if not individual:
            return
        # sudo: an overlap with a plan the user may not read is an overlap too;
        # only its name and dates are shown
        others = self.sudo().search_fetch(
            [
                ("plan_type", "=", "individual"),
                ("user_id", "in", individual.user_id.ids),
                ("company_id", "in", individual.company_id.ids),
                ("date_from", "<=", max(individual.mapped("date_to"))),
                ("date_to", ">=", min(individual.mapped("date_from"))),
            ],
            ["user_id", "company_id", "date_from", "date_to", "name"],
        )
        by_key = others.grouped(lambda p: (p.user_id, p.company_id))
        for plan in individual:
            for other in by_key.get((plan.user_id, plan.company_id), []):
                if (
                    other != plan
                    and other.date_from <= plan.date_to
                    and other.date_to >= plan.date_from
                ):
                    raise ValidationError(
                        self.env._(
                            "%(user)s already has the plan %(other)s from %(start)s to "
                            "%(end)s in this company: individual plans cannot overlap.",
                            user=plan.user_id.name,
                            other=other.name,
                            start=other.date_from,
                            end=other.date_to,
                        )
                    )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"draft"}, WORKFLOW_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        self._kam_check_locked(vals)
        if (
            isinstance(vals, dict)
            and "user_id" in vals
            and not in_workflow(self.env)
            and not self.env.user.has_group(KAM_MANAGER_GROUP)
        ):
            raise AccessError(
                self.env._("Only a head of sales hands a plan to another KAM.")
            )
        return super().write(vals)

    def _kam_check_locked(self, vals):
        """Approved and closed plans are read-only: a head of sales resets them to
        draft (or reopens them) through their buttons."""
        check_locked(
            self,
            vals,
            ("approved", "closed"),
            lambda plan: self.env._(
                "%(plan)s is approved or closed and cannot be changed; a head of "
                "sales can reset it to draft.",
                plan=plan.display_name,
            ),
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        require_states(self, ("draft",), self.env._("Only draft plans can be deleted."))

    # --- tier validation ------------------------------------------------
    def _get_under_validation_exceptions(self):
        # chatter and activities stay usable while a plan waits for its review
        return super()._get_under_validation_exceptions() + ["activity_ids"]

    def _kam_validated(self):
        self.state = "approved"

    # --- actions --------------------------------------------------------
    def action_submit(self):
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Only draft plans can be submitted."))
            if plan.plan_type == "individual" and not plan.line_ids:
                raise UserError(
                    self.env._(
                        "Add the target of each key account before submitting "
                        "%(plan)s.",
                        plan=plan.display_name,
                    )
                )
        self.filtered("need_validation").request_validation()

    def action_approve(self):
        """Approve without review: department plans, or plans no tier definition
        applies to. Individual plans go through the review (tier validation)."""
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales approves plans."),
        )
        require_states(
            self, ("draft",), self.env._("Only draft plans can be approved.")
        )
        with workflow():
            self.write({"state": "approved"})

    def action_reset_to_draft(self):
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales resets plans to draft."),
        )
        require_states(
            self, ("approved",), self.env._("Only approved plans go back to draft.")
        )
        self.restart_validation()
        with workflow():
            self.write({"state": "draft"})

    def action_split(self):
        """Create the individual plans of the team's KAMs from this department plan."""
        self.ensure_one()
        if self.plan_type != "department":
            raise UserError(self.env._("Only a department plan can be split."))
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales splits department plans."),
        )
        if self.child_ids.filtered(lambda p: p.state != "draft"):
            raise UserError(
                self.env._(
                    "Some individual plans of %(plan)s are approved or closed already: "
                    "split again only while all of them are drafts.",
                    plan=self.display_name,
                )
            )
        kams = self.team_id.member_ids.filtered(lambda u: u.has_group(KAM_GROUP))
        if not kams:
            raise UserError(
                self.env._(
                    "The sales team %(team)s has no key account manager among its "
                    "members.",
                    team=self.team_id.display_name,
                )
            )
        self.child_ids.unlink()
        accounts = self.env["res.partner"].search(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_user_id", "in", kams.ids),
                ("company_id", "in", [False, self.company_id.id]),
            ]
        )
        plans = self.create(
            individual_plans_vals(self, kams, accounts, self._kam_history(accounts))
        )
        self.message_post(
            body=self.env._("Split into %(count)s individual plans.", count=len(plans))
        )
        return plans

    @api.readonly
    def action_view_children(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_plan_action"
        )
        action["domain"] = [("parent_id", "=", self.id)]
        action["context"] = {
            "default_parent_id": self.id,
            "default_plan_type": "individual",
        }
        return action
