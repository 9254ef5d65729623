from datetime import datetime, time, timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from .common import KamCommon


@tagged("post_install", "-at_install", "kam")
class TestKeyAccount(KamCommon):
    def test_defaults_follow_tier_and_company_settings(self):
        self.env.company.write({"kam_visit_interval_a": 5, "kam_visit_interval_c": 40})
        partner = self.env["res.partner"].create({"name": "New KA", "is_company": True})
        partner.is_key_account = True
        self.assertEqual(partner.kam_tier, "b", "a new key account starts in tier B")
        self.assertEqual(partner.kam_user_id, self.env.user)
        self.assertEqual(partner.kam_visit_interval_days, 14)
        partner.kam_tier = "a"
        self.assertEqual(partner.kam_visit_interval_days, 5)
        partner.kam_tier = "c"
        self.assertEqual(partner.kam_visit_interval_days, 40)
        partner.kam_visit_interval_days = 21  # a manual cadence is kept
        self.assertEqual(partner.kam_visit_interval_days, 21)

    def test_salesperson_becomes_the_kam(self):
        partner = self.env["res.partner"].create(
            {"name": "Sold by KAM 2", "is_company": True, "user_id": self.kam_2.id}
        )
        partner.is_key_account = True
        self.assertEqual(partner.kam_user_id, self.kam_2)

    def test_form_as_head_of_sales(self):
        segment = self.env["kam.segment"].create({"name": "Retail"})
        Partner = self.env["res.partner"].with_context(default_is_company=True)
        with Form(Partner.with_user(self.head)) as form:
            form.name = "Form Account"
            form.is_key_account = True
            form.kam_user_id = self.kam_1
            form.kam_tier = "a"
            form.kam_segment_id = segment
        partner = form.record
        self.assertEqual(partner.kam_user_id, self.kam_1)
        self.assertEqual(
            partner.kam_visit_interval_days, self.env.company.kam_visit_interval_a
        )
        self.assertEqual(segment.partner_count, 1)

    def test_contacts_follow_their_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.account_1.id}
        )
        self.assertTrue(contact.is_key_account)
        self.assertEqual(contact.kam_user_id, self.kam_1)
        self.assertEqual(contact.kam_tier, "a")
        self.account_1.write({"kam_user_id": self.kam_2.id, "kam_tier": "b"})
        self.assertEqual(contact.kam_user_id, self.kam_2)
        self.assertEqual(contact.kam_tier, "b")
        self.account_1.is_key_account = False
        self.assertFalse(contact.is_key_account)

    def test_a_person_cannot_be_a_key_account(self):
        person = self.env["res.partner"].create({"name": "Private Person"})
        with self.assertRaisesMessage(ValidationError, "only companies"):
            person.is_key_account = True
            person.flush_recordset()

    def test_a_contact_alone_cannot_be_a_key_account(self):
        company = self.env["res.partner"].create(
            {"name": "Plain Co", "is_company": True}
        )
        contact = self.env["res.partner"].create(
            {"name": "Someone", "parent_id": company.id}
        )
        with self.assertRaisesMessage(ValidationError, "flag the company"):
            contact.is_key_account = True
            contact.flush_recordset()

    def test_visit_interval_must_be_positive(self):
        with self.assertRaisesMessage(ValidationError, "positive number of days"):
            self.account_1.kam_visit_interval_days = 0
            self.account_1.flush_recordset()

    def test_company_interval_must_be_positive(self):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env.company.kam_visit_interval_b = 0
            self.env.flush_all()


@tagged("post_install", "-at_install", "kam")
class TestKeyAccountKpis(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Buyer One", "parent_id": cls.account_1.id}
        )

    @freeze_time("2026-06-15")
    def test_revenue_12_months(self):
        # what counts as revenue: tests/test_revenue.py; here the 12 months' window
        account = self.account_1
        self._invoice(account, "2025-06-16", 1000.0)  # first day of the window
        self._invoice(account, "2025-06-15", 700.0)  # one day too early
        self._invoice(account, "2026-06-15", 300.0)  # today
        self._invoice(account, "2026-06-16", 900.0)  # future
        self._invoice(self.contact, "2026-04-01", 100.0)  # a contact's invoice counts
        self._invoice(self.account_2, "2026-04-01", 4000.0)  # another account
        self.env.invalidate_all()
        self.assertAlmostEqual(account.kam_revenue_12m, 1000 + 300 + 100)
        self.assertAlmostEqual(self.contact.kam_revenue_12m, account.kam_revenue_12m)
        self.assertEqual(account.kam_currency_id, self.env.company.currency_id)
        self.assertAlmostEqual(self.account_2.kam_revenue_12m, 4000.0)

    @freeze_time("2026-06-15")
    def test_overdue_amount(self):
        account = self.account_1
        overdue = self._invoice(account, "2026-04-01", 1000.0, due_date="2026-05-01")
        partial = self._invoice(account, "2026-04-10", 500.0, due_date="2026-05-10")
        self._pay(partial, amount=75.0, pay_date="2026-05-05")
        self._invoice(
            account, "2026-06-01", 400.0, due_date="2026-07-01"
        )  # not yet due
        paid = self._invoice(account, "2026-03-01", 600.0, due_date="2026-04-01")
        self._pay(paid, pay_date="2026-04-01")
        self._invoice(account, "2026-06-10", 50.0, due_date="2026-06-15")  # due today
        # an unapplied credit note is no debt: it does not lower the overdue amount
        self._invoice(
            account, "2026-04-15", 80.0, move_type="out_refund", due_date="2026-04-15"
        )
        self.env.invalidate_all()
        expected = overdue.amount_total + partial.amount_total - 75.0
        self.assertAlmostEqual(account.kam_overdue_amount, expected)
        self.assertFalse(self.account_2.kam_overdue_amount)
        Partner = self.env["res.partner"]
        found = Partner.search(
            [("kam_overdue_amount", ">", 0), ("is_company", "=", True)]
        )
        self.assertIn(account, found)
        self.assertNotIn(self.account_2, found)
        self.assertNotIn(
            account,
            Partner.search(
                [("kam_overdue_amount", ">", expected), ("id", "=", account.id)]
            ),
        )

    def test_last_confirmed_order_date(self):
        def order(partner):
            return self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": self.product_a.id})],
                }
            )

        # 09:00 UTC: the same day in the user's time zone
        nine = datetime.combine(fields.Date.today(), time(9, 0))
        with freeze_time(nine - timedelta(days=97)):
            order(self.account_1).action_confirm()
        with freeze_time(nine - timedelta(days=26)):
            order(self.contact).action_confirm()  # ordered by a contact of the account
        with freeze_time(nine - timedelta(days=14)):
            order(self.account_1)  # a quotation is not an order
            cancelled = order(self.account_1)
            cancelled.action_confirm()
            cancelled.kam_reason_id = self.env.ref(
                "kam_management.kam_reason_cancellation_client"
            )
            cancelled._action_cancel()
        self.env.invalidate_all()
        self.assertEqual(
            self.account_1.kam_last_order_date, (nine - timedelta(days=26)).date()
        )
        self.assertFalse(self.account_2.kam_last_order_date)
