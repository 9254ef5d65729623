from collections.abc import Mapping
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .res_partner import KAM_MANAGER_GROUP
from .workflow import (
    check_create,
    check_workflow_fields,
    harmless,
    in_workflow,
    require_group,
    require_states,
    workflow,
)

# set by the actions only
WORKFLOW_FIELDS = ("state", "date_applied", "applied_by_id", "pricelist_id")
# what the figures of the summary look back on
COMPETITOR_DAYS = 90
TOP_PRODUCTS = 5


class KamProposal(models.Model):
    """Price and assortment changes proposed for a market segment (duty 2.17): a
    head of sales approves them (tier validation), then applies them to the
    segment's pricelist from the start date."""

    _name = "kam.proposal"
    _description = "Segment Proposal"
    _inherit = [
        "kam.input.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "kam.tier.validation",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    # tier validation (OCA base_tier_validation): to_approve -> approved
    _state_from = ["to_approve"]
    _state_to = ["approved"]
    _cancel_state = "cancel"
    _tier_validation_manual_config = False

    # --- fields ---------------------------------------------------------
    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/"
    )
    title = fields.Char(required=True, tracking=True, size=256)
    segment_id = fields.Many2one(
        "kam.segment",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        compute="_compute_pricelist_id",
        store=True,
        precompute=True,
        ondelete="restrict",
        tracking=True,
        help="The segment's pricelist, which applying the proposal changes.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Proposed by",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_start = fields.Date(
        string="Start Date",
        required=True,
        tracking=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=14),
        help="The new prices apply from this day; the previous prices of the same "
        "products end the day before.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("approved", "Approved"),
            ("applied", "Applied"),
            ("rejected", "Rejected"),
            ("cancel", "Cancelled"),
        ],
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    rationale = fields.Html(help="Why: the market, the competitors, the volumes.")
    line_ids = fields.One2many(
        "kam.proposal.line", "proposal_id", string="Lines", copy=True
    )
    date_applied = fields.Datetime(readonly=True, copy=False, tracking=True)
    applied_by_id = fields.Many2one(
        "res.users", string="Applied by", readonly=True, copy=False, tracking=True
    )

    # the summary of the segment, as the reader may see its accounts
    summary_scope = fields.Char(compute="_compute_summary")
    summary_account_count = fields.Integer(
        string="Accounts", compute="_compute_summary"
    )
    summary_active_accounts = fields.Integer(
        string="Active Accounts",
        compute="_compute_summary",
        help="Accounts of the segment invoiced in the last 12 months.",
    )
    summary_revenue = fields.Monetary(
        string="Revenue (12 months)", compute="_compute_summary"
    )
    summary_revenue_previous = fields.Monetary(
        string="Revenue (12 months before)", compute="_compute_summary"
    )
    summary_revenue_trend = fields.Float(
        string="Revenue Trend (%)",
        compute="_compute_summary",
        digits=(16, 1),
        help="Last 12 months against the 12 months before; empty without "
        "revenue before.",
    )
    summary_has_trend = fields.Boolean(compute="_compute_summary")
    summary_html = fields.Html(
        string="Top Products and Competitors",
        compute="_compute_summary",
        sanitize=False,
    )

    # --- computes -------------------------------------------------------
    @api.depends("segment_id")
    def _compute_pricelist_id(self):
        # the segment is set while a draft only: the pricelist stays what it was
        for proposal in self:
            proposal.pricelist_id = proposal.segment_id.pricelist_id

    @api.depends("segment_id", "company_id")
    @api.depends_context("uid")
    def _compute_summary(self):
        today = fields.Date.context_today(self)
        year_ago = today - relativedelta(years=1)
        two_years_ago = today - relativedelta(years=2)
        Revenue = self.env["kam.revenue.report"].sudo()
        Observation = self.env["kam.competitor.observation"].sudo()
        manager = self.env.user.has_group(KAM_MANAGER_GROUP)
        for proposal in self:
            # sudo: the segment's accounts; the figures are the visible ones only
            accounts = (
                self.env["res.partner"]
                .sudo()
                .search(
                    [
                        ("kam_segment_id", "=", proposal.segment_id._origin.id),
                        ("is_key_account", "=", True),
                        ("is_company", "=", True),
                        ("company_id", "in", [False, proposal.company_id.id]),
                    ]
                )
                ._kam_kpi_partners()
            )
            domain = [
                ("partner_id", "in", accounts.ids),
                ("company_id", "=", proposal.company_id.id),
            ]
            current = dict(
                Revenue._read_group(
                    [*domain, ("date", ">", year_ago), ("date", "<=", today)],
                    ["partner_id"],
                    ["amount:sum"],
                )
            )
            previous = Revenue._read_group(
                [*domain, ("date", ">", two_years_ago), ("date", "<=", year_ago)],
                [],
                ["amount:sum"],
            )[0][0]
            revenue = sum(current.values())
            proposal.summary_scope = (
                self.env._("All accounts of the segment")
                if manager
                else self.env._("Your accounts in the segment")
            )
            proposal.summary_account_count = len(accounts)
            proposal.summary_active_accounts = len(
                [amount for amount in current.values() if amount > 0]
            )
            proposal.summary_revenue = revenue
            proposal.summary_revenue_previous = previous
            proposal.summary_has_trend = bool(previous)
            proposal.summary_revenue_trend = (
                (revenue - previous) / previous * 100.0 if previous else 0.0
            )
            top = Revenue._read_group(
                [
                    *domain,
                    ("date", ">", year_ago),
                    ("date", "<=", today),
                    ("product_id", "!=", False),
                ],
                ["product_id"],
                ["amount:sum"],
                order="amount:sum desc",
                limit=TOP_PRODUCTS,
            )
            gaps = Observation._read_group(
                [
                    ("partner_id", "in", accounts.ids),
                    ("company_id", "=", proposal.company_id.id),
                    ("date", ">", today - timedelta(days=COMPETITOR_DAYS)),
                ],
                ["competitor_id"],
                ["price_gap_percent:avg", "__count"],
                order="price_gap_percent:avg",
            )
            proposal.summary_html = proposal._kam_summary_html(top, gaps)

    def _kam_summary_html(self, top, gaps):
        currency = self.currency_id
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>")
            % (product.display_name, currency.format(amount))
            for product, amount in top
        ) or Markup("<tr><td colspan='2' class='text-muted'>%s</td></tr>") % (
            self.env._("No revenue in the last 12 months.")
        )
        gap_rows = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td><td>%s</td></tr>")
            % (
                competitor.display_name,
                f"{gap:+.1f} %",
                self.env._("%(count)s observations", count=count),
            )
            for competitor, gap, count in gaps
        ) or Markup("<tr><td colspan='3' class='text-muted'>%s</td></tr>") % (
            self.env._(
                "No competitor observation in the last %(days)s days.",
                days=COMPETITOR_DAYS,
            )
        )
        return Markup(
            "<h5>%s</h5><table class='table table-sm'>%s</table>"
            "<h5>%s</h5><table class='table table-sm'>%s</table>"
        ) % (
            escape(self.env._("Top products (12 months)")),
            rows,
            escape(
                self.env._(
                    "Competitor price gaps (last %(days)s days; positive: the "
                    "competitor is dearer)",
                    days=COMPETITOR_DAYS,
                )
            ),
            gap_rows,
        )

    # --- constraints ----------------------------------------------------
    def _kam_check_proposer(self):
        """A KAM proposes for a segment they work in: one of their accounts is in
        it (a head of sales for any segment). Checked as the user who creates or
        writes (a constraint may run as another user)."""
        if in_workflow(self.env) or self.env.user.has_group(KAM_MANAGER_GROUP):
            return
        for proposal in self:
            # sudo: whether the KAM has an account there, nothing else is read
            if not (
                self.env["res.partner"]
                .sudo()
                .search_count(
                    [
                        ("kam_segment_id", "=", proposal.segment_id.id),
                        ("kam_user_id", "in", self.env.user._kam_acting_ids()),
                        ("is_key_account", "=", True),
                    ],
                    limit=1,
                )
            ):
                raise AccessError(
                    self.env._(
                        "You have no key account in the segment %(segment)s: a key "
                        "account manager proposes changes for the segments they "
                        "work in.",
                        segment=proposal.segment_id.display_name,
                    )
                )
            if proposal.user_id != self.env.user:
                raise AccessError(
                    self.env._("A key account manager proposes in their own name.")
                )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"draft"}, WORKFLOW_FIELDS)
        for vals in vals_list:
            if isinstance(vals, dict) and vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(self._name) or "/"
        proposals = super().create(vals_list)
        proposals._kam_check_proposer()
        return proposals

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        self._kam_check_locked(vals)
        res = super().write(vals)
        if isinstance(vals, Mapping) and {"segment_id", "user_id"} & vals.keys():
            self._kam_check_proposer()
        return res

    def _kam_check_locked(self, vals):
        """Only drafts change: a submitted proposal waits for its review, an
        approved or applied one is what was decided."""
        if not isinstance(vals, Mapping) or in_workflow(self.env) or harmless(vals):
            return
        locked = self.filtered(lambda p: p.state != "draft")
        if locked:
            raise UserError(
                self.env._(
                    "%(proposal)s is %(state)s and cannot be changed.",
                    proposal=locked[0].display_name,
                    state=locked[0]._kam_state_label(),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        require_states(
            self,
            ("draft", "cancel"),
            self.env._("Only draft or cancelled proposals can be deleted."),
        )

    def _kam_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # --- tier validation ------------------------------------------------
    def _get_under_validation_exceptions(self):
        return super()._get_under_validation_exceptions() + ["activity_ids"]

    def _validate_tier(self, tiers=False):
        # a start date that has passed meanwhile: refused with a clear message
        self._kam_check_date_start()
        return super()._validate_tier(tiers)

    def _add_tier_validation_buttons(self, node, params):
        # Back to Draft restarts the review and returns the proposal to draft:
        # OCA's bare "Restart Validation" would leave it waiting with no reviewer
        buttons = super()._add_tier_validation_buttons(node, params)
        for button in buttons.xpath("//button[@name='restart_validation']"):
            button.getparent().remove(button)
        return buttons

    def _kam_validated(self):
        self._kam_check_date_start()
        self.state = "approved"

    def _kam_rejected(self):
        self.state = "rejected"

    def _kam_check_date_start(self):
        today = fields.Date.context_today(self)
        for proposal in self:
            if proposal.date_start < today:
                raise UserError(
                    self.env._(
                        "%(proposal)s starts on %(date)s, which has passed: set a "
                        "start date from today on (reset it to draft first).",
                        proposal=proposal.display_name,
                        date=proposal.date_start,
                    )
                )

    # --- actions --------------------------------------------------------
    def action_submit(self):
        require_states(
            self, ("draft",), self.env._("Only draft proposals can be submitted.")
        )
        self.check_access("write")
        for proposal in self:
            if not proposal.line_ids:
                raise UserError(
                    self.env._(
                        "Add the products of %(proposal)s before submitting it.",
                        proposal=proposal.display_name,
                    )
                )
            if not proposal.pricelist_id:
                raise UserError(
                    self.env._(
                        "The segment %(segment)s has no pricelist: a head of sales "
                        "sets it on the segment first.",
                        segment=proposal.segment_id.display_name,
                    )
                )
        self._kam_check_date_start()
        with workflow():
            self.write({"state": "to_approve"})
        self.invalidate_recordset(["need_validation"])
        self.filtered("need_validation").request_validation()

    def action_apply(self):
        """Write the approved prices in the segment's pricelist from the start
        date, ending the previous prices of the same products the day before."""
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales applies segment proposals."),
        )
        require_states(
            self,
            ("approved",),
            self.env._("Only approved proposals are applied (once)."),
        )
        self._kam_check_date_start()
        # sudo: a head of sales decides the segment's prices through the approved
        # proposal, without being a pricelist manager of the sales app
        Item = self.env["product.pricelist.item"].sudo()
        for proposal in self:
            start = datetime.combine(proposal.date_start, time.min)
            day_before = datetime.combine(
                proposal.date_start - timedelta(days=1), time.max.replace(microsecond=0)
            )
            pricelist = proposal.pricelist_id
            products = proposal.line_ids.product_id
            previous = Item.search(
                [
                    ("pricelist_id", "=", pricelist.id),
                    "|",
                    "&",
                    ("applied_on", "=", "0_product_variant"),
                    ("product_id", "in", products.ids),
                    "&",
                    ("applied_on", "=", "1_product"),
                    (
                        "product_tmpl_id",
                        "in",
                        products.product_tmpl_id.filtered(
                            lambda t: t.product_variant_count == 1
                        ).ids,
                    ),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", start),
                ]
            )
            later = previous.filtered_domain([("date_start", ">=", start)])
            if later:
                raise UserError(
                    self.env._(
                        "The pricelist %(pricelist)s already has prices of "
                        "%(products)s from %(date)s on or later: remove them or "
                        "choose a later start date.",
                        pricelist=pricelist.display_name,
                        products=", ".join(later.mapped("display_name")),
                        date=proposal.date_start,
                    )
                )
            previous.write({"date_end": day_before})
            new_items = Item.create(
                [
                    {
                        "pricelist_id": pricelist.id,
                        "applied_on": "0_product_variant",
                        "product_id": line.product_id.id,
                        "product_tmpl_id": line.product_id.product_tmpl_id.id,
                        "compute_price": "fixed",
                        "fixed_price": line.proposed_price,
                        "date_start": start,
                    }
                    for line in proposal.line_ids.filtered(
                        lambda line: line.change != "drop"
                    )
                ]
            )
            with workflow():
                proposal.write(
                    {
                        "state": "applied",
                        "date_applied": fields.Datetime.now(),
                        "applied_by_id": self.env.user.id,
                    }
                )
            dropped = proposal.line_ids.filtered(lambda line: line.change == "drop")
            proposal.message_post(
                body=self.env._(
                    "Applied to %(pricelist)s from %(date)s: %(new)s new prices, "
                    "%(ended)s previous prices ended on %(day_before)s%(dropped)s.",
                    pricelist=pricelist.display_name,
                    date=proposal.date_start,
                    new=len(new_items),
                    ended=len(previous),
                    day_before=proposal.date_start - timedelta(days=1),
                    dropped=self.env._(
                        "; dropped from the segment's assortment: %(products)s",
                        products=", ".join(dropped.product_id.mapped("display_name")),
                    )
                    if dropped
                    else "",
                )
            )

    def action_reset_to_draft(self):
        """The proposer withdraws a proposal waiting for approval; a rejected or
        cancelled one is reworked. Approved and applied ones stay as decided."""
        require_states(
            self,
            ("to_approve", "rejected", "cancel"),
            self.env._(
                "Only proposals waiting for approval, rejected or cancelled go back "
                "to draft."
            ),
        )
        self.check_access("write")
        self.restart_validation()
        with workflow():
            self.write({"state": "draft"})

    def action_cancel(self):
        require_states(
            self,
            ("draft", "to_approve", "approved", "rejected"),
            self.env._("An applied proposal cannot be cancelled."),
        )
        if any(p.state == "approved" for p in self):
            require_group(
                self.env,
                KAM_MANAGER_GROUP,
                self.env._("Only a head of sales cancels an approved proposal."),
            )
        self.check_access("write")
        self.restart_validation()
        with workflow():
            self.write({"state": "cancel"})
