from odoo import models

from .res_partner import KAM_GROUP


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    def _create_missing_discount_line_products(self):
        """The discount product of a reward of a programme a KAM proposes: KAMs do
        not create products, and the reward needs its own (sudo: only the reward's
        technical discount product, as Odoo makes it; the record rules let a KAM
        create rewards of their own draft proposals only)."""
        if not self.env.su and self.env.user.has_group(KAM_GROUP):
            products = self.env["product.product"]
            if not products.has_access("create"):
                return super(
                    LoyaltyReward, self.sudo()
                )._create_missing_discount_line_products()
        return super()._create_missing_discount_line_products()
