from odoo import api, fields, models
from odoo.exceptions import ValidationError

RATINGS = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]
# OCA financial risk blocks orders when the overdue amount exceeds the limit, and sets
# no limit at 0: a cent tolerates none
NONE_TOLERATED = 0.01


class KamCreditRatingPolicy(models.Model):
    """The financial risk settings (OCA account_financial_risk / sale_financial_risk) a
    company applies to a partner when a credit check gives it a rating."""

    _name = "kam.credit.rating.policy"
    _description = "Credit Rating Policy"
    _inherit = ["kam.input.mixin"]
    _order = "company_id, rating"
    _check_company_auto = True

    rating = fields.Selection(RATINGS, required=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        ondelete="cascade",
        help="Leave empty to apply the policy in every company without its own.",
    )
    risk_sale_order_include = fields.Boolean(
        string="Orders in Exposure",
        default=True,
        help="Confirmed orders not yet invoiced count in the account's credit "
        "exposure, against its credit limit.",
    )
    risk_invoice_open_include = fields.Boolean(
        string="Open Invoices in Exposure",
        default=True,
        help="Invoices not yet due count in the account's credit exposure.",
    )
    risk_invoice_unpaid_include = fields.Boolean(
        string="Overdue in Exposure",
        default=True,
        help="Invoices past due (beyond the company's maturity margin) count in the "
        "account's credit exposure.",
    )
    unpaid_tolerance = fields.Selection(
        [
            ("credit_limit", "Within the credit limit"),
            ("none", "None"),
            ("amount", "Up to an amount"),
        ],
        string="Overdue Tolerated",
        compute="_compute_unpaid_tolerance",
        inverse="_inverse_unpaid_tolerance",
        help="How much of invoices past due an account may have before its orders "
        "are blocked: no separate limit (only the credit limit), none at all, or up "
        "to an amount.",
    )
    risk_invoice_unpaid_limit = fields.Float(
        string="Overdue Tolerated up to",
        help="Amount of invoices past due above which orders are blocked "
        "(OCA financial risk: 0 sets no separate limit, a cent tolerates none).",
    )
    note = fields.Char()

    _rating_company_uniq = models.UniqueIndex(
        "(rating, COALESCE(company_id, 0))",
        "A company has one policy per rating.",
    )

    @api.depends("risk_invoice_unpaid_limit")
    def _compute_unpaid_tolerance(self):
        for policy in self:
            limit = policy.risk_invoice_unpaid_limit
            if not limit:
                policy.unpaid_tolerance = "credit_limit"
            elif limit <= NONE_TOLERATED:
                policy.unpaid_tolerance = "none"
            else:
                policy.unpaid_tolerance = "amount"

    def _inverse_unpaid_tolerance(self):
        for policy in self:
            if policy.unpaid_tolerance == "credit_limit":
                policy.risk_invoice_unpaid_limit = 0.0
            elif policy.unpaid_tolerance == "none":
                policy.risk_invoice_unpaid_limit = NONE_TOLERATED
            # "amount": the amount entered beside it

    @api.constrains("risk_invoice_unpaid_limit")
    def _check_unpaid_limit(self):
        if any(policy.risk_invoice_unpaid_limit < 0 for policy in self):
            raise ValidationError(
                self.env._(
                    "The tolerated amount of unpaid invoices cannot be negative."
                )
            )

    def _kam_partner_vals(self):
        self.ensure_one()
        return {
            "risk_sale_order_include": self.risk_sale_order_include,
            "risk_invoice_open_include": self.risk_invoice_open_include,
            "risk_invoice_unpaid_include": self.risk_invoice_unpaid_include,
            "risk_invoice_unpaid_limit": self.risk_invoice_unpaid_limit,
        }
