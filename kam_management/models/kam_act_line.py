from collections.abc import Mapping

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError


class KamActLine(models.Model):
    """One product of an act: the quantity expected (invoiced or delivered), the
    quantity actually found, the unit price of the invoice line (else of the order
    line) and the value of the difference."""

    _name = "kam.act.line"
    _description = "Discrepancy Act Line"
    _inherit = ["kam.input.mixin"]
    _order = "act_id, sequence, id"

    act_id = fields.Many2one("kam.act", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="act_id.company_id", store=True)
    currency_id = fields.Many2one(related="act_id.currency_id")
    partner_id = fields.Many2one(
        related="act_id.partner_id", string="Key Account", store=True
    )
    act_type = fields.Selection(related="act_id.act_type", store=True)
    state = fields.Selection(related="act_id.state")
    date = fields.Date(related="act_id.date", store=True)
    product_id = fields.Many2one(
        "product.product",
        string="Product Ordered",
        required=True,
        index=True,
        ondelete="restrict",
    )
    product_received_id = fields.Many2one(
        "product.product",
        string="Product Received Instead",
        ondelete="restrict",
        help="Mis-grading: the product delivered in place of the ordered one.",
    )
    qty_expected = fields.Float(
        string="Expected Quantity",
        digits="Product Unit",
        compute="_compute_qty_expected",
        store=True,
        readonly=False,
        precompute=True,
    )
    qty_actual = fields.Float(
        string="Actual Quantity", digits="Product Unit", default=0.0
    )
    qty_difference = fields.Float(
        string="Difference",
        digits="Product Unit",
        compute="_compute_amount",
        store=True,
    )
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        precompute=True,
        help="From the invoice line, else the order line of the product (the "
        "product's sales price for a surplus product that was not ordered).",
    )
    amount = fields.Monetary(compute="_compute_amount", store=True)

    # --- computes -------------------------------------------------------
    def _kam_source_lines(self):
        """(invoice lines, order lines) of the line's product on its act's
        documents (sudo: the KAM reads the act, not necessarily the invoice)."""
        self.ensure_one()
        act = self.act_id.sudo()
        invoice_lines = act.invoice_id.invoice_line_ids.filtered(
            lambda line: line.product_id == self.product_id
        )
        order_lines = (
            act.picking_id.move_ids.sale_line_id
            | act.picking_id.sale_id.order_line
            | invoice_lines.sale_line_ids
        ).filtered(lambda line: line.product_id == self.product_id)
        return invoice_lines, order_lines

    @api.depends("product_id", "act_id.invoice_id", "act_id.picking_id")
    def _compute_qty_expected(self):
        for line in self:
            if not line.product_id:
                continue
            invoice_lines, _order_lines = line._kam_source_lines()
            moves = line.act_id.sudo().picking_id.move_ids.filtered(
                lambda move, line=line: move.product_id == line.product_id
            )
            line.qty_expected = sum(invoice_lines.mapped("quantity")) or sum(
                moves.mapped("product_uom_qty")
            )

    @api.depends("product_id", "act_id.invoice_id", "act_id.picking_id")
    def _compute_price_unit(self):
        for line in self:
            if not line.product_id:
                line.price_unit = 0.0
                continue
            invoice_lines, order_lines = line._kam_source_lines()
            source = invoice_lines[:1] or order_lines[:1]
            if source:
                line.price_unit = source.price_unit * (1 - source.discount / 100.0)
            else:
                line.price_unit = line.product_id.lst_price

    @api.depends("qty_expected", "qty_actual", "price_unit")
    def _compute_amount(self):
        for line in self:
            line.qty_difference = abs(line.qty_expected - line.qty_actual)
            line.amount = line.currency_id.round(line.qty_difference * line.price_unit)

    # --- constraints ----------------------------------------------------
    @api.constrains("qty_expected", "qty_actual")
    def _check_quantities(self):
        for line in self:
            if line.qty_expected < 0 or line.qty_actual < 0:
                raise ValidationError(
                    self.env._(
                        "Quantities of an act cannot be negative (%(product)s).",
                        product=line.product_id.display_name,
                    )
                )

    @api.constrains("product_id", "act_id")
    def _check_product_on_documents(self):
        for line in self:
            act = line.act_id
            if act.act_type == "surplus" or not (act.invoice_id or act.picking_id):
                # a surplus may be a product never ordered; an act without
                # documents is refused by the act itself
                continue
            invoice_lines, order_lines = line._kam_source_lines()
            moves = line.act_id.sudo().picking_id.move_ids.filtered(
                lambda move, line=line: move.product_id == line.product_id
            )
            if not (invoice_lines or order_lines or moves):
                raise ValidationError(
                    self.env._(
                        "%(product)s is neither on the invoice nor on the delivery "
                        "of %(act)s.",
                        product=line.product_id.display_name,
                        act=line.act_id.name,
                    )
                )

    def _kam_check_type(self):
        """What each type of act says of its quantities (checked on confirm)."""
        for line in self:
            act_type = line.act_id.act_type
            product = line.product_id.display_name
            if act_type == "surplus" and line.qty_actual < line.qty_expected:
                raise UserError(
                    self.env._(
                        "A surplus act: more of %(product)s received than "
                        "expected, not less.",
                        product=product,
                    )
                )
            if act_type != "surplus" and line.qty_actual > line.qty_expected:
                raise UserError(
                    self.env._(
                        "%(product)s: more received than expected is a surplus act.",
                        product=product,
                    )
                )
            if act_type == "mis_grading" and (
                not line.product_received_id
                or line.product_received_id == line.product_id
            ):
                raise UserError(
                    self.env._(
                        "Mis-grading: give the product received instead of "
                        "%(product)s.",
                        product=product,
                    )
                )

    # --- CRUD: the lines of a confirmed act are locked like the act -----
    @api.model_create_multi
    def create(self, vals_list):
        self._kam_check_input(vals_list, create=True)
        acts = self.env["kam.act"].browse(
            {
                vals["act_id"]
                for vals in vals_list
                if isinstance(vals, Mapping) and isinstance(vals.get("act_id"), int)
            }
        )
        acts._kam_check_draft()
        return super().create(vals_list)

    def write(self, vals):
        self._kam_check_input([vals])
        self.act_id._kam_check_draft()
        if isinstance(vals, Mapping) and "act_id" in vals:
            self.env["kam.act"].browse(vals["act_id"])._kam_check_draft()
        return super().write(vals)

    def unlink(self):
        self.act_id._kam_check_draft()
        return super().unlink()

    def _kam_move_line_vals(self):
        """The credit note or invoice line of the difference (no sale_line_ids:
        it does not change the order's invoiced quantities)."""
        self.ensure_one()
        invoice_lines, order_lines = self._kam_source_lines()
        source = invoice_lines[:1] or order_lines[:1]
        if source:
            taxes = source.tax_ids
        else:
            taxes = self.product_id.taxes_id.filtered(
                lambda tax: tax.company_id == self.company_id
            )
        name = self.product_id.display_name
        if self.product_received_id:
            name = self.env._(
                "%(product)s (received: %(received)s)",
                product=name,
                received=self.product_received_id.display_name,
            )
        return {
            "product_id": self.product_id.id,
            "name": f"{self.act_id.name}: {name}",
            "quantity": self.qty_difference,
            "price_unit": self.price_unit,
            "tax_ids": [Command.set(taxes.ids)],
        }
