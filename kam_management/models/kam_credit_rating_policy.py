from odoo import api, fields, models
from odoo.exceptions import ValidationError

RATINGS = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]


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
        string="Count Confirmed Orders",
        default=True,
        help="Confirmed, not yet invoiced orders count in the exposure.",
    )
    risk_invoice_open_include = fields.Boolean(
        string="Count Open Invoices", default=True
    )
    risk_invoice_unpaid_include = fields.Boolean(
        string="Count Unpaid Invoices", default=True
    )
    risk_invoice_unpaid_limit = fields.Float(
        string="Unpaid Invoices Tolerated",
        help="Amount of invoices past due (beyond the maturity margin) above which "
        "orders are blocked; 0 = no separate limit, a tiny amount = none tolerated.",
    )
    note = fields.Char()

    _rating_company_uniq = models.UniqueIndex(
        "(rating, COALESCE(company_id, 0))",
        "A company has one policy per rating.",
    )

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
