from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import KamCommon


class KamCreditCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_1.write(
            {
                "credit_limit": 1000.0,
                "risk_sale_order_include": True,
                "risk_invoice_open_include": True,
                "risk_invoice_unpaid_include": True,
            }
        )

    def _order(self, amount, user=None, partner=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.kam_1)
            .create(
                {
                    "partner_id": (partner or self.account_1).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def _check(self, user=None, **vals):
        return (
            self.env["kam.credit.check"]
            .with_user(user or self.kam_1)
            .create(
                {"partner_id": self.account_1.id, "requested_limit": 5000.0, **vals}
            )
        )


@tagged("post_install", "-at_install", "kam")
class TestKamCreditGate(KamCreditCommon):
    def test_blocked_over_the_limit(self):
        order = self._order(1500.0)
        with self.assertRaisesMessage(
            UserError, "exceeds the financial risk"
        ) as catcher:
            order.action_confirm()
        message = str(catcher.exception)
        self.assertIn("Credit limit: $\xa01,000.00", message)
        self.assertIn("Exposure with this order: $\xa01,500.00", message)
        self.assertEqual(order.state, "draft")
        small = self._order(400.0)
        small.action_confirm()
        self.assertEqual(small.state, "sale")
        self.assertAlmostEqual(self._order(10.0).kam_credit_headroom, 600.0)

    def test_blocked_with_overdue_beyond_margin(self):
        self.account_1.write(
            {"credit_limit": 100000.0, "risk_invoice_unpaid_limit": 0.01}
        )
        self.env.company.invoice_unpaid_margin = 10
        today = fields.Date.today()
        self._invoice(
            self.account_1,
            today - timedelta(days=40),
            100.0,
            due_date=today - timedelta(days=5),
        )  # within the margin
        order = self._order(100.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self._invoice(
            self.account_1,
            today - timedelta(days=60),
            100.0,
            due_date=today - timedelta(days=30),
        )  # beyond the margin
        self.env.invalidate_all()
        order = self._order(100.0)
        with self.assertRaisesMessage(UserError, "Financial risk exceeded"):
            order.action_confirm()
        self.assertGreater(self._order(1.0).kam_overdue_share, 0.0)

    def test_blocked_on_credit_hold(self):
        self.account_1.with_user(self.head).kam_credit_hold = True
        with self.assertRaisesMessage(UserError, "credit hold"):
            self._order(10.0).action_confirm()
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.kam_1).kam_credit_hold = False

    def test_blocked_without_a_valid_check(self):
        self.env.company.kam_credit_check_required = True
        with self.assertRaisesMessage(UserError, "no valid credit check"):
            self._order(10.0).action_confirm()
        check = self._check()
        check.action_submit()
        check.with_user(self.head).validate_tier()
        self.assertEqual(check.state, "approved")
        self._order(10.0).action_confirm()
        # time passes: the check's validity ended (decided checks are read-only)
        check.sudo().write(
            {
                "date": fields.Date.today() - timedelta(days=400),
                "valid_until": fields.Date.today() - timedelta(days=1),
            }
        )
        self.env.invalidate_all()
        with self.assertRaisesMessage(UserError, "no valid credit check"):
            self._order(10.0).action_confirm()

    def test_release_by_head_of_sales(self):
        order = self._order(1500.0)
        action = order.with_user(self.head).action_confirm()
        wizard = self.env["kam.credit.release"].browse(action["res_id"])
        self.assertIn("exceeds the financial risk", wizard.block_reasons)
        with self.assertRaisesMessage(UserError, "reason"):
            wizard.with_user(self.head).action_release()
        # a KAM cannot release
        with self.assertRaises(AccessError):
            wizard.with_user(self.kam_1).write({"reason": "I say so"})
            wizard.with_user(self.kam_1).action_release()
        wizard.with_user(self.head).write({"reason": "Paid in advance by wire"})
        wizard.with_user(self.head).action_release()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.kam_credit_released_by, self.head)
        body = order.message_ids.filtered(lambda m: "released" in (m.body or ""))[
            :1
        ].body
        self.assertIn("Paid in advance by wire", body)
        self.assertIn(self.head.name, body)
        self.assertIn("Credit limit", body)

    def test_kam_cannot_release(self):
        order = self._order(1500.0)
        with self.assertRaisesMessage(UserError, "head of sales can release"):
            order.action_confirm()

    def test_non_key_accounts_keep_odoo_behaviour(self):
        plain = self.env["res.partner"].create({"name": "Walk-in", "is_company": True})
        order = self._order(10.0, partner=plain)
        order.action_confirm()
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install", "kam")
class TestKamCreditCheck(KamCreditCommon):
    def test_score_from_history(self):
        self.account_1.credit_limit = 100000.0  # posting is not what is tested here
        # the history of the 12 months before the check, whatever the day
        day = fields.Date.today()
        paid = self._invoice(
            self.account_1,
            day - timedelta(days=165),
            1000.0,
            due_date=day - timedelta(days=135),
        )
        self._pay(paid, pay_date=day - timedelta(days=115))  # 20 days late
        late = self._invoice(
            self.account_1,
            day - timedelta(days=106),
            1000.0,
            due_date=day - timedelta(days=76),
        )
        check = self._check(
            date=day,
            requested_limit=1000.0,
            equity=3000.0,
            years_in_business=5,
            external_rating="b",
        )
        self.assertAlmostEqual(check.avg_days_late, 20.0)
        self.assertAlmostEqual(check.overdue_share, 50.0)
        self.assertAlmostEqual(check.largest_overdue, late.amount_total)
        # 30 x 66.7 (20 of 60 days late) + 20 x 0 (50 % overdue) + 15 x 50 (5 of 10
        # years) + 20 x 100 (equity 3 x the limit) + 15 x 70 (external B) = 58
        self.assertAlmostEqual(check.score, 58.0)
        self.assertEqual(check.rating, "c")
        self.assertIn("Payment behaviour", check.score_details)

    def test_override_needs_a_reviewer_and_a_reason(self):
        check = self._check()
        with self.assertRaises(AccessError):
            check.rating_override = "a"
        check.action_submit()
        with self.assertRaisesMessage(Exception, "reason"):
            check.with_user(self.head).write({"rating_override": "a"})
        check.with_user(self.head).write(
            {"rating_override": "a", "override_reason": "Group guarantee"}
        )
        self.assertEqual(check.rating, "a")

    def test_approval_writes_limit_rating_and_policy_in_its_company(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        check = self._check(approved_limit=9000.0)
        self.assertFalse(check.need_validation, "a draft needs no review yet")
        check.action_submit()
        self.assertEqual(
            check.approved_limit, 5000.0, "the review starts from the request"
        )
        self.assertEqual(check.validation_status, "pending")
        check.validate_tier()  # the KAM is no reviewer
        self.assertEqual(check.state, "submitted")
        with self.assertRaises(AccessError):
            check.with_user(self.kam_1).approved_limit = 9000.0
        check.with_user(self.head).write(
            {
                "approved_limit": 7000.0,
                "rating_override": "d",
                "override_reason": "Late payer at other suppliers",
            }
        )
        check.with_user(self.head).validate_tier()
        self.assertEqual(check.state, "approved")
        self.assertEqual(check.result, "conditional")
        partner = self.account_1
        self.assertEqual(partner.with_company(self.env.company).credit_limit, 7000.0)
        self.assertEqual(partner.with_company(other).credit_limit, 0.0)
        self.assertEqual(partner.with_company(self.env.company).kam_credit_rating, "d")
        self.assertFalse(partner.with_company(other).kam_credit_rating)
        self.assertAlmostEqual(
            partner.risk_invoice_unpaid_limit, 0.01, "policy of rating D"
        )
        self.assertEqual(partner.kam_credit_valid_until, check.valid_until)

    def test_rejection_puts_on_hold(self):
        check = self._check()
        check.action_submit()
        check.with_user(self.head).reject_tier()
        self.assertEqual(check.state, "rejected")
        self.assertEqual(check.result, "rejected")
        self.assertTrue(self.account_1.kam_credit_hold)

    def test_expiry_cron(self):
        today = fields.Date.today()
        soon = self._check()
        gone = self._check()
        (soon | gone).action_submit()
        for check in soon | gone:
            check.with_user(self.head).validate_tier()
        # time passes (decided checks are read-only, hence sudo)
        soon.sudo().valid_until = today + timedelta(days=20)
        gone.sudo().write(
            {
                "date": today - timedelta(days=400),
                "valid_until": today - timedelta(days=1),
            }
        )
        with self.enter_registry_test_mode():
            self.env.ref(
                "kam_management.ir_cron_kam_credit_check_expiry"
            ).method_direct_trigger()
        self.assertEqual(gone.state, "expired")
        self.assertEqual(soon.state, "approved")
        self.assertEqual(soon.activity_ids.user_id, self.kam_1)

    def test_access(self):
        check = self._check()
        with self.assertRaises(AccessError):
            self.env["kam.credit.check"].with_user(self.support).search([])
        with self.assertRaises(AccessError):
            check.with_user(self.kam_2).read(["score"])
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.support).read(["kam_credit_rating"])


@tagged("post_install", "-at_install", "kam")
class TestKamCreditGatePerformance(KamCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_3 = cls._key_account("Busy Account", cls.kam_1)
        risk = {
            "credit_limit": 10.0**9,
            "risk_sale_order_include": True,
            "risk_invoice_open_include": True,
            "risk_invoice_unpaid_include": True,
        }
        (cls.account_1 | cls.account_3).write(risk)
        for account, count in ((cls.account_1, 2), (cls.account_3, 30)):
            for _i in range(count):
                cls._invoice(account, fields.Date.today(), 10.0)

    def _gate_queries(self, order):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        reasons = order._kam_credit_block_reasons()
        return self.env.cr.sql_log_count - before, reasons

    def test_gate_does_not_grow_with_the_accounts_history(self):
        few_order = self._order(10.0)
        many_order = self._order(10.0, partner=self.account_3)
        self._gate_queries(few_order)
        self._gate_queries(many_order)  # warm the ormcaches
        few, reasons_few = self._gate_queries(few_order)
        many, reasons_many = self._gate_queries(many_order)
        self.assertEqual((reasons_few, reasons_many), ([], []))
        self.assertEqual(few, many, "the credit gate must not query per invoice")
        with self.assertQueryCount(few):
            self.env.invalidate_all()
            many_order._kam_credit_block_reasons()


@tagged("post_install", "-at_install", "kam")
class TestKamCreditCheckAccountant(KamCreditCommon):
    def test_accounting_manager_reviews(self):
        accountant = self.env["res.users"].create(
            {
                "name": "Accounting Manager",
                "login": "kam_accountant",
                "group_ids": [
                    Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("account.group_account_manager").id,
                        ]
                    )
                ],
            }
        )
        check = self._check()
        check.action_submit()
        check.with_user(accountant).validate_tier()
        self.assertEqual(check.state, "approved")
        self.assertEqual(self.account_1.credit_limit, 5000.0)
