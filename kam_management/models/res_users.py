from datetime import datetime, time, timedelta

from odoo import api, fields, models

from .res_partner import KAM_GROUP


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
