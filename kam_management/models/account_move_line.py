from odoo import api, fields, models
from odoo.fields import Domain


class AccountMoveLine(models.Model):
    """What customers owe: the one definition of receivables and overdue debt,
    for the partner KPI, the credit checks and the credit gate."""

    _inherit = "account.move.line"

    @api.model
    def _kam_receivable_domain(self, partner_ids=None):
        """Posted receivable lines, in every company. Taxed on purpose: a debt
        includes the taxes invoiced."""
        domain = Domain(
            [
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        if partner_ids is not None:
            domain &= Domain("partner_id", "in", partner_ids)
        return domain

    @api.model
    def _kam_open_debt_domain(self, partner_ids=None):
        """Open debt: the receivable installments not paid yet, in every company,
        due or not (the aging report: overdue debt is the part of it past due)."""
        return self._kam_receivable_domain(partner_ids) & Domain(
            [
                ("reconciled", "=", False),
                # debts only: an unapplied credit note is no debt
                ("amount_residual", ">", 0),
            ]
        )

    @api.model
    def _kam_overdue_domain(self, partner_ids=None, date=None):
        """Overdue debt: the open debt of the current company due before ``date``
        (today by default)."""
        return self._kam_open_debt_domain(partner_ids) & Domain(
            [
                ("company_id", "=", self.env.company.id),
                ("date_maturity", "<", date or fields.Date.context_today(self)),
            ]
        )

    @api.model
    def _kam_overdue_amounts(self, partners):
        """{partner: overdue debt} in the current company, in its currency."""
        # sudo: sums only; callers show them to users of credit data
        return dict(
            self.sudo()._read_group(
                self._kam_overdue_domain(partners.ids),
                ["partner_id"],
                ["amount_residual:sum"],
            )
        )

    @api.model
    def _kam_partners_overdue(self, operator, value, kam):
        """The partners whose overdue debt in the current company compares with
        ``value`` (``operator``: > or >=), of ``kam``'s accounts when given."""
        domain = self._kam_overdue_domain()
        if kam:
            domain &= Domain("partner_id.kam_user_id", "in", kam.ids)
        # sudo: which accounts owe, not what; the caller keeps a KAM to their own
        rows = self.sudo()._read_group(
            domain, ["partner_id"], having=[("amount_residual:sum", operator, value)]
        )
        return self.env["res.partner"].browse(partner.id for (partner,) in rows)
