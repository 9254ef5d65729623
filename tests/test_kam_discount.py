from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import KamCommon


class KamDiscountCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.kam_max_discount = 10.0
        pricelist = cls.env["product.pricelist"]
        cls.list_standard = pricelist.create(
            {"name": "Column Standard", "company_id": cls.env.company.id}
        )
        cls.list_special = pricelist.create(
            {"name": "Special Deal", "company_id": cls.env.company.id}
        )
        cls.plain = cls.env["res.partner"].create(
            {"name": "Walk-in Customer", "is_company": True}
        )

    def _order(self, discount, user=None, partner=None, pricelist=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.kam_1)
            .create(
                {
                    "partner_id": (partner or self.account_1).id,
                    "pricelist_id": (pricelist or self.list_standard).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "product_uom_qty": 2,
                                "price_unit": 100.0,
                                "discount": discount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def _decide(self, order, user, comment, validate=True):
        """A reviewer presses Validate / Reject and writes the comment OCA asks."""
        order = order.with_user(user)
        action = order.validate_tier() if validate else order.reject_tier()
        self.assertEqual(action["res_model"], "comment.wizard")
        wizard = (
            self.env["comment.wizard"]
            .with_user(user)
            .with_context(**action["context"])
            .create({"comment": comment})
        )
        wizard.add_comment()
        order.invalidate_recordset()

    def _approved(self, discount=15.0, **kwargs):
        order = self._order(discount, **kwargs)
        order.request_validation()
        self._decide(order, self.head, "Volume deal agreed")
        self.assertEqual(order.validation_status, "validated")
        return order


@tagged("post_install", "-at_install", "kam")
class TestKamDiscountAuthority(KamDiscountCommon):
    def test_within_authority_confirms_without_approval(self):
        order = self._order(10.0)
        self.assertFalse(order.kam_discount_needs_approval)
        self.assertFalse(order.need_validation)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.validation_status, "no")
        self.assertFalse(order.kam_discount_escalated)

    def test_a_price_typed_below_the_list_price_is_a_discount(self):
        """A KAM who cuts the unit price instead of giving a discount grants a
        discount all the same: the cut and the line discount add up."""
        self.product_a.list_price = 100.0
        order = self._order(0.0)
        line = order.order_line
        line.price_unit = 95.0  # 5 % below the list price
        self.assertFalse(order.kam_discount_needs_approval)
        line.discount = 5.0  # 1 - 0.95 x 0.95 = 9.75 %: still within 10 %
        self.assertFalse(order.kam_discount_needs_approval)
        line.write({"price_unit": 85.0, "discount": 0.0})  # 15 % cut
        self.assertTrue(order.kam_discount_needs_approval)
        self.assertIn("15 %", order.kam_discount_reason)
        with self.assertRaisesMessage(UserError, "authority"):
            order.action_confirm()
        # a price above the list price leaves the discount as given
        line.write({"price_unit": 120.0, "discount": 10.0})
        self.assertFalse(order.kam_discount_needs_approval)
        # the form tells at once: the price is part of what the warning follows
        with Form(order) as form:
            with form.order_line.edit(0) as edited:
                edited.price_unit = 80.0  # 20 % cut, on top of the 10 % discount
            self.assertTrue(form.kam_discount_needs_approval)
        # a product the pricelist gives away has no price to cut (no division by 0)
        self.product_a.list_price = 0.0
        line.write({"price_unit": -5.0, "discount": 0.0})
        self.assertEqual(line._kam_granted_discount(), 0.0)
        self.assertFalse(order.kam_discount_needs_approval)

    def test_above_authority_waits_for_the_head_of_sales(self):
        order = self._order(15.0)
        self.assertTrue(order.kam_discount_needs_approval)
        self.assertIn(
            "15 % discount above the authority of 10 % (tier A)",
            order.kam_discount_reason,
        )
        with self.assertRaisesMessage(UserError, "15 % discount above.*\n.*Request"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        # the KAM requests it (OCA's button); the head of sales is notified
        self.assertTrue(order.need_validation)
        order.request_validation()
        self.assertTrue(order.kam_discount_escalated)
        self.assertEqual(order.validation_status, "pending")
        self.assertIn(self.head, order.reviewer_ids)
        with self.assertRaisesMessage(UserError, "approval of a head of sales is"):
            order.action_confirm()
        self._decide(order, self.head, "Volume deal agreed")
        self.assertEqual(order.validation_status, "validated")
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: "Volume deal agreed" in (m.body or "")
            ),
            "the decision and its comment are in the chatter",
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.kam_discount_escalated)

    def test_discount_is_checked_before_the_credit_gate(self):
        self.account_1.write(
            {
                "credit_limit": 100.0,
                "risk_sale_order_include": True,
                "risk_invoice_open_include": True,
            }
        )
        order = self._order(15.0)
        with self.assertRaisesMessage(UserError, "discount above") as catcher:
            order.action_confirm()
        self.assertNotIn("financial risk", str(catcher.exception))
        order.request_validation()
        self._decide(order, self.head, "Agreed")
        # approved terms: the credit gate then holds the order (170 over a 100 limit)
        with self.assertRaisesMessage(UserError, "exceeds the financial risk"):
            order.action_confirm()

    def test_rejection(self):
        order = self._order(25.0)
        order.request_validation()
        self._decide(order, self.head, "Margin too thin", validate=False)
        self.assertEqual(order.validation_status, "rejected")
        self.assertTrue(
            order.message_ids.filtered(lambda m: "Margin too thin" in (m.body or ""))
        )
        with self.assertRaisesMessage(UserError, "rejected it"):
            order.action_confirm()
        # the KAM brings the discount back within the authority: the rejected
        # review is void and the order confirms without approval
        order.order_line.discount = 10.0
        self.assertFalse(order.review_ids)
        self.assertEqual(order.validation_status, "no")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_pricelist_outside_the_tier_columns(self):
        self.env.company.kam_pricelist_a_ids = self.list_standard
        order = self._order(0.0, pricelist=self.list_special)
        self.assertIn(
            "Pricelist Special Deal is not a column of tier A",
            order.kam_discount_reason,
        )
        with self.assertRaisesMessage(UserError, "not a column of tier A"):
            order.action_confirm()
        within = self._order(0.0, pricelist=self.list_standard)
        self.assertFalse(within.kam_discount_needs_approval)
        within.action_confirm()
        self.assertEqual(within.state, "sale")
        # the head approves the special deal: it confirms
        order.request_validation()
        self._decide(order, self.head, "One-off deal")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_per_tier_override(self):
        self.env.company.kam_max_discount_a = 20.0
        tier_a = self._order(15.0)
        self.assertFalse(tier_a.kam_discount_needs_approval)
        tier_a.action_confirm()
        self.assertEqual(tier_a.state, "sale")
        # account two is tier C: the company's 10 %
        tier_c = self._order(15.0, user=self.kam_2, partner=self.account_2)
        self.assertIn("authority of 10 % (tier C)", tier_c.kam_discount_reason)
        self.env.company.kam_max_discount_c = 5.0
        tier_c.invalidate_recordset()
        self.assertIn("authority of 5 % (tier C)", tier_c.kam_discount_reason)
        with self.assertRaisesMessage(UserError, "authority of 5 %"):
            tier_c.action_confirm()

    def test_approval_is_void_once_the_terms_change(self):
        changes = {
            "a discount": lambda o: o.order_line.write({"discount": 18.0}),
            "a discount in the form": lambda o: o.write(
                {"order_line": [Command.update(o.order_line.id, {"discount": 12.0})]}
            ),
            "a price": lambda o: o.order_line.write({"price_unit": 90.0}),
            "the pricelist": lambda o: o.write({"pricelist_id": self.list_special.id}),
            "a new line": lambda o: o.write(
                {
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_b.id, "discount": 30.0}
                        )
                    ]
                }
            ),
        }
        for label, change in changes.items():
            with self.subTest(change=label):
                order = self._approved()
                change(order.with_user(self.kam_1))
                order.invalidate_recordset()
                self.assertFalse(order.review_ids, label)
                self.assertEqual(order.validation_status, "no")
                self.assertTrue(
                    order.message_ids.filtered(
                        lambda m: "discount review (Validated) is void"
                        in (m.body or "")
                    ),
                    "the chatter says why",
                )
                with self.assertRaisesMessage(UserError, "Request the validation"):
                    order.action_confirm()
                self.assertEqual(order.state, "draft")

    def test_a_pending_request_is_void_too(self):
        order = self._order(15.0)
        order.request_validation()
        order.order_line.discount = 40.0
        self.assertFalse(order.review_ids)
        # what the head would approve now is the new discount
        order.request_validation()
        self.assertIn("40 %", order.kam_discount_reason)
        self.assertEqual(order.validation_status, "pending")

    def test_quantity_change_keeps_the_approval(self):
        order = self._approved()
        order.order_line.write({"product_uom_qty": 5, "price_unit": 100.0})
        self.assertEqual(order.validation_status, "validated")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_copy_carries_no_approval(self):
        order = self._approved()
        copy = order.copy()
        self.assertFalse(copy.review_ids)
        self.assertEqual(copy.validation_status, "no")
        self.assertFalse(copy.kam_discount_escalated)
        self.assertTrue(copy.kam_discount_needs_approval)
        with self.assertRaisesMessage(UserError, "Request the validation"):
            copy.action_confirm()

    def test_no_context_key_lifts_the_review(self):
        order = self._order(15.0).with_context(
            skip_validation_check=True, skip_check_state_condition=True
        )
        with self.assertRaisesMessage(UserError, "15 % discount above"):
            order.action_confirm()
        order.request_validation()
        # the KAM marks the order validated: the review locks it
        with self.assertRaises(ValidationError):
            order.write({"validation_status": "validated"})
        with self.assertRaises(UserError):
            order.write({"kam_discount_escalated": False})
        with self.assertRaises(UserError):
            order.write({"state": "sale"})
        # ...or decides the review, or creates a decided one
        with self.assertRaises(AccessError):
            order.review_ids.write({"status": "approved"})
        with self.assertRaises(AccessError):
            order.validate_tier()
        with self.assertRaises(AccessError):
            self.env["tier.review"].with_user(self.kam_1).create(
                {
                    "model": "sale.order",
                    "res_id": order.id,
                    "definition_id": order.review_ids.definition_id.id,
                    "status": "approved",
                }
            )
        # ...or moves an approved review of another order onto this one
        other = self._approved()
        with self.assertRaises(AccessError):
            other.review_ids.with_user(self.kam_1).write({"res_id": order.id})
        order.review_ids.with_user(self.kam_1).unlink()
        with self.assertRaisesMessage(UserError, "Request the validation"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_sales_support_applies_approved_terms_but_approves_nothing(self):
        order = self._order(15.0)
        order.request_validation()
        support_order = order.with_user(self.support)
        self.assertNotIn(self.support, order.reviewer_ids)
        with self.assertRaisesMessage(AccessError, "Only a head of sales"):
            support_order.validate_tier()
        with self.assertRaises(AccessError):
            support_order.reject_tier()
        with self.assertRaises(AccessError):
            order.review_ids.with_user(self.support).write({"status": "approved"})
        with self.assertRaisesMessage(UserError, "pending"):
            support_order.action_confirm()
        self._decide(order, self.head, "Agreed")
        support_order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_kam_cannot_approve_own_escalation(self):
        with self.assertRaises(AccessError):
            order = self._order(15.0)
            order.request_validation()
            order.validate_tier()
        # a head of sales who is also the account's KAM asks another head
        head_kam = new_test_user(
            self.env,
            login="kam_head_kam",
            groups="kam_management.group_kam_manager",
            company_id=self.env.company.id,
        )
        own = self._key_account("Head's Account", head_kam, tier="b")
        order = self._order(15.0, user=head_kam, partner=own)
        order.request_validation()
        self.assertNotIn(head_kam, order.reviewer_ids)
        with self.assertRaisesMessage(AccessError, "never the key account manager"):
            order.validate_tier()
        with self.assertRaises(AccessError):
            order.review_ids.write({"status": "approved"})
        self._decide(order, self.head, "Fine")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_non_key_account_orders_keep_odoo_behaviour(self):
        order = self._order(50.0, user=self.head, partner=self.plain)
        self.assertFalse(order.kam_discount_needs_approval)
        definitions = self.env["tier.definition"].search([("model", "=", "sale.order")])
        self.assertFalse(
            any(order.evaluate_tier(definition) for definition in definitions)
        )
        self.assertFalse(order.need_validation)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.validation_status, "no")

    def test_discount_out_of_range_refused(self):
        order = self._order(5.0)
        for discount in (120.0, -5.0):
            with self.subTest(discount=discount):
                with self.assertRaisesMessage(ValidationError, "between 0 and 100"):
                    order.order_line.write({"discount": discount})
                    order.flush_recordset()

    def test_head_of_sales_sets_the_authority(self):
        with Form(
            self.env.company.with_user(self.head),
            view="kam_management.res_company_view_form_kam_settings",
        ) as form:
            form.kam_max_discount = 12.0
            form.kam_max_discount_b = 8.0
            form.kam_pricelist_a_ids.add(self.list_standard)
        self.assertEqual(self.env.company._kam_discount_authority("a"), 12.0)
        self.assertEqual(self.env.company._kam_discount_authority("b"), 8.0)
        self.assertEqual(
            self.env.company._kam_pricelist_columns("a"), self.list_standard
        )
        with self.assertRaises(AccessError):
            self.env.company.with_user(self.kam_1).write({"kam_max_discount": 50.0})


@tagged("post_install", "-at_install", "kam")
class TestKamDiscountReport(KamDiscountCommon):
    def test_discounts_by_kam_and_account(self):
        escalated = self._approved(discount=20.0)
        escalated.action_confirm()
        granted = self._order(10.0)
        granted.action_confirm()
        other = self._order(5.0, user=self.kam_2, partner=self.account_2)
        other.action_confirm()
        self.env.flush_all()
        report = self.env["sale.report"].with_user(self.head)
        groups = report._read_group(
            [("is_key_account", "=", True), ("state", "=", "sale")],
            ["kam_user_id", "partner_id", "kam_discount_escalated"],
            ["discount_amount:sum"],
        )
        figures = {
            (kam, partner, escalated_flag): amount
            for kam, partner, escalated_flag, amount in groups
        }
        # 2 x 100 at 20 %, 10 % and 5 %
        self.assertEqual(figures[(self.kam_1, self.account_1, True)], 40.0)
        self.assertEqual(figures[(self.kam_1, self.account_1, False)], 20.0)
        self.assertEqual(figures[(self.kam_2, self.account_2, False)], 10.0)
        # a KAM sees their own accounts' figures
        own = (
            self.env["sale.report"]
            .with_user(self.kam_1)
            ._read_group(
                [("is_key_account", "=", True), ("state", "=", "sale")],
                ["kam_discount_escalated"],
                ["discount_amount:sum"],
            )
        )
        self.assertEqual(dict(own), {True: 40.0, False: 20.0})
        # the menu: by KAM for a head of sales, by account for a KAM
        head_action = report._kam_action_discounts()
        self.assertEqual(head_action["res_model"], "sale.report")
        self.assertNotIn("pivot_row_groupby", head_action["context"])
        kam_action = (
            self.env["sale.report"].with_user(self.kam_1)._kam_action_discounts()
        )
        self.assertEqual(kam_action["context"]["pivot_row_groupby"], ["partner_id"])


@tagged("post_install", "-at_install", "kam")
class TestKamDiscountPortal(KamDiscountCommon):
    def test_portal_signature_waits_for_the_approval(self):
        order = self._order(15.0)
        order.sudo()._validate_order()
        self.assertEqual(order.state, "draft")
        activity = order.activity_ids.filtered(
            lambda a: a.summary == "Discount approval on an accepted order"
        )
        self.assertEqual(activity.user_id, self.kam_1)
        self.assertIn("15 % discount above", activity.note)
        order.request_validation()
        self._decide(order, self.head, "Agreed")
        order.sudo()._validate_order()
        self.assertEqual(order.state, "sale")
