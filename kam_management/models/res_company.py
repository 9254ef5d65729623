from collections.abc import Mapping

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .input_checks import check_values
from .res_partner import KAM_MANAGER_GROUP

KAM_CREDIT_WEIGHTS = (
    "kam_credit_weight_payment",
    "kam_credit_weight_overdue",
    "kam_credit_weight_age",
    "kam_credit_weight_equity",
    "kam_credit_weight_external",
)
KAM_HEALTH_WEIGHTS = (
    "kam_health_weight_visit",
    "kam_health_weight_plan",
    "kam_health_weight_overdue",
    "kam_health_weight_relationship",
    "kam_health_weight_contract",
    "kam_health_weight_trend",
)


def check_kam_settings(model, vals_list):
    """The key account settings are checked as kam.input.mixin checks the values of
    the module's models (the other fields are the company's business)."""
    check_values(
        model,
        [
            {key: value for key, value in vals.items() if key.startswith("kam_")}
            for vals in vals_list
            if isinstance(vals, Mapping)
        ],
    )


class ResCompany(models.Model):
    _inherit = "res.company"

    # Visit cadence per tier (duty 2.2): the default interval of a key account.
    kam_visit_interval_a = fields.Integer(
        string="Tier A Visit Interval (days)", default=7
    )
    kam_visit_interval_b = fields.Integer(
        string="Tier B Visit Interval (days)", default=14
    )
    kam_visit_interval_c = fields.Integer(
        string="Tier C Visit Interval (days)", default=30
    )

    kam_visit_max_per_day = fields.Integer(
        string="Visits per Day",
        default=4,
        help="The weekly planner proposes at most this many visits and calls a day.",
    )
    kam_visit_grace_days = fields.Integer(
        string="Missed Visit Grace (days)",
        default=1,
        help="A planned visit still open this many days after its end is marked "
        "missed.",
    )
    kam_checkin_radius = fields.Integer(
        string="Check-in Radius (m)",
        default=500,
        help="A check-in farther than this from the account's address is flagged.",
    )
    kam_visit_autoplan = fields.Boolean(
        string="Pre-plan Next Week",
        help="Every week, propose and create the next week's visits of every KAM.",
    )
    kam_sales_support_user_id = fields.Many2one(
        "res.users",
        string="Sales Support",
        ondelete="set null",
        domain="[('share', '=', False)]",
        help="Gets the activity to enter the orders KAMs take on visits (unless the "
        "sales team names its own).",
    )

    # credit control (duties 2.5, 2.8)
    kam_credit_check_required = fields.Boolean(
        string="Require a Valid Credit Check",
        help="Orders of key accounts are blocked while the account has no approved, "
        "unexpired credit check in this company.",
    )
    kam_credit_check_validity_months = fields.Integer(
        string="Credit Check Validity (months)", default=12
    )
    kam_credit_weight_payment = fields.Integer(
        string="Weight: Payment Behaviour", default=30
    )
    kam_credit_weight_overdue = fields.Integer(
        string="Weight: Overdue Share", default=20
    )
    kam_credit_weight_age = fields.Integer(
        string="Weight: Years in Business", default=15
    )
    kam_credit_weight_equity = fields.Integer(string="Weight: Equity Cover", default=20)
    kam_credit_weight_external = fields.Integer(
        string="Weight: External Rating", default=15
    )
    # the scale of each indicator: 100 points at its best, 0 at its worst
    kam_credit_days_late_worst = fields.Integer(
        string="Days Paid Late for 0 Points",
        default=60,
        help="Paying on time scores 100 points, this many days late on average 0.",
    )
    kam_credit_overdue_share_worst = fields.Integer(
        string="Overdue Share (%) for 0 Points",
        default=30,
        help="No overdue debt scores 100 points, this share of the last 12 months' "
        "invoicing 0.",
    )
    kam_credit_years_best = fields.Integer(
        string="Years in Business for 100 Points",
        default=10,
        help="A new company scores 0 points, this many years in business 100.",
    )
    kam_credit_equity_cover_best = fields.Float(
        string="Equity Cover for 100 Points",
        default=2.0,
        help="Equity of this many times the requested limit scores 100 points, no "
        "equity 0.",
    )
    kam_credit_check_reminder_days = fields.Integer(
        string="Credit Check Renewal Reminder (days)",
        default=30,
        help="The KAM gets an activity this many days before a credit check expires.",
    )
    # contracts (duty 2.4)
    kam_contract_reminder_days = fields.Integer(
        string="Contract Renewal Reminder (days)",
        default=30,
        help="The KAM gets an activity this many days before a contract ends.",
    )
    # own professional development (duty 2.19)
    kam_training_target_hours = fields.Float(
        string="Own Development Target (hours a year)",
        default=40.0,
        help="Hours of own professional development each key account manager aims at "
        "in a calendar year.",
    )
    # where the KAMs' days start (issue 18): the company's address coordinates
    kam_route_start_latitude = fields.Float(
        string="Start Latitude",
        related="partner_id.partner_latitude",
        readonly=False,
        help="Where the weekly planner's routes start when the KAM's own address "
        "has no coordinates (the company's address).",
    )
    kam_route_start_longitude = fields.Float(
        string="Start Longitude",
        related="partner_id.partner_longitude",
        readonly=False,
    )

    # order advice (duties 2.7, 2.8)
    kam_assortment_core_percent = fields.Integer(
        string="Core Assortment Share (%)",
        default=30,
        help="A product bought by at least this share of a segment's key accounts in "
        "12 months belongs to the segment's core assortment: the order advice "
        "proposes it to the accounts that never bought it.",
    )
    kam_advice_overdue_threshold = fields.Integer(
        string="Advice Overdue Threshold (%)",
        default=20,
        help="Above this share of overdue debt, the order advice of an account "
        "proposes its usual quantities only, no new products.",
    )

    # discount authority (duty 2.9): what a KAM grants without a head of sales
    kam_max_discount = fields.Float(
        string="Discount Authority (%)",
        default=10.0,
        help="The line discount (%) a key account manager grants without approval; "
        "above it, the head of sales approves the order before it is confirmed.",
    )
    kam_max_discount_a = fields.Float(
        string="Tier A Discount Authority (%)",
        help="Overrides the discount authority for tier A accounts (0: the "
        "company's authority).",
    )
    kam_max_discount_b = fields.Float(
        string="Tier B Discount Authority (%)",
        help="Overrides the discount authority for tier B accounts (0: the "
        "company's authority).",
    )
    kam_max_discount_c = fields.Float(
        string="Tier C Discount Authority (%)",
        help="Overrides the discount authority for tier C accounts (0: the "
        "company's authority).",
    )
    # the price-list columns of each tier: any other pricelist needs approval
    kam_pricelist_a_ids = fields.Many2many(
        "product.pricelist",
        "kam_company_pricelist_a_rel",
        "company_id",
        "pricelist_id",
        string="Tier A Price Lists",
        help="The pricelists a KAM uses for tier A accounts without approval "
        "(none: any pricelist).",
    )
    kam_pricelist_b_ids = fields.Many2many(
        "product.pricelist",
        "kam_company_pricelist_b_rel",
        "company_id",
        "pricelist_id",
        string="Tier B Price Lists",
        help="The pricelists a KAM uses for tier B accounts without approval "
        "(none: any pricelist).",
    )
    kam_pricelist_c_ids = fields.Many2many(
        "product.pricelist",
        "kam_company_pricelist_c_rel",
        "company_id",
        "pricelist_id",
        string="Tier C Price Lists",
        help="The pricelists a KAM uses for tier C accounts without approval "
        "(none: any pricelist).",
    )

    _kam_max_discount_range = models.Constraint(
        "CHECK(kam_max_discount >= 0 AND kam_max_discount <= 100"
        " AND kam_max_discount_a >= 0 AND kam_max_discount_a <= 100"
        " AND kam_max_discount_b >= 0 AND kam_max_discount_b <= 100"
        " AND kam_max_discount_c >= 0 AND kam_max_discount_c <= 100)",
        "A discount authority is a percentage between 0 and 100.",
    )

    _kam_visit_interval_positive = models.Constraint(
        "CHECK(kam_visit_interval_a > 0 AND kam_visit_interval_b > 0"
        " AND kam_visit_interval_c > 0)",
        "Visit intervals must be positive numbers of days.",
    )
    _kam_visit_settings_check = models.Constraint(
        "CHECK(kam_visit_max_per_day > 0 AND kam_visit_grace_days >= 0"
        " AND kam_checkin_radius > 0)",
        "Visits per day and the check-in radius must be positive, the grace period "
        "cannot be negative.",
    )
    _kam_training_target_check = models.Constraint(
        "CHECK(kam_training_target_hours >= 0)",
        "The yearly target of own development hours cannot be negative.",
    )

    @api.constrains(
        "kam_credit_check_validity_months",
        "kam_credit_weight_payment",
        "kam_credit_weight_overdue",
        "kam_credit_weight_age",
        "kam_credit_weight_equity",
        "kam_credit_weight_external",
        "kam_contract_reminder_days",
        "kam_credit_days_late_worst",
        "kam_credit_overdue_share_worst",
        "kam_credit_years_best",
        "kam_credit_equity_cover_best",
        "kam_credit_check_reminder_days",
    )
    def _check_kam_credit_settings(self):
        for company in self:
            if not 0 < company.kam_credit_check_validity_months <= 120:
                raise ValidationError(
                    self.env._(
                        "A credit check is valid between 1 and 120 months "
                        "(%(company)s).",
                        company=company.name,
                    )
                )
            weights = [company[fname] for fname in KAM_CREDIT_WEIGHTS]
            if min(weights) < 0 or not sum(weights):
                raise ValidationError(
                    self.env._(
                        "The weights of the credit score cannot be negative, and one "
                        "at least must count (%(company)s).",
                        company=company.name,
                    )
                )
            if (
                min(
                    company.kam_credit_days_late_worst,
                    company.kam_credit_overdue_share_worst,
                    company.kam_credit_years_best,
                    company.kam_credit_equity_cover_best,
                )
                <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "The scale of each credit indicator ends at a positive number "
                        "(%(company)s).",
                        company=company.name,
                    )
                )
            if (
                min(
                    company.kam_contract_reminder_days,
                    company.kam_credit_check_reminder_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "A renewal reminder cannot come after the end of the "
                        "contract or credit check (%(company)s).",
                        company=company.name,
                    )
                )

    @api.constrains("kam_assortment_core_percent", "kam_advice_overdue_threshold")
    def _check_kam_advice_settings(self):
        for company in self:
            if not 0 < company.kam_assortment_core_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The core assortment share is a percentage between 1 and 100 "
                        "(%(company)s).",
                        company=company.name,
                    )
                )
            if not 0 <= company.kam_advice_overdue_threshold <= 100:
                raise ValidationError(
                    self.env._(
                        "The advice's overdue threshold is a percentage between 0 and "
                        "100 (%(company)s).",
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_kam_settings(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_kam_settings(self, [vals])
        self._kam_check_settings_access(vals)
        return super().write(vals)

    # --- the key account settings of heads of sales ----------------------
    def _kam_check_settings_access(self, vals):
        """Heads of sales own the key account rules: their access right on companies
        lets them write the key account settings (kam_*) of their companies, and
        nothing else of a company, which stays with the administrators."""
        user = self.env.user
        if self.env.su or user.has_group("base.group_erp_manager"):
            return
        if not user.has_group(KAM_MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only an administrator or a head of sales changes the key "
                    "account settings of a company."
                )
            )
        others = sorted(fname for fname in vals if not fname.startswith("kam_"))
        if others:
            raise AccessError(
                self.env._(
                    "A head of sales changes the key account settings of a company "
                    "only, not: %(fields)s.",
                    fields=", ".join(others),
                )
            )

    @api.model
    def _kam_action_settings(self):
        """The key account settings of the current company, for heads of sales."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Key Account Settings"),
            "res_model": "res.company",
            "res_id": self.env.company.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "kam_management.res_company_view_form_kam_settings"
                    ).id,
                    "form",
                )
            ],
            "target": "current",
        }

    def _kam_visit_interval_for_tier(self, tier):
        """Return the default visit interval of ``tier`` ('a', 'b' or 'c')."""
        self.ensure_one()
        return self[f"kam_visit_interval_{tier}"] if tier in ("a", "b", "c") else 0

    # --- account health (issue 15): the weights of its components --------
    kam_health_weight_visit = fields.Integer(string="Health Weight: Visits", default=20)
    kam_health_weight_plan = fields.Integer(string="Health Weight: Plan", default=20)
    kam_health_weight_overdue = fields.Integer(
        string="Health Weight: Debt Paid on Time", default=20
    )
    kam_health_weight_relationship = fields.Integer(
        string="Health Weight: Relationships", default=15
    )
    kam_health_weight_contract = fields.Integer(
        string="Health Weight: Contract", default=10
    )
    kam_health_weight_trend = fields.Integer(
        string="Health Weight: Revenue Trend", default=15
    )
    kam_health_risk_threshold = fields.Integer(
        string="At Risk Below",
        default=50,
        help="A key account whose health score is below this is at risk.",
    )

    @api.constrains(*KAM_HEALTH_WEIGHTS, "kam_health_risk_threshold")
    def _check_kam_health_settings(self):
        for company in self:
            weights = [company[fname] for fname in KAM_HEALTH_WEIGHTS]
            if min(weights) < 0 or not sum(weights):
                raise ValidationError(
                    self.env._(
                        "The weights of the health score cannot be negative, and one "
                        "at least must count (%(company)s).",
                        company=company.name,
                    )
                )
            if not 0 <= company.kam_health_risk_threshold <= 100:
                raise ValidationError(
                    self.env._(
                        "The at-risk threshold is a health score from 0 to 100 "
                        "(%(company)s).",
                        company=company.name,
                    )
                )

    def _kam_health_score(self, components):
        """The weighted mean of the applicable components (None: not applicable,
        its weight left out), 0-100."""
        self.ensure_one()
        total = weights = 0
        for key, score in components.items():
            weight = self[f"kam_health_weight_{key}"]
            if score is None or not weight:
                continue
            total += score * weight
            weights += weight
        return int(round(total / weights)) if weights else 0

    def _kam_discount_authority(self, tier):
        """The line discount (%) a KAM grants a ``tier`` account without approval."""
        self.ensure_one()
        override = self[f"kam_max_discount_{tier}"] if tier in ("a", "b", "c") else 0
        return override or self.kam_max_discount

    def _kam_pricelist_columns(self, tier):
        """The pricelists of ``tier`` accounts (empty: any pricelist)."""
        self.ensure_one()
        if tier not in ("a", "b", "c"):
            return self.env["product.pricelist"]
        return self[f"kam_pricelist_{tier}_ids"]
