from datetime import timedelta

from odoo import api, fields, models

from .cron_batch import process_in_batches
from .workflow import workflow


class KamVisit(models.Model):
    """The visit schedule over time: missed visits, next week's plan, coverage."""

    _inherit = "kam.visit"

    # --- crons ----------------------------------------------------------
    @api.model
    def _cron_mark_missed(self):
        """Planned visits past their end and the company's grace period are missed;
        their KAM gets an activity to reschedule."""
        now = fields.Datetime.now()
        with workflow():
            for company in self.env["res.company"].search([]):
                process_in_batches(
                    self,
                    [
                        ("company_id", "=", company.id),
                        ("state", "=", "planned"),
                        (
                            "date_end",
                            "<",
                            now - timedelta(days=company.kam_visit_grace_days),
                        ),
                    ],
                    lambda visits: visits._kam_mark_missed(),
                )

    def _kam_mark_missed(self):
        self.write({"state": "missed"})
        for visit in self:
            visit.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=visit.user_id.id,
                summary=self.env._("Missed: reschedule"),
                note=self.env._(
                    "%(visit)s did not take place: plan it again.",
                    visit=visit.display_name,
                ),
            )

    @api.model
    def _cron_plan_next_week(self):
        """Pre-plan next week for every KAM of the companies that ask for it."""
        companies = self.env["res.company"].search([("kam_visit_autoplan", "=", True)])
        if not companies:
            return
        today = fields.Date.context_today(self)
        monday = today + timedelta(days=7 - today.weekday())
        kams = self.env["res.partner"]._read_group(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_user_id", "!=", False),
                ("company_id", "in", [False, *companies.ids]),
            ],
            ["kam_user_id"],
        )
        Planner = self.env["kam.visit.planner"]
        for company in companies:
            for (kam,) in kams:
                if company not in kam.company_ids:
                    continue
                planner = Planner.with_company(company).create(
                    {"user_id": kam.id, "week_start": monday}
                )
                planner.action_propose()
                planner.action_create_visits()

    # --- coverage -------------------------------------------------------
    @api.model
    def _kam_coverage(self, users, date_from, date_to):
        """{user: (accounts visited as often as their cadence asks, accounts due)}.

        An account of interval N days is due floor(days / N) visits in the period
        (none when the period is shorter than its interval)."""
        days = (date_to - date_from).days + 1
        accounts = self.env["res.partner"].search_fetch(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_user_id", "in", users.ids),
            ],
            ["kam_user_id", "kam_visit_interval_days"],
        )
        done = dict(
            self._read_group(
                [
                    ("partner_id", "in", accounts.ids),
                    ("state", "=", "done"),
                    ("date_start", ">=", date_from),
                    ("date_start", "<", date_to + timedelta(days=1)),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        result = {user: [0, 0] for user in users}
        for account in accounts:
            required = days // max(account.kam_visit_interval_days, 1)
            if not required:
                continue
            figures = result[account.kam_user_id]
            figures[1] += 1
            figures[0] += done.get(account, 0) >= required
        return {user: tuple(figures) for user, figures in result.items()}
