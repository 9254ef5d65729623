"""The account, contract and credit-check screens as each role gets them: what the
form lets a user change is what the server accepts, the smart buttons count what
they open, reviewers get their queue, and actions are offered to who may run them."""

from datetime import datetime, time, timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import KamCommon


def _view_buttons(record, user):
    """The names of the buttons of ``record``'s form as ``user``'s client gets it."""
    arch = record.with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
    return set(etree.fromstring(arch).xpath("//button/@name"))


@tagged("post_install", "-at_install", "kam")
class TestKeyAccountFormRights(KamCommon):
    """kam_can_edit / kam_can_manage, which set the form's read-only fields, say
    exactly what _kam_check_edit_rights accepts on save."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.segment = cls.env["kam.segment"].create({"name": "Retail"})
        # a key account nobody manages (its KAM left)
        cls.unassigned = cls._key_account("Account Free", cls.kam_1)
        cls.unassigned.kam_user_id = False
        cls.values = {
            "kam_tier": "c",
            "kam_segment_id": cls.segment.id,
            "kam_visit_interval_days": 11,
            "is_key_account": False,
        }

    def _accepted(self, partner, user, vals):
        """Whether ``user`` may write ``vals`` on ``partner`` (rolled back)."""
        try:
            with self.env.cr.savepoint():
                partner.with_user(user).write(vals)
        except AccessError:
            return False
        return True

    def test_flags_match_what_the_server_accepts(self):
        checked = 0
        for user in (self.kam_1, self.kam_2, self.head, self.support):
            for partner in (self.account_1, self.account_2, self.unassigned):
                can_edit = partner.with_user(user).kam_can_edit
                can_manage = partner.with_user(user).kam_can_manage
                for fname, value in self.values.items():
                    self.assertEqual(
                        self._accepted(partner, user, {fname: value}),
                        can_edit,
                        f"{user.login} writing {fname} on {partner.name}",
                    )
                    checked += 1
                for vals in (
                    {"kam_user_id": self.head.id},
                    {"kam_credit_rating": "d"},
                ):
                    self.assertEqual(
                        self._accepted(partner, user, vals),
                        can_manage,
                        f"{user.login} writing {vals} on {partner.name}",
                    )
                    checked += 1
        self.assertEqual(checked, 4 * 3 * 6)

    def test_flags_per_role(self):
        def flags(partner, user):
            partner = partner.with_user(user)
            return partner.kam_can_edit, partner.kam_can_manage

        self.assertEqual(flags(self.account_1, self.kam_1), (True, False))
        self.assertEqual(flags(self.account_2, self.kam_1), (False, False))
        self.assertEqual(flags(self.unassigned, self.kam_1), (True, False))
        self.assertEqual(flags(self.account_2, self.head), (True, True))
        self.assertEqual(flags(self.account_1, self.support), (False, False))
        # a contact follows its company
        contact = self.env["res.partner"].create(
            {"name": "Buyer Two", "parent_id": self.account_2.id}
        )
        self.assertEqual(flags(contact, self.kam_1), (False, False))

    def test_form_of_own_account(self):
        form = Form(self.account_1.with_user(self.kam_1))
        form.kam_tier = "c"
        form.kam_segment_id = self.segment
        form.kam_visit_interval_days = 12
        with self.assertRaisesMessage(AssertionError, "readonly field"):
            form.kam_credit_rating = "d"
        with self.assertRaisesMessage(AssertionError, "readonly field"):
            form.kam_user_id = self.kam_2
        form.save()
        self.assertEqual(self.account_1.kam_tier, "c")
        self.assertEqual(self.account_1.kam_visit_interval_days, 12)

    def test_form_of_another_kams_account(self):
        form = Form(self.account_2.with_user(self.kam_1))
        for fname, value in self.values.items():
            with self.assertRaisesMessage(AssertionError, "readonly field"):
                setattr(form, fname, value)
        with self.assertRaisesMessage(AssertionError, "readonly field"):
            form.kam_user_id = self.kam_1

    def test_head_of_sales_changes_everything(self):
        form = Form(self.account_2.with_user(self.head))
        form.kam_user_id = self.kam_1
        form.kam_tier = "a"
        form.kam_credit_rating = "b"
        form.save()
        self.assertEqual(self.account_2.kam_user_id, self.kam_1)
        self.assertEqual(self.account_2.kam_credit_rating, "b")

    def test_a_kam_creates_a_key_account(self):
        form = Form(
            self.env["res.partner"]
            .with_user(self.kam_1)
            .with_context(default_is_company=True, default_is_key_account=True)
        )
        form.name = "New Account"
        form.kam_tier = "a"
        partner = form.save()
        self.assertTrue(partner.is_key_account)
        self.assertEqual(partner.kam_user_id, self.kam_1)
        self.assertEqual(partner.kam_tier, "a")

    def test_credit_limit_of_a_key_account_for_invoicing_users(self):
        accountant = new_test_user(
            self.env,
            login="kam_accountant",
            groups="base.group_user,base.group_partner_manager,"
            "account.group_account_invoice",
        )
        customer = self.env["res.partner"].create(
            {"name": "Plain Customer", "is_company": True}
        )
        self.assertTrue(self._accepted(customer, accountant, {"credit_limit": 50.0}))
        self.assertFalse(
            self._accepted(self.account_1, accountant, {"credit_limit": 50.0})
        )
        form = Form(self.account_1.with_user(accountant))
        self.assertTrue(form._get_modifier("credit_limit", "readonly"))
        form = Form(customer.with_user(accountant))
        self.assertFalse(form._get_modifier("credit_limit", "readonly"))


@tagged("post_install", "-at_install", "kam")
class TestKeyAccountSmartButtons(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        start = datetime.combine(today + timedelta(days=1), time(9, 0))
        Visit = cls.env["kam.visit"]
        for account, kam, count in (
            (cls.account_1, cls.kam_1, 2),
            (cls.account_2, cls.kam_2, 1),
        ):
            for day in range(count):
                Visit.with_user(kam).create(
                    {
                        "partner_id": account.id,
                        "user_id": kam.id,
                        "date_start": start + timedelta(days=day),
                    }
                )
        Contract = cls.env["kam.contract"]
        Contract.with_user(cls.kam_1).create(
            {"partner_id": cls.account_1.id, "date_start": today}
        )
        Contract.with_user(cls.kam_2).create(
            {"partner_id": cls.account_2.id, "date_start": today}
        )
        Check = cls.env["kam.credit.check"]
        for _ in range(3):
            Check.with_user(cls.kam_1).create(
                {"partner_id": cls.account_1.id, "requested_limit": 100.0}
            )
        cls.env["kam.plan"].create(
            {
                "name": "Plan One",
                "user_id": cls.kam_1.id,
                "date_from": today.replace(month=1, day=1),
                "date_to": today.replace(month=12, day=31),
                "line_ids": [
                    Command.create({"partner_id": cls.account_1.id, "target_amount": 1})
                ],
            }
        )
        cls.contact_1 = cls.env["res.partner"].create(
            {"name": "Buyer One", "parent_id": cls.account_1.id}
        )
        for partner, kam, move_type in (
            (cls.account_1, cls.kam_1, "out_invoice"),
            (cls.contact_1, cls.kam_1, "out_refund"),
            (cls.account_2, cls.kam_2, "out_invoice"),
        ):
            move = cls._invoice(partner, today, 50.0, move_type=move_type, post=False)
            move.invoice_user_id = kam
            move.action_post()

    def _opened(self, partner, user, method):
        """The records the smart button's action lists for ``user``."""
        action = getattr(partner.with_user(user), method)()
        self.assertEqual(action["views"][0][1], "list")
        return self.env[action["res_model"]].with_user(user).search(action["domain"])

    def test_counts_are_what_the_buttons_open(self):
        buttons = {
            "kam_visit_count": "action_kam_view_visits",
            "kam_contract_count": "action_kam_view_contracts",
            "kam_credit_check_count": "action_kam_view_credit_checks",
            "kam_plan_count": "action_kam_view_plans",
            "kam_invoice_count": "action_kam_view_invoices",
        }
        expected = {
            (self.kam_1, self.account_1): (2, 1, 3, 1, 2),
            (self.head, self.account_1): (2, 1, 3, 1, 2),
            # another KAM's account: what kam_1 may open of it
            (self.kam_1, self.account_2): (0, 0, 0, 0, 0),
            (self.head, self.account_2): (1, 1, 0, 0, 1),
        }
        for (user, partner), counts in expected.items():
            for contact in (
                partner,
                self.contact_1 if partner == self.account_1 else partner,
            ):
                record = contact.with_user(user)
                got = tuple(record[fname] for fname in buttons)
                self.assertEqual(got, counts, f"{user.login} on {contact.name}")
                for fname, method in buttons.items():
                    opened = self._opened(contact, user, method)
                    self.assertEqual(len(opened), record[fname], f"{method}")
                    if not opened:
                        continue
                    if opened._name == "kam.plan":
                        self.assertIn(partner, opened.line_ids.partner_id)
                    else:
                        partners = opened.mapped("partner_id.commercial_partner_id")
                        self.assertEqual(partners, partner, method)

    def test_the_buttons_lift_the_lists_own_default_filters(self):
        action = self.account_1.with_user(self.kam_1).action_kam_view_plans()
        self.assertNotIn("search_default_filter_current_period", action["context"])
        action = self.account_1.with_user(self.kam_1).action_kam_view_visits()
        self.assertEqual(action["context"], {"default_partner_id": self.account_1.id})

    def test_sales_support_counts(self):
        account = self.account_1.with_user(self.support)
        self.assertEqual(account.kam_contract_count, 1)
        self.assertEqual(account.kam_invoice_count, 2)
        with self.assertRaises(AccessError):
            account.read(["kam_visit_count"])
        with self.assertRaises(AccessError):
            account.read(["kam_credit_check_count"])


@tagged("post_install", "-at_install", "kam")
class TestContractScreens(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.start, cls.end = today - timedelta(days=30), today + timedelta(days=30)
        cls.contract = (
            cls.env["kam.contract"]
            .with_user(cls.kam_1)
            .create(
                {
                    "partner_id": cls.account_1.id,
                    "date_start": cls.start,
                    "date_end": cls.end,
                }
            )
        )
        cls.contract.with_user(cls.kam_1).action_activate()
        cls.contact_1 = cls.env["res.partner"].create(
            {"name": "Buyer One", "parent_id": cls.account_1.id}
        )
        Order = cls.env["sale.order"]
        cls.orders = Order
        for partner, day, confirm in (
            (cls.account_1, today, True),
            (cls.contact_1, cls.start, True),  # the first day counts
            (cls.account_1, cls.end, True),  # and the last one
            (cls.account_1, today, False),  # a quotation is no order
            (cls.account_1, cls.start - timedelta(days=1), True),  # before
            (cls.account_1, cls.end + timedelta(days=1), True),  # after
            (cls.account_2, today, True),  # another account
        ):
            order = Order.create(
                {
                    "partner_id": partner.id,
                    # salesmen see their own orders
                    "user_id": partner.commercial_partner_id.kam_user_id.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product_a.id, "price_unit": 10.0}
                        )
                    ],
                }
            )
            if confirm:
                order.action_confirm()
            # at noon of that day in the user's time zone
            order.date_order = datetime.combine(day, time(12, 0))
            cls.orders |= order
        cls.in_period = cls.orders[:3]

    def test_orders_of_the_contract(self):
        contract = self.contract.with_user(self.kam_1)
        self.assertEqual(contract.order_count, 3)
        action = contract.action_view_orders()
        self.assertEqual(
            self.env["sale.order"].search(action["domain"]), self.in_period
        )
        # an open-ended contract runs on
        open_ended = self.contract.copy({"date_end": False})
        self.assertEqual(open_ended.order_count, 4)

    def test_credit_check_of_the_contract(self):
        draft = (
            self.env["kam.contract"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": self.account_1.id,
                    "date_start": self.end + timedelta(days=1),
                    "credit_limit": 5000.0,
                }
            )
        )
        self.contract.with_user(self.kam_1).action_terminate()
        draft.with_user(self.kam_1).action_activate()
        check = draft.credit_check_id
        self.assertTrue(check)
        self.assertEqual(draft.with_user(self.kam_1).credit_check_state, "draft")
        action = draft.with_user(self.kam_1).action_view_credit_check()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (check._name, check.id)
        )

    def test_no_agreed_limit_shows_nothing(self):
        form = Form(self.contract.with_user(self.kam_1))
        self.assertTrue(form._get_modifier("credit_limit", "invisible"))
        draft = self.contract.copy()
        form = Form(draft.with_user(self.kam_1))
        self.assertFalse(form._get_modifier("credit_limit", "invisible"))
        form.credit_limit = 3000.0
        form.save()
        self.assertEqual(draft.credit_limit, 3000.0)

    def test_sales_support_reads_without_actions(self):
        contract = self.contract.with_user(self.support)
        self.assertEqual(contract.order_count, 3)
        actions = {
            "action_negotiate",
            "action_activate",
            "action_renew",
            "action_terminate",
            "action_reset_to_draft",
        }
        self.assertFalse(actions & _view_buttons(self.contract, self.support))
        self.assertEqual(
            actions & _view_buttons(self.contract, self.kam_1),
            actions - {"action_reset_to_draft"},
        )
        self.assertEqual(actions & _view_buttons(self.contract, self.head), actions)
        # ... and the server refuses them all the same
        for method in ("action_renew", "action_terminate"):
            with self.assertRaises(AccessError, msg=method):
                getattr(contract, method)()
        self.assertEqual(self.contract.state, "active")


@tagged("post_install", "-at_install", "kam")
class TestCreditChecksToReview(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reviewer = new_test_user(
            cls.env,
            login="kam_reviewer",
            groups="base.group_user,kam_management.group_kam_credit_reviewer",
        )
        Check = cls.env["kam.credit.check"]

        def check(user, partner, submit=True):
            record = Check.with_user(user).create(
                {"partner_id": partner.id, "requested_limit": 1000.0}
            )
            if submit:
                record.action_submit()
            return record

        cls.check_1 = check(cls.kam_1, cls.account_1)
        cls.check_2 = check(cls.kam_2, cls.account_2)
        cls.by_head = check(cls.head, cls.account_2)  # the requester does not review
        cls.draft = check(cls.kam_1, cls.account_1, submit=False)
        cls.decided = check(cls.kam_2, cls.account_2)
        cls.decided.with_user(cls.head).validate_tier()

    def _to_review(self, user):
        """What the "Credit Checks to Review" menu lists for ``user``: its action's
        domain and default filters, as the web client applies them."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_credit_check_action_to_review"
        )
        Check = self.env["kam.credit.check"].with_user(user)
        context = safe_eval(action["context"])
        search = etree.fromstring(
            Check.get_views([(False, "search")])["views"]["search"]["arch"]
        )
        domain = list(safe_eval(action.get("domain") or "[]"))
        for key in context:
            if key.startswith("search_default_"):
                name = key.removeprefix("search_default_")
                node = search.xpath(f"//filter[@name='{name}']")[0]
                domain += safe_eval(node.get("domain"), {"uid": user.id})
        return Check.search(domain)

    def test_each_reviewer_lists_what_they_can_review(self):
        submitted = self.check_1 | self.check_2 | self.by_head
        self.assertEqual(self._to_review(self.head), self.check_1 | self.check_2)
        self.assertEqual(self._to_review(self.reviewer), submitted)
        menu = self.env.ref("kam_management.kam_credit_check_menu_to_review")
        self.assertIn(menu.id, menu.with_user(self.head)._visible_menu_ids())
        self.assertNotIn(menu.id, menu.with_user(self.kam_1)._visible_menu_ids())
        for user in (self.head, self.reviewer):
            for check in submitted:
                self.assertEqual(
                    check in self._to_review(user),
                    check.with_user(user).can_review,
                )
        # once decided, it leaves the queue
        self.check_1.with_user(self.reviewer).validate_tier()
        self.assertEqual(self._to_review(self.reviewer), self.check_2 | self.by_head)

    def test_banner_says_who_decides(self):
        message = self.check_1.with_user(self.head).to_validate_message
        self.assertIn("Your decision", message)
        self.assertIn("Account One", message)
        self.assertIn(
            "Waiting for a credit reviewer",
            self.check_1.with_user(self.kam_1).to_validate_message,
        )
        # the requester is no reviewer of their own check
        self.assertIn(
            "Waiting for a credit reviewer",
            self.by_head.with_user(self.head).to_validate_message,
        )
        self.assertFalse(self.check_1.with_user(self.head).next_review)

    def test_no_bare_restart_of_the_review(self):
        for user in (self.head, self.kam_1, self.reviewer):
            buttons = _view_buttons(self.check_1, user)
            self.assertNotIn("restart_validation", buttons)
            self.assertIn("validate_tier", buttons)

    def test_reviewer_adjusts_the_decision_in_the_form(self):
        form = Form(self.check_1.with_user(self.head))
        form.approved_limit = 800.0
        form.rating_override = "b"
        form.override_reason = "Known for years"
        form.save()
        self.check_1.with_user(self.head).validate_tier()
        self.assertEqual(self.check_1.state, "approved")
        self.assertEqual(self.account_1.credit_limit, 800.0)
        # the KAM sees the decision fields read-only, as the server refuses them
        form = Form(self.check_2.with_user(self.kam_2))
        with self.assertRaisesMessage(AssertionError, "readonly field"):
            form.approved_limit = 5000.0
        with self.assertRaises(AccessError):
            self.check_2.with_user(self.kam_2).approved_limit = 5000.0
        # a draft is the KAM's
        form = Form(self.draft.with_user(self.kam_1))
        form.approved_limit = 900.0
        form.save()


@tagged("post_install", "-at_install", "kam")
class TestCreditRatingPolicyScreen(KamCommon):
    def test_overdue_tolerance_reads_as_words(self):
        """No 0.00 / 0.01 to decode: the tolerance in words, the amount only for
        "Up to an amount"; it writes OCA's limit as before."""
        Policy = self.env["kam.credit.rating.policy"].with_user(self.head)
        company = self.env.company
        policy = Policy.create({"rating": "a", "company_id": company.id})
        self.assertEqual(policy.unpaid_tolerance, "credit_limit")
        self.assertFalse(policy.risk_invoice_unpaid_limit)
        policy.unpaid_tolerance = "none"
        self.assertEqual(policy.risk_invoice_unpaid_limit, 0.01)
        # as the list saves a row: both values
        policy.write({"unpaid_tolerance": "amount", "risk_invoice_unpaid_limit": 500})
        self.assertEqual(policy.unpaid_tolerance, "amount")
        self.assertEqual(policy.risk_invoice_unpaid_limit, 500.0)
        policy.write({"unpaid_tolerance": "credit_limit"})
        self.assertEqual(policy.risk_invoice_unpaid_limit, 0.0)
        strict = Policy.create(
            {"rating": "b", "company_id": company.id, "unpaid_tolerance": "none"}
        )
        self.assertEqual(strict._kam_partner_vals()["risk_invoice_unpaid_limit"], 0.01)
        # the data's policy D tolerates none
        self.assertEqual(
            self.env.ref("kam_management.kam_credit_rating_policy_d").unpaid_tolerance,
            "none",
        )


@tagged("post_install", "-at_install", "kam")
class TestProgressBars(KamCommon):
    def test_over_achievement_is_shown_as_achievement(self):
        """Odoo greys a progress bar above its maximum (overflow_class defaults to
        bg-secondary): every bar of the add-on fills in colour beyond 100 %."""
        views = self.env["ir.ui.view"].search(
            [
                ("model", "=like", "kam.%"),
                ("type", "in", ("form", "list", "kanban")),
                ("mode", "=", "primary"),
            ]
        )
        bars = 0
        for view in views:
            arch = self.env[view.model].get_views([(view.id, view.type)])["views"][
                view.type
            ]["arch"]
            for node in etree.fromstring(arch).xpath("//field[@widget='progressbar']"):
                bars += 1
                options = safe_eval(node.get("options") or "{}")
                self.assertEqual(
                    options.get("overflow_class"),
                    "bg-success",
                    f"{view.name}: {node.get('name')}",
                )
        self.assertGreaterEqual(bars, 9)
