import math

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round, formatLang

from ..models.res_partner import KAM_GROUP

# a unit whose price fits the room left, despite the float arithmetic
EPSILON = 1e-6


class SaleOrderRecommendation(models.TransientModel):
    """OCA's recommendations of a key account's quotation become an order advice:
    the account's usual quantities, its segment's assortment gaps, the whole within
    the credit headroom and the debt quality (duties 2.7, 2.8)."""

    _inherit = "sale.order.recommendation"

    kam_advice = fields.Boolean(
        string="Key Account Advice",
        readonly=True,
        help="The recommendations are an order advice for a key account's quotation.",
    )
    kam_advice_message = fields.Text(string="Advice", readonly=True)
    kam_advice_capped = fields.Boolean(
        string="Capped by the Credit Headroom",
        readonly=True,
        help="The account has a credit limit: the advised order fits its headroom.",
    )
    kam_advice_scaled = fields.Boolean(string="Scaled Down", readonly=True)
    kam_advice_restricted = fields.Boolean(
        string="Usual Quantities Only",
        readonly=True,
        help="The account's overdue debt is above the company's threshold: no new "
        "products are advised.",
    )
    kam_figures_visible = fields.Boolean(
        string="Figures Visible", compute="_compute_kam_figures"
    )
    kam_currency_id = fields.Many2one(related="order_id.currency_id")
    kam_credit_headroom = fields.Monetary(
        string="Credit Headroom",
        currency_field="kam_currency_id",
        compute="_compute_kam_figures",
        groups=KAM_GROUP,
        help="The order form's credit headroom: credit limit minus the account's "
        "exposure, before this order.",
    )
    kam_overdue_share = fields.Float(
        string="Overdue Debt (%)",
        compute="_compute_kam_figures",
        groups=KAM_GROUP,
    )
    kam_advised_total = fields.Monetary(
        string="Advised Order Total",
        currency_field="kam_currency_id",
        compute="_compute_kam_figures",
        groups=KAM_GROUP,
        help="The order with the quantities of the advice, taxes included, at the "
        "order's pricelist prices.",
    )

    @api.depends_context("uid")
    @api.depends(
        "order_id",
        "kam_advice",
        "kam_advice_capped",
        "line_ids.units_included",
        "line_ids.kam_unit_total",
    )
    def _compute_kam_figures(self):
        for wizard in self:
            visible = wizard._kam_figures_allowed()
            order = wizard.order_id.sudo()
            wizard.kam_figures_visible = visible
            # the credit figures of an account the user may not see: nothing
            wizard.kam_credit_headroom = (
                order.kam_credit_headroom
                if visible and wizard.kam_advice_capped
                else False
            )
            wizard.kam_overdue_share = order.kam_overdue_share if visible else False
            wizard.kam_advised_total = (
                sum(
                    line.units_included * line.kam_unit_total
                    for line in wizard.line_ids
                )
                if visible and wizard.kam_advice
                else False
            )

    def _kam_figures_allowed(self):
        """Credit figures for a KAM or head of sales who may see the account's."""
        account = self.order_id.partner_id.commercial_partner_id
        return bool(
            account
            and self.env.user.has_group(KAM_GROUP)
            and account._kam_kpi_partners()
        )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._kam_check_order_access()
        return wizards

    def _kam_check_order_access(self):
        """OCA's wizard reads the history and writes the lines in sudo: the user
        works on orders they may change only (record rules), whatever the wizard's
        order says."""
        self.order_id.check_access("write")

    def _kam_advice_applies(self):
        self.ensure_one()
        return bool(
            self.order_id.state in ("draft", "sent")
            and self.order_id.partner_id.commercial_partner_id.is_key_account
        )

    def generate_recommendations(self):
        self._kam_check_order_access()
        if not self._kam_advice_applies():
            self.kam_advice = False
            return super().generate_recommendations()
        try:
            super().generate_recommendations()
        except UserError:
            # nothing in the recent history: the segment's gaps may still be advised
            if self.line_ids:
                raise
        self._kam_advise()
        if not self.line_ids:
            raise UserError(
                self.env._(
                    "Nothing found! Modify your criteria or fill the order manually."
                )
            )
        return self._reopen_wizard()

    def action_accept(self):
        self._kam_check_order_access()
        return super().action_accept()

    # --- the advice ---------------------------------------------------------
    def _kam_advise(self):
        """Usual quantities and segment gaps, capped by the credit headroom, in a
        constant number of queries (one per figure, whatever the number of products
        and past order lines)."""
        self.ensure_one()
        order = self.order_id
        company = order.company_id
        # sudo: the history of the account and of its segment, and the credit
        # figures, whoever asks (the cap holds for sales support too)
        account = order.partner_id.commercial_partner_id.sudo().with_company(company)
        Partner = self.env["res.partner"].sudo().with_company(company)
        usual = Partner._kam_bought_products(account, company).get(account.id, {})
        ever = Partner._kam_bought_products(account, company, all_time=True).get(
            account.id, {}
        )
        segment = account.kam_segment_id
        core = Partner._kam_segment_core(segment, company).get(segment.id, {})
        credit = order.sudo()
        restricted = credit.kam_overdue_share > company.kam_advice_overdue_threshold
        capped = bool(account.credit_limit)

        lines = {line.product_id.id: line for line in self.line_ids}
        on_order = {line.product_id.id for line in self.line_ids if line.sale_line_id}
        # the account's usual products, most often ordered first
        usual_ids = sorted(
            (pid for pid in usual if pid not in on_order),
            key=lambda pid: (-usual[pid][1], -usual[pid][0], pid),
        )[: self.line_amount]
        gap_ids = []
        if not restricted:
            gap_ids = sorted(
                (pid for pid in core if pid not in ever and pid not in on_order),
                key=lambda pid: (-core[pid][0], pid),
            )[: self.line_amount]
        products = self.env["product.product"].browse(usual_ids + gap_ids)
        units = self._kam_unit_totals(products)

        entries = [
            {
                "product_id": pid,
                "kam_advice_reason": "usual",
                "kam_advised_qty": self._kam_whole(usual[pid][0] / usual[pid][1]),
                "kam_unit_total": units.get(pid, 0.0),
            }
            for pid in usual_ids
        ] + [
            {
                "product_id": pid,
                "kam_advice_reason": "gap",
                "kam_segment_share": core[pid][0],
                "kam_advised_qty": self._kam_whole(core[pid][1]),
                "kam_unit_total": units.get(pid, 0.0),
            }
            for pid in gap_ids
        ]
        for entry in entries:
            entry["units_included"] = entry["kam_advised_qty"]
        room = None
        if capped:
            # headroom before this order, minus the order as it stands, in the
            # company's currency like the credit limit
            standing = order.currency_id._convert(
                order.amount_total,
                company.currency_id,
                company,
                order.date_order or fields.Date.context_today(self),
            )
            room = credit.kam_credit_headroom - standing
            self._kam_fit(entries, room, order, company)
        scaled = any(e["units_included"] < e["kam_advised_qty"] for e in entries)
        for entry in entries:
            entry["kam_scaled_down"] = (
                entry["units_included"] < entry["kam_advised_qty"]
            )

        updates = {entry["product_id"]: entry for entry in entries}
        # the order's own lines (kept as they are) and the other recent products
        for pid, line in lines.items():
            if pid in updates:
                continue
            vals = updates[pid] = {}
            so_line = line.sale_line_id
            if so_line and so_line.product_uom_qty:
                vals["kam_unit_total"] = so_line.price_total / so_line.product_uom_qty
        for pid, vals in updates.items():
            if pid in usual:
                qty, orders = usual[pid]
                vals.setdefault("kam_advice_reason", "usual")
                vals.update(kam_usual_qty=qty / orders, kam_usual_orders=orders)
        commands = [
            Command.update(lines[pid].id, vals)
            if pid in lines
            else Command.create(vals)
            for pid, vals in updates.items()
            if vals
        ]
        self.write(
            {
                "line_ids": commands,
                "kam_advice": True,
                "kam_advice_capped": capped,
                "kam_advice_scaled": scaled,
                "kam_advice_restricted": restricted,
                "kam_advice_message": self._kam_message(
                    capped, scaled, restricted, room, bool(gap_ids)
                ),
            }
        )

    @api.model
    def _kam_whole(self, quantity):
        """An advised quantity: whole units, one at least."""
        return max(1.0, float_round(quantity or 0.0, precision_digits=0))

    def _kam_unit_totals(self, products):
        """{product id: unit price taxes included} at the order's pricelist prices,
        for all products at once (one pricelist search)."""
        order = self.order_id
        company = order.company_id
        date = order.date_order or fields.Datetime.now()
        prices = order.pricelist_id._get_products_price(
            products, 1.0, currency=order.currency_id, date=date
        )
        partner = order.partner_id
        totals = {}
        for product in products:
            taxes = product.taxes_id._filter_taxes_by_company(company)
            if order.fiscal_position_id:
                taxes = order.fiscal_position_id.map_tax(taxes)
            price = prices.get(product.id, 0.0)
            totals[product.id] = (
                taxes.compute_all(
                    price, order.currency_id, 1.0, product=product, partner=partner
                )["total_included"]
                if taxes
                else price
            )
        return totals

    @api.model
    def _kam_fit(self, entries, room, order, company):
        """Scale ``entries`` down (in place) so that their total, converted to the
        company's currency, fits ``room``: the segment gaps (new products) are
        dropped first, then the usual quantities are reduced in proportion, in whole
        units, and what is left of the room is filled again in the advice's order."""
        rate = order.currency_id._convert(
            1.0,
            company.currency_id,
            company,
            order.date_order or fields.Date.context_today(self),
            round=False,
        )

        def cost(group):
            return sum(e["units_included"] * e["kam_unit_total"] * rate for e in group)

        def fill(group, left):
            for entry in group:
                unit = entry["kam_unit_total"] * rate
                missing = entry["kam_advised_qty"] - entry["units_included"]
                if missing <= 0:
                    continue
                add = (
                    missing
                    if unit <= 0
                    else min(missing, math.floor(max(left, 0.0) / unit + EPSILON))
                )
                entry["units_included"] += add
                left -= add * max(unit, 0.0)
            return left

        usual = [e for e in entries if e["kam_advice_reason"] == "usual"]
        gaps = [e for e in entries if e["kam_advice_reason"] == "gap"]
        left = max(room, 0.0)
        if cost(entries) <= left:
            return
        for entry in gaps:
            entry["units_included"] = 0.0
        total = cost(usual)
        if total > left:
            factor = left / total
            for entry in usual:
                entry["units_included"] = float(
                    math.floor(entry["kam_advised_qty"] * factor + EPSILON)
                )
        left = fill(usual, left - cost(usual))
        fill(gaps, left)

    def _kam_message(self, capped, scaled, restricted, room, gaps):
        """Why the advice is what it is, without the account's figures (sales
        support reads it too)."""
        company = self.order_id.company_id
        messages = []
        if restricted:
            messages.append(
                self.env._(
                    "The account's overdue debt is above %(threshold)s %% of its open "
                    "debt: only its usual quantities are advised, no new products.",
                    threshold=company.kam_advice_overdue_threshold,
                )
            )
        elif gaps:
            messages.append(
                self.env._(
                    "Segment gaps: products bought by at least %(percent)s %% of the "
                    "segment's key accounts in 12 months that this account never "
                    "bought.",
                    percent=company.kam_assortment_core_percent,
                )
            )
        if not capped:
            messages.append(
                self.env._(
                    "The account has no credit limit: the advice is not capped by a "
                    "credit headroom."
                )
            )
        elif scaled:
            messages.append(
                self.env._(
                    "Scaled down to the account's credit headroom: new products are "
                    "dropped first, then the usual quantities are reduced in "
                    "proportion, in whole units."
                )
            )
            if room is not None and room <= 0:
                messages.append(
                    self.env._(
                        "No credit headroom is left for this order: nothing more is "
                        "advised."
                    )
                )
        else:
            messages.append(
                self.env._("The advised order fits the account's credit headroom.")
            )
        return "\n".join(messages)


class SaleOrderRecommendationLine(models.TransientModel):
    _inherit = "sale.order.recommendation.line"

    kam_advice_reason = fields.Selection(
        [("usual", "Usual"), ("gap", "Segment Gap")],
        string="Advised As",
        readonly=True,
    )
    kam_usual_qty = fields.Float(
        string="Usual Quantity",
        digits="Product Unit",
        readonly=True,
        help="Average quantity per order over the last 12 months: confirmed orders "
        "of the account (commercial partner) in the order's company that hold the "
        "product.",
    )
    kam_usual_orders = fields.Integer(
        string="Orders (12 months)",
        readonly=True,
        help="Confirmed orders of the account holding the product in 12 months.",
    )
    kam_segment_share = fields.Float(
        string="Segment Share (%)",
        readonly=True,
        help="Share of the segment's key accounts that bought the product in 12 "
        "months.",
    )
    kam_advised_qty = fields.Float(
        string="Advised before the Cap",
        digits="Product Unit",
        readonly=True,
    )
    kam_scaled_down = fields.Boolean(string="Scaled Down", readonly=True)
    kam_unit_total = fields.Float(
        string="Unit Price (taxes incl.)", digits="Product Price", readonly=True
    )
    kam_advice_note = fields.Char(string="Why", compute="_compute_kam_advice_note")

    @api.depends(
        "kam_advice_reason",
        "kam_usual_qty",
        "kam_usual_orders",
        "kam_segment_share",
        "kam_scaled_down",
        "kam_advised_qty",
        "units_included",
    )
    def _compute_kam_advice_note(self):
        for line in self:
            notes = []
            if line.kam_advice_reason == "usual":
                notes.append(
                    self.env._(
                        "Usual: %(qty)s per order (orders in 12 months: %(orders)s)",
                        qty=formatLang(self.env, line.kam_usual_qty, digits=1),
                        orders=line.kam_usual_orders,
                    )
                )
            elif line.kam_advice_reason == "gap":
                notes.append(
                    self.env._(
                        "Segment gap: bought by %(share)s %% of the segment's "
                        "accounts, never by this one",
                        share=formatLang(self.env, line.kam_segment_share, digits=0),
                    )
                )
            if line.kam_scaled_down:
                notes.append(
                    self.env._(
                        "scaled down to the credit headroom from %(qty)s",
                        qty=formatLang(self.env, line.kam_advised_qty, digits=0),
                    )
                    if line.units_included
                    else self.env._("dropped to fit the credit headroom")
                )
            line.kam_advice_note = "; ".join(notes) or False
