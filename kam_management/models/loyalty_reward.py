from odoo import models


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    def _create_missing_discount_line_products(self):
        """The discount product of a reward of a key-account programme a KAM
        proposes: KAMs do not create products, the reward needs its own (sudo:
        only the reward's technical discount product, as Odoo makes it)."""
        kam = self.filtered(
            lambda r: r.program_id.kam_restricted and not r.discount_line_product_id
        )
        if kam and not self.env["product.product"].has_access("create"):
            super(LoyaltyReward, kam.sudo())._create_missing_discount_line_products()
        return super()._create_missing_discount_line_products()
