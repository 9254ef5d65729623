from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools.safe_eval import safe_eval

KAM_GROUP = "kam_management.group_kam_user"
KAM_MANAGER_GROUP = "kam_management.group_kam_manager"
RISK_MANAGER_GROUP = "account_financial_risk.group_account_financial_risk_manager"
CREDIT_REVIEWER_GROUP = "kam_management.group_kam_credit_reviewer"
SALES_SUPPORT_GROUP = "kam_management.group_kam_sales_support"
KAM_OR_SUPPORT_GROUPS = f"{KAM_GROUP},{SALES_SUPPORT_GROUP}"


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
    @api.depends("is_key_account")
    def _compute_kam_user_id(self):
        for partner in self:
            if partner.is_key_account and not partner.kam_user_id:
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
        return commercial.filtered(lambda p: p.kam_user_id == self.env.user)

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
            else self.env.user
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
        ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._kam_check_edit_rights(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._kam_check_edit_rights(vals)
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
        if self._kam_accounts_of_others(user) or vals.get("kam_user_id") not in (
            None,
            False,
            user.id,
        ):
            raise AccessError(
                self.env._(
                    "Key accounts of another key account manager can only be changed "
                    "by a head of sales."
                )
            )

    def _kam_accounts_of_others(self, user):
        """The key accounts (commercial partners) of ``self`` another KAM manages."""
        return self.commercial_partner_id.filtered(
            lambda p: p.kam_user_id and p.kam_user_id != user
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
        return commercial.filtered(lambda p: p.kam_user_id == user)

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
