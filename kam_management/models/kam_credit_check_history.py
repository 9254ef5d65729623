from odoo import fields, models
from odoo.tools import SQL


class KamCreditCheck(models.Model):
    """The indicators a credit check takes from our own history with the account,
    for all checks at once: the overdue debt by its one definition
    (res.partner._kam_overdue_line_domain), payment delays, and the taxed invoicing
    of the invoices the revenue report counts."""

    _inherit = "kam.credit.check"

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
                partners._kam_overdue_line_domain(partners.ids, day),
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
                self.env["res.partner"]._kam_receivable_line_domain(self.partner_id.ids)
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
