from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

# what a head of sales approves on a line (see sale.order._kam_discount_terms)
TERMS_FIELDS = {
    "product_id",
    "price_unit",
    "discount",
    "display_type",
    "product_uom_qty",
    "product_uom_id",
}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.constrains("discount")
    def _check_kam_discount_range(self):
        for line in self:
            if line.discount < 0 or float_compare(line.discount, 100, 2) > 0:
                raise ValidationError(
                    self.env._(
                        "A line discount is a percentage between 0 and 100, not "
                        "%(discount)s (%(line)s).",
                        discount=f"{line.discount:g}",
                        line=line.product_id.display_name or line.name or "",
                    )
                )

    def _kam_granted_discount(self):
        """The discount (%) the KAM grants on the line: its discount less the one
        its pricelist rule shows (a price-list column's own discount is none),
        combined with a unit price typed below the price the pricelist gives (a
        price cut is a discount too). Promotion rewards, down payments and combos
        are not the KAM's discounts."""
        self.ensure_one()
        if (
            self.display_type
            or self.is_downpayment
            or self.is_reward_line
            or self.combo_item_id
            or self.product_type == "combo"
            or not self.product_id
        ):
            return 0.0
        line = self.with_company(self.company_id)
        discount = self.discount
        if discount and self.pricelist_item_id._show_discount():
            base_price = line._get_pricelist_price_before_discount()
            if base_price:
                shown = (base_price - line._get_pricelist_price()) / base_price * 100
                discount = max(discount - max(shown, 0.0), 0.0)
        column_price = line._kam_column_price()
        cut = 0.0
        # a product the pricelist gives away (price 0) has no price to cut
        if column_price > 0 and (
            self.currency_id.compare_amounts(self.price_unit, column_price) < 0
        ):
            cut = 1.0 - max(self.price_unit, 0.0) / column_price
        return (1.0 - (1.0 - cut) * (1.0 - discount / 100.0)) * 100.0

    def _kam_column_price(self):
        """The unit price the line's pricelist gives, computed as Odoo sets a
        line's price (taxes included or not as the product's, fiscal position
        applied): never read from a field the client sends."""
        self.ensure_one()
        price = self._get_display_price()
        fiscal_position = self.order_id.fiscal_position_id
        if not fiscal_position:
            return price  # only a fiscal position adapts it to other taxes
        taxes = self.product_id.taxes_id._filter_taxes_by_company(self.company_id)
        return self.product_id._get_tax_included_unit_price_from_price(
            price, product_taxes=taxes, fiscal_position=fiscal_position
        )

    # --- a change of the terms voids the discount review of the order ---------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._kam_void_changed_discount_approvals()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if TERMS_FIELDS & vals.keys():
            self.order_id._kam_void_changed_discount_approvals()
        return res

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        orders.exists()._kam_void_changed_discount_approvals()
        return res
