from odoo import api, fields, models
from odoo.tools import SQL

from .kam_cockpit_common import ratio_select

ASSIGNMENT_TYPE = "kam_management.mail_activity_type_kam_assignment"


class KamAssignmentReport(models.Model):
    """The assignments a head of sales gave (duty 2.23), open and done.

    Odoo 19 archives a done activity (``active`` false, ``date_done`` set) rather
    than deleting it: a row is an activity of the type "Assignment", open or done.
    Done on time: done on or before its deadline. Overdue: open past its deadline.
    The on-time rate of a group is its assignments done on time / its done ones.
    """

    _name = "kam.assignment.report"
    _description = "Key Account Assignment Analysis"
    _auto = False
    _order = "date_deadline, id"
    _rec_name = "summary"

    activity_id = fields.Many2one("mail.activity", string="Assignment", readonly=True)
    summary = fields.Char(readonly=True)
    res_model = fields.Char(string="Document Model", readonly=True)
    res_name = fields.Char(string="Document", readonly=True)
    user_id = fields.Many2one("res.users", string="Assigned To", readonly=True)
    assigned_by_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date_deadline = fields.Date(string="Deadline", readonly=True)
    date_done = fields.Date(string="Done On", readonly=True)
    status = fields.Selection(
        [
            ("open", "Open"),
            ("overdue", "Overdue"),
            ("done_on_time", "Done on Time"),
            ("done_late", "Done Late"),
        ],
        readonly=True,
    )
    assignment_count = fields.Integer(string="Assignments", readonly=True)
    done_count = fields.Integer(string="Done", readonly=True)
    on_time_count = fields.Integer(string="Done on Time", readonly=True)
    overdue_count = fields.Integer(string="Overdue", readonly=True)
    days_late = fields.Integer(
        readonly=True,
        aggregator="max",
        help="Days past the deadline: when done for a done one, today for an open "
        "one; 0 when on time.",
    )
    on_time_rate = fields.Float(
        string="On Time (%)",
        compute="_compute_on_time_rate",
        aggregator="avg",
        digits=(16, 1),
        help="Assignments done on time / assignments done.",
    )

    _depends = {
        "mail.activity": [
            "activity_type_id",
            "active",
            "summary",
            "res_model",
            "res_name",
            "user_id",
            "date_deadline",
            "date_done",
        ],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        assignment = self.env.ref(ASSIGNMENT_TYPE, raise_if_not_found=False)
        return SQL(
            """
            SELECT activity.id,
                   activity.id AS activity_id,
                   activity.summary,
                   activity.res_model,
                   activity.res_name,
                   activity.user_id,
                   activity.create_uid AS assigned_by_id,
                   assignee.company_id,
                   activity.date_deadline,
                   activity.date_done,
                   CASE
                       WHEN activity.date_done IS NULL
                            AND activity.date_deadline < %(today)s THEN 'overdue'
                       WHEN activity.date_done IS NULL THEN 'open'
                       WHEN activity.date_done <= activity.date_deadline
                            THEN 'done_on_time'
                       ELSE 'done_late'
                   END AS status,
                   1 AS assignment_count,
                   (activity.date_done IS NOT NULL)::int AS done_count,
                   COALESCE(activity.date_done <= activity.date_deadline, FALSE)::int
                       AS on_time_count,
                   (activity.date_done IS NULL
                    AND activity.date_deadline < %(today)s)::int AS overdue_count,
                   GREATEST(COALESCE(activity.date_done, %(today)s)
                            - activity.date_deadline, 0) AS days_late
              FROM mail_activity activity
              JOIN res_users assignee ON assignee.id = activity.user_id
             WHERE activity.activity_type_id = %(assignment)s
            """,
            today=today,
            assignment=assignment.id if assignment else None,
        )

    @api.depends("done_count", "on_time_count")
    def _compute_on_time_rate(self):
        for row in self:
            row.on_time_rate = (
                row.on_time_count / row.done_count * 100.0 if row.done_count else 0.0
            )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec not in ("on_time_rate:avg", "on_time_rate:sum"):
            return super()._read_group_select(aggregate_spec, query)
        return ratio_select(self, query, "on_time_count", "done_count")
