from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

EXTERNAL_POINTS = {"a": 100.0, "b": 70.0, "c": 40.0, "d": 0.0}
RATING_THRESHOLDS = ((80.0, "a"), (60.0, "b"), (40.0, "c"))


def _linear_points(value, best, worst):
    """100 points at ``best``, 0 at ``worst`` (either order), linear between."""
    if best == worst:
        return 100.0
    share = (value - worst) / (best - worst)
    return max(0.0, min(1.0, share)) * 100.0


class KamCreditCheck(models.Model):
    """What a credit check is judged on: its score, from the client's figures and
    the indicators it takes from our own history with the account,
    for all checks at once: the overdue debt by its one definition
    (account.move.line._kam_overdue_domain), payment delays, and the taxed invoicing
    of the invoices the revenue report counts."""

    _inherit = "kam.credit.check"

    # --- score ----------------------------------------------------------
    def _kam_score_parts(self):
        """[(indicator, weight, points 0-100)] behind the score."""
        self.ensure_one()
        company = self.company_id
        parts = [
            (
                self.env._("Payment behaviour"),
                company.kam_credit_weight_payment,
                _linear_points(
                    self.avg_days_late, 0.0, company.kam_credit_days_late_worst
                ),
            ),
            (
                self.env._("Overdue share"),
                company.kam_credit_weight_overdue,
                _linear_points(
                    self.overdue_share, 0.0, company.kam_credit_overdue_share_worst
                ),
            ),
            (
                self.env._("Years in business"),
                company.kam_credit_weight_age,
                _linear_points(
                    self.years_in_business, company.kam_credit_years_best, 0.0
                ),
            ),
            (
                self.env._("Equity cover"),
                company.kam_credit_weight_equity,
                _linear_points(
                    self.equity / self.requested_limit,
                    company.kam_credit_equity_cover_best,
                    0.0,
                )
                if self.requested_limit
                else 100.0,
            ),
        ]
        if self.external_rating:
            parts.append(
                (
                    self.env._("External rating"),
                    company.kam_credit_weight_external,
                    EXTERNAL_POINTS[self.external_rating],
                )
            )
        return parts

    @api.depends(
        "avg_days_late",
        "overdue_share",
        "years_in_business",
        "equity",
        "requested_limit",
        "external_rating",
        "company_id",
    )
    def _compute_score(self):
        for check in self:
            parts = check._kam_score_parts()
            total_weight = sum(weight for _label, weight, _points in parts)
            score = (
                sum(weight * points for _label, weight, points in parts) / total_weight
                if total_weight
                else 0.0
            )
            check.score = round(score, 1)
            check.computed_rating = next(
                (
                    rating
                    for threshold, rating in RATING_THRESHOLDS
                    if score >= threshold
                ),
                "d",
            )

    @api.depends("score")
    def _compute_score_details(self):
        for check in self:
            rows = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td></tr>"
                )
                % (label, weight, round(points))
                for label, weight, points in check._kam_score_parts()
            )
            check.score_details = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th>"
                "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
                "<tbody>%s</tbody></table>"
            ) % (
                self.env._("Indicator"),
                self.env._("Weight"),
                self.env._("Points"),
                rows,
            )

    @api.depends("computed_rating", "rating_override")
    def _compute_rating(self):
        for check in self:
            check.rating = check.rating_override or check.computed_rating

    # --- business -------------------------------------------------------
    def _kam_compute_history(self):
        if not self:
            return
        late_and_invoiced = self._kam_late_days_and_invoicing()
        overdue = self._kam_overdue_history()
        today = fields.Date.context_today(self)
        for check in self:
            days, invoiced = late_and_invoiced.get(check.id, (0.0, 0.0))
            amount, largest = overdue.get(check.id, (0.0, 0.0))
            check.write(
                {
                    "avg_days_late": days or 0.0,
                    "overdue_share": amount / invoiced * 100.0 if invoiced > 0 else 0.0,
                    "largest_overdue": largest,
                    "history_date": today,
                }
            )

    def _kam_overdue_history(self):
        """{check_id: (overdue debt, largest overdue installment)} on the check's
        date, by the one definition of overdue debt: a query per company and date."""
        result = {}
        Line = self.env["account.move.line"].sudo()
        for (company, day), checks in self.grouped(
            lambda c: (c.company_id, c.date)
        ).items():
            # sudo: the indicators are the account's whole debt, whatever the
            # check's author may read in accounting
            partners = checks.partner_id.sudo().with_company(company)
            rows = Line._read_group(
                Line.with_company(company)._kam_overdue_domain(partners.ids, day),
                ["partner_id"],
                ["amount_residual:sum", "amount_residual:max"],
            )
            figures = {partner: (amount, largest) for partner, amount, largest in rows}
            for check in checks:
                result[check.id] = figures.get(check.partner_id, (0.0, 0.0))
        return result

    def _kam_late_days_and_invoicing(self):
        """{check_id: (average days paid late, taxed invoicing)} over the 12 months
        before the check's date, in one query.

        The invoicing is the taxed total of the invoices and credit notes the revenue
        report counts: taxed on purpose, the overdue share compares it with taxed
        receivables. It is no second definition of revenue (which is untaxed)."""
        # sudo: the account's whole payment history, whatever the check's author
        # may read in accounting (as for the overdue debt)
        receivable = (
            self.env["account.move.line"]
            .sudo()
            ._search(
                self.env["account.move.line"]._kam_receivable_domain(
                    self.partner_id.ids
                )
            )
        )
        self.env["account.move.line"].flush_model(
            ["partner_id", "company_id", "date_maturity"]
        )
        self.env["account.partial.reconcile"].flush_model(
            ["debit_move_id", "max_date", "amount"]
        )
        self.env["account.move"].flush_model(["amount_total_signed"])
        self.flush_model(["partner_id", "company_id", "date"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT c.id, late.days, COALESCE(invoiced.amount, 0)
                  FROM kam_credit_check c
             LEFT JOIN LATERAL (
                    SELECT SUM(GREATEST(pr.max_date - aml.date_maturity, 0) * pr.amount)
                           / NULLIF(SUM(pr.amount), 0) AS days
                      FROM account_move_line aml
                      JOIN account_partial_reconcile pr ON pr.debit_move_id = aml.id
                     WHERE aml.id IN %(receivable)s
                       AND aml.partner_id = c.partner_id
                       AND aml.company_id = c.company_id
                       AND pr.max_date > c.date - INTERVAL '12 months'
                       AND pr.max_date <= c.date
                 ) late ON TRUE
             LEFT JOIN LATERAL (
                    -- taxed on purpose: compared with the overdue debt, which is taxed
                    SELECT SUM(move.amount_total_signed) AS amount
                      FROM account_move move
                     WHERE move.id IN (
                            SELECT revenue.move_id
                              FROM %(revenue)s revenue
                             WHERE revenue.partner_id = c.partner_id
                               AND revenue.company_id = c.company_id
                               AND revenue.date > c.date - INTERVAL '12 months'
                               AND revenue.date <= c.date)
                 ) invoiced ON TRUE
                 WHERE c.id = ANY(%(ids)s)
                """,
                receivable=receivable.subselect(),
                revenue=self.env["kam.revenue.report"]._table_sql,
                ids=list(self.ids),
            )
        )
        return {check_id: (days, invoiced) for check_id, days, invoiced in rows}
