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
        its pricelist rule shows (a price-list column's own discount is none)."""
        self.ensure_one()
        discount = self.discount
        if not discount or not self.pricelist_item_id._show_discount():
            return discount
        line = self.with_company(self.company_id)
        base_price = line._get_pricelist_price_before_discount()
        if not base_price:
            return discount
        pricelist_discount = (
            (base_price - line._get_pricelist_price()) / base_price * 100
        )
        return max(discount - max(pricelist_discount, 0.0), 0.0)

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
