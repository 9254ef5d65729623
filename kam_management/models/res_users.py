from odoo import fields, models, tools


class ResUsers(models.Model):
    _inherit = "res.users"

    def _kam_delegator_ids(self):
        """The KAMs whose approved delegation names the user as deputy today (in
        the user's time zone): the record rules and the server checks let the
        deputy work their accounts as they would, for these days only."""
        self.ensure_one()
        today = fields.Date.context_today(self.with_context(tz=self.tz))
        return list(self._kam_delegator_ids_on(today))

    @tools.ormcache("self.id", "day")
    def _kam_delegator_ids_on(self, day):
        """Cached per user and day (the delegations' actions clear the caches)."""
        # sudo: a deputy reads whom they stand in for, whatever the delegation's
        # rules; one query, whatever the number of delegations
        delegations = (
            self.env["kam.delegation"]
            .sudo()
            .search_fetch(
                [
                    ("deputy_id", "=", self.id),
                    ("state", "=", "approved"),
                    ("date_from", "<=", day),
                    ("date_to", ">=", day),
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
