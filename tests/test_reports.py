from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import KamCommon


@tagged("post_install", "-at_install", "kam")
class TestKamReports(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Buyer One", "parent_id": cls.account_1.id}
        )
        cls.plain = cls.env["res.partner"].create(
            {"name": "Walk-in", "is_company": True}
        )
        for partner, qty in ((cls.contact, 2), (cls.account_2, 3), (cls.plain, 5)):
            order = cls.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product_a.id, "product_uom_qty": qty}
                        )
                    ],
                }
            )
            order.action_confirm()
        cls._invoice(cls.contact, "2026-03-01", 700.0)
        cls._invoice(cls.account_2, "2026-03-01", 300.0)

    def test_sale_report_by_kam(self):
        rows = self.env["sale.report"]._read_group(
            [("is_key_account", "=", True)],
            ["kam_user_id"],
            ["product_uom_qty:sum"],
        )
        self.assertEqual(dict(rows), {self.kam_1: 2.0, self.kam_2: 3.0})
        tiers = dict(
            self.env["sale.report"]._read_group(
                [("is_key_account", "=", True)], ["kam_tier"], ["__count"]
            )
        )
        self.assertEqual(tiers, {"a": 1, "c": 1})

    def test_sale_report_follows_a_new_kam(self):
        self.account_2.kam_user_id = self.kam_1  # not flushed yet: _depends does it
        rows = self.env["sale.report"]._read_group(
            [("is_key_account", "=", True)], ["kam_user_id"], ["product_uom_qty:sum"]
        )
        self.assertEqual(dict(rows), {self.kam_1: 5.0})

    def test_invoice_report_by_kam(self):
        rows = (
            self.env["account.invoice.report"]
            .with_user(self.head)
            ._read_group(
                [("is_key_account", "=", True), ("move_type", "=", "out_invoice")],
                ["kam_user_id"],
                ["price_subtotal:sum"],
            )
        )
        self.assertEqual(dict(rows), {self.kam_1: 700.0, self.kam_2: 300.0})

    def test_kam_only_dimensions(self):
        with self.assertRaises(AccessError):
            self.env["sale.report"].with_user(self.support)._read_group(
                [], ["kam_tier"], ["__count"]
            )
        rows = (
            self.env["sale.report"]
            .with_user(self.support)
            ._read_group([("is_key_account", "=", True)], ["kam_user_id"], ["__count"])
        )
        self.assertEqual(len(rows), 2)
