from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class KamCommon(AccountTestInvoicingCommon):
    """Accounting test company, key account users of every group, invoice helpers."""

    @classmethod
    def get_default_groups(cls):
        # the test environment's user sets key accounts up like a head of sales
        return super().get_default_groups() | cls.env.ref(
            "kam_management.group_kam_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        user_vals = {
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
        }
        cls.kam_1 = new_test_user(
            cls.env, login="kam_1", groups="kam_management.group_kam_user", **user_vals
        )
        cls.kam_2 = new_test_user(
            cls.env, login="kam_2", groups="kam_management.group_kam_user", **user_vals
        )
        cls.head = new_test_user(
            cls.env,
            login="kam_head",
            groups="kam_management.group_kam_manager",
            **user_vals,
        )
        cls.support = new_test_user(
            cls.env,
            login="kam_support",
            groups="kam_management.group_kam_sales_support",
            **user_vals,
        )
        cls.portal = new_test_user(
            cls.env, login="kam_portal", groups="base.group_portal", **user_vals
        )
        cls.account_1 = cls._key_account("Account One", cls.kam_1, tier="a")
        cls.account_2 = cls._key_account("Account Two", cls.kam_2, tier="c")
        # the tests type the order amounts they need; a price typed below the list
        # price is a discount that needs authority (duty 2.9), so the products
        # they sell list at a price below any amount they type
        (cls.product_a | cls.product_b).list_price = 1.0

    @contextmanager
    def assertRaisesMessage(self, exception, regex):
        """assertRaises (which rolls back to a savepoint), then check the message."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), regex)

    @classmethod
    def _key_account(cls, name, kam, tier="b", **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "is_key_account": True,
                "kam_user_id": kam.id,
                "kam_tier": tier,
                **vals,
            }
        )

    @classmethod
    def _invoice(
        cls,
        partner,
        invoice_date,
        amount,
        move_type="out_invoice",
        currency=None,
        due_date=None,
        post=True,
    ):
        """A customer invoice (or refund) of one taxed line of ``amount`` untaxed;
        a refund of a key account carries a return reason."""
        reason = move_type == "out_refund" and cls.env.ref(
            "kam_management.kam_reason_return_damaged"
        )
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "kam_reason_id": reason and reason.id,
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "date": invoice_date,
                "invoice_date_due": due_date or invoice_date,
                "currency_id": (currency or cls.env.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set(cls.tax_sale_a.ids)],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
            # account_financial_risk may answer with a wizard instead of posting
            assert move.state == "posted", "the test invoice was not posted"
        return move

    @classmethod
    def _pay(cls, invoice, amount=None, pay_date=None):
        vals = {"payment_date": pay_date or date.today()}
        if amount is not None:
            vals["amount"] = amount
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(vals)._create_payments()
