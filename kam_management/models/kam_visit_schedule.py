from bisect import bisect_right
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

import pytz

from odoo import api, fields, models

from .cron_batch import process_per_company, schedule_todos, single_run
from .workflow import workflow


class KamVisit(models.Model):
    """The visit schedule over time: calendar events kept in step with the visits,
    missed visits, next week's plan, coverage."""

    _inherit = "kam.visit"

    # --- the day on the phone (issue 18) ----------------------------------
    address = fields.Char(
        compute="_compute_address_map", help="The account's address, on one line."
    )
    map_url = fields.Char(
        string="Directions",
        compute="_compute_address_map",
        help="Opens the maps application of the phone with the way to the account "
        "(its coordinates, else its address).",
    )
    next_visit_id = fields.Many2one(
        "kam.visit",
        string="Next",
        compute="_compute_next_visit_id",
        help="The KAM's next planned visit or call of the same day.",
    )
    next_visit_start = fields.Datetime(
        string="Next at", compute="_compute_next_visit_id"
    )

    @api.depends(
        "partner_id.street",
        "partner_id.zip",
        "partner_id.city",
        "partner_id.country_id",
        "partner_id.partner_latitude",
        "partner_id.partner_longitude",
    )
    def _compute_address_map(self):
        for visit in self:
            partner = visit.partner_id
            address = ", ".join(
                part.strip()
                for part in partner._display_address(without_company=True).split("\n")
                if part.strip()
            )
            visit.address = address or False
            if partner.partner_latitude or partner.partner_longitude:
                destination = (
                    f"{partner.partner_latitude:.6f},{partner.partner_longitude:.6f}"
                )
            else:
                destination = address
            visit.map_url = destination and (
                "https://www.google.com/maps/dir/?"
                + urlencode({"api": 1, "destination": destination})
            )

    @api.depends("date_start", "user_id", "state")
    @api.depends_context("uid")
    def _compute_next_visit_id(self):
        """One search for all: the planned visits of the same KAMs on the days
        of these visits (the KAM's days, in the KAM's time zone)."""
        self.next_visit_id = False
        self.next_visit_start = False
        visits = self.filtered(lambda v: v.date_start and v.user_id)
        if not visits:
            return
        following = self.search_fetch(
            [
                ("user_id", "in", visits.user_id.ids),
                ("state", "=", "planned"),
                ("date_start", ">=", min(visits.mapped("date_start"))),
                ("date_start", "<", max(visits.mapped("date_start")) + timedelta(1)),
            ],
            ["user_id", "date_start"],
            order="date_start, id",
        )
        by_user = {}
        for visit in following:
            by_user.setdefault(visit.user_id, []).append(visit)
        for visit in visits:
            candidates = by_user.get(visit.user_id, [])
            tz = pytz.timezone(visit.user_id.tz or "UTC")
            local = pytz.utc.localize(visit.date_start).astimezone(tz)
            day_end = (
                tz.localize(datetime.combine(local.date() + timedelta(1), time.min))
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
            )
            index = bisect_right(
                [(c.date_start, c.id) for c in candidates],
                (visit.date_start, visit._origin.id or 0),
            )
            nxt = next(
                (c for c in candidates[index:] if c != visit._origin),
                None,
            )
            if nxt and nxt.date_start < day_end:
                visit.next_visit_id = nxt
                visit.next_visit_start = nxt.date_start

    # --- calendar events ------------------------------------------------
    def _kam_follow_events(self, vals):
        if vals.get("state") in ("cancelled", "missed"):
            self._kam_drop_events()
        elif (
            vals.get("state") == "planned"
            or {
                "date_start",
                "duration",
                "user_id",
                "partner_id",
                "contact_id",
                "visit_type",
                "name",
            }
            & vals.keys()
        ):
            self._kam_sync_events()

    def _kam_event_vals(self):
        self.ensure_one()
        attendee = self.contact_id or self.partner_id
        return {
            "name": self.name,
            "start": self.date_start,
            "stop": self.date_end,
            "duration": self.duration,
            "user_id": self.user_id.id,
            "partner_ids": [(6, 0, (self.user_id.partner_id | attendee).ids)],
            "location": self.partner_id._display_address(without_company=True).replace(
                "\n", ", "
            )
            if self.visit_type == "visit"
            else False,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
        }

    def _kam_events(self):
        # visits are the KAM's; the events they own follow them (no e-mail to the
        # customer from an automatic planning)
        return self.env["calendar.event"].with_context(
            no_mail_to_attendees=True, mail_create_nosubscribe=True
        )

    def _kam_create_events(self):
        if not self:
            return
        events = self._kam_events().create([visit._kam_event_vals() for visit in self])
        for visit, event in zip(self, events, strict=True):
            visit.calendar_event_id = event

    def _kam_sync_events(self):
        for visit in self.filtered(lambda v: v.state == "planned"):
            if visit.calendar_event_id:
                visit.calendar_event_id.with_context(no_mail_to_attendees=True).write(
                    visit._kam_event_vals()
                )
            else:
                visit._kam_create_events()

    def _kam_drop_events(self):
        events = self.calendar_event_id
        if events:
            self.calendar_event_id = False
            events.with_context(no_mail_to_attendees=True).unlink()

    # --- crons ----------------------------------------------------------
    @api.model
    def _cron_mark_missed(self):
        """Planned visits past their end and the company's grace period are missed;
        their KAM gets an activity to reschedule."""
        now = fields.Datetime.now()
        with workflow():
            # each company has its own grace days
            process_per_company(
                self,
                [("state", "=", "planned")],
                lambda company: [
                    (
                        "date_end",
                        "<",
                        now - timedelta(days=company.kam_visit_grace_days),
                    )
                ],
                lambda visits: visits._kam_mark_missed(),
            )

    def _kam_mark_missed(self):
        self.write({"state": "missed"})
        schedule_todos(
            self,
            self.env._("Missed: reschedule"),
            lambda visit: visit.user_id,
            lambda visit: self.env._(
                "%(visit)s did not take place: plan it again.",
                visit=visit.display_name,
            ),
        )

    @api.model
    def _cron_plan_next_week(self):
        """Pre-plan next week for every KAM of the companies that ask for it; one
        run at a time (the planner reads the visits planned already: two runs at
        once would plan the same accounts twice)."""
        with single_run(self.env, "kam.visit._cron_plan_next_week") as alone:
            if alone:
                self._kam_plan_next_week()

    def _kam_plan_next_week(self):
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
        weeks = [
            (company, kam)
            for company in companies
            for (kam,) in kams
            if company in kam.company_ids
        ]
        # one KAM's week at a time, committed: a run that runs out of time goes on
        # where it stopped (the planner skips the accounts planned already)
        Planner = self.env["kam.visit.planner"]
        for done, (company, kam) in enumerate(weeks, start=1):
            planner = Planner.with_company(company).create(
                {"user_id": kam.id, "week_start": monday}
            )
            planner.action_propose()
            if planner.line_ids:  # nothing due, or planned already (a second run)
                planner.action_create_visits()
            if (
                self.env["ir.cron"]._commit_progress(1, remaining=len(weeks) - done)
                <= 0
            ):
                return

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
