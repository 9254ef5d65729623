from collections.abc import Mapping

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .res_partner import KAM_MANAGER_GROUP
from .workflow import in_workflow

# computed when the observation is logged, from the account's pricelist at its date:
# never taken from the client
COMPUTED_PRICE_FIELDS = (
    "our_price",
    "price_gap",
    "price_gap_percent",
    "pricelist_id",
)


class KamCompetitorObservation(models.Model):
    """A competitor's price, promotion and shelf share seen at a key account, next
    to our own price there at that date (duty 2.16)."""

    _name = "kam.competitor.observation"
    _description = "Competitor Observation"
    _inherit = ["kam.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "competitor_id"

    competitor_id = fields.Many2one(
        "kam.competitor",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        tracking=True,
        domain="[('is_key_account', '=', True), ('is_company', '=', True)]",
    )
    visit_id = fields.Many2one(
        "kam.visit",
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="Our product the competitor's offer is compared with.",
    )
    categ_id = fields.Many2one(
        related="product_id.categ_id", store=True, string="Product Category"
    )
    date = fields.Date(
        required=True, default=fields.Date.context_today, index=True, tracking=True
    )
    price = fields.Monetary(
        string="Competitor's Price",
        required=True,
        tracking=True,
        help="The shelf price of the competitor's comparable product, per unit.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Our Pricelist",
        compute="_compute_our_price",
        store=True,
        precompute=True,
        help="The account's pricelist that gave our price, when logged.",
    )
    our_price = fields.Monetary(
        compute="_compute_our_price",
        store=True,
        precompute=True,
        help="Our unit price for the account on the day of the observation, from "
        "its pricelist; kept as it was when logged.",
    )
    price_gap = fields.Monetary(
        compute="_compute_price_gap",
        store=True,
        precompute=True,
        help="Competitor's price minus ours: positive when the competitor is dearer.",
    )
    price_gap_percent = fields.Float(
        string="Price Gap (%)",
        compute="_compute_price_gap",
        store=True,
        precompute=True,
        aggregator="avg",
        digits=(16, 1),
        help="The price gap as a share of our price.",
    )
    promotion_seen = fields.Boolean(tracking=True)
    promotion_note = fields.Char(string="Promotion")
    shelf_share = fields.Float(
        string="Shelf Share (%)",
        aggregator="avg",
        digits=(16, 1),
        help="The competitor's share of the shelf, 0 to 100.",
    )
    photo = fields.Image(max_width=1024, max_height=1024)
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users",
        string="Logged by",
        required=True,
        default=lambda self: self.env.user,
        ondelete="restrict",
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # for the analysis: the account's segment and KAM
    segment_id = fields.Many2one(
        related="partner_id.kam_segment_id", store=True, string="Segment"
    )
    kam_user_id = fields.Many2one(
        related="partner_id.kam_user_id", store=True, string="Key Account Manager"
    )

    # --- computes -------------------------------------------------------
    @api.depends("partner_id", "product_id", "date", "company_id")
    def _compute_our_price(self):
        for observation in self:
            # real records: a record being created (precompute) is a new record
            partner = observation.partner_id._origin.commercial_partner_id
            product = observation.product_id._origin
            if not (partner and product and observation.date):
                observation.pricelist_id = False
                observation.our_price = 0.0
                continue
            company = observation.company_id._origin or self.env.company
            # sudo: the account's pricelist is a company-dependent setting
            pricelist = partner.sudo().with_company(company).property_product_pricelist
            observation.pricelist_id = pricelist
            if pricelist:
                observation.our_price = pricelist._get_product_price(
                    product,
                    1.0,
                    currency=company.currency_id,
                    date=observation.date,
                )
            else:
                observation.our_price = product.with_company(company).lst_price

    @api.depends("price", "our_price")
    def _compute_price_gap(self):
        for observation in self:
            gap = observation.price - observation.our_price
            observation.price_gap = gap
            observation.price_gap_percent = (
                gap / observation.our_price * 100.0 if observation.our_price else 0.0
            )

    # --- constraints ----------------------------------------------------
    @api.constrains("price", "shelf_share")
    def _check_figures(self):
        for observation in self:
            if observation.price < 0:
                raise ValidationError(
                    self.env._(
                        "The competitor's price cannot be negative (%(price)s).",
                        price=observation.price,
                    )
                )
            if not 0.0 <= observation.shelf_share <= 100.0:
                raise ValidationError(
                    self.env._(
                        "The shelf share is a percentage from 0 to 100, not %(share)s.",
                        share=observation.shelf_share,
                    )
                )

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        if any(observation.date > today for observation in self):
            raise ValidationError(
                self.env._("An observation cannot be dated in the future.")
            )

    @api.constrains("partner_id", "visit_id")
    def _check_partner(self):
        self.partner_id._kam_ensure_key_account()
        for observation in self.filtered("visit_id"):
            if observation.visit_id.partner_id != observation.partner_id:
                raise ValidationError(
                    self.env._(
                        "The visit %(visit)s is not a visit of %(account)s.",
                        visit=observation.visit_id.display_name,
                        account=observation.partner_id.display_name,
                    )
                )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._kam_check_price_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._kam_check_price_fields(vals)
        res = super().write(vals)
        if isinstance(vals, Mapping) and "partner_id" in vals:
            # moved to another account: the user must still be allowed to write it
            self.check_access("write")
        return res

    @api.model
    def _kam_check_price_fields(self, vals):
        if not isinstance(vals, Mapping) or in_workflow(self.env):
            return  # values that are no mapping: kam.input.mixin refuses them
        user_id = vals.get("user_id")
        if (
            user_id
            and user_id != self.env.uid
            and not self.env.user.has_group(KAM_MANAGER_GROUP)
        ):
            raise AccessError(
                self.env._("A key account manager logs observations in their own name.")
            )
        if set(COMPUTED_PRICE_FIELDS) & vals.keys():
            raise UserError(
                self.env._(
                    "Our price and the price gap are computed from the account's "
                    "pricelist at the date of the observation: change the product, "
                    "account or date instead."
                )
            )
