from odoo import models
from odoo.exceptions import AccessError


class TierReview(models.Model):
    _inherit = "tier.review"

    def write(self, vals):
        # base_tier_validation lets every internal user write reviews: make sure
        # nobody but a reviewer decides the review of a key account document
        if vals.get("status") in ("approved", "rejected") and not self.env.su:
            for review in self:
                if (
                    review.model.startswith("kam.")
                    and self.env.user not in review.reviewer_ids
                ):
                    raise AccessError(
                        self.env._(
                            "Only a reviewer of %(name)s can decide it.",
                            name=review.name,
                        )
                    )
        return super().write(vals)
