from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date

from ..models import route_plan
from ..models.res_partner import KAM_MANAGER_GROUP, KAM_VISIT_DAY_FIELDS

FIRST_SLOT = time(9, 0)
SLOT_HOURS = 1.5
WORKING_DAYS = 5


def _located(partner):
    """Whether the partner has coordinates (0, 0 is the "not set" of Odoo)."""
    return bool(partner.partner_latitude or partner.partner_longitude)


def _points(lines):
    """The (lat, lon) of the lines' accounts that have coordinates."""
    return [
        (line.partner_id.partner_latitude, line.partner_id.partner_longitude)
        for line in lines
        if _located(line.partner_id)
    ]


class KamVisitPlanner(models.TransientModel):
    """Weekly planner (duty 2.2): a visit or call for every account due that week."""

    _name = "kam.visit.planner"
    _description = "Weekly Visit Planner"
    _inherit = ["kam.input.mixin"]

    user_id = fields.Many2one(
        "res.users",
        string="Key Account Manager",
        required=True,
        ondelete="cascade",
        default=lambda self: self._default_user_id(),
        domain="[('share', '=', False)]",
    )
    can_plan_others = fields.Boolean(
        compute="_compute_can_plan_others",
        help="A head of sales plans the week of any KAM; a KAM their own.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    week_start = fields.Date(
        string="Week of",
        required=True,
        default=lambda self: self._default_week_start(),
        help="The Monday of the week to plan.",
    )
    max_per_day = fields.Integer(
        string="Visits per Day",
        default=lambda self: self.env.company.kam_visit_max_per_day,
        required=True,
    )
    line_ids = fields.One2many(
        "kam.visit.planner.line", "planner_id", string="Proposals"
    )
    unplanned_count = fields.Integer(
        readonly=True, help="Accounts due this week that did not fit in the days."
    )
    proposal_note = fields.Char(readonly=True, help="Why the last proposal is empty.")
    coverage_note = fields.Char(compute="_compute_coverage_note")
    # the route (issue 18): distances of the proposal as the lines stand now
    baseline_km = fields.Float(
        string="Overdue-first Plan (km)",
        digits=(16, 1),
        readonly=True,
        help="The same accounts planned day after day from the most overdue, as the "
        "planner used to: the distance the route is compared with.",
    )
    route_km = fields.Float(
        string="Route (km)",
        digits=(16, 1),
        compute="_compute_route",
        help="Estimated great-circle distance of the proposed visits, day by day, "
        "from the start point and back.",
    )
    saving_km = fields.Float(
        string="Saving (km)", digits=(16, 1), compute="_compute_route"
    )
    route_summary = fields.Html(compute="_compute_route", sanitize=False)
    has_start = fields.Boolean(compute="_compute_route")

    @api.model
    def _default_user_id(self):
        """A KAM plans their own week. A head of sales plans his own when he has
        key accounts (and opened his own planner), else the week of a KAM of the teams
        he leads: the first by name with key accounts; none when he leads no team
        (he picks one)."""
        user = self.env.user
        if not user.has_group(KAM_MANAGER_GROUP):
            return user
        Partner = self.env["res.partner"]
        account_domain = [("is_key_account", "=", True), ("is_company", "=", True)]
        if not self.env.context.get("kam_planner_any_user") and Partner.search_count(
            [*account_domain, ("kam_user_id", "=", user.id)], limit=1
        ):
            return user
        team = self.env["kam.visit"]._kam_team_users()
        [(with_accounts,)] = Partner._read_group(
            [*account_domain, ("kam_user_id", "in", team.ids)],
            aggregates=["kam_user_id:recordset"],
        )
        return (with_accounts or team).sorted("name")[:1]

    @api.model
    def _default_week_start(self):
        today = fields.Date.context_today(self)
        return today + timedelta(days=7 - today.weekday())

    @api.depends("user_id", "week_start")
    def _compute_coverage_note(self):
        for planner in self:
            if not planner.user_id or not planner.week_start:
                planner.coverage_note = False
                continue
            date_to = planner.week_start - timedelta(days=1)
            date_from = date_to - timedelta(days=27)
            covered, due = self.env["kam.visit"]._kam_coverage(
                planner.user_id, date_from, date_to
            )[planner.user_id]
            planner.coverage_note = self.env._(
                "Last 4 weeks: %(covered)s of %(due)s accounts visited as often as "
                "their cadence asks.",
                covered=covered,
                due=due,
            )

    @api.depends(
        "line_ids.date_start",
        "line_ids.selected",
        "line_ids.visit_type",
        "line_ids.partner_id",
        "user_id",
        "company_id",
        "baseline_km",
    )
    def _compute_route(self):
        for planner in self:
            start = planner._kam_route_start()
            days = planner._kam_route_days()
            rows, total = [], 0.0
            for date, lines in days.items():
                visits = lines.filtered(lambda line: line.visit_type == "visit")
                distance = route_plan.route_km(start, _points(visits))
                total += distance
                rows.append(
                    Markup(
                        "<tr><td>%s</td><td class='text-end'>%s</td>"
                        "<td class='text-end'>%s</td><td class='text-end'>%s</td>"
                        "<td class='text-end'>%s</td></tr>"
                    )
                    % (
                        format_date(self.env, date, date_format="EEE d MMM"),
                        len(visits),
                        len(lines) - len(visits),
                        len(visits.filtered("no_location")) or "",
                        f"{distance:.1f}",
                    )
                )
            planner.route_km = total
            planner.saving_km = planner.baseline_km - total if days else 0.0
            planner.has_start = bool(start)
            planner.route_summary = rows and Markup(
                "<table class='table table-sm mb-0'><thead><tr><th>%s</th>"
                "<th class='text-end'>%s</th><th class='text-end'>%s</th>"
                "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr>"
                "</thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Day"),
                self.env._("Visits"),
                self.env._("Calls"),
                self.env._("No location"),
                self.env._("km"),
                Markup().join(rows),
            )

    def _kam_route_days(self):
        """{local date: the selected lines of that day in travel order}."""
        self.ensure_one()
        tz = pytz.timezone(self.user_id.tz or "UTC")
        days = {}
        for line in self.line_ids.filtered("selected").sorted(
            lambda line: line.date_start or datetime.max
        ):
            if line.date_start:
                date = self._kam_local(line.date_start, tz).date()
                days[date] = days.get(date, line.browse()) | line
        return dict(sorted(days.items()))

    @api.depends_context("uid")
    def _compute_can_plan_others(self):
        user = self.env.user
        self.can_plan_others = user._is_superuser() or user.has_group(KAM_MANAGER_GROUP)

    def _check_planner_rights(self):
        # the user, not env.su: constraints run as superuser for the same user
        user = self.env.user
        if user._is_superuser() or user.has_group(KAM_MANAGER_GROUP):
            return
        if any(planner.user_id != user for planner in self):
            raise AccessError(
                self.env._("Only a head of sales plans the week of another KAM.")
            )

    @api.constrains("user_id")
    def _check_user(self):
        self._check_planner_rights()

    @api.constrains("max_per_day")
    def _check_max_per_day(self):
        if any(planner.max_per_day <= 0 for planner in self):
            raise ValidationError(self.env._("Plan at least one visit a day."))

    def write(self, vals):
        # wizards have no record rules: the week of another KAM is not for a KAM
        self._check_planner_rights()
        return super().write(vals)

    def action_propose(self):
        """Propose the week: the due accounts grouped into days by location and
        ordered by travel (models/route_plan.py), around the visits planned
        already."""
        self.ensure_one()
        self._check_planner_rights()
        if self.max_per_day <= 0:
            raise UserError(self.env._("Plan at least one visit a day."))
        week_start = self.week_start - timedelta(days=self.week_start.weekday())
        week_end = week_start + timedelta(days=6)
        accounts = self.env["res.partner"].search_fetch(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_user_id", "=", self.user_id.id),
                ("company_id", "in", [False, self.company_id.id]),
                ("kam_next_visit_date", "<=", week_end),
            ],
            [
                "kam_next_visit_date",
                "kam_tier",
                "name",
                "partner_latitude",
                "partner_longitude",
                *KAM_VISIT_DAY_FIELDS,
            ],
            order="kam_next_visit_date, kam_tier, name",
        )
        tz = pytz.timezone(self.user_id.tz or "UTC")
        week = self._kam_week_visits(accounts, week_start, tz)
        todo = accounts - week.partner_id
        self.proposal_note = not todo and self._kam_empty_proposal_note(accounts)
        # the KAM's own visits that week fill their days already
        fixed = {}
        for visit in week.filtered(lambda v: v.user_id == self.user_id):
            day = self._kam_local(visit.date_start, tz).date()
            if week_start <= day < week_start + timedelta(days=WORKING_DAYS):
                fixed.setdefault((day - week_start).days, []).append(visit)
        capacity = [
            max(self.max_per_day - len(fixed.get(day, ())), 0)
            for day in range(WORKING_DAYS)
        ]
        # sudo: the accounts the user's search returned, read without a field
        # access check per record and field
        stops = [
            route_plan.Stop(
                key=account.id,
                lat=account.partner_latitude if _located(account) else None,
                lon=account.partner_longitude if _located(account) else None,
                # strategic and regular accounts are visited, tier C is called
                call=account.kam_tier == "c",
                days=account._kam_visit_weekdays(),
            )
            for account in todo.sudo()
        ]
        start = self._kam_route_start()
        anchors = {
            day: [
                (v.partner_id.partner_latitude, v.partner_id.partner_longitude)
                for v in visits
                if v.visit_type == "visit" and _located(v.partner_id)
            ]
            for day, visits in fixed.items()
        }
        plan = route_plan.plan_week(stops, capacity, start, anchors)
        unplanned = set(plan.unplanned)
        baseline = route_plan.overdue_first(
            [stop for stop in stops if stop.key not in unplanned], capacity, start
        )
        vals_list = []
        for day, keys in enumerate(plan.days):
            date = week_start + timedelta(days=day)
            slots = self._kam_free_slots(date, fixed.get(day, ()), len(keys), tz)
            for key, slot in zip(keys, slots, strict=True):
                account = todo.browse(key)
                vals_list.append(
                    {
                        "planner_id": self.id,
                        "partner_id": key,
                        "visit_type": "call" if account.kam_tier == "c" else "visit",
                        "date_start": tz.localize(slot)
                        .astimezone(pytz.utc)
                        .replace(tzinfo=None),
                        "selected": True,
                    }
                )
        self.line_ids.unlink()
        self.env["kam.visit.planner.line"].create(vals_list)
        self.unplanned_count = len(unplanned)
        self.baseline_km = baseline.total_km
        return self._reopen()

    def _kam_week_visits(self, accounts, week_start, tz):
        """The visits of the week planned or done already: of these accounts (not
        proposed again) or of the KAM (they fill their days)."""
        week_start_utc = tz.localize(datetime.combine(week_start, time.min))
        # sudo: a head of sales plans another KAM's week; only which accounts and
        # days are taken is read
        return (
            self.env["kam.visit"]
            .sudo()
            .search_fetch(
                [
                    "|",
                    ("partner_id", "in", accounts.ids),
                    ("user_id", "=", self.user_id.id),
                    ("state", "in", ("planned", "done")),
                    (
                        "date_start",
                        ">=",
                        week_start_utc.astimezone(pytz.utc).replace(tzinfo=None),
                    ),
                    (
                        "date_start",
                        "<",
                        (week_start_utc + timedelta(days=7))
                        .astimezone(pytz.utc)
                        .replace(tzinfo=None),
                    ),
                ],
                ["partner_id", "user_id", "date_start", "date_end", "visit_type"],
            )
        )

    @staticmethod
    def _kam_local(value, tz):
        return pytz.utc.localize(value).astimezone(tz).replace(tzinfo=None)

    def _kam_free_slots(self, date, fixed, count, tz):
        """``count`` local start times on ``date``, every SLOT_HOURS from
        FIRST_SLOT, around the visits planned already that day."""
        taken = [
            (self._kam_local(v.date_start, tz), self._kam_local(v.date_end, tz))
            for v in fixed
        ]
        slots, index = [], 0
        while len(slots) < count:
            begin = datetime.combine(date, FIRST_SLOT) + timedelta(
                hours=SLOT_HOURS * index
            )
            end = begin + timedelta(hours=SLOT_HOURS)
            if not any(b < end and begin < e for b, e in taken):
                slots.append(begin)
            index += 1
        return slots

    def _kam_route_start(self):
        """Where the KAM's days start: the KAM's own address when it has
        coordinates, else the company's (Settings > Key Accounts); none without."""
        # sudo: the coordinates only, of the KAM's and the company's contacts
        for partner in (self.user_id.partner_id.sudo(), self.company_id.partner_id):
            if _located(partner):
                return (partner.partner_latitude, partner.partner_longitude)
        return None

    def _kam_empty_proposal_note(self, due):
        """Why nothing is proposed: no accounts, none due, or all planned already."""
        kam = self.user_id.name
        if due:
            return self.env._(
                "All %(count)s accounts of %(kam)s due this week have a visit planned "
                "already.",
                count=len(due),
                kam=kam,
            )
        rows = self.env["res.partner"]._read_group(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_user_id", "=", self.user_id.id),
                ("company_id", "in", [False, self.company_id.id]),
            ],
            aggregates=["__count", "kam_next_visit_date:min"],
        )
        [(count, next_date)] = rows
        if not count:
            return self.env._(
                "%(kam)s has no key accounts assigned in %(company)s: a head of sales "
                "assigns them (Key Account Manager on the account).",
                kam=kam,
                company=self.company_id.name,
            )
        return self.env._(
            "None of the %(count)s accounts of %(kam)s is due this week: the next "
            "visit is due on %(next)s. Plan that week instead.",
            count=count,
            kam=kam,
            next=format_date(self.env, next_date),
        )

    def action_create_visits(self):
        self.ensure_one()
        self._check_planner_rights()
        lines = self.line_ids.filtered("selected")
        if not lines:
            raise UserError(self.env._("Nothing to plan: propose the week first."))
        visits = self.env["kam.visit"].create(
            [
                {
                    "partner_id": line.partner_id.id,
                    "visit_type": line.visit_type,
                    "date_start": line.date_start,
                    "duration": line.duration,
                    "user_id": self.user_id.id,
                    "company_id": self.company_id.id,
                }
                for line in lines
            ]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_visit_action"
        )
        action["domain"] = [("id", "in", visits.ids)]
        action["context"] = {"initial_date": fields.Date.to_string(self.week_start)}
        return action

    def _reopen(self):
        # the dialog keeps its title (an action without a name reads "Odoo")
        name = (
            self.env._("Plan the Week")
            if self.user_id == self.env.user
            else self.env._("Plan the Week of %(kam)s", kam=self.user_id.name)
        )
        return {
            "name": name,
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }


class KamVisitPlannerLine(models.TransientModel):
    _name = "kam.visit.planner.line"
    _description = "Weekly Visit Planner Proposal"
    _inherit = ["kam.input.mixin"]
    _order = "date_start, id"

    planner_id = fields.Many2one("kam.visit.planner", required=True, ondelete="cascade")
    selected = fields.Boolean(
        string="Include",
        default=True,
        help="On: Create Visits plans this visit. Off: the account is left out of "
        "this week's plan.",
    )
    partner_id = fields.Many2one("res.partner", string="Key Account", required=True)
    visit_type = fields.Selection(
        [("visit", "Visit"), ("call", "Call")],
        string="Type",
        required=True,
        default="visit",
    )
    date_start = fields.Datetime(string="Start", required=True)
    duration = fields.Float(default=1.0, help="Planned duration in hours.")
    # the route: move a line to another day or time and these follow
    stop_number = fields.Integer(
        string="#", compute="_compute_route_stop", help="Order in the day."
    )
    leg_km = fields.Float(
        string="km",
        digits=(16, 1),
        compute="_compute_route_stop",
        help="From the previous visit of the day (the start point for the first).",
    )
    no_location = fields.Boolean(
        compute="_compute_route_stop",
        help="The account has no coordinates: planned, but not on the route (set its "
        "location from the phone at the client's door).",
    )

    @api.depends(
        "planner_id.line_ids.date_start",
        "planner_id.line_ids.selected",
        "planner_id.line_ids.visit_type",
        "partner_id",
    )
    def _compute_route_stop(self):
        self.stop_number = 0
        self.leg_km = 0.0
        for line in self:
            line.no_location = line.visit_type == "visit" and not _located(
                line.partner_id
            )
        for planner in self.planner_id:
            start = planner._kam_route_start()
            for lines in planner._kam_route_days().values():
                here = start
                for number, line in enumerate(lines, start=1):
                    if line not in self:
                        continue
                    line.stop_number = number
                    if line.visit_type == "visit" and _located(line.partner_id):
                        there = _points(line)[0]
                        line.leg_km = route_plan.km(here, there) if here else 0.0
                        here = there

    @api.constrains("duration")
    def _check_duration(self):
        if any(not 0 < line.duration <= 24 for line in self):
            raise ValidationError(
                self.env._("A visit lasts more than 0 and at most 24 hours.")
            )

    @api.constrains("planner_id", "partner_id")
    def _check_partner(self):
        self.planner_id._check_planner_rights()
        for line in self:
            # sudo: reads whose account it is, to refuse another KAM's
            account, kam = line.partner_id.sudo(), line.planner_id.user_id
            if not account.is_key_account or account.kam_user_id != kam:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is not a key account of %(kam)s.",
                        partner=account.display_name,
                        kam=kam.name,
                    )
                )

    def write(self, vals):
        self.planner_id._check_planner_rights()
        return super().write(vals)
