from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import KamCommon

# what the web client's call_kw lets any user send
HOSTILE_CONTEXT = {"skip_validation_check": True, "kam_state_write": True}


@tagged("post_install", "-at_install", "kam")
class TestKamProposal(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.group_user").implied_ids += cls.env.ref(
            "product.group_product_pricelist"
        )
        cls.today = fields.Date.context_today(cls.env["kam.proposal"])
        cls.start = cls.today + timedelta(days=10)
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Retail segment prices",
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.product_a.id,
                            "compute_price": "fixed",
                            "fixed_price": 100.0,
                        }
                    ),
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.product_b.id,
                            "compute_price": "fixed",
                            "fixed_price": 40.0,
                        }
                    ),
                ],
            }
        )
        cls.segment = cls.env["kam.segment"].create(
            {
                "name": "Proposal Retail",
                "company_id": cls.env.company.id,
                "pricelist_id": cls.pricelist.id,
            }
        )
        cls.other_segment = cls.env["kam.segment"].create({"name": "Proposal HoReCa"})
        # the segment's accounts buy at the segment's prices
        (cls.account_1 | cls.account_2).write(
            {
                "kam_segment_id": cls.segment.id,
                "property_product_pricelist": cls.pricelist.id,
            }
        )
        cls.account_3 = cls._key_account(
            "Account Three", cls.kam_1, kam_segment_id=cls.other_segment.id
        )
        cls.env.flush_all()
        cls.Proposal = cls.env["kam.proposal"]
        cls.product_c = cls.env["product.product"].create(
            {"name": "product_c", "lst_price": 30.0}
        )

    def _proposal(self, user=None, date_start=None, lines=None, **vals):
        with Form(self.Proposal.with_user(user or self.kam_1)) as form:
            form.title = "Summer prices"
            form.segment_id = vals.get("segment", self.segment)
            form.date_start = date_start or self.start
            for change, product, price in lines or [
                ("price", self.product_a, 110.0),
                ("add", self.product_c, 35.0),
            ]:
                with form.line_ids.new() as line:
                    line.change = change
                    line.product_id = product
                    if change != "drop":
                        line.proposed_price = price
        return form.record

    def _approved(self, **kwargs):
        proposal = self._proposal(**kwargs)
        proposal.action_submit()
        proposal.with_user(self.head).validate_tier()
        self.assertEqual(proposal.state, "approved")
        return proposal

    def _price(self, product, day):
        return self.pricelist._get_product_price(product, 1.0, date=day)

    def test_current_price_from_the_segment_pricelist(self):
        proposal = self._proposal()
        self.assertEqual(proposal.pricelist_id, self.pricelist)
        line_a, line_c = proposal.line_ids
        self.assertEqual(line_a.current_price, 100.0)
        self.assertAlmostEqual(line_a.change_percent, 10.0)
        self.assertEqual(line_c.current_price, 30.0, "not in the pricelist yet")
        with self.assertRaisesMessage(UserError, "comes from the segment"):
            line_a.with_user(self.kam_1).current_price = 1.0

    def test_approval_by_a_head_of_sales_through_tiers(self):
        proposal = self._proposal()
        proposal.action_submit()
        self.assertEqual(proposal.state, "to_approve")
        self.assertEqual(proposal.validation_status, "pending")
        # the KAM is no reviewer, whatever the context says
        proposal.validate_tier()
        proposal.with_context(**HOSTILE_CONTEXT).validate_tier()
        self.assertEqual(proposal.state, "to_approve")
        for vals in ({"state": "approved"}, {"title": "Changed"}):
            with self.assertRaises(UserError):
                proposal.with_context(**HOSTILE_CONTEXT).write(vals)
        with self.assertRaisesMessage(UserError, "through its buttons"):
            self.Proposal.with_user(self.kam_1).with_context(**HOSTILE_CONTEXT).create(
                {
                    "title": "Approved already",
                    "segment_id": self.segment.id,
                    "state": "approved",
                }
            )
        with self.assertRaises(AccessError):
            proposal.action_apply()
        # tracked (BaseCommon turns tracking off; values are written at commit)
        self.env.flush_all()
        self.env.cr.precommit.run()
        proposal.with_user(self.head).with_context(
            tracking_disable=False, mail_notrack=False
        ).validate_tier()
        self.assertEqual(proposal.state, "approved")
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = proposal.sudo().message_ids.tracking_value_ids
        self.assertIn("Approved", tracked.mapped("new_value_char"))

    def test_rejection(self):
        proposal = self._proposal()
        proposal.action_submit()
        proposal.with_user(self.head).reject_tier()
        self.assertEqual(proposal.state, "rejected")
        with self.assertRaises(UserError):
            proposal.with_user(self.head).action_apply()
        proposal.action_reset_to_draft()
        self.assertEqual(proposal.state, "draft")

    def test_apply_writes_prices_from_the_start_date(self):
        proposal = self._approved(
            lines=[
                ("price", self.product_a, 110.0),
                ("add", self.product_c, 35.0),
                ("drop", self.product_b, 0.0),
            ]
        )
        day_before = self.start - timedelta(days=1)
        proposal.with_user(self.head).action_apply()
        self.assertEqual(proposal.state, "applied")
        self.assertEqual(proposal.applied_by_id, self.head)
        # the new prices from the start date, the old ones until the day before
        self.assertEqual(self._price(self.product_a, day_before), 100.0)
        self.assertEqual(self._price(self.product_a, self.start), 110.0)
        self.assertEqual(
            self._price(self.product_a, self.start + timedelta(days=300)), 110.0
        )
        self.assertEqual(self._price(self.product_c, self.start), 35.0)
        self.assertEqual(self._price(self.product_c, day_before), 30.0)
        # dropped: the segment's own price ends, the product is not archived
        self.assertEqual(self._price(self.product_b, day_before), 40.0)
        self.assertEqual(
            self._price(self.product_b, self.start), self.product_b.lst_price
        )
        self.assertTrue(self.product_b.active)
        old = self.pricelist.item_ids.filtered(
            lambda item: item.product_id == self.product_a and item.fixed_price == 100.0
        )
        self.assertEqual(old.date_end, datetime.combine(day_before, time(23, 59, 59)))
        new = self.pricelist.item_ids.filtered(
            lambda item: item.product_id == self.product_a and item.fixed_price == 110.0
        )
        self.assertEqual(new.date_start, datetime.combine(self.start, time.min))
        self.assertIn("Applied to", proposal.message_ids[0].body)
        self.assertIn("product_b", proposal.message_ids[0].body)
        # applied twice: nothing twice
        items = self.pricelist.item_ids
        with self.assertRaisesMessage(UserError, "once"):
            proposal.with_user(self.head).action_apply()
        self.pricelist.invalidate_recordset()
        self.assertEqual(self.pricelist.item_ids, items)

    def test_approved_and_applied_are_read_only(self):
        proposal = self._approved()
        for state in ("approved", "applied"):
            if state == "applied":
                proposal.with_user(self.head).action_apply()
            self.assertEqual(proposal.state, state)
            for user in (self.kam_1, self.head):
                with self.assertRaisesMessage(UserError, "cannot be changed"):
                    proposal.with_user(user).date_start = self.start + timedelta(days=5)
                with self.assertRaisesMessage(UserError, "cannot be changed"):
                    proposal.line_ids[0].with_user(user).proposed_price = 1.0
                with self.assertRaisesMessage(UserError, "cannot be changed"):
                    proposal.line_ids[0].with_user(user).unlink()
                with self.assertRaises(UserError):
                    proposal.with_user(user).unlink()
                with self.assertRaises(UserError):
                    proposal.with_user(user).action_reset_to_draft()
        with self.assertRaises(UserError):
            proposal.with_user(self.head).action_cancel()
        # the chatter stays open
        proposal.with_user(self.kam_1).message_post(body="Shelf tags changed")

    def test_start_date_in_the_past_is_refused(self):
        proposal = self._proposal(date_start=self.today + timedelta(days=1))
        proposal.action_submit()
        with freeze_time(self.today + timedelta(days=3)):
            with self.assertRaisesMessage(UserError, "which has passed"):
                proposal.with_user(self.head).validate_tier()
            self.assertEqual(proposal.state, "to_approve")
        approved = self._approved(date_start=self.today + timedelta(days=1))
        with freeze_time(self.today + timedelta(days=3)):
            with self.assertRaisesMessage(UserError, "which has passed"):
                approved.with_user(self.head).action_apply()
        self.assertEqual(approved.state, "approved")
        with self.assertRaisesMessage(UserError, "which has passed"):
            self._proposal(date_start=self.today - timedelta(days=1)).action_submit()

    def test_who_proposes(self):
        # a KAM proposes for the segments they work in, in their own name
        with self.assertRaisesMessage(AccessError, "no key account in the segment"):
            self._proposal(user=self.kam_2, segment=self.other_segment)
        self._proposal(user=self.head, segment=self.other_segment)
        mine = self._proposal()
        theirs = self._proposal(user=self.kam_2)
        self.assertEqual(self.Proposal.with_user(self.kam_1).search([]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.kam_1).read(["title"])
        self.assertIn(theirs, self.Proposal.with_user(self.head).search([]))
        for user in (self.support, self.portal):
            with self.assertRaises(AccessError):
                self.Proposal.with_user(user).search([])
            with self.assertRaises(AccessError):
                mine.line_ids.with_user(user).read(["proposed_price"])

    def test_bad_lines_are_refused(self):
        proposal = self._proposal()
        Line = self.env["kam.proposal.line"].with_user(self.kam_1)
        for price in (0.0, -5.0):
            with self.assertRaisesMessage(ValidationError, "above zero"):
                Line.create(
                    {
                        "proposal_id": proposal.id,
                        "product_id": self.product_b.id,
                        "proposed_price": price,
                    }
                )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            Line.create(
                {
                    "proposal_id": proposal.id,
                    "product_id": self.product_a.id,
                    "proposed_price": 120.0,
                }
            )
        with self.assertRaisesMessage(UserError, "Add the products"):
            self.Proposal.with_user(self.kam_1).create(
                {"title": "Empty", "segment_id": self.segment.id}
            ).action_submit()
        with self.assertRaisesMessage(UserError, "has no pricelist"):
            self._proposal(user=self.head, segment=self.other_segment).action_submit()

    def test_summary_of_the_segment(self):
        def invoice(partner, day, amount, product):
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            move.action_post()

        invoice(
            self.account_1, self.today - relativedelta(months=2), 1000.0, self.product_a
        )
        invoice(
            self.account_1, self.today - relativedelta(months=3), 200.0, self.product_b
        )
        invoice(
            self.account_2, self.today - relativedelta(months=1), 300.0, self.product_b
        )
        invoice(
            self.account_1, self.today - relativedelta(months=14), 600.0, self.product_a
        )
        invoice(
            self.account_3, self.today - relativedelta(months=1), 5000.0, self.product_a
        )
        competitor = self.env["kam.competitor"].create({"name": "Acme Foods"})
        self.env["kam.competitor.observation"].create(
            {
                "competitor_id": competitor.id,
                "partner_id": self.account_1.id,
                "product_id": self.product_a.id,
                "price": 75.0,
            }
        )
        proposal = self._proposal()
        # a head of sales: the whole segment
        as_head = proposal.with_user(self.head)
        self.assertEqual(as_head.summary_account_count, 2)
        self.assertEqual(as_head.summary_active_accounts, 2)
        self.assertEqual(as_head.summary_revenue, 1500.0)
        self.assertEqual(as_head.summary_revenue_previous, 600.0)
        self.assertTrue(as_head.summary_has_trend)
        self.assertAlmostEqual(as_head.summary_revenue_trend, 150.0)
        html = str(as_head.summary_html)
        self.assertLess(html.index("product_a"), html.index("product_b"), "top first")
        self.assertIn("Acme Foods", html)
        self.assertIn("-25.0 %", html, "75 against our 100")
        # the KAM: their own accounts of the segment only, and says so
        as_kam = proposal.with_user(self.kam_1)
        self.assertEqual(as_kam.summary_account_count, 1)
        self.assertEqual(as_kam.summary_revenue, 1200.0)
        self.assertIn("Your accounts", as_kam.summary_scope)
