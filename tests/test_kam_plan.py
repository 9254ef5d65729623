from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import KamCommon


class KamPlanCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_3 = cls._key_account("Account Three", cls.kam_1, tier="c")
        cls.team = (
            cls.env["crm.team"]
            .sudo()
            .create(
                {
                    "name": "Key Accounts",
                    "company_id": cls.env.company.id,
                    "member_ids": [Command.set((cls.kam_1 | cls.kam_2).ids)],
                }
            )
        )
        # the plans of this year and of next year, whatever the day the test runs
        today = fields.Date.today()
        cls.year_start = today.replace(month=1, day=1)
        cls.year_end = today.replace(month=12, day=31)
        cls.next_year = cls.year_start + relativedelta(years=1)
        # last year: the history the split is based on
        last_year = cls.year_start - relativedelta(years=1)
        cls._invoice(cls.account_1, last_year.replace(month=3), 3000.0)
        cls._invoice(cls.account_2, last_year.replace(month=6), 1000.0)
        cls.department = cls.env["kam.plan"].create(
            {
                "name": str(today.year),
                "plan_type": "department",
                "team_id": cls.team.id,
                "date_from": cls.year_start,
                "date_to": cls.year_end,
                "target_amount": 10000.0,
                "target_active_accounts": 3,
                "target_new_accounts": 1,
            }
        )

    def _approve(self, plan):
        """The plan's KAM submits it, a head of sales validates it."""
        plan.with_user(plan.user_id).action_submit()
        plan.with_user(self.head).validate_tier()
        self.assertEqual(plan.state, "approved")

    def _split(self):
        plans = self.department.with_user(self.head).action_split()
        return (
            plans.filtered(lambda p: p.user_id == self.kam_1),
            plans.filtered(lambda p: p.user_id == self.kam_2),
        )


@tagged("post_install", "-at_install", "kam")
class TestKamPlanSplit(KamPlanCommon):
    def test_split_follows_last_year_and_sums_to_target(self):
        plan_1, plan_2 = self._split()
        lines = (plan_1 | plan_2).line_ids
        by_partner = {line.partner_id: line for line in lines}
        # Account Three has no history: an even share (10000 / 3); the rest goes
        # 3:1 to Account One and Account Two, like last year's revenue
        self.assertAlmostEqual(by_partner[self.account_3].target_amount, 3333.33)
        self.assertAlmostEqual(by_partner[self.account_1].target_amount, 5000.0)
        self.assertAlmostEqual(by_partner[self.account_2].target_amount, 1666.67)
        self.assertAlmostEqual(by_partner[self.account_1].reference_amount, 3000.0)
        self.assertAlmostEqual(sum(lines.mapped("target_amount")), 10000.0)
        self.assertAlmostEqual(plan_1.target_amount, 8333.33)
        self.assertAlmostEqual(plan_2.target_amount, 1666.67)
        self.assertEqual(
            (plan_1.target_active_accounts, plan_2.target_active_accounts), (2, 1)
        )
        self.assertEqual(plan_1.target_new_accounts + plan_2.target_new_accounts, 1)
        self.assertEqual(plan_1.date_from, self.department.date_from)
        self.assertEqual(plan_1.team_id, self.team)
        self.assertAlmostEqual(self.department.children_target_amount, 10000.0)
        self.assertAlmostEqual(self.department.target_gap, 0.0)

    def test_split_again_replaces_drafts_only(self):
        plan_1, _plan_2 = self._split()
        plans = self.department.with_user(self.head).action_split()
        self.assertFalse(plan_1.exists())
        self.assertEqual(len(plans), 2)
        self._approve(plans[0])
        with self.assertRaises(UserError):
            self.department.with_user(self.head).action_split()

    def test_only_heads_of_sales_split(self):
        with self.assertRaises(AccessError):
            self.department.with_user(self.kam_1).action_split()


@tagged("post_install", "-at_install", "kam")
class TestKamPlanActuals(KamPlanCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_1, cls.plan_2 = (
            cls.department.with_user(cls.head)
            .action_split()
            .sorted(lambda p: p.user_id != cls.kam_1)
        )
        invoice, day = cls._invoice, cls.year_start.replace
        invoice(cls.account_1, cls.year_start, 1000.0)  # first day
        invoice(cls.account_1, cls.year_end, 500.0)  # last day
        invoice(cls.account_1, cls.year_start - relativedelta(days=1), 700.0)  # before
        invoice(cls.account_1, cls.year_end + relativedelta(days=1), 900.0)  # after
        invoice(cls.account_1, day(month=5), 200.0, move_type="out_refund")
        # what counts as revenue (currencies, drafts...): tests/test_revenue.py
        invoice(cls.account_3, day(month=3), 500.0)
        invoice(cls.account_2, day(month=2), 400.0)

    def test_individual_actuals(self):
        plan = self.plan_1.with_user(self.kam_1)
        self.assertAlmostEqual(plan.actual_amount, 1000 + 500 - 200 + 500)
        self.assertEqual(plan.actual_active_accounts, 2)
        self.assertEqual(
            plan.actual_new_accounts, 1, "Account Three first bought this year"
        )
        lines = {line.partner_id: line for line in plan.line_ids}
        self.assertAlmostEqual(lines[self.account_1].actual_amount, 1300.0)
        self.assertAlmostEqual(lines[self.account_3].actual_amount, 500.0)
        self.assertAlmostEqual(
            lines[self.account_1].achievement,
            1300.0 / lines[self.account_1].target_amount * 100,
        )
        self.assertAlmostEqual(
            plan.achievement_amount, 1800.0 / plan.target_amount * 100
        )
        self.assertAlmostEqual(plan.achievement_active, 100.0)
        self.assertAlmostEqual(plan.achievement_new, 100.0)

    def test_department_actuals_are_the_teams(self):
        department = self.department.with_user(self.head)
        self.assertAlmostEqual(department.actual_amount, 1800.0 + 400.0)
        self.assertEqual(department.actual_active_accounts, 3)
        self.assertEqual(department.actual_new_accounts, 1)
        self.assertAlmostEqual(department.achievement_amount, 22.0)

    def test_closing_freezes_actuals(self):
        plan = self.plan_1
        self._approve(plan)
        plan.with_user(self.head).action_close()
        self.assertEqual(plan.state, "closed")
        self._invoice(
            self.account_1, self.year_start.replace(month=6), 300.0, "out_refund"
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(plan.actual_amount, 1800.0)
        line = plan.line_ids.filtered(lambda line: line.partner_id == self.account_1)
        self.assertAlmostEqual(line.actual_amount, 1300.0)
        plan.with_user(self.head).action_reopen()
        self.env.invalidate_all()
        self.assertAlmostEqual(plan.actual_amount, 1500.0)
        self.assertAlmostEqual(line.actual_amount, 1000.0)

    def test_variable_pay(self):
        plan = self.plan_1
        plan.write({"target_amount": 2000.0, "base_variable_pay": 1000.0})  # 90 %
        self.assertEqual(
            plan.pay_scale_id,
            self.env.ref("kam_management.kam_variable_pay_scale_default"),
        )
        self.assertAlmostEqual(plan.achievement_amount, 90.0)
        self.assertAlmostEqual(plan.payout_pct, 75.0)
        self.assertAlmostEqual(plan.payout_amount, 750.0)

    def test_plan_analysis_report(self):
        rows = self.env["kam.plan.report"]._read_group(
            [("plan_id", "=", self.plan_1.id)],
            ["partner_id"],
            ["target_amount:sum", "actual_amount:sum"],
        )
        figures = {partner: (target, actual) for partner, target, actual in rows}
        line_1 = self.plan_1.line_ids.filtered(
            lambda line: line.partner_id == self.account_1
        )
        self.assertAlmostEqual(figures[self.account_1][0], line_1.target_amount)
        self.assertAlmostEqual(figures[self.account_1][1], 1300.0)
        self.assertAlmostEqual(figures[self.account_3][1], 500.0)
        months = self.env["kam.plan.report"]._read_group(
            [("plan_id", "=", self.plan_1.id), ("partner_id", "=", self.account_1.id)],
            ["date:month"],
            ["target_amount:sum"],
        )
        self.assertEqual(len(months), 12, "the target is spread over the 12 months")
        self.assertAlmostEqual(months[0][1], line_1.target_amount / 12)


@tagged("post_install", "-at_install", "kam")
class TestKamPlanApproval(KamPlanCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_1, cls.plan_2 = (
            cls.department.with_user(cls.head)
            .action_split()
            .sorted(lambda p: p.user_id != cls.kam_1)
        )

    def test_submit_and_approve(self):
        plan = self.plan_1.with_user(self.kam_1)
        plan.action_submit()
        self.assertEqual(plan.validation_status, "pending")
        # the KAM cannot approve their own plan, in any way
        plan.validate_tier()
        self.assertEqual(plan.state, "draft")
        with self.assertRaises(AccessError):
            plan.action_approve()
        with self.assertRaises(AccessError):
            plan.review_ids.write({"status": "approved"})
        with self.assertRaisesMessage(UserError, "through its buttons"):
            plan.write({"state": "approved"})
        # a head of sales approves
        self.plan_1.with_user(self.head).validate_tier()
        self.assertEqual(self.plan_1.state, "approved")
        self.assertEqual(self.plan_1.validation_status, "validated")
        self.assertEqual(len(self.plan_1.review_ids), 1, "one review, not a second one")
        # an approved plan is read-only for the KAM (record rules, and the lock)
        with self.assertRaises(UserError):
            plan.target_amount = 1.0
        with self.assertRaises(UserError):
            plan.line_ids[:1].target_amount = 1.0
        plan.message_post(body="Thanks!")  # the chatter stays open

    def test_send_back(self):
        plan = self.plan_2.with_user(self.kam_2)
        plan.action_submit()
        self.plan_2.with_user(self.head).reject_tier()
        self.assertEqual(plan.validation_status, "rejected")
        self.assertEqual(plan.state, "draft")
        plan.restart_validation()
        plan.target_amount = 2500.0
        plan.action_submit()
        self.plan_2.with_user(self.head).validate_tier()
        self.assertEqual(plan.state, "approved")

    def test_four_eyes_for_a_head_of_sales_own_plan(self):
        """A head of sales who is also a KAM cannot approve the plan they submitted."""
        other_head = new_test_user(
            self.env,
            login="kam_head_2",
            groups="kam_management.group_kam_manager",
            company_id=self.env.company.id,
            company_ids=[Command.set(self.env.company.ids)],
        )
        account = self._key_account("Head's Account", self.head)
        plan = (
            self.env["kam.plan"]
            .with_user(self.head)
            .create(
                {
                    "name": "Head's own plan",
                    "user_id": self.head.id,
                    "date_from": self.next_year,
                    "date_to": self.next_year.replace(month=12, day=31),
                    "line_ids": [
                        Command.create({"partner_id": account.id, "target_amount": 1.0})
                    ],
                }
            )
        )
        plan.action_submit()
        plan.validate_tier()
        self.assertEqual(plan.state, "draft")
        with self.assertRaises(ValidationError):
            plan.action_approve()
        plan.with_user(other_head).validate_tier()
        self.assertEqual(plan.state, "approved")

    def test_department_plan_approved_directly(self):
        self.department.with_user(self.head).action_approve()
        self.assertEqual(self.department.state, "approved")


@tagged("post_install", "-at_install", "kam")
class TestKamPlanAccess(KamPlanCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_1, cls.plan_2 = (
            cls.department.with_user(cls.head)
            .action_split()
            .sorted(lambda p: p.user_id != cls.kam_1)
        )
        cls.plan_1.base_variable_pay = 5000.0

    def test_kam_sees_own_plans_and_department(self):
        visible = self.env["kam.plan"].with_user(self.kam_1).search([])
        self.assertIn(self.plan_1, visible)
        self.assertIn(self.department, visible)
        self.assertNotIn(self.plan_2, visible)
        with self.assertRaises(AccessError):
            self.plan_2.with_user(self.kam_1).read(["base_variable_pay"])
        with self.assertRaises(AccessError):
            self.department.with_user(self.kam_1).target_amount = 1.0
        self.assertEqual(self.plan_1.with_user(self.kam_1).base_variable_pay, 5000.0)

    def test_sales_support_cannot_read_plans_or_pay(self):
        with self.assertRaises(AccessError):
            self.env["kam.plan"].with_user(self.support).search([])
        with self.assertRaises(AccessError):
            self.plan_1.with_user(self.support).read(["payout_amount"])
        with self.assertRaises(AccessError):
            self.env["kam.plan.report"].with_user(self.support).search([])

    def test_kam_creates_own_plan_with_form(self):
        with Form(self.env["kam.plan"].with_user(self.kam_1)) as form:
            form.name = "My stretch plan for next year"
            form.user_id = self.kam_1
            form.date_from = self.next_year
            form.date_to = self.next_year.replace(month=6, day=30)
            form.target_amount = 5000.0
            with form.line_ids.new() as line:
                line.partner_id = self.account_1
                line.target_amount = 5000.0
        self.assertEqual(form.record.lines_target_amount, 5000.0)
        self.assertEqual(form.record.state, "draft")


@tagged("post_install", "-at_install", "kam")
class TestKamPlanConstraints(KamPlanCommon):
    def _plan(self, **vals):
        return self.env["kam.plan"].create(
            {
                "name": "Plan",
                "user_id": self.kam_1.id,
                "date_from": self.next_year,
                "date_to": self.next_year.replace(month=3, day=31),
                **vals,
            }
        )

    def test_dates(self):
        with self.assertRaisesMessage(ValidationError, "ends before it starts"):
            self._plan(
                date_from=self.next_year.replace(month=2),
                date_to=self.next_year.replace(day=31),
            )

    def test_negative_targets(self):
        for field in ("target_amount", "target_active_accounts", "target_new_accounts"):
            with (
                self.subTest(field=field),
                self.assertRaisesMessage(ValidationError, "negative"),
            ):
                self._plan(**{field: -1})

    def test_overlap(self):
        q2_end = self.next_year.replace(month=6, day=30)
        self._plan()
        with self.assertRaisesMessage(ValidationError, "cannot overlap"):
            self._plan(
                date_from=self.next_year.replace(month=3, day=31), date_to=q2_end
            )
        self._plan(user_id=self.kam_2.id)  # another KAM may
        # the next quarter too
        self._plan(date_from=self.next_year.replace(month=4), date_to=q2_end)

    def test_line_partner_must_be_the_kams_key_account(self):
        with self.assertRaisesMessage(ValidationError, "not a key account of"):
            self._plan(line_ids=[Command.create({"partner_id": self.account_2.id})])
        plain = self.env["res.partner"].create({"name": "Not a KA", "is_company": True})
        with self.assertRaisesMessage(ValidationError, "not a key account of"):
            self._plan(line_ids=[Command.create({"partner_id": plain.id})])

    def test_individual_needs_a_kam(self):
        with self.assertRaisesMessage(ValidationError, "needs a key account manager"):
            self._plan(user_id=False)


@tagged("post_install", "-at_install", "kam")
class TestKamVariablePayScale(KamCommon):
    def test_interpolation(self):
        scale = self.env.ref("kam_management.kam_variable_pay_scale_default")
        expected = {
            0: 0.0,
            79.9: 0.0,
            80: 50.0,
            90: 75.0,
            100: 100.0,
            110: 125.0,
            120: 150.0,
            150: 150.0,
        }
        for achievement, payout in expected.items():
            with self.subTest(achievement=achievement):
                self.assertAlmostEqual(scale._payout_pct(achievement), payout)
        self.assertFalse(
            self.env["kam.variable.pay.scale"]
            .create({"name": "Empty"})
            ._payout_pct(100)
        )
