from odoo import fields, models


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

    _kam_visit_interval_positive = models.Constraint(
        "CHECK(kam_visit_interval_a > 0 AND kam_visit_interval_b > 0"
        " AND kam_visit_interval_c > 0)",
        "Visit intervals must be positive numbers of days.",
    )

    def _kam_visit_interval_for_tier(self, tier):
        """Return the default visit interval of ``tier`` ('a', 'b' or 'c')."""
        self.ensure_one()
        return self[f"kam_visit_interval_{tier}"] if tier in ("a", "b", "c") else 0
