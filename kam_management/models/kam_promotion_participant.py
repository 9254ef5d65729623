from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import SQL, formatLang

from .res_partner import KAM_GROUP

BONUS_PRODUCT = "kam_management.product_kam_volume_bonus"
BONUS_REASON = "kam_management.kam_reason_bonus_volume"


class KamPromotionParticipant(models.Model):
    """A key account taking part in a bonus programme: its invoiced revenue in
    the programme's period (the one revenue definition: kam.revenue.report, net
    of credit notes), the tier reached, the bonus earned and what is still needed
    for the next tier. Set by the programme (accounts and segment), never typed.

    The figures are KAM data: sales support sees who takes part, not the figures;
    a KAM sees the participants of their own accounts only (record rules)."""

    _name = "kam.promotion.participant"
    _description = "Volume Bonus Participant"
    _inherit = ["kam.input.mixin"]
    _order = "promotion_id, partner_id, id"
    _rec_name = "partner_id"

    promotion_id = fields.Many2one(
        "kam.promotion",
        string="Bonus Programme",
        required=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        related="promotion_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="promotion_id.currency_id")
    state = fields.Selection(related="promotion_id.state")
    date_from = fields.Date(related="promotion_id.date_from")
    date_to = fields.Date(related="promotion_id.date_to")
    revenue = fields.Monetary(
        compute="_compute_figures",
        groups=KAM_GROUP,
        help="Invoiced revenue of the period, untaxed, net of credit notes.",
    )
    tier_id = fields.Many2one(
        "kam.promotion.tier",
        string="Tier Reached",
        compute="_compute_figures",
        groups=KAM_GROUP,
    )
    bonus_percent = fields.Float(
        string="Bonus (%)", compute="_compute_figures", groups=KAM_GROUP
    )
    bonus_amount = fields.Monetary(
        string="Bonus", compute="_compute_figures", groups=KAM_GROUP
    )
    next_threshold = fields.Monetary(
        string="Next Tier From",
        compute="_compute_figures",
        groups=KAM_GROUP,
        help="The revenue of the next tier (none once the top tier is reached).",
    )
    amount_to_next = fields.Monetary(
        string="Still Needed",
        compute="_compute_figures",
        groups=KAM_GROUP,
        help="Revenue still needed in the period to reach the next tier.",
    )
    progress = fields.Float(
        string="Progress (%)",
        compute="_compute_figures",
        groups=KAM_GROUP,
        help="Revenue as a share of the next tier's threshold (100 at the top).",
    )
    settled_revenue = fields.Monetary(readonly=True, copy=False, groups=KAM_GROUP)
    settled_bonus = fields.Monetary(readonly=True, copy=False, groups=KAM_GROUP)
    credit_note_id = fields.Many2one(
        "account.move",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )

    _promotion_partner_unique = models.Constraint(
        "UNIQUE(promotion_id, partner_id)",
        "An account takes part in a bonus programme once.",
    )

    # --- computes -------------------------------------------------------
    @api.depends(
        "partner_id",
        "promotion_id.date_from",
        "promotion_id.date_to",
        "promotion_id.state",
        "promotion_id.tier_ids.threshold_amount",
        "promotion_id.tier_ids.bonus_percent",
        "settled_revenue",
    )
    def _compute_figures(self):
        revenue = self._kam_revenues()
        for participant in self:
            promotion = participant.promotion_id
            if promotion.state == "settled":
                amount = participant.settled_revenue
            else:
                amount = revenue.get(participant.id, 0.0)
            tiers = promotion.tier_ids.sorted(lambda t: (t.threshold_amount, t.id))
            reached = tiers.filtered(lambda t, a=amount: t.threshold_amount <= a)[-1:]
            following = tiers.filtered(lambda t, a=amount: t.threshold_amount > a)[:1]
            participant.revenue = amount
            participant.tier_id = reached
            participant.bonus_percent = reached.bonus_percent
            participant.bonus_amount = (
                participant.settled_bonus
                if promotion.state == "settled"
                else participant.currency_id.round(
                    max(amount, 0.0) * reached.bonus_percent / 100.0
                )
            )
            participant.next_threshold = following.threshold_amount
            participant.amount_to_next = (
                following.threshold_amount - amount if following else 0.0
            )
            participant.progress = (
                min(100.0, max(0.0, 100.0 * amount / following.threshold_amount))
                if following.threshold_amount
                else 100.0
            )

    def _kam_revenues(self):
        """{participant id: revenue} for all these participants, whatever their
        programmes, in one query: the rows of kam.revenue.report of the
        participant's account in the programme's company and period."""
        ids = [pid for pid in self._ids if isinstance(pid, int)]
        if not ids:
            return {}
        self.flush_model(["promotion_id", "partner_id"])
        self.env["kam.promotion"].flush_model(["company_id", "date_from", "date_to"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT participant.id, SUM(revenue.amount)
                  FROM kam_promotion_participant participant
                  JOIN kam_promotion promotion
                    ON promotion.id = participant.promotion_id
                  JOIN %(revenue)s revenue
                    ON revenue.partner_id = participant.partner_id
                   AND revenue.company_id = promotion.company_id
                   AND revenue.date BETWEEN promotion.date_from AND promotion.date_to
                 WHERE participant.id = ANY(%(ids)s)
              GROUP BY participant.id
                """,
                revenue=self.env["kam.revenue.report"]._table_sql,
                ids=ids,
            )
        )
        return dict(rows)

    # --- settlement -----------------------------------------------------
    def _kam_create_credit_notes(self):
        """One draft credit note per participant (its settled bonus), linked back
        to it; no sale_line_ids, so no order's invoiced quantity moves. The reason
        is the volume bonus reason: a key account's credit note is posted with
        one (sudo: made for the head of sales who settles)."""
        if not self:
            return self.env["account.move"]
        product = self.env.ref(BONUS_PRODUCT)
        reason = self.env.ref(BONUS_REASON)
        today = fields.Date.context_today(self)
        moves = self.env["account.move"].sudo()
        for company, participants in self.grouped("company_id").items():
            moves |= participants._kam_credit_notes_of_company(
                company, product, reason, today
            )
        return moves

    def _kam_credit_notes_of_company(self, company, product, reason, today):
        vals_list = []
        for participant in self:
            promotion = participant.promotion_id
            vals_list.append(
                {
                    "move_type": "out_refund",
                    "partner_id": participant.partner_id.id,
                    "company_id": promotion.company_id.id,
                    "currency_id": promotion.currency_id.id,
                    "invoice_date": today,
                    "invoice_origin": promotion.name,
                    "ref": self.env._(
                        "Volume bonus %(promotion)s", promotion=promotion.name
                    ),
                    "kam_reason_id": reason.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": self.env._(
                                    "Volume bonus %(promotion)s: %(pct)s %% of "
                                    "%(revenue)s (%(start)s - %(end)s)",
                                    promotion=promotion.name,
                                    pct=participant.bonus_percent,
                                    revenue=participant.settled_revenue,
                                    start=promotion.date_from,
                                    end=promotion.date_to,
                                ),
                                "quantity": 1.0,
                                "price_unit": participant.settled_bonus,
                            }
                        )
                    ],
                }
            )
        moves = self.env["account.move"].sudo().with_company(company).create(vals_list)
        for participant, move in zip(self, moves, strict=True):
            participant.credit_note_id = move
        return moves

    # --- the account's and the order's view -----------------------------
    @api.model
    def _kam_running_summary(self, accounts, company):
        """{account: html} of the running bonus programmes and approved discount
        promotions of these key accounts (commercial partners) in ``company``:
        the names for every reader, the progress toward the next tier only for
        the accounts whose figures the user may see (the others' as nothing).
        A constant number of queries whatever the number of accounts."""
        accounts = accounts.filtered("is_key_account")
        if not accounts:
            return {}
        # sudo: the programmes an account takes part in, whoever reads the account;
        # the figures are read for the visible accounts only
        participants = self.sudo().search(
            [
                ("partner_id", "in", accounts.ids),
                ("promotion_id.state", "=", "running"),
                ("company_id", "=", company.id),
            ]
        )
        visible = accounts._kam_kpi_partners()
        segments = accounts.sudo().kam_segment_id
        programs = (
            self.env["loyalty.program"]
            .sudo()
            .search(
                [
                    ("kam_restricted", "=", True),
                    ("kam_state", "=", "approved"),
                    ("sale_ok", "=", True),
                    ("company_id", "in", [False, company.id]),
                    "|",
                    ("kam_partner_ids", "in", accounts.ids),
                    ("kam_segment_id", "in", segments.ids),
                ]
            )
        )
        by_account = participants.grouped("partner_id")
        result = {}
        for account in accounts:
            items = []
            for participant in by_account.get(account, self.browse()):
                promotion = participant.promotion_id
                if account in visible:
                    items.append(participant._kam_progress_line())
                else:
                    items.append(
                        Markup("<li><b>%s</b> (%s - %s)</li>")
                        % (promotion.name, promotion.date_from, promotion.date_to)
                    )
            segment = account.sudo().kam_segment_id
            for program in programs.filtered(
                lambda p, a=account, s=segment: a in p.kam_partner_ids
                or (s and p.kam_segment_id == s)
            ):
                items.append(
                    Markup("<li>%s <b>%s</b></li>")
                    % (self.env._("Discount promotion"), program.name)
                )
            if items:
                result[account] = Markup("<ul class='mb-0'>%s</ul>") % Markup("").join(
                    items
                )
        return result

    def _kam_progress_line(self):
        self.ensure_one()
        promotion = self.promotion_id
        currency = self.currency_id
        amount = formatLang(self.env, self.revenue, currency_obj=currency)
        if self.next_threshold:
            nxt = self.env._(
                "%(missing)s more for %(pct)s %% (from %(threshold)s)",
                missing=formatLang(
                    self.env, self.amount_to_next, currency_obj=currency
                ),
                pct=self.promotion_id.tier_ids.filtered(
                    lambda t: t.threshold_amount == self.next_threshold
                )[:1].bonus_percent,
                threshold=formatLang(
                    self.env, self.next_threshold, currency_obj=currency
                ),
            )
        else:
            nxt = self.env._("top tier reached")
        if self.tier_id:
            reached = self.env._(
                "revenue %(revenue)s, bonus %(pct)s %% = %(bonus)s; %(next)s",
                revenue=amount,
                pct=self.bonus_percent,
                bonus=formatLang(self.env, self.bonus_amount, currency_obj=currency),
                next=nxt,
            )
        else:
            reached = self.env._(
                "revenue %(revenue)s, no tier yet; %(next)s", revenue=amount, next=nxt
            )
        return Markup("<li><b>%s</b> (%s - %s): %s</li>") % (
            promotion.name,
            promotion.date_from,
            promotion.date_to,
            reached,
        )
