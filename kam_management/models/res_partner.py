from collections.abc import Mapping

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .cron_batch import process_in_batches
from .input_checks import check_values
from .workflow import in_workflow, workflow

KAM_GROUP = "kam_management.group_kam_user"
KAM_MANAGER_GROUP = "kam_management.group_kam_manager"
RISK_MANAGER_GROUP = "account_financial_risk.group_account_financial_risk_manager"
CREDIT_REVIEWER_GROUP = "kam_management.group_kam_credit_reviewer"
SALES_SUPPORT_GROUP = "kam_management.group_kam_sales_support"
KAM_OR_SUPPORT_GROUPS = f"{KAM_GROUP},{SALES_SUPPORT_GROUP}"
# preferred visiting days (issue 18), Monday to Friday: the planner's days
KAM_VISIT_DAY_FIELDS = (
    "kam_visit_monday",
    "kam_visit_tuesday",
    "kam_visit_wednesday",
    "kam_visit_thursday",
    "kam_visit_friday",
)

# know the account (issue 15)
PROSPECT_STATES = [
    ("prospect", "Prospect"),
    ("active", "Active"),
    ("lost", "Lost"),
    ("won", "Key Account"),
]
CONTACT_ROLES = [
    ("decision_maker", "Decision Maker"),
    ("influencer", "Influencer"),
    ("champion", "Champion"),
    ("user", "User"),
    ("gatekeeper", "Gatekeeper"),
    ("blocker", "Blocker"),
]
CONTACT_ATTITUDES = [
    ("supporter", "Supporter"),
    ("neutral", "Neutral"),
    ("opponent", "Opponent"),
]
# the roles a supporter must hold for a full relationship coverage
KEY_ROLES = ("decision_maker", "influencer", "champion")
# the components of the health score (their weights: kam_health_weight_<key>)
HEALTH_COMPONENTS = [
    ("visit", "Visits against cadence"),
    ("plan", "Plan achievement"),
    ("overdue", "Debt paid on time"),
    ("relationship", "Relationship coverage"),
    ("contract", "Running contract"),
    ("trend", "Revenue trend"),
]
# what the account's KAM (or a head of sales) fills in, on the account or its contacts
PROFILE_FIELDS = {
    "kam_needs",
    "kam_potential_annual",
    "kam_buying_season",
    "kam_decision_process",
    "kam_lost_reason_id",
    "kam_contact_role",
    "kam_influence",
    "kam_attitude",
}
HEALTH_DAYS = 90  # the visits counted: those of the last 90 days


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- fields ---------------------------------------------------------
    # Visible to every internal user (sales support must know who the KAM is).
    is_key_account = fields.Boolean(
        string="Key Account",
        tracking=True,
        index="btree_not_null",
        groups="base.group_user",
        help="A company managed by a key account manager.",
    )
    kam_user_id = fields.Many2one(
        "res.users",
        string="Key Account Manager",
        compute="_compute_kam_user_id",
        store=True,
        readonly=False,
        tracking=True,
        index="btree_not_null",
        ondelete="set null",
        domain="[('share', '=', False)]",
        groups="base.group_user",
    )
    # KAM-only fields (duty 2.21: trade secrets).
    kam_tier = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C")],
        string="Tier",
        compute="_compute_kam_tier",
        store=True,
        readonly=False,
        tracking=True,
        groups=KAM_GROUP,
        help="A: strategic accounts, visited most often; C: the least.",
    )
    kam_segment_id = fields.Many2one(
        "kam.segment",
        string="Market Segment",
        tracking=True,
        index="btree_not_null",
        ondelete="restrict",
        groups=KAM_GROUP,
    )
    kam_visit_interval_days = fields.Integer(
        string="Visit Interval (days)",
        compute="_compute_kam_visit_interval_days",
        store=True,
        readonly=False,
        tracking=True,
        groups=KAM_GROUP,
        help="How often the account should be visited; defaults from the tier "
        "(Settings > Key Accounts).",
    )
    kam_visit_ids = fields.One2many("kam.visit", "partner_id", string="Visits")
    # merchandising (duty 2.10)
    kam_merchandising_compliance = fields.Float(
        string="Last Compliance (%)",
        compute="_compute_kam_merchandising",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Compliance of the last merchandising task done at the account.",
    )
    kam_merchandising_last_date = fields.Date(
        string="Last Merchandising",
        compute="_compute_kam_merchandising",
        compute_sudo=True,
        groups=KAM_GROUP,
    )
    kam_merchandising_todo_count = fields.Integer(
        string="Merchandising Tasks to Do",
        compute="_compute_kam_merchandising",
        compute_sudo=True,
        groups=KAM_GROUP,
    )
    kam_last_visit_date = fields.Date(
        string="Last Visit",
        compute="_compute_kam_last_visit_date",
        store=True,
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Date of the last visit or call that took place.",
    )
    kam_next_visit_date = fields.Date(
        string="Next Visit Due",
        compute="_compute_kam_next_visit_date",
        store=True,
        groups=KAM_GROUP,
        help="Last visit plus the visit interval; the day it became a key account "
        "when it was never visited.",
    )
    # credit control, per company (duty 2.5)
    kam_credit_rating = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")],
        string="Credit Rating",
        company_dependent=True,
        tracking=True,
        groups=KAM_GROUP,
        help="From the last approved credit check in this company.",
    )
    kam_credit_hold = fields.Boolean(
        string="Credit Hold",
        company_dependent=True,
        tracking=True,
        groups=KAM_GROUP,
        help="Orders of this account cannot be confirmed in this company.",
    )
    kam_credit_valid_until = fields.Date(
        string="Credit Check Valid Until",
        compute="_compute_kam_credit_valid_until",
        compute_sudo=True,
        groups=KAM_GROUP,
    )
    kam_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_kam_kpis",
        compute_sudo=True,
        groups=KAM_GROUP,
    )
    kam_figures_visible = fields.Boolean(
        string="Figures Visible",
        compute="_compute_kam_kpis",
        compute_sudo=True,
        search="_search_kam_figures_visible",
        groups=KAM_GROUP,
        help="The user may see this account's figures (their own account, or a head "
        "of sales): the others' are shown as nothing, not as zero.",
    )
    kam_revenue_12m = fields.Monetary(
        string="Revenue (12 months)",
        currency_field="kam_currency_id",
        compute="_compute_kam_kpis",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Posted customer invoices minus refunds of the last 12 months, untaxed, "
        "in the company currency.",
    )
    kam_overdue_amount = fields.Monetary(
        string="Overdue",
        currency_field="kam_currency_id",
        compute="_compute_kam_kpis",
        compute_sudo=True,
        search="_search_kam_overdue_amount",
        groups=KAM_GROUP,
        help="Open receivable installments past their due date, "
        "in the company currency.",
    )
    kam_last_order_date = fields.Date(
        string="Last Order",
        compute="_compute_kam_kpis",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Date of the last confirmed sales order.",
    )
    # what the user may change: the form shows the rest read-only, as
    # _kam_check_edit_rights refuses it on save
    kam_can_edit = fields.Boolean(
        string="Can Change Key Account Settings",
        compute="_compute_kam_can_edit",
        groups="base.group_user",
        help="The key account flag, tier, segment and visit interval: the account's "
        "own KAM (or a KAM on an account nobody manages) and heads of sales.",
    )
    kam_can_manage = fields.Boolean(
        string="Can Assign and Rate Key Accounts",
        compute="_compute_kam_can_edit",
        groups="base.group_user",
        help="Heads of sales assign key accounts to KAMs and change credit ratings, "
        "holds and a key account's credit limit.",
    )
    # smart buttons: what the user can open, counted in one query per model
    kam_visit_count = fields.Integer(
        string="Visit Count", compute="_compute_kam_counts", groups=KAM_GROUP
    )
    kam_contract_count = fields.Integer(
        string="Contract Count",
        compute="_compute_kam_counts",
        groups=f"{KAM_GROUP},{SALES_SUPPORT_GROUP}",
    )
    kam_credit_check_count = fields.Integer(
        string="Credit Check Count", compute="_compute_kam_counts", groups=KAM_GROUP
    )
    kam_plan_count = fields.Integer(
        string="Plan Count", compute="_compute_kam_counts", groups=KAM_GROUP
    )
    kam_invoice_count = fields.Integer(
        string="Invoice Count",
        compute="_compute_kam_counts",
        groups=f"{KAM_GROUP},{SALES_SUPPORT_GROUP}",
    )

    # --- computes -------------------------------------------------------
    @api.depends("is_key_account", "kam_prospect_state")
    def _compute_kam_user_id(self):
        for partner in self:
            # a prospect is worked by a KAM too (issue 15)
            open_account = partner.is_key_account or partner.kam_prospect_state
            if open_account and not partner.kam_user_id:
                partner.kam_user_id = partner.user_id or self.env.user

    @api.depends("is_key_account")
    def _compute_kam_tier(self):
        for partner in self:
            if partner.is_key_account and not partner.kam_tier:
                partner.kam_tier = "b"

    @api.depends("kam_tier")
    def _compute_kam_visit_interval_days(self):
        for partner in self:
            company = partner.company_id or self.env.company
            partner.kam_visit_interval_days = company._kam_visit_interval_for_tier(
                partner.kam_tier
            )

    @api.depends("kam_visit_ids.state", "kam_visit_ids.date_start")
    def _compute_kam_last_visit_date(self):
        rows = self.env["kam.visit"]._read_group(
            [("partner_id", "in", self.ids), ("state", "=", "done")],
            ["partner_id"],
            ["date_start:max"],
        )
        last = {partner: date_start for partner, date_start in rows}
        for partner in self:
            day = last.get(partner)
            partner.kam_last_visit_date = (
                fields.Datetime.context_timestamp(partner, day).date() if day else False
            )

    @api.depends("is_key_account", "kam_last_visit_date", "kam_visit_interval_days")
    def _compute_kam_next_visit_date(self):
        today = fields.Date.context_today(self)
        for partner in self:
            if not partner.is_key_account:
                partner.kam_next_visit_date = False
            elif partner.kam_last_visit_date:
                partner.kam_next_visit_date = (
                    partner.kam_last_visit_date
                    + relativedelta(days=partner.kam_visit_interval_days)
                )
            else:
                partner.kam_next_visit_date = partner.kam_next_visit_date or today

    @api.depends_context("company")
    def _compute_kam_credit_valid_until(self):
        rows = self.env["kam.credit.check"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("state", "=", "approved"),
            ],
            ["partner_id"],
            ["valid_until:max"],
        )
        valid = dict(rows)
        for partner in self:
            partner.kam_credit_valid_until = valid.get(
                partner.commercial_partner_id, False
            )

    @api.depends_context("uid")
    def _compute_kam_merchandising(self):
        # computed in sudo: only the accounts whose figures the user may see (their
        # own, all for a head of sales); another KAM's account shows nothing
        visible = self._kam_kpi_partners()
        Task = self.env["kam.merchandising.task"]
        todo = dict(
            Task._read_group(
                [("partner_id", "in", visible.ids), ("state", "=", "todo")],
                ["partner_id"],
                ["__count"],
            )
        )
        last = {}
        for partner, days, compliances in Task._read_group(
            [("partner_id", "in", visible.ids), ("state", "=", "done")],
            ["partner_id"],
            ["date_done:array_agg", "compliance:array_agg"],
        ):
            # both in the order of the ids: the last done day, the latest task of it
            index = max(range(len(days)), key=lambda i: (days[i], i))
            last[partner] = (days[index], compliances[index])
        for partner in self:
            day, compliance = last.get(partner, (False, 0.0))
            partner.kam_merchandising_todo_count = todo.get(partner, 0)
            partner.kam_merchandising_last_date = day
            partner.kam_merchandising_compliance = compliance

    def _kam_kpi_partners(self):
        """The key accounts (commercial partners) whose figures the user may see."""
        commercial = self.commercial_partner_id.filtered("is_key_account")
        if self.env.su and self.env.user._is_superuser():
            return commercial
        if self.env.user.has_group(KAM_MANAGER_GROUP):
            return commercial
        # their own accounts and those of the KAMs they stand in for today
        acting = self.env.user._kam_acting_for()
        return commercial.filtered(lambda p: p.kam_user_id in acting)

    def _search_kam_figures_visible(self, operator, value):
        """The partners of _kam_kpi_partners, as a domain (the dashboard's at-risk
        list: a KAM's own accounts, all for a head of sales)."""
        if operator not in ("in", "not in", "=", "!="):
            return NotImplemented
        values = value if operator in ("in", "not in") else [value]
        positive = (True in values) == (operator in ("in", "="))
        visible = Domain("commercial_partner_id.is_key_account", "=", True)
        user = self.env.user
        if not user.has_group(KAM_MANAGER_GROUP):
            visible &= Domain(
                "commercial_partner_id.kam_user_id", "in", user._kam_acting_ids()
            )
        return visible if positive else ~visible

    @api.model
    def _kam_revenue_date_from(self, today=None):
        today = today or fields.Date.context_today(self)
        return today - relativedelta(years=1, days=-1)

    def _kam_overdue_amounts(self):
        """{commercial partner: overdue debt} in the current company."""
        return self.env["account.move.line"]._kam_overdue_amounts(
            self.commercial_partner_id
        )

    @api.depends_context("company", "uid")
    def _compute_kam_kpis(self):
        company = self.env.company
        partners = self._kam_kpi_partners()
        revenue, overdue, last_order = {}, {}, {}
        if partners:
            today = fields.Date.context_today(self)
            revenue = self.env["kam.revenue.report"]._kam_amounts(
                partners, self._kam_revenue_date_from(today), today
            )
            overdue = partners._kam_overdue_amounts()
            last_order = dict(
                self.env["sale.order"]._read_group(
                    [
                        ("partner_id.commercial_partner_id", "in", partners.ids),
                        ("company_id", "=", company.id),
                        ("state", "=", "sale"),
                    ],
                    ["partner_id.commercial_partner_id"],
                    ["date_order:max"],
                )
            )
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.kam_figures_visible = commercial in partners
            partner.kam_currency_id = company.currency_id
            partner.kam_revenue_12m = revenue.get(commercial, 0.0)
            partner.kam_overdue_amount = overdue.get(commercial, 0.0)
            last = last_order.get(commercial)
            partner.kam_last_order_date = (
                fields.Datetime.context_timestamp(self, last).date() if last else False
            )

    def _search_kam_overdue_amount(self, operator, value):
        if operator not in (">", ">="):
            return NotImplemented
        # like the figure itself: a KAM filters on their own accounts' debts only
        kam = (
            self.env["res.users"]
            if self.env.user.has_group(KAM_MANAGER_GROUP)
            else self.env.user._kam_acting_for()
        )
        partners = self.env["account.move.line"]._kam_partners_overdue(
            operator, value, kam
        )
        return Domain("commercial_partner_id", "in", partners.ids)

    @api.depends_context("uid")
    def _compute_kam_can_edit(self):
        """What _kam_check_edit_rights lets the user write, from the saved values
        (those it checks): a new partner has no owner yet."""
        user = self.env.user
        manager = self.env.su or user.has_group(KAM_MANAGER_GROUP)
        kam = user.has_group(KAM_GROUP)
        for partner in self:
            partner.kam_can_manage = manager
            partner.kam_can_edit = manager or (
                kam and not partner._origin._kam_accounts_of_others(user)
            )

    @api.depends_context("uid", "company")
    def _compute_kam_counts(self):
        """The records the smart buttons open, as the user may read them."""
        # saved accounts only: a partner being created has nothing yet
        commercial = self.commercial_partner_id._origin
        counted = {
            "kam_visit_count": ("kam.visit", "partner_id", Domain.TRUE),
            "kam_contract_count": ("kam.contract", "partner_id", Domain.TRUE),
            "kam_credit_check_count": ("kam.credit.check", "partner_id", Domain.TRUE),
            "kam_invoice_count": (
                "account.move",
                "commercial_partner_id",
                self._kam_invoice_domain(),
            ),
        }
        for field_name, (model, partner_field, domain) in counted.items():
            counts = {}
            # a button of a model the user cannot read is not shown (its groups)
            if self.env[model].has_access("read"):
                counts = dict(
                    self.env[model]._read_group(
                        Domain(partner_field, "in", commercial.ids) & domain,
                        [partner_field],
                        ["__count"],
                    )
                )
            for partner in self:
                partner[field_name] = counts.get(
                    partner.commercial_partner_id._origin, 0
                )
        plans = {}
        if self.env["kam.plan.line"].has_access("read"):
            plans = dict(
                self.env["kam.plan.line"]._read_group(
                    [("partner_id", "in", commercial.ids)],
                    ["partner_id"],
                    ["plan_id:count_distinct"],
                )
            )
        for partner in self:
            partner.kam_plan_count = plans.get(partner.commercial_partner_id._origin, 0)

    # --- constraints ----------------------------------------------------
    @api.constrains(
        "is_key_account", "parent_id", "is_company", "kam_visit_interval_days"
    )
    def _check_kam_key_account(self):
        for partner in self.filtered("is_key_account"):
            commercial = partner.commercial_partner_id
            if not commercial.is_company:
                raise ValidationError(
                    self.env._(
                        "%(partner)s cannot be a key account: only companies can.",
                        partner=partner.display_name,
                    )
                )
            if partner != commercial and not commercial.is_key_account:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is a contact of %(company)s: flag the company "
                        "as a key account, its contacts follow it.",
                        partner=partner.display_name,
                        company=commercial.display_name,
                    )
                )
            # sudo: the interval is KAM-only; sales support may save the partner
            if partner.sudo().kam_visit_interval_days <= 0:
                raise ValidationError(
                    self.env._(
                        "The visit interval of %(partner)s must be a positive "
                        "number of days.",
                        partner=partner.display_name,
                    )
                )

    def _kam_ensure_key_account(self):
        """Raise unless every partner is a key account (a company, not a contact):
        visits, credit checks and contracts are made with key accounts only."""
        # sudo: whether it is a key account, for any user creating a document
        for partner in self.sudo():
            if not partner.is_key_account or partner.commercial_partner_id != partner:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is not a key account.",
                        partner=partner.display_name,
                    )
                )

    # --- CRUD -----------------------------------------------------------
    @api.model
    def _commercial_fields(self):
        # Contacts follow their company: Odoo syncs these down to children.
        return super()._commercial_fields() + self._kam_fields()

    @api.model
    def _kam_fields(self):
        return [
            "is_key_account",
            "kam_user_id",
            "kam_tier",
            "kam_segment_id",
            "kam_visit_interval_days",
            "kam_prospect_state",
        ] + list(KAM_VISIT_DAY_FIELDS)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._kam_check_edit_rights(vals)
        self._kam_check_profile_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._kam_check_edit_rights(vals)
        self._kam_check_location_rights(vals)
        self._kam_check_profile_write(vals)
        return super().write(vals)

    def _kam_check_edit_rights(self, vals):
        """Key account settings belong to the account's KAM and to heads of sales;
        the credit rating and hold come from credit checks and heads of sales, and
        so do a key account's credit limit and financial risk settings (OCA leaves
        those to its views only)."""
        kam_fields = set(self._kam_fields()) & vals.keys()
        credit_fields = {"kam_credit_rating", "kam_credit_hold"} & vals.keys()
        risk_fields = self._kam_risk_fields() & vals.keys()
        if self.env.su or not (kam_fields or credit_fields or risk_fields):
            return
        user = self.env.user
        if user.has_group(KAM_MANAGER_GROUP):
            return
        if (
            risk_fields
            and (
                vals.get("is_key_account")
                # sudo: the flag only, to decide who may write
                or any(self.sudo().commercial_partner_id.mapped("is_key_account"))
            )
            and not user.has_group(RISK_MANAGER_GROUP)
        ):
            raise AccessError(
                self.env._(
                    "The credit limit and risk settings of a key account come from "
                    "its credit checks: only a head of sales changes them."
                )
            )
        if credit_fields:
            raise AccessError(
                self.env._("Only a head of sales changes a credit rating or hold.")
            )
        if not kam_fields:
            return
        if not user.has_group(KAM_GROUP):
            raise AccessError(
                self.env._("Only key account managers can change key account settings.")
            )
        others = self._kam_accounts_of_others(user)
        if "kam_user_id" in vals:
            # a deputy works the absent KAM's accounts; they do not take them over
            others |= self.commercial_partner_id.filtered(
                lambda p: p.kam_user_id and p.kam_user_id != user
            )
        if others or vals.get("kam_user_id") not in (None, False, user.id):
            raise AccessError(
                self.env._(
                    "Key accounts of another key account manager can only be changed "
                    "by a head of sales."
                )
            )

    def _kam_accounts_of_others(self, user):
        """The key accounts (commercial partners) of ``self`` another KAM manages
        (not one ``user`` stands in for today)."""
        acting = user._kam_acting_for()
        return self.commercial_partner_id.filtered(
            lambda p: p.kam_user_id and p.kam_user_id not in acting
        )

    @api.model
    def _kam_risk_fields(self):
        """Odoo's credit limit and OCA's financial risk switches and limits."""
        return {"credit_limit"} | {
            name
            for name in self._fields
            if name.startswith("risk_") and name.endswith(("_include", "_limit"))
        }

    # --- actions --------------------------------------------------------
    @api.model
    def _kam_action_key_accounts(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.res_partner_action_key_accounts"
        )
        if not self.env.user.has_group(KAM_MANAGER_GROUP):
            context = dict(safe_eval(action.get("context") or "{}"))
            context["search_default_filter_my_key_accounts"] = 1
            action["context"] = context
        return action

    def _kam_apply_terms(self, company, payment_term, pricelist, message):
        """The agreed payment terms and pricelist become the account's in
        ``company`` (company-dependent fields): new quotations pick them up."""
        vals = {}
        if payment_term:
            vals["property_payment_term_id"] = payment_term.id
        if pricelist:
            vals["property_product_pricelist"] = pricelist.id
        if not vals:
            return
        partner = self.with_company(company)
        partner.check_access("write")
        partner.write(vals)
        partner.message_post(body=message)

    def action_kam_view_merchandising_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_merchandising_task_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    @api.model
    def _kam_invoice_domain(self):
        return Domain("move_type", "in", self.env["account.move"].get_sale_types())

    def _kam_action_documents(self, xmlid, domain, context=None):
        """``xmlid``'s window action on the account's records (the smart buttons):
        its own default filters would hide some of them."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = context or {}
        # a list of records first (the visits open on their calendar otherwise)
        action["views"] = sorted(action["views"], key=lambda view: view[1] != "list")
        return action

    def action_kam_view_invoices(self):
        return self._kam_action_documents(
            "account.action_move_out_invoice_type",
            Domain("commercial_partner_id", "in", self.commercial_partner_id.ids)
            & self._kam_invoice_domain(),
            {"default_move_type": "out_invoice"},
        )

    def _kam_action_account_documents(self, xmlid):
        account = self.commercial_partner_id[:1]
        return self._kam_action_documents(
            xmlid,
            [("partner_id", "=", account.id)],
            {"default_partner_id": account.id},
        )

    def action_kam_view_visits(self):
        return self._kam_action_account_documents("kam_management.kam_visit_action")

    def action_kam_view_contracts(self):
        return self._kam_action_account_documents("kam_management.kam_contract_action")

    def action_kam_view_credit_checks(self):
        return self._kam_action_account_documents(
            "kam_management.kam_credit_check_action"
        )

    def action_kam_view_plans(self):
        return self._kam_action_documents(
            "kam_management.kam_plan_action",
            [("line_ids.partner_id", "in", self.commercial_partner_id.ids)],
        )

    # --- trainings of the account's staff (duty 2.12) ----------------------
    kam_training_figures_visible = fields.Boolean(
        string="Training Figures Visible",
        compute="_compute_kam_training_figures",
        groups=KAM_OR_SUPPORT_GROUPS,
        help="The user may see this account's trainings (their own account, a head "
        "of sales, sales support): the others' are shown as nothing, not as zero.",
    )
    kam_training_count = fields.Integer(
        string="Trainings",
        compute="_compute_kam_training_figures",
        groups=KAM_OR_SUPPORT_GROUPS,
    )
    kam_trained_staff_year = fields.Integer(
        string="Staff Trained This Year",
        compute="_compute_kam_training_figures",
        groups=KAM_OR_SUPPORT_GROUPS,
        help="Contacts of the account who attended a training dated this calendar "
        "year, each counted once.",
    )
    kam_training_hours_year = fields.Float(
        string="Training Hours This Year",
        compute="_compute_kam_training_figures",
        groups=KAM_OR_SUPPORT_GROUPS,
        help="Hours of the trainings of the account's staff dated this calendar year.",
    )

    def _kam_training_partners(self):
        """The key accounts (commercial partners) whose trainings the user sees."""
        commercial = self.commercial_partner_id.filtered("is_key_account")
        user = self.env.user
        if (
            self.env.su
            or user.has_group(KAM_MANAGER_GROUP)
            or user.has_group(SALES_SUPPORT_GROUP)
        ):
            return commercial
        acting = user._kam_acting_for()
        return commercial.filtered(lambda p: p.kam_user_id in acting)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_kam_training_figures(self):
        partners = self._kam_training_partners()
        counts, hours, staff = {}, {}, {}
        if partners:
            Training = self.env["kam.training"]
            domain = [
                ("training_type", "=", "client"),
                ("partner_id", "in", partners.ids),
            ]
            counts = dict(Training._read_group(domain, ["partner_id"], ["__count"]))
            year_start, year_end = Training._kam_year_bounds()
            year_domain = [
                *domain,
                ("date", ">=", year_start),
                ("date", "<=", year_end),
            ]
            hours = dict(
                Training._read_group(
                    year_domain, ["partner_id"], ["duration_hours:sum"]
                )
            )
            # one row per account and attendee: the distinct staff trained
            for partner, attendee in Training._read_group(
                [*year_domain, ("attendee_ids", "!=", False)],
                ["partner_id", "attendee_ids"],
            ):
                staff.setdefault(partner, set()).add(attendee)
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.kam_training_figures_visible = commercial in partners
            partner.kam_training_count = counts.get(commercial, 0)
            partner.kam_training_hours_year = hours.get(commercial, 0.0)
            partner.kam_trained_staff_year = len(staff.get(commercial, ()))

    def action_kam_view_trainings(self):
        """The trainings of the account's staff; a new one is for this account."""
        accounts = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_training_action"
        )
        action["domain"] = [("partner_id", "in", accounts.ids)]
        action["context"] = {
            "default_training_type": "client",
            "default_partner_id": accounts[:1].id,
            "search_default_filter_this_year": 1,
        }
        return action

    # --- receivables collection (duty 2.13) --------------------------------
    kam_dso = fields.Integer(
        string="DSO (days)",
        compute="_compute_kam_receivables",
        groups=KAM_GROUP,
        help="Days sales outstanding in the current company: open receivables / "
        "untaxed revenue of the last 90 days x 90 (empty without revenue; shown "
        "to the account's KAM and heads of sales only).",
    )
    # accounting's dunning (OCA account_credit_control), what the KAM should know
    # before calling the client
    kam_dunning_level = fields.Integer(
        string="Dunning Level",
        compute="_compute_kam_dunning",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="The highest reminder level accounting has sent for the account's open "
        "invoices (Credit Control); empty when no reminder went out.",
    )
    kam_dunning_date = fields.Date(
        string="Last Reminder",
        compute="_compute_kam_dunning",
        compute_sudo=True,
        groups=KAM_GROUP,
    )
    kam_collection_count = fields.Integer(
        string="Collection Actions",
        compute="_compute_kam_receivables",
        groups=KAM_GROUP,
    )

    @api.depends_context("uid", "company")
    def _compute_kam_receivables(self):
        partners = self._kam_kpi_partners()
        dso = self.env["kam.aging.report"]._kam_dso(partners) if partners else {}
        Action = self.env["kam.collection.action"]
        counts = {}
        if Action.has_access("read"):
            counts = dict(
                Action._read_group(
                    [("partner_id", "in", self.commercial_partner_id._origin.ids)],
                    ["partner_id"],
                    ["__count"],
                )
            )
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            partner.kam_dso = dso.get(commercial, 0)
            partner.kam_collection_count = counts.get(commercial, 0)

    @api.depends_context("uid")
    def _compute_kam_dunning(self):
        # the reminders sent on installments still open, one query for all
        # computed in sudo: credit data of the accounts whose figures the user may
        # see only (their own, all for a head of sales)
        rows = self.env["credit.control.line"]._read_group(
            [
                ("commercial_partner_id", "in", self._kam_kpi_partners()._origin.ids),
                ("state", "=", "sent"),
                ("move_line_id.reconciled", "=", False),
            ],
            ["commercial_partner_id"],
            ["level:max", "date_sent:max"],
        )
        dunning = {partner: (level, day) for partner, level, day in rows}
        for partner in self:
            level, day = dunning.get(partner.commercial_partner_id._origin, (0, False))
            partner.kam_dunning_level = level
            partner.kam_dunning_date = day

    def action_kam_view_collection_actions(self):
        return self._kam_action_account_documents(
            "kam_management.kam_collection_action_action"
        )

    def action_kam_new_collection_action(self):
        """A collection action about the account's overdue invoices."""
        account = self.commercial_partner_id[:1]
        overdue = self.env["account.move.line"].search(
            self.env["account.move.line"]._kam_overdue_domain(account.ids)
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "kam.collection.action",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_partner_id": account.id,
                "default_invoice_ids": overdue.move_id.filtered(
                    lambda move: move.move_type == "out_invoice"
                ).ids,
            },
        }

    # --- fulfilment (duty 2.11) ----------------------------------------------
    kam_late_order_count = fields.Integer(
        string="Late Deliveries",
        compute="_compute_kam_late_order_count",
        groups="sales_team.group_sale_salesman",
        help="Confirmed orders of the account not fully delivered past their "
        "delivery date.",
    )

    @api.depends_context("uid", "company")
    def _compute_kam_late_order_count(self):
        """Late orders of the accounts, as the user may read them, in one query."""
        Order = self.env["sale.order"]
        counts = {}
        if Order.has_access("read"):
            commercial = self.commercial_partner_id._origin
            for customer, count in Order._read_group(
                Order._kam_late_domain()
                & Domain("partner_id", "child_of", commercial.ids),
                ["partner_id"],
                ["__count"],
            ):
                account = customer.commercial_partner_id
                counts[account] = counts.get(account, 0) + count
        for partner in self:
            partner.kam_late_order_count = counts.get(
                partner.commercial_partner_id._origin, 0
            )

    def action_kam_view_fulfilment(self):
        """The account's confirmed orders, late ones first in the filter."""
        accounts = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.sale_order_action_fulfilment"
        )
        action["domain"] = [
            ("state", "=", "sale"),
            ("partner_id", "child_of", accounts.ids),
        ]
        action["context"] = {"create": False, "search_default_filter_kam_late": 1}
        return action

    # --- weekly routes (issue 18) -----------------------------------------
    # where the account is: set from the KAM's phone, by hand or by a geocoder
    partner_latitude = fields.Float(tracking=True)
    partner_longitude = fields.Float(tracking=True)
    # preferred visiting days, as Odoo's calendar recurrences (one flag a day):
    # none ticked, any day
    kam_visit_monday = fields.Boolean(string="Monday", groups=KAM_GROUP)
    kam_visit_tuesday = fields.Boolean(string="Tuesday", groups=KAM_GROUP)
    kam_visit_wednesday = fields.Boolean(string="Wednesday", groups=KAM_GROUP)
    kam_visit_thursday = fields.Boolean(string="Thursday", groups=KAM_GROUP)
    kam_visit_friday = fields.Boolean(string="Friday", groups=KAM_GROUP)

    @api.constrains("partner_latitude", "partner_longitude")
    def _check_kam_coordinates(self):
        for partner in self:
            if not (
                -90 <= partner.partner_latitude <= 90
                and -180 <= partner.partner_longitude <= 180
            ):
                raise ValidationError(
                    self.env._(
                        "%(partner)s: the latitude must be between -90 and 90 and "
                        "the longitude between -180 and 180 (degrees).",
                        partner=partner.display_name,
                    )
                )

    def _kam_visit_weekdays(self):
        """The preferred visiting days, as weekday numbers (Monday 0); empty: any."""
        self.ensure_one()
        # sudo: the planner of a head of sales reads the KAM-only flags too
        partner = self if self.env.su else self.sudo()
        return frozenset(
            day for day, name in enumerate(KAM_VISIT_DAY_FIELDS) if partner[name]
        )

    def _kam_check_location_rights(self, vals):
        """A key account's location is set by its KAM or a head of sales."""
        if self.env.su or not {"partner_latitude", "partner_longitude"} & vals.keys():
            return
        user = self.env.user
        if user.has_group(KAM_MANAGER_GROUP):
            return
        # sudo: whose key accounts they are, to decide who may write
        accounts = self.sudo().filtered(
            lambda p: p.is_key_account and p.commercial_partner_id == p
        )
        if accounts and (
            not user.has_group(KAM_GROUP)
            or any(
                account.kam_user_id not in user._kam_acting_for()
                for account in accounts
            )
        ):
            raise AccessError(
                self.env._(
                    "Only the key account manager of %(account)s or a head of sales "
                    "sets its location.",
                    account=accounts[0].display_name,
                )
            )

    def action_kam_set_location(self, latitude=None, longitude=None):
        """Called by the account's "Here" button with the phone's position: the
        KAM at the client's door makes it the account's location."""
        self.ensure_one()
        self._kam_ensure_key_account()
        latitude, longitude = self.env["kam.visit"]._kam_position(latitude, longitude)
        if latitude is None:
            raise UserError(
                self.env._(
                    "The device sent no position: allow the location in the "
                    "browser or the app and try again at the client's address."
                )
            )
        self.write({"partner_latitude": latitude, "partner_longitude": longitude})
        return True

    # --- know the account: profile, prospects, relationship map, health (issue 15) --
    # profile (duty 2.15): on the account (the commercial partner), KAM-only
    kam_needs = fields.Text(string="Needs", groups=KAM_GROUP)
    kam_potential_annual = fields.Monetary(
        string="Potential Annual Volume",
        currency_field="kam_currency_id",
        tracking=True,
        groups=KAM_GROUP,
        help="What the company buys a year in our categories, from all its suppliers "
        "(company currency).",
    )
    kam_share_of_wallet = fields.Float(
        string="Share of Wallet (%)",
        compute="_compute_kam_share_of_wallet",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Our revenue of the last 12 months / the potential annual volume; "
        "nothing without a potential or when the user may not see the account's "
        "figures.",
    )
    kam_buying_season = fields.Char(
        string="Buying Season",
        groups=KAM_GROUP,
        help="When the account decides its listings and buys (e.g. September to "
        "November).",
    )
    kam_decision_process = fields.Text(string="Decision Process", groups=KAM_GROUP)
    # prospects: companies a KAM works before they become key accounts
    kam_prospect_state = fields.Selection(
        PROSPECT_STATES,
        string="Prospect Stage",
        tracking=True,
        index="btree_not_null",
        copy=False,
        groups="base.group_user",
        help="Prospect: identified; Active: being worked (visits, offers); Lost: "
        "given up, with a reason; Key Account: turned into a key account (its "
        "history stays on the same partner).",
    )
    kam_lost_reason_id = fields.Many2one(
        "kam.reason",
        string="Lost Reason",
        ondelete="restrict",
        tracking=True,
        copy=False,
        domain="[('reason_type', '=', 'lost')]",
        groups=KAM_GROUP,
    )
    # relationship map: on the account's contacts
    kam_contact_role = fields.Selection(
        CONTACT_ROLES,
        string="Buying Role",
        tracking=True,
        groups=KAM_GROUP,
        help="The contact's part in the account's buying decisions.",
    )
    kam_influence = fields.Integer(
        string="Influence",
        aggregator="max",
        groups=KAM_GROUP,
        help="From 1 (little) to 5 (decisive); empty (0) when not rated.",
    )
    kam_attitude = fields.Selection(
        CONTACT_ATTITUDES,
        string="Attitude",
        tracking=True,
        groups=KAM_GROUP,
        help="Towards us: supporter, neutral or opponent.",
    )
    kam_last_contact_date = fields.Date(
        string="Last Contact",
        compute="_compute_kam_last_contact_date",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="The last visit or call done with the contact, or the last message "
        "or activity done with them (written by them or logged on them).",
    )
    kam_contact_ids = fields.One2many(
        "res.partner",
        "parent_id",
        string="Relationship Map",
        domain=[("type", "=", "contact")],
        groups=KAM_GROUP,
    )
    kam_relationship_coverage = fields.Float(
        string="Relationship Coverage (%)",
        compute="_compute_kam_relationship_coverage",
        store=True,
        groups=KAM_GROUP,
        help="Share of the key roles (decision maker, influencer, champion) held by "
        "at least one active contact who supports us.",
    )
    # account health, recomputed daily by a cron
    # computed on demand only (no dependencies): by the nightly cron, in batches
    kam_health_score = fields.Integer(
        string="Health",
        compute="_compute_kam_health",
        store=True,
        copy=False,
        groups=KAM_OR_SUPPORT_GROUPS,
        help="0-100: the weighted components of the breakdown (Settings > Key "
        "Accounts > Account health), recomputed every night.",
    )
    kam_health_date = fields.Date(
        string="Health Computed On",
        compute="_compute_kam_health",
        store=True,
        copy=False,
        groups=KAM_OR_SUPPORT_GROUPS,
    )
    kam_health_data = fields.Json(
        string="Health Components",
        compute="_compute_kam_health",
        store=True,
        copy=False,
        groups="base.group_system",
    )
    kam_health_at_risk = fields.Boolean(
        string="At Risk",
        compute="_compute_kam_health_at_risk",
        search="_search_kam_health_at_risk",
        groups=KAM_OR_SUPPORT_GROUPS,
        help="The health score is below the company's threshold.",
    )
    kam_health_breakdown = fields.Html(
        string="Health Breakdown",
        compute="_compute_kam_health_breakdown",
        compute_sudo=True,
        sanitize=False,
        groups=KAM_GROUP,
        help="Each component's score (0-100) and weight; shown to the account's KAM "
        "and heads of sales only (overdue debt and revenue are part of it).",
    )

    _kam_health_range = models.Constraint(
        "CHECK(kam_health_score IS NULL OR kam_health_score BETWEEN 0 AND 100)",
        "A health score is between 0 and 100.",
    )

    def _kam_profile_partners(self):
        """The accounts and prospects (commercial partners) whose figures and
        contact history the user may see: their own, all for a head of sales."""
        commercial = self.commercial_partner_id._origin.filtered(
            lambda p: p.is_key_account or p.kam_prospect_state
        )
        user = self.env.user
        # computed in sudo for a user: still that user's
        if (self.env.su and user._is_superuser()) or user.has_group(KAM_MANAGER_GROUP):
            return commercial
        acting = user._kam_acting_for()
        return commercial.filtered(lambda p: p.kam_user_id in acting)

    @api.depends("kam_potential_annual")
    @api.depends_context("uid", "company")
    def _compute_kam_share_of_wallet(self):
        # revenue of the ONE definition (kam_revenue_12m) of the visible accounts
        visible = self._kam_kpi_partners()
        potential = {
            partner: partner.kam_potential_annual
            for partner in visible
            if partner.kam_potential_annual
        }
        revenue = {}
        if potential:
            today = fields.Date.context_today(self)
            revenue = self.env["kam.revenue.report"]._kam_amounts(
                visible.browse(p.id for p in potential),
                self._kam_revenue_date_from(today),
                today,
            )
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            amount = potential.get(commercial)
            partner.kam_share_of_wallet = (
                revenue.get(commercial, 0.0) / amount * 100.0 if amount else 0.0
            )

    @api.depends_context("uid")
    def _compute_kam_last_contact_date(self):
        # computed in sudo: the contacts of the accounts and prospects whose history
        # the user may see (their own, all for a head of sales)
        visible = self._kam_profile_partners()
        contacts = self._origin.filtered(
            lambda p: p.parent_id and p.commercial_partner_id in visible
        )
        last = {}

        def keep(partner_id, moment):
            if not moment:
                return
            day = fields.Datetime.context_timestamp(self, moment).date()
            if day > last.get(partner_id, day - relativedelta(days=1)):
                last[partner_id] = day

        if contacts:
            for contact, moment in self.env["kam.visit"]._read_group(
                [("contact_id", "in", contacts.ids), ("state", "=", "done")],
                ["contact_id"],
                ["date_start:max"],
            ):
                keep(contact.id, moment)
            Message = self.env["mail.message"]
            for author, moment in Message._read_group(
                [
                    ("author_id", "in", contacts.ids),
                    ("message_type", "in", ("comment", "email")),
                ],
                ["author_id"],
                ["date:max"],
            ):
                keep(author.id, moment)
            # notes, e-mails and activities done, logged on the contact
            for res_id, moment in Message._read_group(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "in", contacts.ids),
                    ("message_type", "in", ("comment", "email")),
                ],
                ["res_id"],
                ["date:max"],
            ):
                keep(res_id, moment)
        for partner in self:
            partner.kam_last_contact_date = last.get(partner._origin.id, False)

    @api.depends(
        "child_ids.kam_contact_role", "child_ids.kam_attitude", "child_ids.active"
    )
    def _compute_kam_relationship_coverage(self):
        for partner in self:
            held = {
                contact.kam_contact_role
                for contact in partner.child_ids
                if contact.kam_attitude == "supporter"
            }
            partner.kam_relationship_coverage = (
                len(held & set(KEY_ROLES)) * 100.0 / len(KEY_ROLES)
            )

    @api.depends_context("company")
    def _compute_kam_health_at_risk(self):
        threshold = self.env.company.kam_health_risk_threshold
        for partner in self:
            partner.kam_health_at_risk = bool(
                partner.kam_health_date and partner.kam_health_score < threshold
            )

    def _search_kam_health_at_risk(self, operator, value):
        if operator not in ("in", "not in", "=", "!="):
            return NotImplemented
        values = value if operator in ("in", "not in") else [value]
        positive = (True in values) == (operator in ("in", "="))
        at_risk = Domain("kam_health_date", "!=", False) & Domain(
            "kam_health_score", "<", self.env.company.kam_health_risk_threshold
        )
        return at_risk if positive else ~at_risk

    @api.depends_context("uid", "company")
    def _compute_kam_health_breakdown(self):
        visible = self._kam_kpi_partners()
        labels = dict(HEALTH_COMPONENTS)
        company = self.env.company
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            data = commercial.kam_health_data
            if commercial not in visible or not data or not commercial.kam_health_date:
                partner.kam_health_breakdown = False
                continue
            rows = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end text-muted'>%s</td></tr>"
                )
                % (
                    labels[key],
                    self.env._("n/a") if data.get(key) is None else data[key],
                    company[f"kam_health_weight_{key}"],
                )
                for key in labels
            )
            partner.kam_health_breakdown = Markup(
                "<table class='table table-sm o_kam_health_breakdown'><thead><tr>"
                "<th>%s</th><th class='text-end'>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Component"),
                self.env._("Score"),
                self.env._("Weight"),
                rows,
            )

    @api.constrains("kam_prospect_state", "kam_lost_reason_id", "is_company")
    def _check_kam_prospect(self):
        for partner in self.filtered("kam_prospect_state"):
            if partner.commercial_partner_id != partner:
                continue  # a contact follows its company
            if not partner.is_company:
                raise ValidationError(
                    self.env._(
                        "%(partner)s cannot be a prospect: only companies can.",
                        partner=partner.display_name,
                    )
                )
            # sudo: the reason is KAM-only; the check holds for any writer
            if (
                partner.kam_prospect_state == "lost"
                and not partner.sudo().kam_lost_reason_id
            ):
                raise ValidationError(
                    self.env._(
                        "Give the reason why %(partner)s was lost.",
                        partner=partner.display_name,
                    )
                )

    @api.constrains("kam_influence", "kam_potential_annual")
    def _check_kam_profile_values(self):
        # sudo: KAM-only fields; the rule holds whoever saves the partner
        for partner in self.sudo():
            if partner.kam_potential_annual < 0:
                raise ValidationError(
                    self.env._(
                        "The potential annual volume of %(partner)s cannot be "
                        "negative.",
                        partner=partner.display_name,
                    )
                )
            if partner.kam_influence and not 1 <= partner.kam_influence <= 5:
                raise ValidationError(
                    self.env._(
                        "The influence of %(contact)s is rated from 1 (little) to 5 "
                        "(decisive).",
                        contact=partner.display_name,
                    )
                )

    def _kam_ensure_visitable(self):
        """Raise unless every partner is a key account or a prospect being worked
        (a company, not a contact): visits and calls are made with those."""
        # sudo: whether it is an account or a prospect, for any user planning a visit
        for partner in self.sudo():
            if partner.commercial_partner_id != partner or not (
                partner.is_key_account
                or partner.kam_prospect_state in ("prospect", "active")
            ):
                raise ValidationError(
                    self.env._(
                        "%(partner)s is not a key account, nor a prospect being "
                        "worked.",
                        partner=partner.display_name,
                    )
                )

    def _kam_check_profile_create(self, vals_list):
        """A new partner is at most a new prospect (or a contact of one); the health
        score is the cron's."""
        self._kam_check_profile_values(vals_list)
        if in_workflow(self.env):
            return
        vals_list = [vals for vals in vals_list if isinstance(vals, Mapping)]
        for vals in vals_list:
            self._kam_check_health_vals(vals)
        # a stage other than prospect: only a contact following its company's
        staged = [
            vals
            for vals in vals_list
            if vals.get("kam_prospect_state") not in (None, False, "prospect")
        ]
        if not staged:
            return  # every ordinary create: no query
        parents = {
            parent.id: parent
            for parent in self.browse(
                vals["parent_id"]
                for vals in staged
                if type(vals.get("parent_id")) is int
            ).exists()
        }
        for vals in staged:
            state = vals["kam_prospect_state"]
            parent = parents.get(vals.get("parent_id"))
            if not parent or parent.commercial_partner_id.kam_prospect_state != state:
                raise UserError(
                    self.env._(
                        "A new company starts as a prospect; its stage then changes "
                        "through its buttons."
                    )
                )

    def _kam_check_profile_write(self, vals):
        """The prospect stage moves through its buttons (a contact follows its
        company); the health score is the cron's."""
        self._kam_check_profile_values([vals])
        if not isinstance(vals, Mapping) or in_workflow(self.env):
            return
        self._kam_check_health_vals(vals)
        user = self.env.user
        if (
            PROFILE_FIELDS & vals.keys()
            and not user.has_group(KAM_MANAGER_GROUP)
            and self._kam_accounts_of_others(user)
        ):
            raise AccessError(
                self.env._(
                    "The profile and relationship map of another key account "
                    "manager's account are changed by that manager or a head of sales."
                )
            )
        if "kam_prospect_state" not in vals:
            return
        state = vals["kam_prospect_state"] or False
        for partner in self:
            commercial = partner.commercial_partner_id
            if partner.kam_prospect_state == state or (
                partner != commercial and commercial.kam_prospect_state == state
            ):
                continue
            if (
                state == "prospect"
                and not partner.kam_prospect_state
                and not partner.is_key_account
            ):
                continue  # a company becomes a prospect
            raise UserError(
                self.env._(
                    "The prospect stage of %(partner)s changes through its buttons "
                    "(activate, mark lost, make a key account).",
                    partner=partner.display_name,
                )
            )

    def _kam_check_profile_values(self, vals_list):
        """The values of the profile, relationship and prospect fields are checked
        as kam.input.mixin checks the module's models (a clear error, not a server
        error, for an unknown role or a text where a number goes)."""
        check_values(
            self,
            [
                {
                    key: value
                    for key, value in vals.items()
                    if key in PROFILE_FIELDS or key == "kam_prospect_state"
                }
                for vals in vals_list
                if isinstance(vals, Mapping)
            ],
        )

    def _kam_check_health_vals(self, vals):
        if {"kam_health_score", "kam_health_date", "kam_health_data"} & vals.keys():
            raise UserError(
                self.env._(
                    "The health score is computed every night from the account's "
                    "figures: it cannot be edited."
                )
            )

    def _kam_prospect_move(self, states, vals, message):
        """Move prospects from ``states`` with ``vals``, as the user may write them
        (record rules and key account rights apply), and say so in the chatter."""
        if not self or any(p.kam_prospect_state not in states for p in self):
            raise UserError(
                self.env._("This button applies to prospects in another stage.")
            )
        self.check_access("write")
        with workflow():
            self.write(vals)
        for partner in self:
            partner.message_post(body=message)
        return True

    def action_kam_prospect_activate(self):
        return self._kam_prospect_move(
            ("prospect",),
            {"kam_prospect_state": "active"},
            self.env._("Prospect being worked."),
        )

    def action_kam_prospect_lost(self):
        # sudo: KAM-only field, read to refuse a loss without its reason
        if any(not p.kam_lost_reason_id for p in self.sudo()):
            raise UserError(self.env._("Set the lost reason first."))
        return self._kam_prospect_move(
            ("prospect", "active"),
            {"kam_prospect_state": "lost"},
            self.env._("Prospect lost."),
        )

    def action_kam_prospect_reopen(self):
        return self._kam_prospect_move(
            ("lost",),
            {"kam_prospect_state": "prospect", "kam_lost_reason_id": False},
            self.env._("Prospect reopened."),
        )

    def action_kam_make_key_account(self):
        """The prospect becomes a key account: the same partner, so its visits,
        messages and contacts stay its history."""
        return self._kam_prospect_move(
            ("prospect", "active"),
            {"kam_prospect_state": "won", "is_key_account": True},
            self.env._("Prospect turned into a key account."),
        )

    @api.model
    def _kam_action_prospects(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.res_partner_action_prospects"
        )
        if not self.env.user.has_group(KAM_MANAGER_GROUP):
            context = dict(safe_eval(action.get("context") or "{}"))
            context["search_default_filter_my_prospects"] = 1
            action["context"] = context
        return action

    # --- account health ------------------------------------------------------
    @api.model
    def _cron_kam_health(self):
        """Daily: the health score of every key account, a batch at a time."""
        today = fields.Date.context_today(self)
        process_in_batches(
            self,
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                "|",
                ("kam_health_date", "=", False),
                ("kam_health_date", "<", today),
            ],
            lambda batch: batch._kam_update_health(),
        )

    def _kam_update_health(self):
        """Recompute the health of the accounts now (the cron's batches)."""
        fnames = ["kam_health_score", "kam_health_date", "kam_health_data"]
        for fname in fnames:
            self.env.add_to_compute(self._fields[fname], self)
        self._recompute_recordset(fnames)

    def _compute_kam_health(self):
        """The health score and its components, per company of the accounts (a
        shared account: its KAM's company), in a constant number of queries."""
        today = fields.Date.context_today(self)
        # saved key accounts; a form being edited keeps the last nightly values
        accounts = self.filtered(
            lambda p: p.is_key_account and p.is_company and p.id == p._origin.id
        )
        for partner in self - accounts:
            # a record being edited shows its saved values, others have none
            origin = partner._origin if partner.id != partner._origin.id else None
            partner.kam_health_score = origin.kam_health_score if origin else 0
            partner.kam_health_date = origin.kam_health_date if origin else False
            partner.kam_health_data = origin.kam_health_data if origin else False
        for company, partners in accounts.grouped(
            lambda p: p.company_id or p.kam_user_id.company_id or self.env.company
        ).items():
            company_partners = partners.with_company(company)
            components = company_partners._kam_health_components(company, today)
            for partner in partners:
                values = components[partner]
                partner.kam_health_score = company._kam_health_score(values)
                partner.kam_health_data = values
                partner.kam_health_date = today

    def _kam_health_components(self, company, today):
        """{partner: {component: 0-100 or None (not applicable)}} in ``company``."""
        ids = self.ids
        env = self.env
        # visits done in the last 90 days against the account's cadence
        since = today - relativedelta(days=HEALTH_DAYS)
        visits = dict(
            env["kam.visit"]._read_group(
                [
                    ("partner_id", "in", ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "done"),
                    ("date_start", ">=", fields.Datetime.to_datetime(since)),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        # plan achievement: invoiced / target pro rata of the running periods
        lines = env["kam.plan.line"].search(
            [
                ("partner_id", "in", ids),
                ("company_id", "=", company.id),
                ("plan_id.state", "=", "approved"),
                ("plan_id.plan_type", "=", "individual"),
                ("plan_id.date_from", "<=", today),
                ("plan_id.date_to", ">=", today),
                ("target_amount", ">", 0),
            ]
        )
        actuals = lines._kam_actual_amounts()
        expected, invoiced = {}, {}
        for line in lines:
            days = (line.date_to - line.date_from).days + 1
            elapsed = (today - line.date_from).days + 1
            key = line.partner_id
            expected[key] = expected.get(key, 0.0) + line.target_amount * elapsed / days
            invoiced[key] = invoiced.get(key, 0.0) + actuals.get(line.id, 0.0)
        # overdue share of the open debt in the company
        Line = env["account.move.line"]
        open_debt = dict(
            Line._read_group(
                Line._kam_open_debt_domain(ids) & Domain("company_id", "=", company.id),
                ["partner_id"],
                ["amount_residual:sum"],
            )
        )
        overdue = Line._kam_overdue_amounts(self)
        # a running contract
        running = {
            partner
            for (partner,) in env["kam.contract"]._read_group(
                [
                    ("partner_id", "in", ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "active"),
                    ("date_start", "<=", today),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", today),
                ],
                ["partner_id"],
            )
        }
        # revenue trend: the last 3 months against the 3 before
        Revenue = env["kam.revenue.report"]
        recent = Revenue._kam_amounts(
            self, today - relativedelta(months=3, days=-1), today
        )
        before = Revenue._kam_amounts(
            self,
            today - relativedelta(months=6, days=-1),
            today - relativedelta(months=3),
        )
        result = {}
        for partner in self:
            interval = partner.kam_visit_interval_days or HEALTH_DAYS
            due = max(HEALTH_DAYS / interval, 1.0)
            debt = open_debt.get(partner, 0.0)
            last, previous = recent.get(partner, 0.0), before.get(partner, 0.0)
            if previous > 0:
                trend = 50.0 + 50.0 * (last - previous) / previous
            else:
                trend = 100.0 if last > 0 else 0.0
            result[partner] = {
                "visit": _score(100.0 * visits.get(partner, 0) / due),
                "plan": _score(100.0 * invoiced[partner] / expected[partner])
                if expected.get(partner)
                else None,
                "overdue": _score(100.0 * (1 - overdue.get(partner, 0.0) / debt))
                if debt > 0
                else 100,
                "relationship": _score(partner.kam_relationship_coverage),
                "contract": 100 if partner in running else 0,
                "trend": _score(trend),
            }
        return result

    # --- order advice and assortment coverage (duties 2.7, 2.8) ------------
    kam_assortment_coverage = fields.Float(
        string="Assortment Coverage (%)",
        compute="_compute_kam_assortment",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Share of the segment's core assortment (the products bought by at least "
        "the company's core share of the segment's key accounts in 12 months) the "
        "account bought in the last 12 months.",
    )
    kam_assortment_core_count = fields.Integer(
        string="Core Assortment",
        compute="_compute_kam_assortment",
        compute_sudo=True,
        groups=KAM_GROUP,
        help="Number of products in the core assortment of the account's segment.",
    )

    @api.depends_context("uid", "company")
    def _compute_kam_assortment(self):
        # computed in sudo: only for the accounts whose figures the user may see;
        # two queries whatever the number of accounts, products and order lines
        visible = self._kam_kpi_partners()._origin
        company = self.env.company
        core = self._kam_segment_core(visible.kam_segment_id, company)
        bought = self._kam_bought_products(visible, company)
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            products = (
                core.get(commercial.kam_segment_id.id, {})
                if commercial in visible
                else {}
            )
            own = bought.get(commercial.id, {})
            partner.kam_assortment_core_count = len(products)
            partner.kam_assortment_coverage = (
                len(products.keys() & own.keys()) * 100.0 / len(products)
                if products
                else 0.0
            )

    @api.model
    def _kam_assortment_sql(self, company, all_time=False):
        """The order lines that count in the assortment (account, order, product,
        quantity): confirmed orders of the company in the last 12 months, saleable
        active products, quantities in the product's unit (no section, note or down
        payment)."""
        return SQL(
            """
            SELECT c.commercial_partner_id AS account_id, l.order_id, l.product_id,
                   l.product_uom_qty * lu.factor / pu.factor AS qty
              FROM sale_order_line l
              JOIN sale_order o ON o.id = l.order_id
              JOIN res_partner c ON c.id = o.partner_id
              JOIN product_product pp ON pp.id = l.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN uom_uom lu ON lu.id = l.product_uom_id
              JOIN uom_uom pu ON pu.id = pt.uom_id
             WHERE o.state = 'sale'
               AND o.company_id = %(company)s
               AND (%(all_time)s OR o.date_order >= %(date_from)s)
               AND l.display_type IS NULL
               AND l.is_downpayment IS NOT TRUE
               AND pp.active AND pt.sale_ok
            """,
            company=company.id,
            all_time=all_time,
            date_from=self._kam_revenue_date_from(),
        )

    @api.model
    def _kam_bought_products(self, accounts, company, all_time=False):
        """{account id: {product id: (quantity, orders)}}: what each key account
        (commercial partner) bought in 12 months (ever with ``all_time``), in one
        query."""
        if not accounts:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT account_id, product_id, SUM(qty), COUNT(DISTINCT order_id)
                  FROM (%s) AS lines
                 WHERE account_id = ANY(%s)
                 GROUP BY account_id, product_id
                """,
                self._kam_assortment_sql(company, all_time),
                list(accounts.ids),
            )
        )
        result = {}
        for account_id, product_id, qty, orders in self.env.cr.fetchall():
            result.setdefault(account_id, {})[product_id] = (qty, orders)
        return result

    @api.model
    def _kam_segment_core(self, segments, company):
        """{segment id: {product id: (share of the segment's accounts, quantity per
        order)}}: the core assortment of each segment, the products bought by at
        least the company's core share of the segment's key accounts in 12 months,
        in one query."""
        if not segments:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH accounts AS (
                    SELECT id, kam_segment_id AS segment_id
                      FROM res_partner
                     WHERE is_key_account AND active AND id = commercial_partner_id
                       AND kam_segment_id = ANY(%(segments)s)
                ), sizes AS (
                    SELECT segment_id, COUNT(*) AS size FROM accounts GROUP BY 1
                ), bought AS (
                    SELECT a.segment_id, l.product_id,
                           COUNT(DISTINCT a.id) AS buyers,
                           SUM(l.qty) / COUNT(DISTINCT l.order_id) AS per_order
                      FROM (%(lines)s) AS l
                      JOIN accounts a ON a.id = l.account_id
                     GROUP BY a.segment_id, l.product_id
                )
                SELECT b.segment_id, b.product_id, b.buyers * 100.0 / s.size,
                       b.per_order
                  FROM bought b JOIN sizes s ON s.segment_id = b.segment_id
                 WHERE b.buyers * 100.0 >= %(percent)s * s.size
                """,
                segments=list(segments.ids),
                lines=self._kam_assortment_sql(company),
                percent=company.kam_assortment_core_percent,
            )
        )
        result = {}
        for segment_id, product_id, share, per_order in self.env.cr.fetchall():
            result.setdefault(segment_id, {})[product_id] = (share, per_order)
        return result

    # --- promotions and bonus programmes (duty 2.18) ----------------------
    kam_promotion_summary = fields.Html(
        string="Running Promotions",
        compute="_compute_kam_promotion_summary",
        sanitize=False,
        groups=KAM_OR_SUPPORT_GROUPS,
        help="Running bonus programmes and approved discount promotions of the "
        "account; the progress toward the next tier for the accounts whose figures "
        "the user may see.",
    )

    @api.depends_context("uid", "company")
    def _compute_kam_promotion_summary(self):
        summary = self.env["kam.promotion.participant"]._kam_running_summary(
            self.commercial_partner_id._origin, self.env.company
        )
        for partner in self:
            partner.kam_promotion_summary = summary.get(
                partner.commercial_partner_id._origin, False
            )

    def action_kam_view_promotions(self):
        """The bonus programmes the account takes part in."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_promotion_participant_action"
        )
        action["domain"] = [("partner_id", "in", self.commercial_partner_id.ids)]
        action["context"] = {"create": False}
        return action

    # --- competitor intelligence (duty 2.16) ---------------------------------
    kam_competitor_observation_count = fields.Integer(
        string="Competitor Observations",
        compute="_compute_kam_competitor_observation_count",
        groups=KAM_GROUP,
    )

    @api.depends_context("uid", "company")
    def _compute_kam_competitor_observation_count(self):
        """The account's observations the user may read, in one query."""
        Observation = self.env["kam.competitor.observation"]
        counts = {}
        if Observation.has_access("read"):
            counts = dict(
                Observation._read_group(
                    [("partner_id", "in", self.commercial_partner_id._origin.ids)],
                    ["partner_id"],
                    ["__count"],
                )
            )
        for partner in self:
            partner.kam_competitor_observation_count = counts.get(
                partner.commercial_partner_id._origin, 0
            )

    def action_kam_view_competitor_observations(self):
        return self._kam_action_account_documents(
            "kam_management.kam_competitor_observation_action"
        )


def _score(value):
    """A component's score: an integer from 0 to 100."""
    return int(round(min(max(value, 0.0), 100.0)))
