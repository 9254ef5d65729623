"""Invoiced revenue (kam.revenue.report): its edge cases, once, and the figures that
read it (partner KPIs, plan actuals, account targets, plan analysis, plan split)."""

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import KamCommon


@tagged("post_install", "-at_install", "kam")
class TestKamRevenueReport(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Buyer One", "parent_id": cls.account_1.id}
        )
        cls.eur = cls.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        cls.company_b_data = cls.setup_other_company(name="KAM Revenue Company B")
        cls.company_b = cls.company_b_data["company"]

    def _revenue(self, domain=None, groupby=("partner_id", "company_id")):
        """{group: revenue} of the report (the test user reads every row)."""
        rows = self.env["kam.revenue.report"]._read_group(
            domain or [], list(groupby), ["amount:sum"]
        )
        return {row[:-1] if len(row) > 2 else row[0]: row[-1] for row in rows}

    def _invoice_in_company_b(self, partner, invoice_date, amount):
        data = self.company_b_data
        move = (
            self.env["account.move"]
            .with_company(self.company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "journal_id": data["default_journal_sale"].id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "price_unit": amount,
                                "tax_ids": [Command.set(data["default_tax_sale"].ids)],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def test_what_counts(self):
        company_a = self.env.company
        account = self.account_1
        self._invoice(account, "2026-03-01", 1000.0)  # untaxed: the tax is left out
        self._invoice(account, "2026-03-02", 200.0, move_type="out_refund")  # minus
        self._invoice(account, "2026-03-03", 1000.0, currency=self.eur)  # 500.0
        self._invoice(self.contact, "2026-03-04", 100.0)  # counts for its company
        self._invoice(account, "2026-03-05", 5000.0, post=False)  # a draft does not
        cancelled = self._invoice(account, "2026-03-06", 800.0)
        cancelled.button_draft()
        cancelled.button_cancel()  # nor a cancelled invoice
        self._invoice(account, "2026-03-07", 700.0, move_type="in_invoice")  # a bill
        self._invoice_in_company_b(account, "2026-03-08", 3000.0)  # company B
        self._invoice(self.account_2, "2026-03-09", 4000.0)  # another account
        self.assertEqual(
            self._revenue(),
            {
                (account, company_a): 1000.0 - 200.0 + 500.0 + 100.0,
                (account, self.company_b): 3000.0,
                (self.account_2, company_a): 4000.0,
            },
        )

    def test_rows_add_up_to_odoo_untaxed_amount(self):
        """Line by line, the rows of a move are its amount_untaxed_signed, also with a
        cash rounding line (counted as untaxed by Odoo)."""
        income = self.company_data["default_account_revenue"]
        rounding = self.env["account.cash.rounding"].create(
            {
                "name": "0.05",
                "rounding": 0.05,
                "strategy": "add_invoice_line",
                "rounding_method": "HALF-UP",
                "profit_account_id": income.id,
                "loss_account_id": income.id,
            }
        )
        invoice = self._invoice(self.account_1, "2026-03-01", 10.03, post=False)
        invoice.invoice_cash_rounding_id = rounding
        invoice.action_post()
        refund = self._invoice(self.account_1, "2026-03-01", 7.0, "out_refund")
        foreign = self._invoice(self.account_1, "2026-03-01", 99.99, currency=self.eur)
        self.assertTrue(
            invoice.line_ids.filtered(lambda line: line.display_type == "rounding")
        )
        by_move = self._revenue(groupby=["move_id"])
        for move in invoice | refund | foreign:
            with self.subTest(move=move.name):
                self.assertAlmostEqual(by_move[move], move.amount_untaxed_signed)

    def test_dimensions(self):
        """By invoice date (not accounting date) and month, product, KAM and key
        account flag of the account, following a new KAM at once."""
        invoice = self._invoice(self.contact, "2026-01-31", 100.0, post=False)
        invoice.date = "2026-02-05"
        invoice.invoice_line_ids.product_id = self.product_a
        invoice.invoice_line_ids.price_unit = 100.0
        invoice.action_post()
        self.assertNotEqual(invoice.date, invoice.invoice_date)
        rows = self._revenue(
            [("move_id", "=", invoice.id)],
            ["date:month", "product_id", "kam_user_id", "is_key_account"],
        )
        january = fields.Date.to_date("2026-01-01")
        self.assertEqual(rows, {(january, self.product_a, self.kam_1, True): 100.0})
        self.account_1.kam_user_id = self.kam_2  # not flushed yet: _depends does it
        self.assertEqual(
            self._revenue([("move_id", "=", invoice.id)], ["kam_user_id"]),
            {self.kam_2: 100.0},
        )

    def test_access(self):
        """A KAM reads the revenue of their own accounts, a head of sales all of it,
        sales support none."""
        self._invoice(self.account_1, "2026-03-01", 1000.0)
        self._invoice(self.account_2, "2026-03-01", 400.0)
        Report = self.env["kam.revenue.report"]
        for user, expected in (
            (self.kam_1, {self.account_1}),
            (self.kam_2, {self.account_2}),
            (self.head, {self.account_1, self.account_2}),
        ):
            with self.subTest(user=user.login):
                self.assertEqual(
                    set(Report.with_user(user).search([]).partner_id), expected
                )
        with self.assertRaises(AccessError):
            Report.with_user(self.support).search([])


@tagged("post_install", "-at_install", "kam")
class TestKamRevenueConsumers(KamCommon):
    """Every figure of invoiced revenue is the report's, for the same account and
    period: the KPI (12 months), a plan, its account target, the plan analysis and
    the history a split starts from."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Buyer One", "parent_id": cls.account_1.id}
        )
        cls.eur = cls.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        for day, amount, kind in (
            ("2025-06-01", 900.0, "out_invoice"),  # before the plan and the 12 months
            ("2026-01-10", 1000.0, "out_invoice"),
            ("2026-02-10", 150.0, "out_refund"),
            ("2026-03-10", 600.0, "eur"),  # 300.0
            ("2026-04-10", 80.0, "contact"),
            ("2026-07-10", 700.0, "out_invoice"),  # after today and the plan
        ):
            partner = cls.contact if kind == "contact" else cls.account_1
            currency = cls.eur if kind == "eur" else None
            move_type = "out_refund" if kind == "out_refund" else "out_invoice"
            cls._invoice(partner, day, amount, move_type, currency=currency)
        cls.plan = cls.env["kam.plan"].create(
            {
                "name": "H1 2026",
                "user_id": cls.kam_1.id,
                "date_from": "2026-01-01",
                "date_to": "2026-06-30",
                "line_ids": [
                    Command.create(
                        {"partner_id": cls.account_1.id, "target_amount": 2000.0}
                    )
                ],
            }
        )

    def _report_sum(self, date_from, date_to):
        rows = self.env["kam.revenue.report"]._read_group(
            [
                ("partner_id", "=", self.account_1.id),
                ("company_id", "=", self.env.company.id),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
            [],
            ["amount:sum"],
        )
        return rows[0][0]

    @freeze_time("2026-06-15")
    def test_every_figure_is_the_report(self):
        expected = 1000.0 - 150.0 + 300.0 + 80.0
        self.assertAlmostEqual(self._report_sum("2026-01-01", "2026-06-30"), expected)
        self.assertAlmostEqual(self._report_sum("2025-06-16", "2026-06-15"), expected)
        self.assertAlmostEqual(
            self.account_1.with_user(self.kam_1).kam_revenue_12m, expected
        )
        plan = self.plan.with_user(self.kam_1)
        self.assertAlmostEqual(plan.actual_amount, expected)
        self.assertAlmostEqual(plan.line_ids.actual_amount, expected)
        rows = (
            self.env["kam.plan.report"]
            .with_user(self.kam_1)
            ._read_group([("plan_id", "=", plan.id)], [], ["actual_amount:sum"])
        )
        self.assertAlmostEqual(rows[0][0], expected)
        next_year = self.plan.copy({"date_from": "2027-01-01", "date_to": "2027-06-30"})
        self.assertEqual(
            next_year._kam_history(self.account_1), {self.account_1.id: expected}
        )
