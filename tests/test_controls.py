"""Controls that no client call gets round (issue 8): what a user sends over RPC is
a context and field values, so each case tries exactly that, as a real user."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_kam_credit import KamCreditCommon

# what the web client's call_kw lets any user send
HOSTILE_CONTEXT = {
    "kam_skip_credit_check": True,
    "bypass_risk": True,
    "skip_validation_check": True,
    "kam_check_state_write": True,
    "kam_plan_state_write": True,
    "kam_state_write": True,
}


@tagged("post_install", "-at_install", "kam")
class TestCreditGateControls(KamCreditCommon):
    def test_no_context_key_opens_the_gate(self):
        order = self._order(100000.0)
        with self.assertRaisesMessage(UserError, "exceeds the financial risk"):
            order.with_context(**HOSTILE_CONTEXT).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_no_direct_state_write_confirms_a_key_account_order(self):
        order = self._order(100000.0)
        with self.assertRaisesMessage(UserError, "through its buttons"):
            order.with_context(**HOSTILE_CONTEXT).write({"state": "sale"})
        with self.assertRaisesMessage(UserError, "through its buttons"):
            self.env["sale.order"].with_user(self.kam_1).create(
                {"partner_id": self.account_1.id, "state": "sale"}
            )
        self.assertEqual(order.state, "draft")

    def test_release_fields_are_not_writable(self):
        order = self._order(100000.0)
        release = {
            "kam_credit_released_by": self.kam_1.id,
            "kam_credit_release_reason": "I say so",
            "kam_credit_release_amount": order.amount_total,
            "kam_credit_release_partner_id": self.account_1.id,
        }
        for user in (self.kam_1, self.head):
            with self.assertRaisesMessage(UserError, "through its buttons"):
                order.with_user(user).with_context(**HOSTILE_CONTEXT).write(release)
        with self.assertRaisesMessage(UserError, "through its buttons"):
            self.env["sale.order"].with_user(self.kam_1).create(
                {"partner_id": self.account_1.id, **release}
            )
        with self.assertRaisesMessage(UserError, "exceeds the financial risk"):
            order.action_confirm()

    def test_no_risk_setting_of_a_key_account_is_writable_by_kams(self):
        for user in (self.kam_1, self.support):
            for vals in (
                {"risk_sale_order_include": False},
                {"risk_sale_order_limit": 10**9},
                {"credit_limit": 10**9},
            ):
                with self.assertRaises(AccessError):
                    self.account_1.with_user(user).with_context(
                        **HOSTILE_CONTEXT
                    ).write(vals)
        with self.assertRaisesMessage(UserError, "exceeds the financial risk"):
            self._order(1500.0).action_confirm()
        # a head of sales decides the account's risk settings
        self.account_1.with_user(self.head).risk_sale_order_include = False
        self._order(1500.0).action_confirm()

    def test_the_wizard_takes_no_figures_from_the_client(self):
        order = self._order(1500.0)
        wizard = (
            self.env["kam.credit.release"]
            .with_user(self.head)
            .create({"order_id": order.id, "reason": "Known customer"})
        )
        self.assertIn("exceeds the financial risk", wizard.block_reasons)
        self.assertIn("Credit limit", wizard.figures)
        with self.assertRaises(AccessError):
            wizard.with_user(self.kam_1).action_release()
        wizard.action_release()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.kam_credit_released_by, self.head)
        self.assertEqual(order.kam_credit_release_amount, 1500.0)

    def test_a_release_is_void_once_the_order_changes(self):
        order = self._order(1500.0)
        action = order.with_user(self.head).action_confirm()
        wizard = self.env["kam.credit.release"].browse(action["res_id"])
        wizard.with_user(self.head).write({"reason": "Paid in advance"})
        wizard.with_user(self.head).action_release()
        self.assertEqual(order.state, "sale")
        # cancelled, back to a quotation, and made bigger: the release is void
        order.with_user(self.head).kam_reason_id = self.env.ref(
            "kam_management.kam_reason_cancellation_client"
        )
        order.with_user(self.head)._action_cancel()
        order.with_user(self.head).action_draft()
        self.assertTrue(order.kam_credit_release_valid, "unchanged order")
        order.with_user(self.kam_1).write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "price_unit": 5000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ]
            }
        )
        self.assertFalse(order.kam_credit_released_by)
        self.assertIn("is void", order.message_ids[:1].body, "the chatter tells why")
        with self.assertRaisesMessage(UserError, "exceeds the financial risk"):
            order.action_confirm()

    def test_a_release_does_not_follow_a_line_edited_directly(self):
        order = self._order(1500.0)
        # a release recorded for this order as it is (the wizard's own write)
        self.env["kam.credit.release"].with_user(self.head).create(
            {"order_id": order.id, "reason": "ok"}
        )
        from odoo.addons.kam_management.models.workflow import workflow

        with workflow():
            order.sudo().write(
                {
                    "kam_credit_released_by": self.head.id,
                    "kam_credit_release_amount": 1500.0,
                    "kam_credit_release_partner_id": self.account_1.id,
                }
            )
        self.assertTrue(order.kam_credit_release_valid)
        # the line is edited through sale.order.line, not the order
        order.order_line.with_user(self.kam_1).price_unit = 9000.0
        self.assertFalse(order.kam_credit_release_valid)
        with self.assertRaisesMessage(UserError, "exceeds the financial risk"):
            order.action_confirm()

    def test_sales_support_confirms_within_the_limit(self):
        order = self._order(400.0)
        order.with_user(self.support).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_sales_support_gets_reasons_without_figures(self):
        self.account_1.with_user(self.head).kam_credit_hold = True
        order = self._order(1500.0)
        with self.assertRaises(UserError) as catcher:
            order.with_user(self.support).action_confirm()
        message = str(catcher.exception)
        self.assertIn("exceeds the financial risk", message)
        self.assertIn("credit hold", message)
        for figure in ("Credit limit", "Exposure", "Overdue", "1,000", "1,500", "$"):
            self.assertNotIn(figure, message)
        # the KAM sees the figures
        with self.assertRaisesMessage(UserError, "Credit limit"):
            order.with_user(self.kam_1).action_confirm()

    def test_overdue_figure_is_never_negative(self):
        today = fields.Date.today()
        self._invoice(
            self.account_1,
            today - timedelta(days=40),
            50.0,
            move_type="out_refund",
            due_date=today - timedelta(days=30),
        )
        order = self._order(1500.0)
        with self.assertRaises(UserError) as catcher:
            order.action_confirm()
        self.assertIn("Overdue: $\xa00.00", str(catcher.exception))
        self.assertNotIn("-", str(catcher.exception).split("Overdue:")[1])

    def test_a_batch_counts_the_orders_confirmed_before(self):
        first, second = self._order(600.0), self._order(600.0)
        with self.assertRaisesMessage(UserError, second.name):
            (first | second).action_confirm()
        self.assertEqual((first | second).mapped("state"), ["draft", "draft"])
        first.action_confirm()
        with self.assertRaisesMessage(UserError, "exceeds the financial risk"):
            second.action_confirm()

    def test_sudo_flows_do_not_skip_the_gate_unless_paid(self):
        order = self._order(1500.0)
        with self.assertRaisesMessage(UserError, "exceeds the financial risk"):
            order.sudo().action_confirm()
        self.assertEqual(order.state, "draft")

    def test_portal_signature_of_a_held_order_tells_the_kam(self):
        order = self._order(1500.0)
        order.sudo()._validate_order()
        self.assertEqual(order.state, "draft")
        activity = order.activity_ids.filtered(
            lambda a: a.summary == "Credit block on an accepted order"
        )
        self.assertEqual(activity.user_id, self.kam_1)
        small = self._order(100.0)
        small.sudo()._validate_order()
        self.assertEqual(small.state, "sale")

    def test_paid_online_orders_are_not_held(self):
        order = self._order(1500.0)
        method = self.env.ref("payment.payment_method_unknown").sudo()
        provider = (
            self.env["payment.provider"]
            .sudo()
            .create(
                {
                    "name": "Test Provider",
                    "code": "none",
                    "state": "test",
                    "payment_method_ids": [Command.set(method.ids)],
                }
            )
        )
        method.active = True
        self.env["payment.transaction"].sudo().create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": self.account_1.id,
                "sale_order_ids": [Command.set(order.ids)],
                "state": "done",
            }
        )
        with self.assertRaises(UserError):
            order.action_confirm()  # a user still meets the gate
        order.sudo().action_confirm()  # the payment flow confirms it
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install", "kam")
class TestWorkflowControls(KamCreditCommon):
    def test_credit_check_state_only_through_actions(self):
        with self.assertRaisesMessage(UserError, "starts as draft"):
            self._check(state="approved", approved_limit=500000.0)
        check = self._check()
        for user in (self.kam_1, self.head):
            with self.assertRaisesMessage(UserError, "through its buttons"):
                check.with_user(user).with_context(**HOSTILE_CONTEXT).write(
                    {"state": "approved", "approved_limit": 500000.0}
                )
            with self.assertRaisesMessage(UserError, "through its buttons"):
                check.with_user(user).write({"avg_days_late": 0.0})
        self.assertEqual(check.state, "draft")
        self.assertFalse(self.account_1.kam_credit_valid_until)

    def test_submitted_check_decided_by_reviewers_only(self):
        check = self._check()
        check.action_submit()
        with self.assertRaises(AccessError):
            check.with_context(**HOSTILE_CONTEXT).write({"approved_limit": 500000.0})
        with self.assertRaises(UserError):
            # OCA's "under validation" lock holds whatever the context says
            check.with_context(**HOSTILE_CONTEXT).write({"equity": 10**9})
        check.with_user(self.head).approved_limit = 4000.0
        # no context key keeps the last review from approving the check
        check.with_user(self.head).with_context(kam_state_write=True).validate_tier()
        self.assertEqual(check.state, "approved")
        self.assertEqual(self.account_1.credit_limit, 4000.0)

    def test_decided_check_is_read_only_until_reset(self):
        check = self._check()
        check.action_submit()
        check.with_user(self.head).validate_tier()
        for user in (self.kam_1, self.head):
            for vals in (
                {"valid_until": fields.Date.today() + timedelta(days=3650)},
                {"approved_limit": 500000.0},
                {"requested_limit": 1.0},
            ):
                with self.assertRaisesMessage(UserError, "cannot be changed"):
                    check.with_user(user).with_context(**HOSTILE_CONTEXT).write(vals)
        check.with_user(self.kam_1).message_post(body="Chatter stays open")
        with self.assertRaises(AccessError):
            check.with_user(self.kam_1).action_reset_to_draft()
        check.with_user(self.head).action_reset_to_draft()
        self.assertEqual(check.state, "draft")
        self.assertTrue(
            any("Reset to draft by" in (m.body or "") for m in check.message_ids)
        )
        self.assertFalse(self.account_1.kam_credit_valid_until)

    def _contract(self, **vals):
        return (
            self.env["kam.contract"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": self.account_1.id,
                    "date_start": fields.Date.today(),
                    **vals,
                }
            )
        )

    def test_contract_state_only_through_actions(self):
        with self.assertRaisesMessage(UserError, "starts as draft"):
            self._contract(state="active")
        contract = self._contract()
        with self.assertRaisesMessage(UserError, "through its buttons"):
            contract.with_context(**HOSTILE_CONTEXT).write({"state": "active"})
        contract.action_activate()
        for user in (self.kam_1, self.head):
            with self.assertRaisesMessage(UserError, "cannot be changed"):
                contract.with_user(user).write({"note": "<p>new terms</p>"})
            with self.assertRaisesMessage(UserError, "through its buttons"):
                contract.with_user(user).write({"state": "draft"})
        with self.assertRaises(AccessError):
            contract.with_user(self.kam_1).action_reset_to_draft()
        contract.with_user(self.head).action_reset_to_draft()
        self.assertEqual(contract.state, "draft")
        self.assertTrue(
            any("Reset to draft by" in (m.body or "") for m in contract.message_ids)
        )
        contract.action_terminate()
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            contract.with_user(self.kam_1).write({"date_end": fields.Date.today()})
        contract.with_user(self.kam_1).active = False  # archiving stays possible

    def test_plan_state_only_through_actions(self):
        plan = (
            self.env["kam.plan"]
            .with_user(self.kam_1)
            .create(
                {
                    "name": "Plan",
                    "user_id": self.kam_1.id,
                    "date_from": fields.Date.today(),
                    "date_to": fields.Date.today() + timedelta(days=90),
                    "target_amount": 1000.0,
                }
            )
        )
        for user in (self.kam_1, self.head):
            with self.assertRaisesMessage(UserError, "through its buttons"):
                plan.with_user(user).with_context(**HOSTILE_CONTEXT).write(
                    {"state": "approved"}
                )
        with self.assertRaisesMessage(UserError, "starts as draft"):
            self.env["kam.plan"].with_user(self.head).create(
                {
                    "name": "Approved at birth",
                    "plan_type": "department",
                    "team_id": self.env["crm.team"].sudo().create({"name": "KA 2"}).id,
                    "date_from": fields.Date.today(),
                    "date_to": fields.Date.today() + timedelta(days=90),
                    "state": "approved",
                }
            )
        department = (
            self.env["kam.plan"]
            .with_user(self.head)
            .create(
                {
                    "name": "Department",
                    "plan_type": "department",
                    "team_id": self.env["crm.team"].sudo().create({"name": "KA"}).id,
                    "date_from": fields.Date.today(),
                    "date_to": fields.Date.today() + timedelta(days=90),
                    "target_amount": 1000.0,
                }
            )
        )
        department.action_approve()
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            department.write({"target_amount": 1.0})
        with self.assertRaisesMessage(UserError, "through its buttons"):
            department.write({"state": "closed", "frozen_actual_amount": 1e9})
        department.action_reset_to_draft()
        department.target_amount = 2000.0

    def test_visit_state_and_check_in_only_through_actions(self):
        visit = (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": self.account_1.id,
                    "date_start": fields.Datetime.now() + timedelta(days=1),
                }
            )
        )
        for vals in (
            {"state": "done"},
            {"check_in": fields.Datetime.now(), "is_far_check_in": False},
            {"check_in_latitude": 48.85},
        ):
            with self.assertRaisesMessage(UserError, "through its buttons"):
                visit.with_context(**HOSTILE_CONTEXT).write(vals)
        with self.assertRaisesMessage(UserError, "starts as planned"):
            self.env["kam.visit"].with_user(self.kam_1).create(
                {"partner_id": self.account_1.id, "state": "done"}
            )
        visit.action_check_in(48.85, 2.35)
        visit.action_check_out()
        self.assertEqual(visit.state, "done")


@tagged("post_install", "-at_install", "kam")
class TestOrderTakenOnAVisit(KamCreditCommon):
    def _take_order(self):
        visit = (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            .create({"partner_id": self.account_1.id})
        )
        action = visit.action_take_order()
        order = visit.order_ids
        activity = order.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("kam_management.mail_activity_type_enter_order")
        )
        return action, activity

    def test_enter_order_reaches_sales_support(self):
        self.env.company.kam_sales_support_user_id = False
        action, activity = self._take_order()
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertTrue(
            activity.user_id.has_group("kam_management.group_kam_sales_support")
        )
        self.assertIn(self.env.company, activity.user_id.company_ids)

    def test_kam_told_when_nobody_enters_orders(self):
        self.env.company.kam_sales_support_user_id = False
        support_group = self.env.ref("kam_management.group_kam_sales_support")
        self.env["res.users"].sudo().search(
            [("all_group_ids", "in", support_group.ids)]
        ).write({"active": False})
        action, activity = self._take_order()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"]["res_model"], "sale.order")
        self.assertEqual(activity.user_id, self.kam_1)


@tagged("post_install", "-at_install", "kam")
class TestMaskedFigures(KamCreditCommon):
    def test_figures_of_others_are_nothing_not_zero(self):
        accounts = (self.account_1 | self.account_2).with_user(self.kam_1)
        self.assertEqual(accounts.mapped("kam_figures_visible"), [True, False])
        self.assertEqual(
            (self.account_1 | self.account_2)
            .with_user(self.head)
            .mapped("kam_figures_visible"),
            [True, True],
        )

    def test_kams_open_key_accounts_on_their_own(self):
        Partner = self.env["res.partner"]
        action = Partner.with_user(self.kam_1)._kam_action_key_accounts()
        self.assertIn("search_default_filter_my_key_accounts", str(action["context"]))
        action = Partner.with_user(self.head)._kam_action_key_accounts()
        self.assertNotIn(
            "search_default_filter_my_key_accounts", str(action["context"])
        )
