from collections.abc import Mapping

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .workflow import in_workflow


class KamProposalLine(models.Model):
    _name = "kam.proposal.line"
    _description = "Segment Proposal Line"
    _inherit = ["kam.input.mixin"]
    _order = "proposal_id, sequence, id"
    _check_company_auto = True

    proposal_id = fields.Many2one(
        "kam.proposal", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="proposal_id.company_id", store=True)
    currency_id = fields.Many2one(related="proposal_id.currency_id")
    change = fields.Selection(
        [
            ("price", "Change the price"),
            ("add", "Add to the assortment"),
            ("drop", "Drop from the assortment"),
        ],
        required=True,
        default="price",
        help="Drop: the segment's own price of the product ends the day before the "
        "start date (the product is not archived: other segments may sell it).",
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('sale_ok', '=', True)]",
    )
    current_price = fields.Monetary(
        compute="_compute_current_price",
        store=True,
        precompute=True,
        help="The price of the segment's pricelist for the product on the day "
        "before the start date, when the proposal was drafted.",
    )
    proposed_price = fields.Monetary(help="Empty when the product is dropped.")
    change_percent = fields.Float(
        string="Change (%)", compute="_compute_change_percent", digits=(16, 1)
    )
    note = fields.Char()

    _product_uniq = models.Constraint(
        "UNIQUE(proposal_id, product_id)",
        "A product appears once per proposal.",
    )

    @api.depends("product_id", "proposal_id.pricelist_id", "proposal_id.date_start")
    def _compute_current_price(self):
        for line in self:
            proposal = line.proposal_id
            if not (line.product_id and proposal.date_start):
                line.current_price = 0.0
                continue
            pricelist = proposal.pricelist_id._origin
            # sudo: the prices of the segment's pricelist
            line.current_price = (
                pricelist.sudo()._get_product_price(
                    line.product_id._origin,
                    1.0,
                    currency=proposal.currency_id,
                    date=proposal.date_start,
                )
                if pricelist
                else line.product_id.lst_price
            )

    @api.depends("current_price", "proposed_price", "change")
    def _compute_change_percent(self):
        for line in self:
            line.change_percent = (
                (line.proposed_price - line.current_price) / line.current_price * 100
                if line.current_price and line.change != "drop"
                else 0.0
            )

    @api.constrains("proposed_price", "change")
    def _check_proposed_price(self):
        for line in self:
            if line.change != "drop" and line.proposed_price <= 0:
                raise ValidationError(
                    self.env._(
                        "The proposed price of %(product)s must be above zero.",
                        product=line.product_id.display_name,
                    )
                )
            if line.change == "drop" and line.proposed_price:
                raise ValidationError(
                    self.env._(
                        "%(product)s is dropped from the assortment: leave its "
                        "proposed price empty.",
                        product=line.product_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._kam_check_input(vals_list, create=True)
        for vals in vals_list:
            self._kam_check_current_price(vals)
        proposal_ids = {
            vals.get("proposal_id")
            for vals in vals_list
            if isinstance(vals, Mapping) and isinstance(vals.get("proposal_id"), int)
        }
        self._kam_check_draft(self.env["kam.proposal"].browse(proposal_ids).exists())
        return super().create(vals_list)

    def write(self, vals):
        self._kam_check_input([vals])
        self._kam_check_draft(self.proposal_id)
        self._kam_check_current_price(vals)
        if isinstance(vals, Mapping) and "proposal_id" in vals:
            self._kam_check_draft(
                self.env["kam.proposal"].browse(vals["proposal_id"]).exists()
            )
        res = super().write(vals)
        if isinstance(vals, Mapping) and "proposal_id" in vals:
            # moved to another proposal: the user must still be allowed to write it
            self.check_access("write")
        return res

    @api.model
    def _kam_check_current_price(self, vals):
        if "current_price" in vals and not in_workflow(self.env):
            raise UserError(
                self.env._("The current price comes from the segment's pricelist.")
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        self._kam_check_draft(self.proposal_id)

    def _kam_check_draft(self, proposals):
        if in_workflow(self.env):
            return
        decided = proposals.filtered(lambda p: p.state != "draft")
        if decided:
            raise UserError(
                self.env._(
                    "%(proposal)s is %(state)s: its lines cannot be changed.",
                    proposal=decided[0].display_name,
                    state=decided[0]._kam_state_label(),
                )
            )
