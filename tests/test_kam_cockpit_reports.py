"""The head of sales' cockpit (issue 16): assignments and the reports that answer
the manager's questions (plan results and variable pay, visit coverage against
cadence, visit-to-order conversion, credit exposure), one Reporting menu."""

import calendar
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import KamCommon

ASSIGNMENT = "kam_management.mail_activity_type_kam_assignment"


def _read_group_count(test, model, user, groupby):
    """Queries of one _read_group of ``model`` by ``groupby`` as ``user``, the
    ormcaches warm (a first run fills them)."""
    count = 0
    for __ in range(2):
        test.env.invalidate_all()
        test.env.flush_all()
        before = test.env.cr.sql_log_count
        test.env[model].with_user(user)._read_group([], [groupby], ["__count"])
        count = test.env.cr.sql_log_count - before
    return count


@tagged("post_install", "-at_install", "kam")
class TestKamAssignments(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = date.today()

    def _assign(self, record, user, deadline, summary="Check the shelf"):
        return record.with_user(self.head).activity_schedule(
            ASSIGNMENT, date_deadline=deadline, user_id=user.id, summary=summary
        )

    def _done_on(self, activity, day):
        with freeze_time(datetime.combine(day, time(12))):
            activity.with_user(activity.user_id).action_done()
            self.env.flush_all()  # the done date is computed on archiving

    def test_only_a_head_of_sales_gives_assignments(self):
        for user in (self.kam_1, self.support):
            with (
                self.subTest(user=user.login),
                self.assertRaisesMessage(AccessError, "Only a head of sales"),
            ):
                self.account_1.with_user(user).activity_schedule(
                    ASSIGNMENT, user_id=self.kam_2.id
                )
        # nor by changing the type of an activity of theirs, nor through a default
        todo = self.account_1.with_user(self.kam_1).activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.kam_1.id
        )
        with self.assertRaisesMessage(AccessError, "Only a head of sales"):
            todo.with_user(self.kam_1).activity_type_id = self.env.ref(ASSIGNMENT)
        with self.assertRaisesMessage(AccessError, "Only a head of sales"):
            self.env["mail.activity"].with_user(self.kam_1).with_context(
                default_activity_type_id=self.env.ref(ASSIGNMENT).id
            ).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.account_1.id,
                    "user_id": self.kam_2.id,
                }
            )
        # the assignee neither moves the deadline, hands it on nor deletes it;
        # they mark it done
        given = self._assign(self.account_1, self.kam_1, self.today)
        for vals in (
            {"date_deadline": self.today + timedelta(days=30)},
            {"user_id": self.kam_2.id},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesMessage(AccessError, "Only a head of sales"),
            ):
                given.with_user(self.kam_1).write(vals)
        with self.assertRaisesMessage(AccessError, "Only a head of sales"):
            given.with_user(self.kam_1).unlink()
        given.with_user(self.kam_1).action_done()
        self.assertFalse(given.active)
        self.assertEqual(given.date_done, self.today)
        # a head of sales gives one on an account and on a KAM document
        visit = self.env["kam.visit"].create(
            {
                "partner_id": self.account_1.id,
                "user_id": self.kam_1.id,
                "date_start": datetime.combine(self.today, time(9)),
            }
        )
        for record in (self.account_1, visit):
            activity = self._assign(record, self.kam_1, self.today)
            self.assertEqual(activity.activity_type_id, self.env.ref(ASSIGNMENT))
            self.assertEqual(activity.user_id, self.kam_1)

    def test_on_time_logic_per_kam(self):
        today = self.today
        on_time = self._assign(self.account_1, self.kam_1, today - timedelta(days=3))
        self._done_on(on_time, today - timedelta(days=5))
        late = self._assign(self.account_1, self.kam_1, today - timedelta(days=10))
        self._done_on(late, today - timedelta(days=5))
        overdue = self._assign(self.account_1, self.kam_1, today - timedelta(days=2))
        still_open = self._assign(self.account_1, self.kam_1, today + timedelta(days=3))
        other = self._assign(self.account_2, self.kam_2, today)
        self._done_on(other, today)
        # done activities are archived by Odoo with their done date: kept
        self.assertFalse(on_time.active)
        self.assertEqual(late.date_done, today - timedelta(days=5))

        Report = self.env["kam.assignment.report"]
        status = {
            row.activity_id: row for row in Report.with_user(self.head).search([])
        }
        self.assertEqual(status[on_time].status, "done_on_time")
        self.assertEqual(status[late].status, "done_late")
        self.assertEqual(status[late].days_late, 5)
        self.assertEqual(status[overdue].status, "overdue")
        self.assertEqual(status[overdue].days_late, 2)
        self.assertEqual(status[still_open].status, "open")
        self.assertEqual(status[other].status, "done_on_time")

        groups = {
            user: (count, done, punctual, overdue_count, rate)
            for user, count, done, punctual, overdue_count, rate in Report.with_user(
                self.head
            )._read_group(
                [],
                ["user_id"],
                [
                    "assignment_count:sum",
                    "done_count:sum",
                    "on_time_count:sum",
                    "overdue_count:sum",
                    "on_time_rate:avg",
                ],
            )
        }
        self.assertEqual(groups[self.kam_1][:4], (4, 2, 1, 1))
        self.assertAlmostEqual(groups[self.kam_1][4], 50.0)
        self.assertAlmostEqual(groups[self.kam_2][4], 100.0)

        # a KAM sees their own, sales support nothing
        own = Report.with_user(self.kam_1).search([])
        self.assertEqual(own.user_id, self.kam_1)
        self.assertEqual(len(own), 4)
        with self.assertRaises(AccessError):
            Report.with_user(self.support).search([])

    def test_assignments_list(self):
        today = self.today
        later = self._assign(self.account_1, self.kam_1, today + timedelta(days=5))
        overdue = self._assign(self.account_1, self.kam_1, today - timedelta(days=4))
        todo = self.account_1.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.kam_1.id
        )
        theirs = self._assign(self.account_2, self.kam_2, today)

        Activity = self.env["mail.activity"]
        head_action = Activity.with_user(self.head)._kam_action_assignments()
        self.assertEqual(head_action["context"], {"search_default_group_by_user": 1})
        kam_action = Activity.with_user(self.kam_1)._kam_action_assignments()
        self.assertEqual(kam_action["context"], {"search_default_filter_mine": 1})
        domain = kam_action["domain"]
        # only assignments, overdue first (the list's order is the deadline)
        shown = Activity.with_user(self.head).search(
            [*domain_list(domain), ("res_model", "=", "res.partner")],
            order="date_deadline, id",
        )
        self.assertEqual(shown, overdue | theirs | later)
        self.assertEqual(shown[0], overdue)
        self.assertNotIn(todo, shown)
        mine = Activity.with_user(self.kam_1).search(
            [*domain_list(domain), ("user_id", "=", self.kam_1.id)]
        )
        self.assertEqual(mine, overdue | later)

    def test_query_count_does_not_grow(self):
        def assign(count):
            for __ in range(count):
                self._assign(self.account_1, self.kam_1, self.today)
                self._assign(self.account_2, self.kam_2, self.today)

        assign(1)
        few = _read_group_count(self, "kam.assignment.report", self.head, "user_id")
        assign(10)
        many = _read_group_count(self, "kam.assignment.report", self.head, "user_id")
        self.assertEqual(few, many)


def domain_list(domain):
    """An action's domain (a string once read from the action) as a list."""
    from odoo.tools.safe_eval import safe_eval

    return safe_eval(domain) if isinstance(domain, str) else list(domain)


@tagged("post_install", "-at_install", "kam")
class TestKamCockpitReports(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = date.today()
        cls.year_start = cls.today.replace(month=1, day=1)
        cls.year_end = cls.today.replace(month=12, day=31)
        # the previous month: whole, in the past, in the coverage report's window
        cls.month = cls.today.replace(day=1) - relativedelta(months=1)
        cls.month_days = calendar.monthrange(cls.month.year, cls.month.month)[1]

    # --- plan results and variable pay -----------------------------------
    def _plans(self):
        scale = self.env["kam.variable.pay.scale"].create(
            {
                "name": "Linear",
                "line_ids": [
                    Command.create({"achievement": 50.0, "payout": 0.0}),
                    Command.create({"achievement": 100.0, "payout": 100.0}),
                    Command.create({"achievement": 150.0, "payout": 150.0}),
                ],
            }
        )
        plans = self.env["kam.plan"].create(
            [
                {
                    "name": f"Plan {kam.login}",
                    "user_id": kam.id,
                    "date_from": self.year_start,
                    "date_to": self.year_end,
                    "target_amount": target,
                    "target_active_accounts": 2,
                    "target_new_accounts": 1,
                    "pay_scale_id": scale.id,
                    "base_variable_pay": 2000.0,
                }
                for kam, target in ((self.kam_1, 1000.0), (self.kam_2, 500.0))
            ]
        )
        self._invoice(self.account_1, self.today, 800.0)
        self._invoice(self.account_2, self.today, 600.0)
        return plans

    def test_plan_results_and_pay(self):
        plan_1, plan_2 = self._plans()
        Report = self.env["kam.plan.result.report"]
        rows = {row.plan_id: row for row in Report.with_user(self.head).search([])}
        row = rows[plan_1]
        self.assertAlmostEqual(row.target_amount, 1000.0)
        self.assertAlmostEqual(row.actual_amount, 800.0)
        self.assertAlmostEqual(row.achievement, 80.0)
        self.assertEqual(
            (row.target_active_accounts, row.actual_active_accounts), (2, 1)
        )
        self.assertEqual((row.target_new_accounts, row.actual_new_accounts), (1, 1))
        self.assertAlmostEqual(row.active_achievement, 50.0)
        # 80 % on a scale linear from 50 % (0) to 100 % (100): 60 % of 2000
        self.assertAlmostEqual(row.payout_amount, 1200.0)
        self.assertAlmostEqual(row.payout_amount, plan_1.payout_amount)
        self.assertAlmostEqual(rows[plan_2].achievement, 120.0)
        self.assertAlmostEqual(rows[plan_2].payout_amount, 2400.0)
        # a group's achievement is the ratio of its sums, not an average
        [(achievement, pay)] = Report.with_user(self.head)._read_group(
            [("plan_id", "in", (plan_1 | plan_2).ids)],
            [],
            ["achievement:avg", "payout_amount:sum"],
        )
        self.assertAlmostEqual(achievement, 1400.0 / 1500.0 * 100.0)
        self.assertAlmostEqual(pay, 3600.0)
        # a KAM sees their own plan and pay, sales support nothing
        own = Report.with_user(self.kam_1).search([])
        self.assertEqual(own.plan_id, plan_1)
        self.assertAlmostEqual(own.payout_amount, 1200.0)
        with self.assertRaises(AccessError):
            Report.with_user(self.support).search([])

    def test_plan_results_query_count_does_not_grow(self):
        self._plans()
        report = "kam.plan.result.report"
        few = _read_group_count(self, report, self.head, "user_id")
        self.env["kam.plan"].create(
            [
                {
                    "name": f"More {i}",
                    "user_id": new_test_user(
                        self.env,
                        login=f"more_kam_{i}",
                        groups="kam_management.group_kam_user",
                    ).id,
                    "date_from": self.year_start,
                    "date_to": self.year_end,
                    "target_amount": 100.0,
                }
                for i in range(10)
            ]
        )
        many = _read_group_count(self, report, self.head, "user_id")
        self.assertEqual(few, many)

    # --- visit coverage against cadence -----------------------------------
    def _visits(self, partner, kam, count, day=None):
        visits = self.env["kam.visit"].create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": kam.id,
                    "date_start": datetime.combine(
                        (day or self.month) + timedelta(days=i), time(9)
                    ),
                }
                for i in range(count)
            ]
        )
        visits.with_user(kam).action_done()
        return visits

    def test_visit_coverage(self):
        company = self.env.company
        # tier A: every 7 days; tier C: every 30 days (company settings)
        due_a = self.month_days // company.kam_visit_interval_a
        due_c = self.month_days // company.kam_visit_interval_c
        Report = self.env["kam.visit.coverage.report"]
        # one visit short: not covered
        self._visits(self.account_1, self.kam_1, due_a - 1)
        row = Report.with_user(self.head).search(
            [("date", "=", self.month), ("partner_id", "=", self.account_1.id)]
        )
        self.assertEqual((row.visits_done, row.covered_count), (due_a - 1, 0))
        self._visits(self.account_1, self.kam_1, 1, day=self.month + timedelta(20))
        self.env.invalidate_all()
        domain = [
            ("date", "=", self.month),
            ("partner_id", "in", (self.account_1 | self.account_2).ids),
        ]
        rows = {
            row.partner_id: row for row in Report.with_user(self.head).search(domain)
        }
        self.assertEqual(rows[self.account_1].visits_required, due_a)
        self.assertEqual(rows[self.account_1].visits_done, due_a)
        self.assertEqual(rows[self.account_1].covered_count, 1)
        self.assertEqual(rows[self.account_2].visits_required, due_c)
        self.assertEqual(rows[self.account_2].visits_done, 0)
        self.assertEqual(rows[self.account_2].covered_count, 0)
        self.assertEqual(rows[self.account_2].due_count, int(due_c > 0))
        coverage = dict(
            Report.with_user(self.head)._read_group(
                domain, ["kam_user_id"], ["coverage:avg"]
            )
        )
        self.assertAlmostEqual(coverage[self.kam_1], 100.0)
        if due_c:
            self.assertAlmostEqual(coverage[self.kam_2], 0.0)
        else:  # nothing due in a short month: no coverage, not a false 0 %
            self.assertFalse(coverage[self.kam_2])
        # an account's own interval, set by its KAM, is its cadence (as the planner's)
        self.account_2.kam_visit_interval_days = 10
        self.env.flush_all()
        self.env.invalidate_all()
        row = Report.with_user(self.head).search(
            [("date", "=", self.month), ("partner_id", "=", self.account_2.id)]
        )
        self.assertEqual(
            (row.interval_days, row.visits_required), (10, self.month_days // 10)
        )
        # a KAM sees their own accounts, sales support nothing
        own = Report.with_user(self.kam_1).search([])
        self.assertEqual(own.kam_user_id, self.kam_1)
        with self.assertRaises(AccessError):
            Report.with_user(self.support).search([])

    def test_visit_coverage_query_count_does_not_grow(self):
        report = "kam.visit.coverage.report"
        self._visits(self.account_1, self.kam_1, 1)
        few = _read_group_count(self, report, self.head, "kam_user_id")
        for i in range(10):
            account = self._key_account(f"More {i}", self.kam_2, tier="a")
            self._visits(account, self.kam_2, 2)
        many = _read_group_count(self, report, self.head, "kam_user_id")
        self.assertEqual(few, many)

    # --- visit-to-order conversion ----------------------------------------
    def _order_on(self, visit, qty):
        order = self.env["sale.order"].create(
            {
                "partner_id": visit.partner_id.id,
                "kam_visit_id": visit.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product_a.id, "product_uom_qty": qty}
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def test_visit_conversion(self):
        first, second = self._visits(self.account_1, self.kam_1, 2)
        orders = self._order_on(first, 2) | self._order_on(first, 1)
        quotation = self.env["sale.order"].create(
            {"partner_id": self.account_1.id, "kam_visit_id": second.id}
        )
        self._visits(self.account_2, self.kam_2, 1)
        Report = self.env["kam.visit.conversion.report"]
        figures = {
            user: rest
            for user, *rest in Report.with_user(self.head)._read_group(
                [],
                ["user_id"],
                [
                    "visit_count:sum",
                    "converted_count:sum",
                    "order_count:sum",
                    "amount:sum",
                    "conversion:avg",
                ],
            )
        }
        visits, converted, count, amount, conversion = figures[self.kam_1]
        self.assertEqual((visits, converted, count), (2, 1, 2))
        self.assertAlmostEqual(amount, sum(orders.mapped("amount_untaxed")))
        self.assertAlmostEqual(conversion, 50.0)
        self.assertEqual(figures[self.kam_2][:3], [1, 0, 0])
        self.assertAlmostEqual(figures[self.kam_2][4], 0.0)
        self.assertEqual(quotation.state, "draft")  # a quotation is not an order
        # a KAM sees their own visits, sales support nothing
        own = Report.with_user(self.kam_1).search([])
        self.assertEqual(own.visit_id, first | second)
        with self.assertRaises(AccessError):
            Report.with_user(self.support).search([])

    def test_visit_conversion_query_count_does_not_grow(self):
        report = "kam.visit.conversion.report"
        self._order_on(self._visits(self.account_1, self.kam_1, 1), 1)
        few = _read_group_count(self, report, self.head, "user_id")
        for visit in self._visits(self.account_2, self.kam_2, 5):
            self._order_on(visit, 1)
        many = _read_group_count(self, report, self.head, "user_id")
        self.assertEqual(few, many)

    # --- credit exposure --------------------------------------------------
    def _exposure(self):
        invoice = self._invoice(
            self.account_1, self.today, 800.0, due_date=self.today + timedelta(30)
        )
        self.account_1.write(
            {
                "credit_limit": 1500.0,
                "risk_invoice_open_include": True,
                "risk_invoice_unpaid_include": True,
            }
        )
        return invoice

    def test_credit_exposure(self):
        invoice = self._exposure()
        Report = self.env["kam.credit.exposure.report"]
        rows = {
            row.partner_id: row
            for row in Report.with_user(self.head).search(
                [("partner_id", "in", (self.account_1 | self.account_2).ids)]
            )
        }
        row = rows[self.account_1]
        self.assertAlmostEqual(row.risk_total, invoice.amount_total)
        self.assertAlmostEqual(row.risk_total, self.account_1.risk_total)
        self.assertAlmostEqual(row.credit_limit, 1500.0)
        self.assertAlmostEqual(row.headroom, 1500.0 - invoice.amount_total)
        self.assertEqual(row.over_limit_count, 0)
        # no credit limit: no headroom (empty, not a false zero)
        self.assertFalse(rows[self.account_2].headroom)
        self.env.invalidate_all()
        self.account_1.credit_limit = 500.0
        row = Report.with_user(self.head).search(
            [("partner_id", "=", self.account_1.id)]
        )
        self.assertEqual(row.over_limit_count, 1)
        self.assertAlmostEqual(row.over_limit_amount, invoice.amount_total - 500.0)
        # a KAM sees their own accounts, sales support nothing
        own = Report.with_user(self.kam_1).search([])
        self.assertEqual(own.partner_id, self.account_1)
        with self.assertRaises(AccessError):
            Report.with_user(self.support).search([])

    def test_credit_exposure_query_count_does_not_grow(self):
        self._exposure()
        report = "kam.credit.exposure.report"
        few = _read_group_count(self, report, self.head, "kam_user_id")
        for i in range(10):
            account = self._key_account(f"More {i}", self.kam_2, credit_limit=100.0)
            self._invoice(account, self.today, 10.0)
        many = _read_group_count(self, report, self.head, "kam_user_id")
        self.assertEqual(few, many)


@tagged("post_install", "-at_install", "kam")
class TestKamReportingMenu(KamCommon):
    def _actions_under(self, menu, user):
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        menus = (
            self.env["ir.ui.menu"]
            .search([("id", "child_of", menu.id)])
            .filtered(lambda m: m.id in visible)
        )
        return {str(menu.action) for menu in menus if menu.action}

    def test_the_reporting_menu_holds_every_report(self):
        reporting = self.env.ref("kam_management.kam_menu_reporting")
        expected = {
            "kam_plan_report_action_open",
            "kam_plan_result_report_action",
            "kam_plan_result_report_action_pay",
            "kam_revenue_report_action",
            "sale_report_action_key_accounts_open",
            "sale_report_action_kam_discounts_open",
            "account_invoice_report_action_key_accounts",
            "kam_visit_coverage_report_action",
            "kam_visit_conversion_report_action",
            "kam_assignment_report_action",
            "kam_merchandising_task_action_analysis",
            "kam_training_action_analysis",
            "kam_aging_report_action",
            "kam_credit_exposure_report_action",
            "kam_act_line_action_analysis",
            "kam_fulfilment_report_action",
            "kam_return_report_action",
            "kam_competitor_observation_action_analysis",
        }
        expected_actions = {
            str(self.env.ref(f"kam_management.{xmlid}")) for xmlid in expected
        }
        self.assertLessEqual(
            expected_actions, self._actions_under(reporting, self.head)
        )
        # the pay and credit reports are in a KAM's menu too (their own figures);
        # sales support has no Reporting menu
        kam_actions = self._actions_under(reporting, self.kam_1)
        for xmlid in (
            "kam_plan_result_report_action_pay",
            "kam_credit_exposure_report_action",
        ):
            self.assertIn(str(self.env.ref(f"kam_management.{xmlid}")), kam_actions)
        self.assertNotIn(
            reporting.id,
            self.env["ir.ui.menu"].with_user(self.support)._visible_menu_ids(),
        )
        # every report's window action explains itself when empty
        for xmlid in expected:
            action = self.env.ref(f"kam_management.{xmlid}")
            if action._name == "ir.actions.act_window":
                with self.subTest(action=xmlid):
                    self.assertTrue(action.help, xmlid)


@tagged("post_install", "-at_install", "kam")
class TestKamMyWeek(KamCommon):
    def test_my_week(self):
        today = date.today()
        week_end = today + timedelta(days=6 - today.weekday())
        Visit = self.env["kam.visit"]
        mine_today = Visit.create(
            {
                "partner_id": self.account_1.id,
                "user_id": self.kam_1.id,
                "date_start": datetime.combine(today, time(10)),
            }
        )
        next_week = Visit.create(
            {
                "partner_id": self.account_1.id,
                "user_id": self.kam_1.id,
                "date_start": datetime.combine(week_end + timedelta(days=2), time(10)),
            }
        )
        theirs = Visit.create(
            {
                "partner_id": self.account_2.id,
                "user_id": self.kam_2.id,
                "date_start": datetime.combine(today, time(11)),
            }
        )
        invoice = self._invoice(
            self.account_1,
            today - timedelta(days=40),
            100.0,
            due_date=today - timedelta(days=30),
        )
        with freeze_time(today - timedelta(days=5)):
            # as the test user: a KAM reads only the invoices they are the
            # salesperson of
            promise = self.env["kam.collection.action"].create(
                {
                    "user_id": self.kam_1.id,
                    "partner_id": self.account_1.id,
                    "action_type": "call",
                    "invoice_ids": [Command.set(invoice.ids)],
                    "promised_date": today - timedelta(days=2),
                    "promised_amount": 50.0,
                }
            )
        assignment = self.account_1.with_user(self.head).activity_schedule(
            ASSIGNMENT, date_deadline=today, user_id=self.kam_1.id
        )
        later = self.account_1.with_user(self.head).activity_schedule(
            ASSIGNMENT,
            date_deadline=week_end + timedelta(days=10),
            user_id=self.kam_1.id,
        )

        action = self.env["res.users"].with_user(self.kam_1)._kam_action_my_week()
        self.assertEqual(action["res_id"], self.kam_1.id)
        week = self.env["res.users"].with_user(self.kam_1).browse(action["res_id"])
        self.assertIn(mine_today, week.kam_week_visit_ids)
        self.assertNotIn(next_week, week.kam_week_visit_ids)
        self.assertNotIn(theirs, week.kam_week_visit_ids)
        self.assertEqual(week.kam_week_promise_ids, promise)
        self.assertIn(assignment, week.kam_week_activity_ids)
        self.assertNotIn(later, week.kam_week_activity_ids)
        # another user's week is nothing to them
        other = self.env["res.users"].with_user(self.kam_1).browse(self.kam_2.id)
        self.assertFalse(other.kam_week_visit_ids)
        # the screen loads for a KAM (the phone uses the same form)
        views = (
            self.env["res.users"]
            .with_user(self.kam_1)
            .get_views([(action["views"][0][0], "form")])
        )
        self.assertIn("kam_week_visit_ids", views["views"]["form"]["arch"])
