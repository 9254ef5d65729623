from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import KamCommon


class PromotionCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.segment = cls.env["kam.segment"].create({"name": "Promo Segment"})
        cls.account_3 = cls._key_account(
            "Account Three", cls.kam_1, tier="b", kam_segment_id=cls.segment.id
        )
        cls.account_2.kam_segment_id = cls.segment
        cls.contact_1 = cls.env["res.partner"].create(
            {"name": "Buyer One", "parent_id": cls.account_1.id}
        )

    @classmethod
    def _promotion_vals(cls, start=-60, end=30, **vals):
        return {
            "name": "Volume bonus",
            "date_from": cls.today + timedelta(days=start),
            "date_to": cls.today + timedelta(days=end),
            "tier_ids": [
                Command.create({"threshold_amount": 1000.0, "bonus_percent": 2.0}),
                Command.create({"threshold_amount": 5000.0, "bonus_percent": 5.0}),
            ],
            **vals,
        }


@tagged("post_install", "-at_install", "kam")
class TestKamPromotion(PromotionCommon):
    # --- proposal, approval, read-only ------------------------------------
    def test_kam_proposes_head_approves(self):
        promotion = (
            self.env["kam.promotion"]
            .with_user(self.kam_1)
            .create(self._promotion_vals(partner_ids=[Command.set(self.account_1.ids)]))
        )
        self.assertEqual(promotion.state, "draft")
        self.assertEqual(promotion.participant_ids.partner_id, self.account_1)
        # the KAM approves nothing, neither by the button nor by writing the state
        with self.assertRaises(AccessError):
            promotion.action_approve()
        for vals in (
            {"state": "approved"},
            {"state": "running"},
            {"approved_by_id": 1},
        ):
            with self.assertRaisesMessage(UserError, "only be set through its buttons"):
                promotion.write(vals)
        with self.assertRaisesMessage(UserError, "starts as draft"):
            self.env["kam.promotion"].with_user(self.kam_1).create(
                self._promotion_vals(
                    partner_ids=[Command.set(self.account_1.ids)], state="running"
                )
            )
        # sales support approves nothing and does not see a draft
        with self.assertRaises(AccessError):
            promotion.with_user(self.support).action_approve()
        self.assertFalse(
            self.env["kam.promotion"]
            .with_user(self.support)
            .search([("id", "=", promotion.id)])
        )
        promotion.with_user(self.head).action_approve()
        # its first day has passed: it runs at once
        self.assertEqual(promotion.state, "running")
        self.assertEqual(promotion.approved_by_id, self.head)

    def test_approved_programme_is_read_only(self):
        promotion = self.env["kam.promotion"].create(
            self._promotion_vals(start=5, partner_ids=[Command.set(self.account_1.ids)])
        )
        promotion.with_user(self.head).action_approve()
        self.assertEqual(promotion.state, "approved")  # starts in five days
        for user in (self.kam_1, self.head):
            with self.assertRaises(UserError):
                promotion.with_user(user).write({"name": "Changed"})
            with self.assertRaises(UserError):
                promotion.tier_ids[0].with_user(user).write({"bonus_percent": 3.0})
            with self.assertRaises(UserError):
                promotion.with_user(user).write(
                    {"partner_ids": [Command.link(self.account_2.id)]}
                )
            with self.assertRaises(UserError):
                promotion.with_user(user).unlink()
        with self.assertRaisesMessage(UserError, "starts on"):
            promotion.with_user(self.head).action_start()
        # the daily cron starts it on its first day, not before
        cron = self.env.ref("kam_management.ir_cron_kam_promotion_start")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(promotion.state, "approved")
        with (
            freeze_time(self.today + timedelta(days=5)),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        promotion.invalidate_recordset()
        self.assertEqual(promotion.state, "running")
        # a head of sales cancels it, then it is a draft again
        promotion.with_user(self.head).action_cancel()
        promotion.with_user(self.head).action_reset_draft()
        promotion.with_user(self.head).write({"name": "Changed"})
        self.assertEqual(promotion.name, "Changed")

    def test_segment_participants(self):
        promotion = (
            self.env["kam.promotion"]
            .with_user(self.kam_1)
            .create(
                self._promotion_vals(
                    segment_id=self.segment.id,
                    partner_ids=[Command.set(self.account_1.ids)],
                )
            )
        )
        accounts = self.account_1 | self.account_2 | self.account_3
        self.assertEqual(promotion.sudo().participant_ids.partner_id, accounts)
        # listed and in the segment: one line; a contact is no account
        promotion.write({"partner_ids": [Command.link(self.account_3.id)]})
        self.assertEqual(len(promotion.sudo().participant_ids), 3)
        with self.assertRaisesMessage(ValidationError, "is not a key account"):
            promotion.write({"partner_ids": [Command.set(self.contact_1.ids)]})
        # kam_1 sees the lines of their own accounts only, kam_2 theirs (a
        # segment programme is read by every KAM)
        Participant = self.env["kam.promotion.participant"]
        for user, accounts in (
            (self.kam_1, self.account_1 | self.account_3),
            (self.kam_2, self.account_2),
            (self.head, self.account_1 | self.account_2 | self.account_3),
        ):
            self.assertEqual(
                Participant.with_user(user)
                .search([("promotion_id", "=", promotion.id)])
                .partner_id,
                accounts,
            )
            self.assertTrue(promotion.with_user(user).read(["name"]))
        # dropping the segment drops its accounts
        promotion.write({"segment_id": False})
        self.assertEqual(
            promotion.sudo().participant_ids.partner_id, self.account_1 | self.account_3
        )
        # a KAM does not list another KAM's account
        with self.assertRaisesMessage(AccessError, "their own accounts"):
            promotion.write({"partner_ids": [Command.link(self.account_2.id)]})
        with self.assertRaises(UserError):
            self.env["kam.promotion.participant"].with_user(self.head).create(
                {"promotion_id": promotion.id, "partner_id": self.account_1.id}
            )

    # --- bad input --------------------------------------------------------
    def test_bad_input_refused(self):
        Promotion = self.env["kam.promotion"].with_user(self.kam_1)
        accounts = [Command.set(self.account_1.ids)]
        with self.assertRaisesMessage(ValidationError, "ends before it starts"):
            Promotion.create(
                self._promotion_vals(start=10, end=-10, partner_ids=accounts)
            )
        with self.assertRaisesMessage(ValidationError, "must increase"):
            Promotion.create(
                self._promotion_vals(
                    partner_ids=accounts,
                    tier_ids=[
                        Command.create({"threshold_amount": 1000, "bonus_percent": 5}),
                        Command.create({"threshold_amount": 5000, "bonus_percent": 2}),
                    ],
                )
            )
        with self.assertRaisesMessage(ValidationError, "must increase"):
            Promotion.create(
                self._promotion_vals(
                    partner_ids=accounts,
                    tier_ids=[
                        Command.create({"threshold_amount": 1000, "bonus_percent": 2}),
                        Command.create({"threshold_amount": 1000, "bonus_percent": 5}),
                    ],
                )
            )
        for percent in (0.0, -1.0, 101.0):
            with self.assertRaisesMessage(ValidationError, "above 0 and up to 100"):
                Promotion.create(
                    self._promotion_vals(
                        partner_ids=accounts,
                        tier_ids=[
                            Command.create(
                                {"threshold_amount": 10, "bonus_percent": percent}
                            )
                        ],
                    )
                )
        empty = Promotion.create(self._promotion_vals())
        with self.assertRaisesMessage(UserError, "no participants"):
            empty.with_user(self.head).action_approve()
        no_tiers = Promotion.create(
            self._promotion_vals(partner_ids=accounts, tier_ids=[])
        )
        with self.assertRaisesMessage(UserError, "no tiers"):
            no_tiers.with_user(self.head).action_approve()

    # --- progress and settlement -----------------------------------------
    def _running(self, start=-60, end=30):
        promotion = self.env["kam.promotion"].create(
            self._promotion_vals(
                start=start,
                end=end,
                partner_ids=[Command.set((self.account_1 | self.account_2).ids)],
            )
        )
        promotion.with_user(self.head).action_approve()
        return promotion

    def test_progress_from_invoices_and_refunds(self):
        day = self.today - timedelta(days=10)
        self._invoice(self.contact_1, day, 4000.0)
        self._invoice(self.account_1, day, 1500.0)
        self._invoice(self.account_1, day, 300.0, move_type="out_refund")
        # outside the period, a draft and another account's: no revenue
        self._invoice(self.account_1, self.today - timedelta(days=90), 9000.0)
        self._invoice(self.account_1, day, 9000.0, post=False)
        self._invoice(self.account_2, day, 700.0)
        promotion = self._running()
        line_1, line_2 = (
            promotion.participant_ids.filtered(lambda p, a=a: p.partner_id == a)
            for a in (self.account_1, self.account_2)
        )
        self.assertAlmostEqual(line_1.revenue, 5200.0)
        self.assertEqual(line_1.tier_id.bonus_percent, 5.0)
        self.assertAlmostEqual(line_1.bonus_amount, 260.0)
        self.assertFalse(line_1.next_threshold)
        self.assertEqual(line_1.progress, 100.0)
        self.assertAlmostEqual(line_2.revenue, 700.0)
        self.assertFalse(line_2.tier_id)
        self.assertEqual(line_2.bonus_amount, 0.0)
        self.assertAlmostEqual(line_2.next_threshold, 1000.0)
        self.assertAlmostEqual(line_2.amount_to_next, 300.0)
        self.assertAlmostEqual(line_2.progress, 70.0)
        # a refund lowers the account back under the top tier
        self._invoice(self.account_1, day, 400.0, move_type="out_refund")
        self.env.invalidate_all()
        self.assertAlmostEqual(line_1.revenue, 4800.0)
        self.assertEqual(line_1.bonus_percent, 2.0)
        self.assertAlmostEqual(line_1.amount_to_next, 200.0)
        # the KAM of the account sees it, sales support the names without figures
        self.assertAlmostEqual(line_1.with_user(self.kam_1).revenue, 4800.0)
        with self.assertRaises(AccessError):
            line_1.with_user(self.support).read(["revenue"])
        self.assertEqual(
            line_1.with_user(self.support).read(["partner_id"])[0]["partner_id"][0],
            self.account_1.id,
        )
        with self.assertRaises(AccessError):
            line_1.with_user(self.kam_2).read(["partner_id"])

    def test_settlement_creates_one_credit_note_per_participant(self):
        day = self.today - timedelta(days=20)
        self._invoice(self.account_1, day, 6000.0)
        self._invoice(self.account_2, day, 500.0)
        promotion = self._running(start=-60, end=-1)
        self.assertEqual(promotion.state, "running")
        with self.assertRaises(AccessError):
            promotion.with_user(self.kam_1).action_settle()
        promotion.with_user(self.head).action_settle()
        self.assertEqual(promotion.state, "settled")
        line_1, line_2 = (
            promotion.participant_ids.filtered(lambda p, a=a: p.partner_id == a)
            for a in (self.account_1, self.account_2)
        )
        refund = line_1.credit_note_id
        self.assertEqual(len(refund), 1)
        self.assertFalse(line_2.credit_note_id)  # no bonus, no credit note
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "draft")
        self.assertEqual(refund.partner_id, self.account_1)
        self.assertAlmostEqual(refund.amount_untaxed, 300.0)
        self.assertEqual(
            refund.invoice_line_ids.product_id,
            self.env.ref("kam_management.product_kam_volume_bonus"),
        )
        self.assertFalse(refund.invoice_line_ids.sale_line_ids)
        self.assertEqual(refund.kam_reason_id.reason_type, "bonus")
        self.assertEqual(promotion.credit_note_count, 1)
        # accounting posts it: it has its reason
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        # figures are frozen: a later invoice of the period does not change them
        self._invoice(self.account_1, day, 10000.0)
        self.env.invalidate_all()
        self.assertAlmostEqual(line_1.revenue, 6000.0)
        self.assertAlmostEqual(line_1.bonus_amount, 300.0)
        # settling twice makes nothing twice
        refunds = self.env["account.move"].search_count(
            [("move_type", "=", "out_refund")]
        )
        with self.assertRaises(UserError):
            promotion.with_user(self.head).action_settle()
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            refunds,
        )
        # settled is read-only
        with self.assertRaises(UserError):
            promotion.with_user(self.head).write({"name": "Changed"})
        with self.assertRaises(UserError):
            promotion.with_user(self.head).action_cancel()

    def test_settle_only_after_the_end(self):
        promotion = self._running()
        with self.assertRaisesMessage(UserError, "after its last day"):
            promotion.with_user(self.head).action_settle()

    # --- the account and the order ---------------------------------------
    def test_account_and_order_show_progress(self):
        self._invoice(self.account_1, self.today - timedelta(days=5), 800.0)
        promotion = self._running()
        order = (
            self.env["sale.order"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": self.contact_1.id,
                    "order_line": [Command.create({"product_id": self.product_a.id})],
                }
            )
        )
        summary = str(order.kam_promotion_summary)
        self.assertIn(promotion.name, summary)
        self.assertIn("200.00", summary)  # still needed for 2 %
        account_summary = str(
            self.account_1.with_user(self.kam_1).kam_promotion_summary
        )
        self.assertIn("200.00", account_summary)
        # sales support: the programme's name, no figures
        support_summary = str(order.with_user(self.support).kam_promotion_summary)
        self.assertIn(promotion.name, support_summary)
        self.assertNotIn("800.00", support_summary)
        self.assertNotIn("200.00", support_summary)
        # the head of sales sees the figures
        self.assertIn("200.00", str(order.with_user(self.head).kam_promotion_summary))

    # --- query counts -----------------------------------------------------
    def _count_progress_queries(self, promotion):
        # the ids, as a list view reads them (not through the cached one2many)
        participants = (
            self.env["kam.promotion.participant"]
            .with_user(self.head)
            .browse(promotion.participant_ids.ids)
        )
        self.env.invalidate_all()
        participants.fetch(["partner_id"])
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        participants.mapped("revenue")
        participants.mapped("bonus_amount")
        participants.mapped("amount_to_next")
        return self.env.cr.sql_log_count - before

    def test_progress_query_count_does_not_grow(self):
        def build(count, invoices_each):
            accounts = self.env["res.partner"].create(
                [
                    {
                        "name": f"Perf {count} {i}",
                        "is_company": True,
                        "is_key_account": True,
                        "kam_user_id": self.kam_1.id,
                    }
                    for i in range(count)
                ]
            )
            day = self.today - timedelta(days=3)
            for account in accounts:
                for _n in range(invoices_each):
                    self._invoice(account, day, 100.0, post=False)
            moves = self.env["account.move"].search(
                [("partner_id", "in", accounts.ids), ("state", "=", "draft")]
            )
            moves.action_post()
            promotion = self.env["kam.promotion"].create(
                self._promotion_vals(partner_ids=[Command.set(accounts.ids)])
            )
            promotion.action_approve()
            return promotion

        small, large = build(2, 1), build(12, 3)
        self._count_progress_queries(small)  # warm the caches
        few = self._count_progress_queries(small)
        many = self._count_progress_queries(large)
        self.assertEqual(few, many, "progress must take a constant number of queries")
        self.assertLessEqual(few, 8)
        self.assertAlmostEqual(
            large.participant_ids[0].revenue, 300.0, msg="three invoices of 100"
        )


@tagged("post_install", "-at_install", "kam")
class TestKamDiscountPromotion(PromotionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.walk_in = cls.env["res.partner"].create({"name": "Walk-in"})

    def _program_vals(self, **vals):
        return {
            "name": "Key account 10 %",
            "program_type": "promotion",
            "applies_on": "current",
            "trigger": "auto",
            "rule_ids": [
                Command.create({"reward_point_mode": "order", "minimum_amount": 0})
            ],
            "reward_ids": [
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount": 10,
                        "discount_mode": "percent",
                        "discount_applicability": "order",
                        "required_points": 1,
                    }
                )
            ],
            **vals,
        }

    def _order(self, partner, user=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.kam_1)
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_a.id, "price_unit": 100.0}
                        )
                    ],
                }
            )
        )

    def _discount_lines(self, order):
        order._update_programs_and_rewards()
        for coupon in order.coupon_point_ids.coupon_id:
            order._apply_program_reward(coupon.program_id.reward_ids, coupon)
        return order.order_line.filtered("reward_id")

    def test_restricted_programme_applies_to_its_accounts_once_approved(self):
        program = (
            self.env["loyalty.program"]
            .with_user(self.kam_1)
            .create(
                self._program_vals(kam_partner_ids=[Command.set(self.account_1.ids)])
            )
        )
        self.assertTrue(program.kam_restricted)
        self.assertEqual(program.kam_state, "draft")
        # "key accounts only" is not the KAM's to switch off (over RPC too): the
        # draft would give its discount to every customer without approval
        for vals in ({"kam_restricted": False}, {"kam_restricted": False, "name": "x"}):
            with self.assertRaisesMessage(UserError, "follows its participating"):
                program.write(vals)
        with self.assertRaisesMessage(UserError, "follows its participating"):
            self.env["loyalty.program"].with_user(self.kam_1).create(
                self._program_vals(
                    kam_partner_ids=[Command.set(self.account_1.ids)],
                    kam_restricted=False,
                )
            )
        self.assertTrue(program.kam_restricted)
        # not approved: it applies to no order, not even its account's
        self.assertFalse(self._discount_lines(self._order(self.contact_1)))
        # the KAM submits; approving is a head's, over RPC too
        program.action_kam_submit()
        with self.assertRaises(AccessError):
            program.action_kam_approve()
        with self.assertRaisesMessage(UserError, "only be set through its buttons"):
            program.write({"kam_state": "approved"})
        with self.assertRaises(UserError):
            self.env["loyalty.program"].with_user(self.kam_1).create(
                self._program_vals(
                    kam_partner_ids=[Command.set(self.account_1.ids)],
                    kam_state="approved",
                )
            )
        with self.assertRaises(AccessError):
            program.with_user(self.support).action_kam_approve()
        program.with_user(self.head).action_kam_approve()
        self.assertEqual(program.kam_state, "approved")
        # a contact of the account gets it (commercial partner), others do not
        self.assertTrue(self._discount_lines(self._order(self.contact_1)))
        self.assertTrue(
            self._discount_lines(self._order(self.contact_1, user=self.support))
        )
        self.assertFalse(self._discount_lines(self._order(self.account_3)))
        self.assertFalse(self._discount_lines(self._order(self.walk_in)))
        # approved: read-only, even for heads (reset first)
        for user in (self.kam_1, self.head):
            with self.assertRaises(UserError):
                program.with_user(user).write({"name": "Changed"})
        program.with_user(self.head).action_kam_reset()
        self.assertEqual(program.kam_state, "draft")
        self.assertFalse(self._discount_lines(self._order(self.contact_1)))

    def test_segment_programme(self):
        program = self.env["loyalty.program"].create(
            self._program_vals(kam_segment_id=self.segment.id)
        )
        program.with_user(self.head).action_kam_approve()
        self.assertTrue(self._discount_lines(self._order(self.account_3)))
        self.assertTrue(
            self._discount_lines(self._order(self.account_2, user=self.kam_2))
        )
        self.assertFalse(self._discount_lines(self._order(self.contact_1)))

    def test_unrestricted_programme_as_in_odoo(self):
        self.env["loyalty.program"].create(self._program_vals())
        self.assertTrue(self._discount_lines(self._order(self.walk_in)))
        self.assertTrue(self._discount_lines(self._order(self.contact_1)))

    def test_kam_rights_on_programmes(self):
        Program = self.env["loyalty.program"].with_user(self.kam_1)
        # a KAM proposes for their own accounts, not for another KAM's
        with self.assertRaisesMessage(AccessError, "their own accounts"):
            Program.create(
                self._program_vals(kam_partner_ids=[Command.set(self.account_2.ids)])
            )
        # nor an unrestricted programme (sales managers keep those)
        with self.assertRaises(AccessError):
            Program.create(self._program_vals())
        mine = Program.create(
            self._program_vals(kam_partner_ids=[Command.set(self.account_1.ids)])
        )
        mine.write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            mine.with_user(self.kam_2).write({"name": "Not mine"})
        # through the form, as the KAM
        with Form(mine) as form:
            form.name = "Through the form"
        self.assertEqual(mine.name, "Through the form")
        # sales support reads, proposes nothing
        self.assertTrue(mine.with_user(self.support).read(["name"]))
        with self.assertRaises(AccessError):
            self.env["loyalty.program"].with_user(self.support).create(
                self._program_vals(kam_partner_ids=[Command.set(self.account_1.ids)])
            )
        # a portal user reads nothing
        with self.assertRaises(AccessError):
            mine.with_user(self.portal).read(["name"])
