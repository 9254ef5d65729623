import time

from odoo.tests import TransactionCase, tagged

from bench.generate import generate
from bench.measure import markdown, measure

# the query-count goals of `make bench`, checked at a tiny size
QUERY_GOALS = ("queries", "cron ")


@tagged("post_install", "-at_install", "kam")
class TestBench(TransactionCase):
    def test_bench_tiny(self):
        started = time.perf_counter()
        data, rates = generate(
            self.env,
            kams=2,
            accounts=30,
            others=10,
            lines=300,
            orders=10,
            visits=40,
            orm_lines=150,
            orm_orders=5,
            commit=False,
            log=lambda *args: None,
        )
        self.assertEqual(len(data["plans"]), 2, "the department plan is split")
        self.assertTrue(rates)
        # half of the history is SQL copies of the ORM-made half, on the pool's
        # customers and in the period: the revenue report reads them like the rest
        self.assertGreaterEqual(rates["invoice lines copied in SQL"][0], 150)
        revenue = self.env["kam.revenue.report"].search_count(
            [("partner_id", "in", data["key_accounts"] + data["customers"])]
        )
        self.assertGreaterEqual(revenue, 300)
        copies = self.env["account.move"].search([("name", "=like", "%-1")])
        self.assertTrue(copies)
        self.assertTrue(all(move.state == "posted" for move in copies))
        self.assertTrue(
            set(copies.commercial_partner_id.ids)
            <= set(data["key_accounts"] + data["customers"])
        )
        self.assertGreaterEqual(
            self.env["sale.order"].search_count([("state", "=", "sale")]), 10
        )
        rows = measure(self.env, data, runs=1, commit=False, log=lambda *a: None)
        table = markdown(rows)
        self.assertIn("| figure | kam | baseline | ratio | goal | met? |", table)
        self.assertEqual(len(table.splitlines()), len(rows) + 2)
        failed = [
            row
            for row in rows
            if row["met"] is False
            and any(goal in row["figure"] for goal in QUERY_GOALS)
        ]
        self.assertFalse(failed, f"query-count goals not met:\n{table}")
        self.assertLess(time.perf_counter() - started, 60)
