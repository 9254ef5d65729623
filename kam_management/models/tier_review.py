from odoo import api, models
from odoo.exceptions import AccessError


class TierReview(models.Model):
    _inherit = "tier.review"

    @api.model_create_multi
    def create(self, vals_list):
        reviews = super().create(vals_list)
        # reviews hang on their document through a Many2oneReference, which the ORM
        # cannot keep in the document's review_ids cache; need_validation (no
        # depends) was computed before they existed. Left stale, tier validation
        # would request a second set of reviews when the document changes state.
        # Only our own documents: the reviews of other models (or of no model, or of
        # a model that is gone or has no tier validation) are left as they come.
        for model, model_reviews in reviews.grouped("model").items():
            if not model or not model.startswith("kam.") or model not in self.env:
                continue
            documents = self.env[model]
            stale = [
                name
                for name in ("review_ids", "need_validation")
                if name in documents._fields
            ]
            res_ids = [res_id for res_id in model_reviews.mapped("res_id") if res_id]
            if stale and res_ids:
                documents.browse(res_ids).invalidate_recordset(stale)
        return reviews

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

    def _get_reviewers(self):
        # OCA counts the explicit members of the reviewer group only; in Odoo 19 the
        # users who have the group through another one (an accounting manager for
        # the credit reviewers) are in all_user_ids
        reviewers = super()._get_reviewers()
        if self.model and self.model.startswith("kam.") and self.reviewer_group_id:
            reviewers |= self.reviewer_group_id.all_user_ids.filtered(
                lambda u: not u.share
            )
            if self.definition_id.exclude_requester:
                reviewers -= self.requested_by  # four eyes, as OCA does it
        return reviewers
