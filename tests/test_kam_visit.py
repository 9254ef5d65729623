from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import KamCommon

METRES_PER_DEGREE_LAT = 111194.93  # on the haversine sphere of 6371 km


class KamVisitCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact_1 = cls.env["res.partner"].create(
            {"name": "Buyer One", "parent_id": cls.account_1.id}
        )
        # visits of today, whatever the day the test runs
        cls.visit_start = datetime.combine(fields.Date.today(), time(9, 0))

    def _visit(self, user=None, **vals):
        user = user or self.kam_1
        return (
            self.env["kam.visit"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.account_1.id,
                    "user_id": user.id,
                    "date_start": self.visit_start,
                    **vals,
                }
            )
        )


@tagged("post_install", "-at_install", "kam")
class TestKamVisitCadence(KamVisitCommon):
    def test_last_and_next_visit(self):
        day0 = fields.Date.today() - timedelta(days=60)

        def at_nine(days):
            return datetime.combine(day0 + timedelta(days=days), time(9, 0))

        with freeze_time(day0):
            account = self._key_account("Cadence Co", self.kam_1, tier="a")
            account.flush_recordset()  # stored computes run at flush: today is day0
        self.assertEqual(account.kam_next_visit_date, day0, "never visited")
        visit = self._visit(partner_id=account.id, date_start=at_nine(9))
        self._visit(partner_id=account.id, date_start=at_nine(19)).action_cancel()
        self.assertFalse(account.kam_last_visit_date)
        visit.action_done()
        self.assertEqual(account.kam_last_visit_date, day0 + timedelta(days=9))
        self.assertEqual(
            account.kam_next_visit_date, day0 + timedelta(days=16), "tier A: 7 days"
        )
        account.kam_tier = "c"
        self.assertEqual(
            account.kam_next_visit_date, day0 + timedelta(days=39), "tier C: 30 days"
        )
        with freeze_time(day0 + timedelta(days=40)):
            overdue = self.env["res.partner"].search(
                [
                    ("kam_next_visit_date", "<", fields.Date.today()),
                    ("id", "=", account.id),
                ]
            )
        self.assertEqual(overdue, account)

    def test_coverage(self):
        # four weeks that ended a month ago
        first = fields.Date.today() - timedelta(days=60)

        def at_nine(days):
            return datetime.combine(first + timedelta(days=days), time(9, 0))

        account_b = self._key_account("Biweekly", self.kam_1, tier="b")  # 14 days
        self._visit(partner_id=account_b.id, date_start=at_nine(1)).action_done()
        self._visit(partner_id=account_b.id, date_start=at_nine(15)).action_done()
        self._visit(date_start=at_nine(2)).action_done()  # tier A: 4 due
        coverage = self.env["kam.visit"]._kam_coverage(
            self.kam_1, first, first + timedelta(days=27)
        )
        self.assertEqual(coverage[self.kam_1], (1, 2))


@tagged("post_install", "-at_install", "kam")
class TestKamVisitCalendar(KamVisitCommon):
    def test_event_follows_the_visit(self):
        visit = self._visit(contact_id=self.contact_1.id, duration=1.5)
        event = visit.calendar_event_id
        self.assertTrue(event)
        self.assertEqual(event.start, self.visit_start)
        self.assertEqual(event.stop, self.visit_start + timedelta(hours=1.5))
        self.assertEqual(event.user_id, self.kam_1)
        self.assertEqual(event.partner_ids, self.kam_1.partner_id | self.contact_1)
        self.assertEqual((event.res_model, event.res_id), ("kam.visit", visit.id))
        next_day = self.visit_start + timedelta(days=1, hours=5)  # 14:00
        visit.write({"date_start": next_day, "duration": 2.0})
        self.assertEqual(event.start, next_day)
        self.assertEqual(event.stop, next_day + timedelta(hours=2))
        visit.action_cancel()
        self.assertFalse(event.exists())
        self.assertFalse(visit.calendar_event_id)
        visit.action_reset_to_planned()
        self.assertTrue(visit.calendar_event_id, "planned again: back in the calendar")


@tagged("post_install", "-at_install", "kam")
class TestKamVisitPlanner(KamVisitCommon):
    @staticmethod
    def _next_monday():
        today = fields.Date.today()
        return today + timedelta(days=7 - today.weekday())

    def _planner(self, user=None, **vals):
        user = user or self.kam_1
        return (
            self.env["kam.visit.planner"]
            .with_user(user)
            .create({"user_id": user.id, "week_start": self._next_monday(), **vals})
        )

    @freeze_time("2026-06-10 12:00:00")
    def test_propose_and_create(self):
        accounts = self.env["res.partner"].create(
            [
                {
                    "name": f"Due {i:02d}",
                    "is_company": True,
                    "is_key_account": True,
                    "kam_user_id": self.kam_1.id,
                    "kam_tier": "c" if i % 3 == 0 else "a",
                }
                for i in range(12)
            ]
        )
        # already planned that week: not proposed again
        self._visit(partner_id=accounts[0].id, date_start="2026-06-17 10:00:00")
        # visited recently and not due before the week ends
        self._visit(
            partner_id=accounts[1].id, date_start="2026-06-10 08:00:00"
        ).action_done()
        planner = self._planner(max_per_day=2)
        planner.action_propose()
        lines = planner.line_ids
        # 5 working days x 2 a day, less Wednesday's visit planned already: the
        # daily maximum counts it (issue 18)
        self.assertEqual(len(lines), 9, "5 working days x 2 a day, less 1 planned")
        # account_1 (kam_1, due since it was flagged) and 11 of the new ones are due
        self.assertEqual(planner.unplanned_count, 2)
        self.assertEqual(len(lines.partner_id), 9, "one proposal per account")
        self.assertNotIn(accounts[0], lines.partner_id)
        self.assertNotIn(accounts[1], lines.partner_id)
        days = {}
        for line in lines:
            days.setdefault(line.date_start.date(), []).append(line)
        self.assertEqual(len(days), 5)
        self.assertTrue(all(len(day) <= 2 for day in days.values()))
        self.assertEqual(len(days[fields.Date.to_date("2026-06-17")]), 1)
        self.assertTrue(all(d.weekday() < 5 for d in days))
        self.assertEqual(
            set(
                lines.filtered(lambda line: line.partner_id.kam_tier == "c").mapped(
                    "visit_type"
                )
            ),
            {"call"},
        )
        lines[0].selected = False
        visits = planner.action_create_visits()
        created = self.env["kam.visit"].search(visits["domain"])
        self.assertEqual(len(created), 8)
        self.assertEqual(set(created.mapped("user_id")), {self.kam_1})
        self.assertEqual(len(created.calendar_event_id), 8)
        # proposing the same week again skips what is now planned
        again = self._planner(max_per_day=2)
        again.action_propose()
        self.assertFalse(again.line_ids.partner_id & created.partner_id)

    def test_kam_cannot_plan_another_kams_week(self):
        with self.assertRaises(AccessError):
            self._planner(user=self.kam_1, user_id=self.kam_2.id).action_propose()
        planner = (
            self.env["kam.visit.planner"]
            .with_user(self.head)
            .create(
                {
                    "user_id": self.kam_2.id,
                    "week_start": fields.Date.today() + timedelta(days=7),
                }
            )
        )
        planner.action_propose()
        self.assertEqual(planner.line_ids.partner_id, self.account_2)

    def test_cron_pre_plans_next_week(self):
        self.env.company.kam_visit_autoplan = True
        with self.enter_registry_test_mode():
            self.env.ref(
                "kam_management.ir_cron_kam_visit_plan_next_week"
            ).method_direct_trigger()
        visits = self.env["kam.visit"].search(
            [("partner_id", "in", (self.account_1 | self.account_2).ids)]
        )
        self.assertEqual(visits.user_id, self.kam_1 | self.kam_2)
        self.assertTrue(all(v.date_start.date() > fields.Date.today() for v in visits))


@tagged("post_install", "-at_install", "kam")
class TestKamVisitLifeCycle(KamVisitCommon):
    def test_missed_visit_cron(self):
        now = fields.Datetime.now()
        late = self._visit(date_start=now - timedelta(days=3))
        recent = self._visit(date_start=now - timedelta(hours=12))
        with self.enter_registry_test_mode():
            self.env.ref(
                "kam_management.ir_cron_kam_visit_mark_missed"
            ).method_direct_trigger()
        self.assertEqual(late.state, "missed")
        self.assertEqual(recent.state, "planned")
        self.assertEqual(late.activity_ids.user_id, self.kam_1)
        self.assertFalse(late.calendar_event_id)

    def test_check_in_distance(self):
        self.account_1.write({"partner_latitude": 48.0, "partner_longitude": 11.0})
        near = self._visit()
        near.action_check_in(48.0 + 400 / METRES_PER_DEGREE_LAT, 11.0)
        self.assertAlmostEqual(near.check_in_distance, 400, delta=1)
        self.assertFalse(near.is_far_check_in)
        self.assertAlmostEqual(near.check_in_latitude, 48.0036, places=4)
        far = self._visit()
        far.action_check_in(48.0 + 600 / METRES_PER_DEGREE_LAT, 11.0)
        self.assertAlmostEqual(far.check_in_distance, 600, delta=1)
        self.assertTrue(far.is_far_check_in)
        far.action_check_out(48.0, 11.0)
        self.assertEqual(far.state, "done")
        self.assertTrue(far.check_out >= far.check_in)

    def test_check_in_without_position(self):
        visit = self._visit()
        visit.action_check_in()
        self.assertTrue(visit.check_in)
        self.assertFalse(visit.is_far_check_in)
        self.assertFalse(visit.check_in_distance)

    def test_bad_input(self):
        with self.assertRaisesMessage(ValidationError, "duration"):
            self._visit(duration=0)
        plain = self.env["res.partner"].create({"name": "Prospect", "is_company": True})
        with self.assertRaisesMessage(ValidationError, "not a key account"):
            self._visit(partner_id=plain.id)
        cancelled = self._visit()
        cancelled.action_cancel()
        with self.assertRaisesMessage(UserError, "Only a planned visit"):
            cancelled.action_check_in(48.0, 11.0)
        not_in = self._visit()
        with self.assertRaisesMessage(UserError, "before checking out"):
            not_in.action_check_out()
        with self.assertRaisesMessage(ValidationError, "check-out cannot come before"):
            not_in.sudo().write(
                {
                    "check_in": self.visit_start + timedelta(hours=1),
                    "check_out": self.visit_start,
                }
            )

    def test_take_order_for_sales_support(self):
        self.env.company.kam_sales_support_user_id = self.support
        pricelist = self.env["product.pricelist"].create({"name": "KA prices"})
        visit = self._visit(
            payment_term_id=self.pay_terms_b.id, pricelist_id=pricelist.id
        )
        action = visit.action_take_order()
        order = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(order.kam_visit_id, visit)
        self.assertEqual(order.partner_id, self.account_1)
        self.assertEqual(order.user_id, self.kam_1)
        self.assertEqual(order.payment_term_id, self.pay_terms_b)
        self.assertEqual(order.pricelist_id, pricelist)
        self.assertEqual(visit.order_ids, order)
        activity = order.activity_ids
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("kam_management.mail_activity_type_enter_order"),
        )
        self.assertEqual(activity.user_id, self.support)
        # sales support reads the order, not the visit
        as_support = order.with_user(self.support)
        self.assertEqual(as_support.partner_id, self.account_1)
        with self.assertRaises(AccessError):
            as_support.read(["kam_visit_id"])
        with self.assertRaises(AccessError):
            visit.with_user(self.support).read(["outcome"])

    def test_apply_terms(self):
        visit = self._visit(payment_term_id=self.pay_terms_b.id)
        visit.action_apply_terms()
        self.assertEqual(self.account_1.property_payment_term_id, self.pay_terms_b)

    def test_kams_see_their_own_visits_only(self):
        visit = self._visit(outcome="Confidential")
        with self.assertRaises(AccessError):
            visit.with_user(self.kam_2).read(["outcome"])
        with self.assertRaises(AccessError):
            visit.with_user(self.kam_2).write({"outcome": "Mine now"})
        self.assertNotIn(visit, self.env["kam.visit"].with_user(self.kam_2).search([]))
        self.assertIn(visit, self.env["kam.visit"].with_user(self.head).search([]))


@tagged("post_install", "-at_install", "kam")
class TestKamVisitPlannerPerformance(KamVisitCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kam_3 = cls.env["res.users"].create(
            {
                "name": "KAM 3",
                "login": "kam_3",
                "group_ids": [(6, 0, cls.kam_1.group_ids.ids)],
            }
        )
        for kam, count in ((cls.kam_1, 10), (cls.kam_3, 100)):
            cls.env["res.partner"].create(
                [
                    {
                        "name": f"{kam.login} due {i}",
                        "is_company": True,
                        "is_key_account": True,
                        "kam_user_id": kam.id,
                    }
                    for i in range(count)
                ]
            )

    def _count(self, kam):
        planner = (
            self.env["kam.visit.planner"]
            .with_user(kam)
            .create(
                {
                    "user_id": kam.id,
                    "week_start": fields.Date.today() + timedelta(days=7),
                    "max_per_day": 25,
                }
            )
        )
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        planner.action_propose()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, len(planner.line_ids)

    def test_propose_query_count(self):
        self._count(self.kam_1)  # warm the ormcaches of both users
        self._count(self.kam_3)
        few, lines_few = self._count(self.kam_1)
        many, lines_many = self._count(self.kam_3)
        self.assertEqual((lines_few, lines_many), (11, 100))
        self.assertEqual(few, many, "the planner must not query per account")
