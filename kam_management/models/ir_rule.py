from odoo import fields, models


class IrRule(models.Model):
    _inherit = "ir.rule"

    def _compute_domain_context_values(self):
        """Record rules are cached per user; the key-account rules also depend on
        the day (a deputy works the absent KAM's accounts from the delegation's
        first day to its last): the day joins the cache key, so the rules change
        at midnight without a cron. Delegations' actions clear the cache."""
        yield from super()._compute_domain_context_values()
        user = self.env.user
        yield fields.Date.context_today(user.with_context(tz=user.tz))
