from odoo import models

from .res_users import quarter_hour


class IrRule(models.Model):
    _inherit = "ir.rule"

    def _compute_domain_context_values(self):
        """Record rules are cached per user; the key-account rules also depend on
        the day (a deputy works the absent KAM's accounts from the delegation's
        first to its last day, in the deputy's time zone): the quarter of an hour
        joins the cache key, so the rules follow each user's midnight without a
        cron and without a query. The delegations' actions clear the cache."""
        yield from super()._compute_domain_context_values()
        yield quarter_hour()
