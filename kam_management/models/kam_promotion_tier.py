from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamPromotionTier(models.Model):
    """A step of a bonus programme: from ``threshold_amount`` of revenue in the
    period, the account earns ``bonus_percent`` of its revenue."""

    _name = "kam.promotion.tier"
    _description = "Volume Bonus Tier"
    _inherit = ["kam.input.mixin"]
    _order = "promotion_id, threshold_amount, id"

    promotion_id = fields.Many2one(
        "kam.promotion", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="promotion_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="promotion_id.currency_id")
    threshold_amount = fields.Monetary(
        string="From Revenue",
        required=True,
        help="Invoiced revenue in the period (untaxed, net of credit notes) from "
        "which the tier's bonus is earned.",
    )
    bonus_percent = fields.Float(
        string="Bonus (%)",
        required=True,
        digits=(16, 2),
        help="Share of the whole revenue of the period paid back as bonus.",
    )

    @api.constrains("threshold_amount", "bonus_percent")
    def _check_increasing(self):
        """A bonus between 0 and 100 % from a threshold of 0 or more; the tiers of
        a programme: higher thresholds give a higher bonus."""
        for tier in self:
            if not 0 < tier.bonus_percent <= 100 or tier.threshold_amount < 0:
                raise ValidationError(
                    self.env._(
                        "A tier's bonus is a percentage above 0 and up to 100, from "
                        "a revenue threshold of 0 or more (not %(pct)s %% from "
                        "%(amount)s).",
                        pct=tier.bonus_percent,
                        amount=tier.threshold_amount,
                    )
                )
        for promotion in self.promotion_id:
            tiers = promotion.tier_ids.sorted(lambda t: (t.threshold_amount, t.id))
            for lower, upper in zip(tiers, tiers[1:], strict=False):
                if (
                    upper.threshold_amount <= lower.threshold_amount
                    or upper.bonus_percent <= lower.bonus_percent
                ):
                    raise ValidationError(
                        self.env._(
                            "The tiers of %(promotion)s must increase: each "
                            "threshold above the previous one with a higher bonus "
                            "(%(low)s gives %(low_pct)s %%, %(high)s gives "
                            "%(high_pct)s %%).",
                            promotion=promotion.name,
                            low=lower.threshold_amount,
                            low_pct=lower.bonus_percent,
                            high=upper.threshold_amount,
                            high_pct=upper.bonus_percent,
                        )
                    )

    def write(self, vals):
        self.promotion_id._kam_check_tiers_editable()
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        tiers = super().create(vals_list)
        tiers.promotion_id._kam_check_tiers_editable()
        return tiers

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        self.promotion_id._kam_check_tiers_editable()

    @api.depends("threshold_amount", "bonus_percent")
    def _compute_display_name(self):
        for tier in self:
            tier.display_name = self.env._(
                "%(pct)s %% from %(amount)s",
                pct=tier.bonus_percent,
                amount=tier.threshold_amount,
            )
