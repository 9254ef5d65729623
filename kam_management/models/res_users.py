from datetime import datetime, time, timedelta

from odoo import api, fields, models, tools

from .res_partner import KAM_GROUP


def quarter_hour():
    """Now (UTC) to the quarter of an hour: every time zone's midnight falls on
    one, so caches keyed by it follow each user's day without a query."""
    now = fields.Datetime.now()
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


class ResUsers(models.Model):
    """A KAM's "My Week" (issue 16): one screen, usable on a phone, with the week's
    visits, the merchandising tasks due, the overdue payment promises and the
    activities due. The lists are the user's own records, read as the user (their
    record rules apply): computed for the current user only, empty for another."""

    _inherit = "res.users"

    kam_week_visit_ids = fields.Many2many(
        "kam.visit",
        string="Visits This Week",
        compute="_compute_kam_week",
        groups=KAM_GROUP,
    )
    kam_week_task_ids = fields.Many2many(
        "kam.merchandising.task",
        string="Merchandising Tasks Due",
        compute="_compute_kam_week",
        groups=KAM_GROUP,
    )
    kam_week_promise_ids = fields.Many2many(
        "kam.collection.action",
        string="Overdue Payment Promises",
        compute="_compute_kam_week",
        groups=KAM_GROUP,
    )
    kam_week_activity_ids = fields.Many2many(
        "mail.activity",
        string="Activities Due",
        compute="_compute_kam_week",
        groups=KAM_GROUP,
    )

    @api.depends_context("uid", "tz")
    def _compute_kam_week(self):
        mine = self.filtered(lambda user: user == self.env.user)
        (self - mine).update(
            {
                "kam_week_visit_ids": False,
                "kam_week_task_ids": False,
                "kam_week_promise_ids": False,
                "kam_week_activity_ids": False,
            }
        )
        if not mine:
            return
        today = fields.Date.context_today(self)
        week_end = today + timedelta(days=6 - today.weekday())
        # the user's day in UTC: visits are datetimes
        day_start = fields.Datetime.context_timestamp(
            self, datetime.combine(today, time())
        )
        offset = day_start.utcoffset() or timedelta()
        start = datetime.combine(today, time()) - offset
        end = datetime.combine(week_end + timedelta(days=1), time()) - offset
        user = self.env.user
        mine.kam_week_visit_ids = self.env["kam.visit"].search(
            [
                ("user_id", "=", user.id),
                ("state", "in", ("planned", "done")),
                ("date_start", ">=", start),
                ("date_start", "<", end),
            ],
            order="date_start",
        )
        mine.kam_week_task_ids = self.env["kam.merchandising.task"].search(
            [
                ("user_id", "=", user.id),
                ("state", "=", "todo"),
                ("date_deadline", "<=", week_end),
            ],
            order="date_deadline",
        )
        mine.kam_week_promise_ids = self.env["kam.collection.action"].search(
            [
                ("user_id", "=", user.id),
                ("promised_date", "!=", False),
                "|",
                "&",
                ("state", "=", "open"),
                ("promised_date", "<", today),
                "&",
                ("state", "=", "broken"),
                ("date_closed", ">=", today - timedelta(days=7)),
            ],
            order="promised_date",
        )
        mine.kam_week_activity_ids = self.env["mail.activity"].search(
            [("user_id", "=", user.id), ("date_deadline", "<=", week_end)],
            order="date_deadline",
        )

    @api.model
    def _kam_action_my_week(self):
        """The current user's "My Week" screen."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.res_users_action_kam_my_week"
        )
        action["res_id"] = self.env.user.id
        return action

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
