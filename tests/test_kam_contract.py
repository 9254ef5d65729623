from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import KamCommon


@tagged("post_install", "-at_install", "kam")
class TestKamContract(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Key account prices"}
        )
        # contracts of this calendar year, whatever the day the test runs
        today = fields.Date.today()
        cls.year_start = today.replace(month=1, day=1)
        cls.year_end = today.replace(month=12, day=31)

    def _contract(self, user=None, **vals):
        return (
            self.env["kam.contract"]
            .with_user(user or self.kam_1)
            .create(
                {
                    "partner_id": self.account_1.id,
                    "date_start": self.year_start,
                    "date_end": self.year_end,
                    "payment_term_id": self.pay_terms_b.id,
                    "pricelist_id": self.pricelist.id,
                    **vals,
                }
            )
        )

    def test_activation_applies_terms(self):
        contract = self._contract()
        self.assertTrue(contract.name.startswith("KAC/"))
        contract.action_negotiate()
        contract.action_activate()
        self.assertEqual(contract.state, "active")
        self.assertEqual(self.account_1.property_payment_term_id, self.pay_terms_b)
        self.assertEqual(self.account_1.property_product_pricelist, self.pricelist)
        order = self.env["sale.order"].create({"partner_id": self.account_1.id})
        self.assertEqual(order.payment_term_id, self.pay_terms_b)
        self.assertEqual(order.pricelist_id, self.pricelist)

    def test_agreed_limit_goes_through_a_credit_check(self):
        contract = self._contract(credit_limit=8000.0)
        contract.action_activate()
        self.assertFalse(self.account_1.credit_limit, "never around the credit check")
        check = contract.credit_check_id
        self.assertEqual(check.requested_limit, 8000.0)
        self.assertEqual(check.state, "draft")
        self.assertEqual(check.activity_ids.user_id, self.kam_1)

    def test_one_active_contract_per_partner(self):
        self._contract().action_activate()
        second = self._contract(date_start=self.year_start + relativedelta(months=1))
        with self.assertRaisesMessage(
            ValidationError, "already has an active contract"
        ):
            second.action_activate()
        other_account = self._contract(user=self.head, partner_id=self.account_2.id)
        other_account.with_user(self.head).action_activate()

    def test_renewal(self):
        contract = self._contract(credit_limit=3000.0)
        contract.action_activate()
        action = contract.action_renew()
        renewal = self.env["kam.contract"].browse(action["res_id"])
        self.assertEqual(renewal.renewal_of_id, contract)
        self.assertEqual(renewal.contract_type, "renewal")
        self.assertEqual(renewal.state, "draft")
        self.assertEqual(
            (renewal.payment_term_id, renewal.pricelist_id, renewal.credit_limit),
            (self.pay_terms_b, self.pricelist, 3000.0),
        )
        # from the day after the end, for as many days
        self.assertEqual(renewal.date_start, self.year_start + relativedelta(years=1))
        self.assertEqual(
            renewal.date_end - renewal.date_start,
            contract.date_end - contract.date_start,
        )
        renewal.action_activate()
        self.assertEqual(contract.state, "expired")
        self.assertEqual(renewal.state, "active")

    def test_delete_and_archive(self):
        draft = self._contract()
        active = self._contract(user=self.head, partner_id=self.account_2.id)
        active.with_user(self.head).action_activate()
        with self.assertRaisesMessage(UserError, "archive"):
            active.with_user(self.head).unlink()
        active.with_user(self.head).active = False
        self.assertFalse(active.active)
        with self.assertRaises(AccessError):
            draft.unlink()  # only heads of sales delete contracts
        draft.with_user(self.head).unlink()
        self.assertFalse(draft.exists())

    def test_cron_reminds_and_expires(self):
        today = fields.Date.today()
        ending = self._contract(
            date_start=today - timedelta(days=300), date_end=today + timedelta(days=20)
        )
        ending.action_activate()
        ended = self._contract(
            user=self.head,
            partner_id=self.account_2.id,
            date_start=today - timedelta(days=300),
            date_end=today - timedelta(days=1),
        )
        ended.with_user(self.head).action_activate()
        with self.enter_registry_test_mode():
            self.env.ref(
                "kam_management.ir_cron_kam_contract_renewals"
            ).method_direct_trigger()
        self.assertEqual(ended.state, "expired")
        self.assertEqual(ending.state, "active")
        self.assertEqual(ending.activity_ids.user_id, self.kam_1)
        self.assertTrue(ending.reminder_sent)

    def test_changes_are_tracked(self):
        # BaseCommon disables tracking in tests: this test is about tracking
        contract = self._contract().with_context(
            tracking_disable=False, mail_notrack=False
        )
        # a record created in the transaction is not tracked: end its creation first
        self.env.flush_all()
        self.env.cr.precommit.run()
        contract.write({"date_end": self.year_end + relativedelta(months=6)})
        contract.action_activate()
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit time
        tracked = contract.sudo().message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("date_end", tracked)
        self.assertIn("state", tracked)

    def test_sales_support_reads_contracts_not_limits(self):
        contract = self._contract(credit_limit=1000.0)
        self.assertEqual(contract.with_user(self.support).partner_id, self.account_1)
        with self.assertRaises(AccessError):
            contract.with_user(self.support).read(["credit_limit"])

    def test_contract_with_a_key_account_only(self):
        plain = self.env["res.partner"].create({"name": "Prospect", "is_company": True})
        with self.assertRaisesMessage(ValidationError, "not a key account"):
            self._contract(user=self.head, partner_id=plain.id)
