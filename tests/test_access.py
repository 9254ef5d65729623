from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import KamCommon


@tagged("post_install", "-at_install", "kam")
class TestKamAccess(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # within the last 12 months, whatever the day the test runs
        cls.last_month = fields.Date.today() - timedelta(days=30)
        cls.invoice_1 = cls._invoice(cls.account_1, cls.last_month, 1000.0)
        cls.invoice_2 = cls._invoice(cls.account_2, cls.last_month, 2000.0)
        cls.segment = cls.env["kam.segment"].create({"name": "Wholesale"})

    def test_kam_works_on_own_accounts_only(self):
        own = self.account_1.with_user(self.kam_1)
        own.write({"kam_tier": "b", "kam_segment_id": self.segment.id})
        self.assertEqual(own.kam_tier, "b")
        other = self.account_2.with_user(self.kam_1)
        with self.assertRaises(AccessError):
            other.kam_tier = "a"
        with self.assertRaises(AccessError):
            other.kam_user_id = self.kam_1  # cannot take another KAM's account
        with self.assertRaises(AccessError):
            own.kam_user_id = self.kam_2  # nor hand one over: a head of sales does
        self.account_1.with_user(self.head).kam_user_id = self.kam_2
        self.assertEqual(self.account_1.kam_user_id, self.kam_2)

    def test_kam_flags_a_new_key_account_for_themself(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.kam_1)
            .create({"name": "Prospect", "is_company": True, "is_key_account": True})
        )
        self.assertEqual(partner.kam_user_id, self.kam_1)

    def test_kam_cannot_read_figures_of_another_kams_account(self):
        self.env.invalidate_all()
        mine = self.account_1.with_user(self.kam_1)
        theirs = self.account_2.with_user(self.kam_1)
        self.assertGreater(mine.kam_revenue_12m, 0.0)
        self.assertEqual(theirs.kam_revenue_12m, 0.0)
        self.assertEqual(theirs.kam_overdue_amount, 0.0)
        self.assertGreater(self.account_2.with_user(self.head).kam_revenue_12m, 0.0)
        self.assertGreater(self.account_2.with_user(self.kam_2).kam_revenue_12m, 0.0)

    def test_kam_cannot_find_another_kams_overdue_accounts(self):
        due = self.last_month + timedelta(days=10)  # past due
        self._invoice(self.account_1, self.last_month, 100.0, due_date=due)
        self._invoice(self.account_2, self.last_month, 100.0, due_date=due)
        overdue = [("kam_overdue_amount", ">", 0), ("is_company", "=", True)]
        found = self.env["res.partner"].with_user(self.kam_1).search(overdue)
        self.assertIn(self.account_1, found)
        self.assertNotIn(self.account_2, found)
        found = self.env["res.partner"].with_user(self.head).search(overdue)
        self.assertIn(self.account_2, found)

    def test_sales_support_sees_who_but_not_kam_only_fields(self):
        account = self.account_1.with_user(self.support)
        values = account.read(["is_key_account", "kam_user_id"])[0]
        self.assertTrue(values["is_key_account"])
        self.assertEqual(values["kam_user_id"][0], self.kam_1.id)
        for fname in (
            "kam_tier",
            "kam_segment_id",
            "kam_revenue_12m",
            "kam_overdue_amount",
        ):
            with self.assertRaises(AccessError, msg=fname):
                account.read([fname])
        self.assertNotIn("kam_revenue_12m", account.fields_get())
        with self.assertRaises(AccessError):
            account.write({"is_key_account": False})
        with self.assertRaises(AccessError):
            self.env["kam.segment"].with_user(self.support).create({"name": "Mine"})
        # sales keeps working: support may edit the partner's ordinary fields
        account.write({"phone": "+1 555 0100"})
        self.assertEqual(self.account_1.phone, "+1 555 0100")

    def test_plain_salesman_cannot_make_key_accounts(self):
        salesman = self.env["res.users"].create(
            {
                "name": "Plain Salesman",
                "login": "plain_salesman",
                "group_ids": [
                    Command.set(
                        [
                            self.env.ref("sales_team.group_sale_salesman").id,
                            self.env.ref("base.group_partner_manager").id,
                        ]
                    )
                ],
            }
        )
        partner = (
            self.env["res.partner"]
            .with_user(salesman)
            .create({"name": "Customer", "is_company": True})
        )
        with self.assertRaises(AccessError):
            partner.write({"is_key_account": True})

    def test_segments_rights(self):
        self.assertEqual(self.segment.with_user(self.kam_1).name, "Wholesale")
        with self.assertRaises(AccessError):
            self.env["kam.segment"].with_user(self.kam_1).create(
                {"name": "KAM segment"}
            )
        with self.assertRaises(AccessError):
            self.segment.with_user(self.kam_1).name = "Renamed"
        segment = (
            self.env["kam.segment"].with_user(self.head).create({"name": "HoReCa"})
        )
        segment.with_user(self.head).unlink()
        self.assertFalse(segment.exists())

    def test_segments_multi_company(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        hidden = self.env["kam.segment"].create(
            {"name": "Other company's segment", "company_id": other_company.id}
        )
        shared = self.env["kam.segment"].create({"name": "Shared segment"})
        visible = self.env["kam.segment"].with_user(self.head).search([])
        self.assertIn(shared, visible)
        self.assertNotIn(hidden, visible)
        with self.assertRaises(AccessError):
            hidden.with_user(self.head).read(["name"])

    def test_portal_gets_nothing(self):
        with self.assertRaises(AccessError):
            self.env["kam.segment"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.segment.with_user(self.portal).read(["name"])
        own_partner = self.portal.partner_id.with_user(self.portal)
        with self.assertRaises(AccessError):
            own_partner.read(["is_key_account"])
        with self.assertRaises(AccessError):
            own_partner.read(["kam_revenue_12m"])
