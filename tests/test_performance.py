from odoo import Command
from odoo.tests import tagged

from .common import KamCommon


@tagged("post_install", "-at_install", "kam")
class TestKamKpiPerformance(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts = cls.env["res.partner"].create(
            [
                {
                    "name": f"Perf Account {i}",
                    "is_company": True,
                    "is_key_account": True,
                    "kam_user_id": cls.kam_1.id,
                }
                for i in range(50)
            ]
        )
        for account in cls.accounts[:10]:
            cls._invoice(account, "2026-01-10", 100.0, due_date="2026-01-20")

    def _count_kpi_queries(self, partners):
        partners = partners.with_user(self.kam_1)
        self.env.invalidate_all()
        partners.fetch(["name", "commercial_partner_id"])
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        partners.mapped("kam_revenue_12m")
        partners.mapped("kam_overdue_amount")
        partners.mapped("kam_last_order_date")
        return self.env.cr.sql_log_count - before

    def test_kpi_query_count_does_not_grow_with_partners(self):
        self._count_kpi_queries(self.accounts[:5])  # warm the ormcaches
        few = self._count_kpi_queries(self.accounts[:5])
        many = self._count_kpi_queries(self.accounts)
        self.assertEqual(
            few, many, "KPIs must be computed in a constant number of queries"
        )
        # one _read_group each for revenue, overdue and last order, plus reading the
        # partners' key account fields: measured once, kept as a regression guard
        for partners in (self.accounts[:5], self.accounts):
            self.env.invalidate_all()
            partners.with_user(self.kam_1).fetch(["name", "commercial_partner_id"])
            with self.assertQueryCount(few):
                partners = partners.with_user(self.kam_1)
                partners.mapped("kam_revenue_12m")
                partners.mapped("kam_overdue_amount")
                partners.mapped("kam_last_order_date")
        self.assertLessEqual(few, 6)


@tagged("post_install", "-at_install", "kam")
class TestKamPlanPerformance(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.plans = cls.env["kam.plan"]
        for kam, count in ((cls.kam_1, 50), (cls.kam_2, 5)):
            accounts = Partner.create(
                [
                    {
                        "name": f"{kam.login} account {i}",
                        "is_company": True,
                        "is_key_account": True,
                        "kam_user_id": kam.id,
                    }
                    for i in range(count)
                ]
            )
            for account in accounts[:5]:
                cls._invoice(account, "2026-02-10", 100.0)
            cls.plans |= cls.env["kam.plan"].create(
                {
                    "name": f"Plan {kam.login}",
                    "user_id": kam.id,
                    "date_from": "2026-01-01",
                    "date_to": "2026-12-31",
                    "target_amount": 1000.0 * count,
                    "line_ids": [
                        Command.create({"partner_id": a.id, "target_amount": 1000.0})
                        for a in accounts
                    ],
                }
            )

    def _count_actuals_queries(self, plan):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        plan.mapped("actual_amount")
        plan.mapped("actual_active_accounts")
        plan.mapped("actual_new_accounts")
        plan.line_ids.mapped("actual_amount")
        return self.env.cr.sql_log_count - before

    def test_actuals_query_count_does_not_grow_with_accounts(self):
        plan_50, plan_5 = self.plans
        self._count_actuals_queries(plan_5)  # warm the ormcaches
        few = self._count_actuals_queries(plan_5)
        many = self._count_actuals_queries(plan_50)
        self.assertEqual(few, many, "plan actuals must not be computed per account")
        self.assertLessEqual(few, 8)
        self.assertAlmostEqual(plan_50.actual_amount, 500.0)
        self.assertEqual(plan_50.actual_active_accounts, 5)
        self.assertAlmostEqual(sum(plan_50.line_ids.mapped("actual_amount")), 500.0)

    def _count_plan_queries(self, plans):
        self.env.invalidate_all()
        plans.fetch(["state", "date_from", "date_to", "company_id", "user_id"])
        plans.company_id.currency_id.fetch(["rounding"])
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        plans.mapped("actual_amount")
        plans.mapped("actual_new_accounts")
        return self.env.cr.sql_log_count - before

    def test_actuals_query_count_does_not_grow_with_plans(self):
        # plans of one period share one query whatever their number; each other
        # period adds one (a KAM's quarters, say), never one per plan or per KAM
        self._count_plan_queries(self.plans)  # warm the ormcaches
        one = self._count_plan_queries(self.plans[:1])
        two = self._count_plan_queries(self.plans)
        self.assertEqual(one, two)
        self.assertLessEqual(one, 2)
        quarters = self.env["kam.plan"].create(
            [
                {
                    "name": f"Q{quarter} {kam.login}",
                    "user_id": kam.id,
                    "date_from": f"2025-{3 * quarter - 2:02d}-01",
                    "date_to": f"2025-{3 * quarter:02d}-28",
                }
                for quarter in (1, 2)
                for kam in (self.kam_1, self.kam_2)
            ]
        )
        self.assertEqual(self._count_plan_queries(self.plans | quarters), one + 2)
        # the invoices are of 2026: nothing in 2025, the year plans unchanged
        self.assertEqual(quarters.mapped("actual_amount"), [0.0] * 4)
        self.assertEqual(self.plans.mapped("actual_amount"), [500.0, 500.0])
