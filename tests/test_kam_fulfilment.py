"""Fulfilment, returns and refusals of key accounts (duty 2.11, issue 13 part F)."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import KamCommon

# what a client may send with any call
HOSTILE_CONTEXT = {
    "bypass_risk": True,
    "kam_skip_reason": True,
    "disable_cancel_warning": True,
    "kam_state_write": True,
}


class KamFulfilmentCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now().replace(microsecond=0)
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        Product = cls.env["product.product"]
        cls.goods_1 = Product.create(
            {"name": "Fulfilment Goods 1", "type": "consu", "list_price": 10.0}
        )
        cls.goods_2 = Product.create(
            {"name": "Fulfilment Goods 2", "type": "consu", "list_price": 50.0}
        )
        cls.accountant = new_test_user(
            cls.env,
            login="kam_accountant",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.reason_client = cls.env.ref("kam_management.kam_reason_cancellation_client")
        cls.reason_price = cls.env.ref("kam_management.kam_reason_lost_price")
        cls.reason_damaged = cls.env.ref("kam_management.kam_reason_return_damaged")
        cls.reason_quality = cls.env.ref("kam_management.kam_reason_refusal_quality")
        cls.plain_customer = cls.env["res.partner"].create(
            {"name": "Walk-in Customer", "is_company": True}
        )

    @classmethod
    def _confirmed_order(cls, account, lines, commitment_days=None, user=None):
        """A key account's order of ``lines`` [(product, qty, price)], confirmed by
        its KAM; promised ``commitment_days`` from now."""
        user = user or account.kam_user_id or cls.env.user
        vals = {
            "partner_id": account.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": qty,
                        "price_unit": price,
                        "tax_ids": [Command.clear()],
                    }
                )
                for product, qty, price in lines
            ],
        }
        if commitment_days is not None:
            vals["commitment_date"] = cls.now + timedelta(days=commitment_days)
        order = cls.env["sale.order"].with_user(user).create(vals)
        order.action_confirm()
        assert order.state == "sale", "the test order was not confirmed"
        return order.with_user(cls.env.user)

    @classmethod
    def _deliver(cls, order, quantities, done_at):
        """Deliver ``quantities`` {product: qty} of the order's open delivery on
        ``done_at``; what is short is not delivered later (no backorder)."""
        picking = order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        for move in picking.move_ids:
            move.write(
                {"quantity": quantities.get(move.product_id, 0.0), "picked": True}
            )
        picking.with_context(cancel_backorder=True)._action_done()
        picking.move_ids.filtered(lambda m: m.state == "done").write({"date": done_at})
        order.invalidate_recordset()


@tagged("post_install", "-at_install", "kam")
class TestKamFulfilment(KamFulfilmentCommon):
    def _fulfilment(self, user, domain, groupby, aggregates):
        return (
            self.env["kam.fulfilment.report"]
            .with_user(user)
            ._read_group(domain, groupby, aggregates)
        )

    def test_fill_rate_is_the_ratio_of_sums(self):
        # 10 of 10 delivered on time, 15 of 30 delivered two days late
        full = self._confirmed_order(
            self.account_1, [(self.goods_1, 10, 10.0)], commitment_days=-5
        )
        self._deliver(full, {self.goods_1: 10}, self.now - timedelta(days=6))
        short = self._confirmed_order(
            self.account_1, [(self.goods_1, 30, 10.0)], commitment_days=-5
        )
        self._deliver(short, {self.goods_1: 15}, self.now - timedelta(days=3))
        [(ordered, delivered, on_time, fill, on_time_rate)] = self._fulfilment(
            self.kam_1,
            [("partner_id", "=", self.account_1.id)],
            [],
            [
                "qty_ordered:sum",
                "qty_delivered:sum",
                "qty_on_time:sum",
                "fill_rate:avg",
                "on_time_rate:avg",
            ],
        )
        self.assertEqual((ordered, delivered, on_time), (40.0, 25.0, 10.0))
        # 25 / 40, not the average of 100 % and 50 %
        self.assertAlmostEqual(fill, 62.5)
        self.assertAlmostEqual(on_time_rate, 25.0)
        # per month, as the pivot groups it
        groups = self._fulfilment(
            self.kam_1,
            [("partner_id", "=", self.account_1.id)],
            ["partner_id", "date:month"],
            ["fill_rate:sum"],
        )
        self.assertEqual([round(rate, 1) for *_group, rate in groups], [62.5])
        # a row's own rate
        row = (
            self.env["kam.fulfilment.report"]
            .with_user(self.kam_1)
            .search([("order_id", "=", short.id)])
        )
        self.assertAlmostEqual(row.fill_rate, 50.0)
        self.assertFalse(row.is_late, "the shortage is closed: nothing to deliver")

    def test_late_deliveries_on_relative_dates(self):
        late = self._confirmed_order(
            self.account_1, [(self.goods_1, 5, 10.0)], commitment_days=-2
        )
        due = self._confirmed_order(
            self.account_1, [(self.goods_1, 5, 10.0)], commitment_days=5
        )
        delivered = self._confirmed_order(
            self.account_1, [(self.goods_2, 2, 50.0)], commitment_days=-2
        )
        self._deliver(delivered, {self.goods_2: 2}, self.now - timedelta(days=3))
        Order = self.env["sale.order"].with_user(self.kam_1)
        self.assertTrue(late.with_user(self.kam_1).kam_is_late)
        self.assertFalse(due.with_user(self.kam_1).kam_is_late)
        self.assertFalse(delivered.with_user(self.kam_1).kam_is_late)
        found = Order.search(
            [("kam_is_late", "=", True), ("partner_id", "=", self.account_1.id)]
        )
        self.assertEqual(found, late)
        self.assertEqual(
            Order.search([("kam_is_late", "=", False), ("id", "in", (late | due).ids)]),
            due,
        )
        self.assertEqual(self.account_1.with_user(self.kam_1).kam_late_order_count, 1)
        self.assertEqual(self.account_2.with_user(self.kam_2).kam_late_order_count, 0)
        Report = self.env["kam.fulfilment.report"].with_user(self.kam_1)
        self.assertEqual(Report.search([("is_late", "=", True)]).order_id, late)
        # the partner's button opens the account's late orders
        action = self.account_1.with_user(self.kam_1).action_kam_view_fulfilment()
        self.assertEqual(
            Order.search(action["domain"] + [("kam_is_late", "=", True)]), late
        )
        # once delivered, it is no longer late
        self._deliver(late, {self.goods_1: 5}, self.now)
        self.env.invalidate_all()
        self.assertFalse(late.with_user(self.kam_1).kam_is_late)
        self.assertEqual(self.account_1.with_user(self.kam_1).kam_late_order_count, 0)

    def test_payment_status_of_the_invoices(self):
        order = self._confirmed_order(self.account_1, [(self.goods_1, 10, 10.0)])
        Order = self.env["sale.order"].with_user(self.support)
        self.assertEqual(Order.browse(order.id).kam_payment_status, "none")
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(Order.browse(order.id).kam_payment_status, "not_paid")
        self._pay(invoice, amount=40.0)
        self.assertEqual(Order.browse(order.id).kam_payment_status, "partial")
        self.assertEqual(
            Order.search([("kam_payment_status", "in", ["partial"])]), order
        )
        self._pay(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(Order.browse(order.id).kam_payment_status, "paid")
        self.assertEqual(
            Order.search(
                [("kam_payment_status", "in", ["paid"]), ("id", "=", order.id)]
            ),
            order,
        )
        self.assertFalse(
            Order.search(
                [
                    ("kam_payment_status", "in", ["none", "not_paid", "partial"]),
                    ("id", "=", order.id),
                ]
            )
        )

    def test_who_reads_fulfilment(self):
        order_1 = self._confirmed_order(self.account_1, [(self.goods_1, 3, 10.0)])
        order_2 = self._confirmed_order(self.account_2, [(self.goods_1, 4, 10.0)])
        Report = self.env["kam.fulfilment.report"]
        mine = [("order_id", "in", (order_1 | order_2).ids)]
        self.assertEqual(Report.with_user(self.kam_1).search(mine).order_id, order_1)
        self.assertEqual(Report.with_user(self.kam_2).search(mine).order_id, order_2)
        self.assertEqual(
            Report.with_user(self.head).search(mine).order_id, order_1 | order_2
        )
        # sales support follows every account's fulfilment, without KAM data
        rows = Report.with_user(self.support).search(mine)
        self.assertEqual(rows.order_id, order_1 | order_2)
        self.assertEqual(sum(rows.mapped("qty_ordered")), 7.0)
        with self.assertRaises(AccessError):
            rows.read(["kam_tier"])
        self.assertEqual(
            self.env["sale.order"]
            .with_user(self.support)
            .browse(order_1.id)
            .delivery_status,
            "pending",
        )
        # the wrong groups read nothing
        for user in (self.accountant, self.portal):
            with self.assertRaises(AccessError):
                Report.with_user(user).search(mine)


@tagged("post_install", "-at_install", "kam")
class TestKamCancellationReason(KamFulfilmentCommon):
    def test_a_confirmed_key_account_order_is_cancelled_with_a_reason(self):
        order = self._confirmed_order(self.account_1, [(self.goods_2, 4, 50.0)])
        as_kam = order.with_user(self.kam_1)
        # the button asks for the reason
        action = as_kam.with_context(**HOSTILE_CONTEXT).action_cancel()
        self.assertEqual(action["res_model"], "kam.order.cancel")
        self.assertEqual(order.state, "sale")
        # no other path cancels it without one, whatever the context
        for cancel in (
            lambda o: o.write({"state": "cancel"}),
            lambda o: o._action_cancel(),
            lambda o: o.write({"state": "cancel", "kam_reason_id": False}),
            lambda o: self.env["sale.mass.cancel.orders"]
            .with_user(self.kam_1)
            .with_context(**HOSTILE_CONTEXT)
            .create({"sale_order_ids": [Command.set(o.ids)]})
            .action_mass_cancel(),
        ):
            with self.assertRaisesMessage(UserError, "cancelled with a reason"):
                cancel(as_kam.with_context(**HOSTILE_CONTEXT))
        self.assertEqual(order.state, "sale")
        # nor with a reason of a credit note
        with self.assertRaises(ValidationError):
            as_kam.write({"state": "cancel", "kam_reason_id": self.reason_damaged.id})
        Wizard = self.env["kam.order.cancel"].with_user(self.kam_1)
        wizard = Wizard.with_context(**HOSTILE_CONTEXT).create({"order_id": order.id})
        with self.assertRaisesMessage(UserError, "Choose the reason"):
            wizard.action_cancel_order()
        with self.assertRaises(ValidationError):
            wizard.reason_id = self.reason_quality
        self.assertEqual(order.state, "sale")
        wizard_form = Form(Wizard.with_context(action["context"]))
        self.assertEqual(wizard_form.order_id, order)
        wizard_form.reason_id = self.reason_client
        wizard_form.note = "The store closes for works."
        wizard_form.save().action_cancel_order()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.kam_reason_id, self.reason_client)
        # the reason stays
        with self.assertRaisesMessage(UserError, "cannot be removed"):
            as_kam.write({"kam_reason_id": False})

    def test_another_kams_order_is_not_cancelled_through_the_wizard(self):
        order = self._confirmed_order(self.account_2, [(self.goods_1, 1, 10.0)])
        with self.assertRaises(AccessError):
            self.env["kam.order.cancel"].with_user(self.kam_1).create(
                {"order_id": order.id, "reason_id": self.reason_client.id}
            )
        self.assertEqual(order.state, "sale")

    def test_sales_support_cancels_with_a_reason(self):
        order = self._confirmed_order(self.account_2, [(self.goods_1, 1, 10.0)])
        wizard = (
            self.env["kam.order.cancel"]
            .with_user(self.support)
            .create({"order_id": order.id, "reason_id": self.reason_price.id})
        )
        wizard.action_cancel_order()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.kam_reason_id, self.reason_price)

    def test_no_reason_needed_for_quotations_and_other_customers(self):
        quotation = (
            self.env["sale.order"]
            .with_user(self.kam_1)
            .create({"partner_id": self.account_1.id})
        )
        quotation.action_cancel()
        self.assertEqual(quotation.state, "cancel")
        plain = self.env["sale.order"].create(
            {
                "partner_id": self.plain_customer.id,
                "order_line": [Command.create({"product_id": self.goods_1.id})],
            }
        )
        plain.action_confirm()
        plain.action_cancel()
        self.assertEqual(plain.state, "cancel")


@tagged("post_install", "-at_install", "kam")
class TestKamCreditNoteReason(KamFulfilmentCommon):
    def _reversal(self, invoice, **vals):
        return (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, **vals})
        )

    def test_the_reversal_wizard_asks_for_the_reason(self):
        invoice = self._invoice(self.account_1, self.today, 100.0)
        wizard = self._reversal(invoice)
        self.assertTrue(wizard.kam_reason_required)
        action = wizard.refund_moves()
        refund = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(refund.state, "draft")
        with self.assertRaisesMessage(UserError, "needs a return or refusal reason"):
            refund.with_user(self.accountant).with_context(
                **HOSTILE_CONTEXT
            ).action_post()
        # a full refund posts at once: not without the reason either
        with self.assertRaisesMessage(UserError, "needs a return or refusal reason"):
            self._reversal(invoice).modify_moves()
        action = self._reversal(invoice, kam_reason_id=self.reason_quality.id)
        refund = self.env["account.move"].browse(action.refund_moves()["res_id"])
        self.assertEqual(refund.kam_reason_id, self.reason_quality)
        refund.with_user(self.accountant).action_post()
        self.assertEqual(refund.state, "posted")
        with self.assertRaisesMessage(UserError, "cannot be removed"):
            refund.with_user(self.accountant).write({"kam_reason_id": False})
        # other customers' invoices need no reason
        plain_invoice = self._invoice(self.plain_customer, self.today, 100.0)
        self.assertFalse(self._reversal(plain_invoice).kam_reason_required)

    def test_a_key_account_credit_note_is_posted_with_a_reason(self):
        refund = self._invoice(
            self.account_1, self.today, 80.0, move_type="out_refund", post=False
        )
        refund.kam_reason_id = False
        with self.assertRaisesMessage(UserError, "needs a return or refusal reason"):
            refund.with_user(self.accountant).with_context(
                **HOSTILE_CONTEXT
            ).action_post()
        with self.assertRaises(ValidationError):
            refund.with_user(self.accountant).write(
                {"kam_reason_id": self.reason_client.id}
            )
        refund.with_user(self.accountant).kam_reason_id = self.reason_damaged
        refund.with_user(self.accountant).action_post()
        self.assertEqual(refund.state, "posted")


@tagged("post_install", "-at_install", "kam")
class TestKamReturnReport(KamFulfilmentCommon):
    def test_returns_and_refusals_by_reason(self):
        order = self._confirmed_order(
            self.account_1, [(self.goods_2, 4, 50.0), (self.goods_1, 3, 10.0)]
        )
        self.env["kam.order.cancel"].with_user(self.kam_1).create(
            {"order_id": order.id, "reason_id": self.reason_client.id}
        ).action_cancel_order()
        refund = self._invoice(self.account_1, self.today, 80.0, move_type="out_refund")
        refund_2 = self._invoice(
            self.account_2, self.today, 30.0, move_type="out_refund"
        )
        Report = self.env["kam.return.report"]
        rows = Report.with_user(self.kam_1).search([])
        self.assertEqual(rows.order_id, order)
        self.assertEqual(rows.move_id, refund)
        by_reason = dict(
            Report.with_user(self.kam_1)._read_group(
                [], ["reason_type"], ["amount:sum"]
            )
        )
        self.assertEqual(by_reason, {"cancellation": 230.0, "return": 80.0})
        by_source = {
            (source, reason, partner, kam): (quantity, amount)
            for source, reason, partner, kam, quantity, amount in Report.with_user(
                self.head
            )._read_group(
                [("partner_id", "in", (self.account_1 | self.account_2).ids)],
                ["source", "reason_id", "partner_id", "kam_user_id"],
                ["quantity:sum", "amount:sum"],
            )
        }
        self.assertEqual(
            by_source,
            {
                ("order", self.reason_client, self.account_1, self.kam_1): (7.0, 230.0),
                ("credit_note", self.reason_damaged, self.account_1, self.kam_1): (
                    1.0,
                    80.0,
                ),
                ("credit_note", self.reason_damaged, self.account_2, self.kam_2): (
                    1.0,
                    30.0,
                ),
            },
        )
        self.assertEqual(Report.with_user(self.kam_2).search([]).move_id, refund_2)
        # sales support follows fulfilment, not the returns analysis
        for user in (self.support, self.accountant, self.portal):
            with self.assertRaises(AccessError):
                Report.with_user(user).search([])
