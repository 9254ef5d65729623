from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import KamCommon


class KamAdviceCommon(KamCommon):
    """A segment of four key accounts with a year of confirmed orders (services:
    no deliveries, so OCA's own recommendations find nothing and the advice is
    all ours), prices without taxes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {"kam_assortment_core_percent": 30, "kam_advice_overdue_threshold": 20}
        )
        cls.segment = cls.env["kam.segment"].create({"name": "Advice Retail"})
        cls.account_3 = cls._key_account("Account Three", cls.kam_2)
        cls.account_4 = cls._key_account("Account Four", cls.kam_2)
        (cls.account_1 | cls.account_2 | cls.account_3 | cls.account_4).write(
            {"kam_segment_id": cls.segment.id}
        )
        cls.p_10 = cls._product("Usual 10", 10.0)
        cls.p_20 = cls._product("Usual 20", 20.0)
        cls.gap = cls._product("Segment Gap", 5.0)
        cls.rare = cls._product("Rare", 5.0)
        cls.old = cls._product("Bought Long Ago", 5.0)
        cls.contact_1 = cls.env["res.partner"].create(
            {"name": "Buyer of One", "parent_id": cls.account_1.id}
        )
        # account 1: p_10 twice (10 and 20: 15 a order), p_20 once (7), through a
        # contact too; older than 12 months or not confirmed: not usual
        cls._history(cls.account_1, [(cls.p_10, 10), (cls.p_20, 7)], days=30)
        cls._history(cls.contact_1, [(cls.p_10, 20)], days=60)
        cls._history(cls.account_1, [(cls.p_10, 100), (cls.old, 3)], days=500)
        cls._history(cls.account_1, [(cls.p_10, 100)], days=10, confirm=False)
        # the segment: gap bought by 2 of 4 accounts (50 %), rare by 1 (25 %), old by
        # 2 in 12 months (account 1 bought it 500 days ago: not a gap)
        cls._history(cls.account_2, [(cls.gap, 4), (cls.rare, 1), (cls.old, 1)], 20)
        cls._history(cls.account_2, [(cls.gap, 6), (cls.p_10, 1)], days=40)
        cls._history(cls.account_3, [(cls.gap, 2), (cls.old, 1), (cls.p_10, 2)], 50)

    @classmethod
    def _product(cls, name, price):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "service",
                "list_price": price,
                "taxes_id": [Command.clear()],
            }
        )

    @classmethod
    def _history(cls, partner, lines, days, confirm=True):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for product, qty in lines
                ],
            }
        )
        if confirm:
            order.action_confirm()
            order.date_order = fields.Datetime.now() - timedelta(days=days)
        return order

    def _quotation(self, user=None, partner=None, lines=()):
        return (
            self.env["sale.order"]
            .with_user(user or self.kam_1)
            .create(
                {
                    "partner_id": (partner or self.account_1).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "tax_ids": [Command.clear()],
                            }
                        )
                        for product, qty in lines
                    ],
                }
            )
        )

    def _advice(self, order, user=None):
        wizard = (
            self.env["sale.order.recommendation"]
            .with_user(user or self.kam_1)
            .with_context(active_id=order.id)
            .create({})
        )
        wizard.generate_recommendations()
        return wizard

    @staticmethod
    def _lines(wizard):
        return {line.product_id: line for line in wizard.line_ids}

    def _limit(self, headroom):
        """A credit limit leaving ``headroom`` above the account's exposure (its
        confirmed orders of the history)."""
        account = self.account_1
        account.write(
            {
                "risk_sale_order_include": True,
                "risk_invoice_open_include": True,
                "risk_invoice_unpaid_include": True,
            }
        )
        self.env.invalidate_all()
        account.credit_limit = account.risk_total + headroom
        self.env.invalidate_all()


@tagged("post_install", "-at_install", "kam")
class TestKamAdvice(KamAdviceCommon):
    def test_usual_quantities(self):
        wizard = self._advice(self._quotation())
        self.assertTrue(wizard.kam_advice)
        lines = self._lines(wizard)
        usual = lines[self.p_10]
        # confirmed orders of the account (its contact too) in 12 months: 10 and 20
        self.assertEqual(usual.kam_advice_reason, "usual")
        self.assertAlmostEqual(usual.kam_usual_qty, 15.0)
        self.assertEqual(usual.kam_usual_orders, 2)
        self.assertEqual(usual.units_included, 15.0)
        self.assertIn(
            "Usual: 15.0 per order (orders in 12 months: 2)", usual.kam_advice_note
        )
        self.assertEqual(lines[self.p_20].units_included, 7.0)
        # bought 500 days ago only: neither usual nor a gap
        self.assertNotIn(self.old, lines)
        # no credit limit: no cap, and the wizard says so
        self.assertFalse(wizard.kam_advice_capped)
        self.assertIn("no credit limit", wizard.kam_advice_message)
        self.assertFalse(any(wizard.line_ids.mapped("kam_scaled_down")))

    def test_accept_writes_the_advice_to_the_quotation(self):
        order = self._quotation(lines=[(self.p_20, 2)])
        wizard = self._advice(order)
        lines = self._lines(wizard)
        # the quotation's own line is kept as entered, with its usual quantity shown
        self.assertEqual(lines[self.p_20].units_included, 2.0)
        self.assertAlmostEqual(lines[self.p_20].kam_usual_qty, 7.0)
        wizard.action_accept()
        quantities = {
            line.product_id: line.product_uom_qty for line in order.order_line
        }
        self.assertEqual(quantities, {self.p_20: 2.0, self.p_10: 15.0, self.gap: 4.0})

    def test_segment_gaps(self):
        wizard = self._advice(self._quotation())
        lines = self._lines(wizard)
        gap = lines[self.gap]
        self.assertEqual(gap.kam_advice_reason, "gap")
        self.assertAlmostEqual(gap.kam_segment_share, 50.0)
        # the segment's quantity per order: (4 + 6 + 2) / 3 orders
        self.assertEqual(gap.units_included, 4.0)
        self.assertIn("Segment gap: bought by 50 %", gap.kam_advice_note)
        self.assertIn("Segment gaps", wizard.kam_advice_message)
        # 25 % of the accounts: below the core share; bought once by the account,
        # 500 days ago: never a gap
        self.assertNotIn(self.rare, lines)
        self.assertNotIn(self.old, lines)
        # above 50 % only: no gap any more
        self.env.company.kam_assortment_core_percent = 60
        lines = self._lines(self._advice(self._quotation()))
        self.assertNotIn(self.gap, lines)
        self.env.company.kam_assortment_core_percent = 25
        lines = self._lines(self._advice(self._quotation()))
        self.assertIn(self.rare, lines)

    def test_scaled_down_to_the_headroom(self):
        # usual 15 x 10 + 7 x 20 = 290, the gap 4 x 5 = 20: 200 of headroom
        self._limit(200.0)
        order = self._quotation()
        self.assertAlmostEqual(order.kam_credit_headroom, 200.0)
        wizard = self._advice(order)
        lines = self._lines(wizard)
        self.assertTrue(wizard.kam_advice_capped)
        self.assertTrue(wizard.kam_advice_scaled)
        self.assertIn(
            "Scaled down to the account's credit headroom", wizard.kam_advice_message
        )
        # the new product first, then the usual quantities in proportion (10 and 4),
        # then what is left filled again (2 more of the first): 200 exactly
        self.assertEqual(lines[self.gap].units_included, 0.0)
        self.assertIn(
            "dropped to fit the credit headroom", lines[self.gap].kam_advice_note
        )
        self.assertEqual(lines[self.p_10].units_included, 12.0)
        self.assertEqual(lines[self.p_20].units_included, 4.0)
        self.assertTrue(lines[self.p_20].kam_scaled_down)
        self.assertIn(
            "scaled down to the credit headroom from 7",
            lines[self.p_20].kam_advice_note,
        )
        self.assertAlmostEqual(wizard.kam_credit_headroom, 200.0)
        self.assertLessEqual(wizard.kam_advised_total, wizard.kam_credit_headroom)
        wizard.action_accept()
        self.assertLessEqual(order.amount_total, 200.0)
        # the advised order passes the credit gate
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_headroom_counts_the_quotation_as_it_stands(self):
        # 300 of headroom, the quotation already holds 5 x 20 = 100: 200 left
        self._limit(300.0)
        order = self._quotation(lines=[(self.p_20, 5)])
        wizard = self._advice(order)
        lines = self._lines(wizard)
        self.assertEqual(lines[self.p_20].units_included, 5.0)
        self.assertEqual(lines[self.p_10].units_included, 15.0)  # 150
        # the gap (4 x 5) fits the 50 left
        self.assertEqual(lines[self.gap].units_included, 4.0)
        self.assertFalse(wizard.kam_advice_scaled)
        self.assertIn("fits the account's credit headroom", wizard.kam_advice_message)
        # 160 left: the usual 150 kept, the new product cut to what is left (2 x 5)
        self._limit(260.0)
        wizard = self._advice(order)
        lines = self._lines(wizard)
        self.assertEqual(lines[self.p_10].units_included, 15.0)
        self.assertEqual(lines[self.gap].units_included, 2.0)
        self.assertTrue(lines[self.gap].kam_scaled_down)
        self.assertTrue(wizard.kam_advice_scaled)
        self.assertAlmostEqual(wizard.kam_advised_total, 260.0)
        self._limit(50.0)  # already over the limit: nothing more is advised
        wizard = self._advice(order)
        self.assertFalse(
            sum(
                wizard.line_ids.filtered("kam_advice_reason")
                .filtered(lambda line: not line.sale_line_id)
                .mapped("units_included")
            )
        )
        self.assertIn("No credit headroom is left", wizard.kam_advice_message)

    def test_overdue_debt_restricts_the_advice(self):
        self._limit(100000.0)
        today = fields.Date.today()
        self._invoice(
            self.account_1,
            today - timedelta(days=60),
            100.0,
            due_date=today - timedelta(days=30),
        )
        self.env.invalidate_all()
        order = self._quotation()
        self.assertGreater(order.kam_overdue_share, 20.0)
        wizard = self._advice(order)
        lines = self._lines(wizard)
        self.assertTrue(wizard.kam_advice_restricted)
        self.assertIn("overdue debt is above 20 %", wizard.kam_advice_message)
        self.assertIn("no new products", wizard.kam_advice_message)
        self.assertNotIn(self.gap, lines)
        self.assertEqual(lines[self.p_10].units_included, 15.0)
        self.assertEqual(lines[self.p_20].units_included, 7.0)
        # a threshold above the account's share: the gaps come back
        self.env.company.kam_advice_overdue_threshold = 100
        wizard = self._advice(self._quotation())
        self.assertFalse(wizard.kam_advice_restricted)
        self.assertIn(self.gap, self._lines(wizard))

    def test_sales_support_gets_the_capped_advice_without_figures(self):
        self._limit(200.0)
        kam_lines = self._lines(self._advice(self._quotation()))
        wizard = self._advice(self._quotation(user=self.support), user=self.support)
        lines = self._lines(wizard)
        self.assertEqual(
            {p: line.units_included for p, line in lines.items()},
            {p: line.units_included for p, line in kam_lines.items()},
        )
        self.assertTrue(wizard.kam_advice_scaled)
        self.assertFalse(wizard.kam_figures_visible)
        # no credit figure: not in the message, not readable
        self.assertNotIn("200", wizard.kam_advice_message)
        for fname in ("kam_credit_headroom", "kam_overdue_share", "kam_advised_total"):
            with self.assertRaises(AccessError):
                wizard.read([fname])
        # a head of sales sees them
        wizard = self._advice(self._quotation(user=self.head), user=self.head)
        self.assertTrue(wizard.kam_figures_visible)
        self.assertAlmostEqual(wizard.kam_credit_headroom, 200.0)

    def test_other_kams_accounts(self):
        self._limit(200.0)
        self.account_2.write({"credit_limit": 20000.0})
        # another KAM's quotation: the record rules hide it, no advice on it
        order_2 = self._quotation(user=self.kam_2, partner=self.account_2)
        Wizard = self.env["sale.order.recommendation"].with_user(self.kam_1)
        with self.assertRaises(AccessError):
            Wizard.with_context(active_id=order_2.id).create({})
        # ... nor by pointing one's own wizard at it
        wizard = Wizard.with_context(active_id=self._quotation().id).create({})
        wizard.write({"order_id": order_2.id})
        with self.assertRaises(AccessError):
            wizard.generate_recommendations()
        with self.assertRaises(AccessError):
            wizard.action_accept()
        # a quotation kam_1 owns for kam_2's account: advice, but no figures
        wizard = self._advice(self._quotation(partner=self.account_2))
        self.assertTrue(wizard.kam_advice)
        self.assertFalse(wizard.kam_figures_visible)
        self.assertFalse(wizard.kam_credit_headroom)
        self.assertFalse(wizard.kam_advised_total)

    def test_not_a_key_account_keeps_oca_behaviour(self):
        customer = self.env["res.partner"].create({"name": "Walk-in"})
        order = self._quotation(partner=customer, lines=[(self.p_10, 1)])
        wizard = self._advice(order)
        self.assertFalse(wizard.kam_advice)
        self.assertFalse(wizard.line_ids.filtered("kam_advice_reason"))

    def test_assortment_coverage(self):
        # the core (>= 30 % of 4 accounts in 12 months): p_10 (3), gap (2), old (2);
        # account 1 bought p_10 in 12 months: 1 of 3
        account = self.account_1.with_user(self.kam_1)
        self.assertEqual(account.kam_assortment_core_count, 3)
        self.assertAlmostEqual(account.kam_assortment_coverage, 100.0 / 3)
        self.assertAlmostEqual(
            self.account_2.with_user(self.head).kam_assortment_coverage, 100.0
        )
        # another KAM's account: nothing
        other = self.account_1.with_user(self.kam_2)
        self.assertFalse(other.kam_figures_visible)
        self.assertFalse(other.kam_assortment_core_count)
        self.assertFalse(other.kam_assortment_coverage)
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.support).read(["kam_assortment_coverage"])
        self.env.company.kam_assortment_core_percent = 100
        self.env.invalidate_all()
        self.assertEqual(account.kam_assortment_core_count, 0)

    def test_settings_refuse_percentages_out_of_range(self):
        for vals in (
            {"kam_assortment_core_percent": 0},
            {"kam_assortment_core_percent": 101},
            {"kam_advice_overdue_threshold": -1},
            {"kam_advice_overdue_threshold": 150},
        ):
            with self.assertRaisesMessage(ValidationError, "percentage between"):
                self.env.company.with_user(self.head).write(vals)
        self.env.company.with_user(self.head).write(
            {"kam_assortment_core_percent": 50, "kam_advice_overdue_threshold": 0}
        )


@tagged("post_install", "-at_install", "kam")
class TestKamAdvicePerformance(KamAdviceCommon):
    def _queries(self, order):
        wizard = (
            self.env["sale.order.recommendation"]
            .with_user(self.kam_1)
            .with_context(active_id=order.id)
            .create({"line_amount": 100})
        )
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        wizard.generate_recommendations()
        wizard.line_ids.mapped("kam_advice_note")
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, len(wizard.line_ids)

    def test_advice_does_not_grow_with_products_and_history(self):
        Segment = self.env["kam.segment"]
        seg_small, seg_big = Segment.create([{"name": "Small"}, {"name": "Big"}])
        small, peer_s = (
            self._key_account(name, self.kam_1, kam_segment_id=seg_small.id)
            for name in ("Small", "Small Peer")
        )
        big, peer_b = (
            self._key_account(name, self.kam_1, kam_segment_id=seg_big.id)
            for name in ("Big", "Big Peer")
        )
        (small | big).write({"credit_limit": 100.0})
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Perf {i}",
                    "type": "service",
                    "list_price": 3.0 + i,
                    "taxes_id": [Command.clear()],
                }
                for i in range(30)
            ]
        )
        # small: 2 products in 1 order, 1 gap; big: 20 products in 6 orders, 10 gaps
        self._history(small, [(products[0], 2), (products[1], 3)], days=15)
        self._history(peer_s, [(products[2], 1)], days=15)
        for days in (10, 40, 70, 100, 130, 160):
            self._history(big, [(p, 5) for p in products[:20]], days=days)
        self._history(peer_b, [(p, 1) for p in products[20:]], days=25)
        self._queries(self._quotation(partner=small))  # warm the ormcaches
        self._queries(self._quotation(partner=big))
        few, few_lines = self._queries(self._quotation(partner=small))
        many, many_lines = self._queries(self._quotation(partner=big))
        self.assertEqual((few_lines, many_lines), (3, 30))
        self.assertEqual(few, many, "the advice must not query per product or line")

    def test_coverage_does_not_grow_with_the_accounts(self):
        accounts = self.account_1 | self.account_2 | self.account_3 | self.account_4
        for account in accounts:
            self._history(account, [(self.p_20, 1), (self.gap, 1)], days=5)

        def queries(partners):
            partners = partners.with_user(self.head)
            self.env.invalidate_all()
            partners.fetch(["name", "commercial_partner_id"])
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            partners.mapped("kam_assortment_coverage")
            return self.env.cr.sql_log_count - before

        queries(accounts)  # warm the ormcaches
        self.assertEqual(queries(self.account_1), queries(accounts))
