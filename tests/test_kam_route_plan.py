"""Issue 18: weekly plans that follow the map (grouping by location, travel order,
fixed visits, preferred days), the day view on the phone and the account's location."""

import random
import time as timer
from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, Form, freeze_time, tagged

from odoo.addons.kam_management.models import route_plan
from odoo.addons.kam_management.models.route_plan import Stop

from .common import KamCommon

HANNOVER = (52.3759, 9.7320)
HAMBURG = (53.5511, 9.9937)
MUNICH = (48.1351, 11.5820)


def _city(key, centre, index, **kwargs):
    """An account a few hundred metres from a city centre."""
    return Stop(
        key=key,
        lat=centre[0] + 0.004 * (index % 3),
        lon=centre[1] + 0.005 * (index // 3),
        **kwargs,
    )


def _interleaved():
    """Eight accounts, most overdue first, alternating Hamburg and Munich."""
    return [_city(key, HAMBURG if key % 2 else MUNICH, key // 2) for key in range(1, 9)]


@tagged("post_install", "-at_install", "kam")
class TestRoutePlan(BaseCase):
    """models/route_plan.py alone: no database."""

    def _city_of(self, stop):
        return "hamburg" if abs(stop.lat - HAMBURG[0]) < 1 else "munich"

    def test_two_distant_cities_end_up_on_different_days(self):
        stops = _interleaved()
        plan = route_plan.plan_week(stops, [4] * 5, HANNOVER)
        by_key = {stop.key: stop for stop in stops}
        used = [day for day in plan.days if day]
        self.assertEqual(len(used), 2)
        for day in used:
            self.assertEqual(len({self._city_of(by_key[key]) for key in day}), 1)
        self.assertEqual(plan.unplanned, [])

    def test_shorter_than_the_overdue_first_plan(self):
        stops = _interleaved()
        plan = route_plan.plan_week(stops, [4] * 5, HANNOVER)
        baseline = route_plan.overdue_first(stops, [4] * 5, HANNOVER)
        # the old plan goes to both cities on both days
        self.assertGreater(baseline.total_km, 3000)
        self.assertLess(plan.total_km, baseline.total_km / 2)
        # a day's km is the round trip from the start point in the given order
        day = next(day for day in plan.days if day)
        by_key = {stop.key: stop for stop in stops}
        self.assertAlmostEqual(
            plan.km[plan.days.index(day)],
            route_plan.route_km(
                HANNOVER, [(by_key[k].lat, by_key[k].lon) for k in day]
            ),
        )

    def test_travel_order_within_a_day(self):
        # on a line north of the start, given in a zigzag order
        stops = [
            Stop(key=key, lat=HANNOVER[0] + 0.1 * step, lon=HANNOVER[1])
            for key, step in ((1, 3), (2, 1), (3, 4), (4, 2))
        ]
        self.assertEqual(
            [stop.key for stop in route_plan.order_route(HANNOVER, stops)],
            [2, 4, 1, 3],
        )

    def test_most_overdue_kept_and_daily_maximum(self):
        rng = random.Random(5)
        stops = [
            Stop(key=key, lat=50 + rng.uniform(-1, 1), lon=10 + rng.uniform(-1, 1))
            for key in range(1, 13)
        ]
        plan = route_plan.plan_week(stops, [2] * 5, HANNOVER)
        self.assertEqual(plan.unplanned, [11, 12])
        self.assertTrue(all(len(day) <= 2 for day in plan.days))
        self.assertEqual(
            sorted(k for day in plan.days for k in day), list(range(1, 11))
        )

    def test_preferred_days_respected(self):
        stops = [
            *_interleaved(),
            _city(20, MUNICH, 1, days=frozenset({4})),
            _city(21, HAMBURG, 2, days=frozenset({1, 3})),
        ]
        plan = route_plan.plan_week(stops, [3] * 5, HANNOVER)
        self.assertIn(20, plan.days[4])
        self.assertTrue(21 in plan.days[1] or 21 in plan.days[3])
        # a full week keeps room for the account that may only come on Friday
        crowded = [_city(30, MUNICH, 0, days=frozenset({4}))]
        crowded += [_city(key, HAMBURG, key) for key in range(1, 16)]
        plan = route_plan.plan_week(crowded, [3] * 5, HANNOVER)
        self.assertIn(30, plan.days[4])
        self.assertEqual(plan.unplanned, [15])

    def test_calls_and_accounts_without_location_fill_the_gaps(self):
        stops = [
            Stop(key=1),  # no coordinates
            Stop(key=2, lat=HAMBURG[0], lon=HAMBURG[1], call=True),
            *[_city(key, MUNICH, key) for key in range(3, 6)],
        ]
        plan = route_plan.plan_week(stops, [3, 3], HANNOVER)
        self.assertEqual(plan.unplanned, [])
        munich_day = next(d for d, day in enumerate(plan.days) if 3 in day)
        self.assertEqual(set(plan.days[munich_day]), {3, 4, 5})
        self.assertEqual(set(plan.days[1 - munich_day]), {1, 2})
        # a call and an account without a location need no travel
        self.assertEqual(plan.km[1 - munich_day], 0.0)

    def test_visits_planned_already_anchor_their_day(self):
        stops = _interleaved()
        # Wednesday has a visit in Munich already, and room for 3 more
        plan = route_plan.plan_week(
            stops, [4, 4, 3, 4, 4], HANNOVER, anchors={2: [MUNICH]}
        )
        by_key = {stop.key: stop for stop in stops}
        self.assertEqual(len(plan.days[2]), 3)
        self.assertEqual(
            {self._city_of(by_key[key]) for key in plan.days[2]}, {"munich"}
        )

    def test_deterministic(self):
        rng = random.Random(9)
        stops = [
            Stop(
                key=key,
                lat=round(50 + rng.uniform(-2, 2), 1),  # ties on purpose
                lon=round(10 + rng.uniform(-2, 2), 1),
                call=key % 7 == 0,
                days=frozenset({key % 5}) if key % 11 == 0 else frozenset(),
            )
            for key in range(1, 101)
        ]
        first = route_plan.plan_week(stops, [5] * 5, HANNOVER)
        second = route_plan.plan_week(list(stops), [5] * 5, HANNOVER)
        self.assertEqual(first.days, second.days)
        self.assertEqual(first.unplanned, second.unplanned)
        self.assertEqual(first.km, second.km)

    def test_hundred_accounts_are_fast(self):
        rng = random.Random(3)
        stops = [
            Stop(key=key, lat=50 + rng.uniform(-2, 2), lon=10 + rng.uniform(-2, 2))
            for key in range(1, 101)
        ]
        began = timer.perf_counter()
        plan = route_plan.plan_week(stops, [20] * 5, HANNOVER)
        elapsed = timer.perf_counter() - began
        self.assertEqual(sum(len(day) for day in plan.days), 100)
        # measured: about 15 ms; the bench's goal is 40 ms a KAM, queries included
        self.assertLess(elapsed, 0.5)


class RouteCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the routes start at the company's address (Settings > Key Accounts)
        cls.env.company.write(
            {
                "kam_route_start_latitude": HANNOVER[0],
                "kam_route_start_longitude": HANNOVER[1],
            }
        )
        # account_1 is not part of these weeks
        cls.account_1.kam_user_id = cls.kam_2
        cls.kam_1.tz = "Europe/Berlin"

    @classmethod
    def _accounts(cls, count=8):
        """Accounts of kam_1, due, in Hamburg and Munich alternately by name."""
        return cls.env["res.partner"].create(
            [
                {
                    "name": f"Route {index:02d}",
                    "is_company": True,
                    "is_key_account": True,
                    "kam_user_id": cls.kam_1.id,
                    "kam_tier": "a",
                    "partner_latitude": (HAMBURG if index % 2 else MUNICH)[0]
                    + 0.003 * index,
                    "partner_longitude": (HAMBURG if index % 2 else MUNICH)[1],
                }
                for index in range(1, count + 1)
            ]
        )

    def _planner(self, user=None, **vals):
        user = user or self.kam_1
        today = fields.Date.today()
        return (
            self.env["kam.visit.planner"]
            .with_user(user)
            .create(
                {
                    "user_id": self.kam_1.id,
                    "week_start": today + timedelta(days=7 - today.weekday()),
                    **vals,
                }
            )
        )

    def _days(self, planner):
        days = {}
        for line in planner.line_ids.sorted("date_start"):
            days.setdefault(line.date_start.date(), []).append(line)
        return days


@tagged("post_install", "-at_install", "kam")
@freeze_time("2026-06-10 12:00:00")
class TestKamRoutePlanner(RouteCommon):
    def test_days_in_one_area_in_travel_order(self):
        accounts = self._accounts()
        planner = self._planner(max_per_day=4)
        planner.action_propose()
        self.assertEqual(planner.line_ids.partner_id, accounts)
        days = self._days(planner)
        self.assertEqual(len(days), 2)
        for lines in days.values():
            latitudes = {round(line.partner_id.partner_latitude) for line in lines}
            self.assertEqual(len(latitudes), 1, "one city a day")
            self.assertEqual([line.stop_number for line in lines], [1, 2, 3, 4])
            # in travel order: the first leg is from the start point
            self.assertGreater(lines[0].leg_km, 100)
            self.assertTrue(all(line.leg_km < 5 for line in lines[1:]))
        # the overdue-first plan (by name: Hamburg, Munich, Hamburg...) crosses
        # Germany on both days; the saving is shown
        self.assertGreater(planner.baseline_km, 3000)
        self.assertLess(planner.route_km, 1500)
        self.assertAlmostEqual(
            planner.saving_km, planner.baseline_km - planner.route_km
        )
        self.assertIn("km", planner.route_summary)
        self.assertTrue(planner.has_start)

    def test_moving_a_line_moves_the_route(self):
        self._accounts()
        planner = self._planner(max_per_day=4)
        planner.action_propose()
        before = planner.route_km
        days = list(self._days(planner).values())
        # a Munich visit moved to the Hamburg day: both cities that day
        moved = days[1][0]
        with Form(planner.with_user(self.kam_1)) as form:
            index = planner.line_ids.ids.index(moved.id)
            with form.line_ids.edit(index) as line:
                line.date_start = days[0][-1].date_start + timedelta(hours=2)
        self.assertEqual(moved.date_start.date(), days[0][0].date_start.date())
        self.assertEqual(moved.stop_number, 5)
        self.assertGreater(planner.route_km, before + 200)
        self.assertLess(planner.saving_km, planner.baseline_km - before)

    def test_accounts_without_coordinates_are_planned_and_flagged(self):
        accounts = self._accounts(4)
        nowhere = self._key_account("Nowhere", self.kam_1, tier="a")
        called = self._key_account("Called", self.kam_1, tier="c")
        planner = self._planner(max_per_day=4)
        planner.action_propose()
        self.assertEqual(planner.line_ids.partner_id, accounts | nowhere | called)
        line = planner.line_ids.filtered(lambda line: line.partner_id == nowhere)
        self.assertTrue(line.no_location)
        self.assertEqual(line.visit_type, "visit")
        call = planner.line_ids.filtered(lambda line: line.partner_id == called)
        self.assertEqual(call.visit_type, "call")
        self.assertFalse(call.no_location)
        self.assertIn("No location", planner.route_summary)

    def test_preferred_days_respected(self):
        accounts = self._accounts()
        friday, tuesday = accounts[0], accounts[1]
        friday.with_user(self.kam_1).kam_visit_friday = True
        tuesday.with_user(self.kam_1).write(
            {"kam_visit_tuesday": True, "kam_visit_thursday": True}
        )
        planner = self._planner(max_per_day=4)
        planner.action_propose()
        lines = {line.partner_id: line for line in planner.line_ids}
        self.assertEqual(lines[friday].date_start.weekday(), 4)
        self.assertIn(lines[tuesday].date_start.weekday(), (1, 3))

    def test_visits_planned_already_stay(self):
        accounts = self._accounts()
        monday = self._planner().week_start
        fixed = (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": accounts[0].id,
                    "user_id": self.kam_1.id,
                    # Tuesday 9:00 in Berlin
                    "date_start": datetime.combine(
                        monday + timedelta(days=1), time(7, 0)
                    ),
                }
            )
        )
        planner = self._planner(max_per_day=2)
        planner.action_propose()
        self.assertNotIn(accounts[0], planner.line_ids.partner_id)
        tuesday = [
            line
            for line in planner.line_ids
            if line.date_start.date() == monday + timedelta(days=1)
        ]
        # the daily maximum counts the visit planned already, and its slot is kept
        self.assertEqual(len(tuesday), 1)
        self.assertNotEqual(tuesday[0].date_start, fixed.date_start)
        # the day starts from where it goes already (Hamburg)
        self.assertAlmostEqual(
            tuesday[0].partner_id.partner_latitude, HAMBURG[0], delta=0.1
        )
        self.assertEqual(fixed.state, "planned")
        self.assertEqual(fixed.date_start.date(), monday + timedelta(days=1))

    def test_deterministic_and_created_as_proposed(self):
        self._accounts()
        first = self._planner(max_per_day=3)
        first.action_propose()
        second = self._planner(max_per_day=3)
        second.action_propose()
        proposal = [(line.partner_id, line.date_start) for line in first.line_ids]
        self.assertEqual(
            proposal, [(line.partner_id, line.date_start) for line in second.line_ids]
        )
        action = first.action_create_visits()
        visits = self.env["kam.visit"].search(action["domain"])
        self.assertEqual(
            sorted((v.partner_id.id, v.date_start) for v in visits),
            sorted((p.id, d) for p, d in proposal),
        )

    def test_head_of_sales_plans_the_route_of_a_kam(self):
        accounts = self._accounts(4)
        planner = self._planner(user=self.head, max_per_day=4)
        planner.action_propose()
        self.assertEqual(planner.line_ids.partner_id, accounts)
        for lines in self._days(planner).values():
            self.assertEqual(len(lines), 2)
            self.assertEqual(
                len({round(line.partner_id.partner_latitude) for line in lines}), 1
            )

    def test_query_count_with_coordinates(self):
        """The route adds no query per account: 10 and 100 accounts cost the same,
        and 100 stay well within the benchmark's 40 ms a KAM."""
        rng = random.Random(1)
        kam_3 = self.env["res.users"].create(
            {
                "name": "KAM 3",
                "login": "kam_3_route",
                "group_ids": [(6, 0, self.kam_1.group_ids.ids)],
            }
        )
        for kam, count in ((self.kam_1, 10), (kam_3, 100)):
            self.env["res.partner"].create(
                [
                    {
                        "name": f"{kam.login} {i}",
                        "is_company": True,
                        "is_key_account": True,
                        "kam_user_id": kam.id,
                        "partner_latitude": 50 + rng.uniform(-2, 2),
                        "partner_longitude": 10 + rng.uniform(-2, 2),
                        "kam_visit_friday": i % 9 == 0,
                    }
                    for i in range(count)
                ]
            )

        def measure(kam):
            planner = (
                self.env["kam.visit.planner"]
                .with_user(kam)
                .create(
                    {
                        "user_id": kam.id,
                        "week_start": fields.Date.today() + timedelta(days=5),
                        "max_per_day": 25,
                    }
                )
            )
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            began = timer.perf_counter()
            planner.action_propose()
            self.env.flush_all()
            elapsed = timer.perf_counter() - began
            return self.env.cr.sql_log_count - before, len(planner.line_ids), elapsed

        measure(self.kam_1)
        measure(kam_3)
        few, lines_few, _elapsed = measure(self.kam_1)
        many, lines_many, elapsed = measure(kam_3)
        self.assertEqual((lines_few, lines_many), (10, 100))
        self.assertEqual(few, many, "the route must not query per account")
        self.assertLess(elapsed, 2.0)


@tagged("post_install", "-at_install", "kam")
class TestKamDayView(RouteCommon):
    def _visit(self, hour, user=None, account=None, **vals):
        user = user or self.kam_1
        return (
            self.env["kam.visit"]
            .with_user(user)
            .create(
                {
                    "partner_id": (account or self.route_accounts[0]).id,
                    "user_id": user.id,
                    "date_start": datetime.combine(fields.Date.today(), time(hour)),
                    **vals,
                }
            )
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kam_1.tz = "UTC"
        cls.route_accounts = cls._accounts(3)
        cls.route_accounts[2].write(
            {
                "partner_latitude": 0.0,
                "partner_longitude": 0.0,
                "street": "Hafenstrasse 1",
                "city": "Hamburg",
            }
        )

    def test_next_visit_and_map_link(self):
        first = self._visit(8, account=self.route_accounts[0])
        second = self._visit(10, account=self.route_accounts[1])
        third = self._visit(13, account=self.route_accounts[2], visit_type="call")
        tomorrow = self._visit(8, account=self.route_accounts[0])
        tomorrow.date_start += timedelta(days=1)
        # kam_2's visit at 9 is not kam_1's next
        self._visit(9, user=self.kam_2, account=self.account_1)
        cancelled = self._visit(9, account=self.route_accounts[1])
        cancelled.action_cancel()
        visits = (first | second | third | tomorrow).with_user(self.kam_1)
        self.assertEqual(visits[0].next_visit_id, second)
        self.assertEqual(visits[0].next_visit_start, second.date_start)
        self.assertEqual(visits[1].next_visit_id, third)
        self.assertFalse(visits[2].next_visit_id, "the last of the day")
        self.assertFalse(visits[3].next_visit_id)
        partner = self.route_accounts[0]
        self.assertEqual(
            visits[0].map_url,
            "https://www.google.com/maps/dir/?api=1&destination="
            f"{partner.partner_latitude:.6f}%2C{partner.partner_longitude:.6f}",
        )
        # without coordinates, the way to the address
        self.assertIn("Hafenstrasse+1", visits[2].map_url)
        self.assertIn("Hamburg", visits[2].address)
        # a head of sales sees the same chain
        self.assertEqual(first.with_user(self.head).next_visit_id, second)

    def test_today_opens_the_day_view_in_travel_order(self):
        action = (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            ._kam_role_action("kam_management.kam_visit_action_today")
        )
        view = self.env.ref("kam_management.kam_visit_view_kanban_day")
        self.assertEqual(action["views"][0], (view.id, "kanban"))
        arch = view.arch
        self.assertIn('default_order="date_start, id"', arch)
        for name in ("map_url", "address", "next_visit_id", "kam_visit_check_in"):
            self.assertIn(name, arch)


@tagged("post_install", "-at_install", "kam")
class TestKamAccountLocation(RouteCommon):
    def test_kam_sets_the_location_of_own_account_from_the_phone(self):
        # BaseCommon disables tracking in tests: this one is about tracking
        account = self.account_2.with_context(
            tracking_disable=False, mail_notrack=False
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        account.with_user(self.kam_2).action_kam_set_location(
            latitude=48.2082, longitude=16.3738
        )
        self.assertAlmostEqual(account.partner_latitude, 48.2082)
        self.assertAlmostEqual(account.partner_longitude, 16.3738)
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = account.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("partner_latitude", tracked)
        # and a head of sales
        account.with_user(self.head).action_kam_set_location(
            latitude=48.0, longitude=16.0
        )
        self.assertAlmostEqual(account.partner_latitude, 48.0)

    def test_others_cannot_set_the_location(self):
        account = self.account_2
        with self.assertRaises(AccessError):
            account.with_user(self.kam_1).action_kam_set_location(
                latitude=48.0, longitude=16.0
            )
        with self.assertRaises(AccessError):
            account.with_user(self.kam_1).write({"partner_latitude": 48.0})
        with self.assertRaises(AccessError):
            account.with_user(self.support).action_kam_set_location(
                latitude=48.0, longitude=16.0
            )
        with self.assertRaises(AccessError):
            account.with_user(self.support).write({"partner_longitude": 16.0})
        self.assertEqual(account.partner_latitude, 0.0)

    def test_bad_coordinates_refused(self):
        account = self.account_2.with_user(self.kam_2)
        with self.assertRaisesMessage(UserError, "latitude -90..90"):
            account.action_kam_set_location(latitude=91.0, longitude=16.0)
        with self.assertRaisesMessage(UserError, "latitude -90..90"):
            account.action_kam_set_location(latitude="north", longitude=16.0)
        with self.assertRaisesMessage(UserError, "no position"):
            account.action_kam_set_location()
        with self.assertRaisesMessage(ValidationError, "between -90 and 90"):
            account.write({"partner_latitude": 90.5})
        with self.assertRaisesMessage(ValidationError, "between -180 and 180"):
            account.write({"partner_longitude": -181.0})
        with self.assertRaisesMessage(ValidationError, "between -90 and 90"):
            self.env.company.write({"kam_route_start_latitude": -95.0})
        with self.assertRaises(ValidationError):
            self.plain_contact().action_kam_set_location(latitude=1.0, longitude=1.0)

    def plain_contact(self):
        return self.env["res.partner"].create({"name": "Not a key account"})
