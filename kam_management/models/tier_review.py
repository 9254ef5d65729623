from odoo import api, models
from odoo.exceptions import AccessError

# reviews kam_management guards: its own documents, and the discount reviews of
# sale orders (duty 2.9)
DECIDED = ("approved", "rejected")
# what the requests write on a review: nobody moves a review to another document
REVIEW_KEYS = ("model", "res_id", "definition_id", "requested_by")


def _guarded(model):
    return bool(model) and (model.startswith("kam.") or model == "sale.order")


class TierReview(models.Model):
    _inherit = "tier.review"

    @api.model_create_multi
    def create(self, vals_list):
        # base_tier_validation lets every internal user create reviews: a review
        # of a guarded document starts undecided (only its request creates it)
        if not self.env.su:
            for vals in vals_list:
                if (
                    isinstance(vals, dict)
                    and _guarded(vals.get("model"))
                    and (vals.get("status") in DECIDED or vals.get("done_by"))
                ):
                    raise AccessError(
                        self.env._(
                            "A review is decided by its reviewer, not created decided."
                        )
                    )
        reviews = super().create(vals_list)
        # reviews hang on their document through a Many2oneReference, which the ORM
        # cannot keep in the document's review_ids cache; need_validation (no
        # depends) was computed before they existed. Left stale, tier validation
        # would request a second set of reviews when the document changes state.
        # Only our own documents: the reviews of other models (or of no model, or of
        # a model that is gone or has no tier validation) are left as they come.
        for model, model_reviews in reviews.grouped("model").items():
            if not _guarded(model) or model not in self.env:
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
        if self.env.su or not isinstance(vals, dict):
            return super().write(vals)
        if any(key in vals for key in REVIEW_KEYS) and (
            _guarded(vals.get("model"))
            or any(_guarded(review.model) for review in self)
        ):
            raise AccessError(
                self.env._("A review stays on the document it was requested for.")
            )
        if vals.get("status") in DECIDED or vals.get("done_by"):
            for review in self:
                if _guarded(review.model) and self.env.user not in review.reviewer_ids:
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
        if _guarded(self.model) and self.reviewer_group_id:
            reviewers |= self.reviewer_group_id.all_user_ids.filtered(
                lambda u: not u.share
            )
            if self.definition_id.exclude_requester:
                reviewers -= self.requested_by  # four eyes, as OCA does it
        if self.model == "sale.order" and self.res_id:
            # a KAM, head of sales or not, never approves their own account's terms
            order = self.env["sale.order"].sudo().browse(self.res_id).exists()
            reviewers -= order.kam_user_id
        return reviewers
