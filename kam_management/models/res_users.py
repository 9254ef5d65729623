from odoo import fields, models, tools


def quarter_hour():
    """Now (UTC) to the quarter of an hour: every time zone's midnight falls on
    one, so caches keyed by it follow each user's day without a query."""
    now = fields.Datetime.now()
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


class ResUsers(models.Model):
    _inherit = "res.users"

    def _kam_delegator_ids(self):
        """The KAMs whose approved delegation names the user as deputy today (in
        the user's time zone): the record rules and the server checks let the
        deputy work their accounts as they would, for these days only."""
        self.ensure_one()
        return list(self._kam_delegator_ids_at(quarter_hour()))

    @tools.ormcache("self.id", "moment")
    def _kam_delegator_ids_at(self, moment):
        """Cached per user and quarter of an hour (the delegations' actions clear
        the caches)."""
        today = fields.Date.context_today(self.with_context(tz=self.tz), moment)
        # sudo: a deputy reads whom they stand in for, whatever the delegation's
        # rules; one query, whatever the number of delegations
        delegations = (
            self.env["kam.delegation"]
            .sudo()
            .search_fetch(
                [
                    ("deputy_id", "=", self.id),
                    ("state", "=", "approved"),
                    ("date_from", "<=", today),
                    ("date_to", ">=", today),
                ],
                ["user_id"],
            )
        )
        return tuple(delegations.user_id.ids)

    def _kam_acting_ids(self):
        """The user and the KAMs they stand in for today: the ``user.id`` of the
        key-account record rules (``('kam_user_id', 'in', user._kam_acting_ids())``)."""
        self.ensure_one()
        return [self.id, *self._kam_delegator_ids()]

    def _kam_acting_for(self):
        """As _kam_acting_ids, as users: use it in the server checks comparing an
        account's KAM with the user (``kam_user_id in user._kam_acting_for()``)."""
        return self.browse(self._kam_acting_ids())
