import base64
import io
from datetime import datetime, time, timedelta

from PIL import Image

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import KamCommon


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue())


class KamCompetitorCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["kam.competitor.observation"])
        cls.segment = cls.env["kam.segment"].create({"name": "Competitor Retail"})
        cls.account_1.kam_segment_id = cls.segment
        # pricelists enabled (Sales settings), as a business with key accounts does
        cls.env.ref("base.group_user").implied_ids += cls.env.ref(
            "product.group_product_pricelist"
        )
        cls.acme = cls.env["kam.competitor"].create({"name": "Acme Foods"})
        cls.zenith = cls.env["kam.competitor"].create({"name": "Zenith"})
        # the account's pricelist: 80 until ten days ago, 90 since
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Key account prices",
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.product_a.id,
                            "compute_price": "fixed",
                            "fixed_price": 80.0,
                            "date_end": datetime.combine(
                                cls.today - timedelta(days=11), time.max
                            ).replace(microsecond=0),
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.product_a.id,
                            "compute_price": "fixed",
                            "fixed_price": 90.0,
                            "date_start": datetime.combine(
                                cls.today - timedelta(days=10), time.min
                            ),
                        },
                    ),
                ],
            }
        )
        cls.account_1.property_product_pricelist = cls.pricelist
        # the pricelist's inverse writes are pending: they would be flushed, then
        # rolled back, in the first test
        cls.env.flush_all()
        cls.Observation = cls.env["kam.competitor.observation"]

    def _observe(self, user=None, account=None, **vals):
        return self.Observation.with_user(user or self.kam_1).create(
            {
                "competitor_id": self.acme.id,
                "partner_id": (account or self.account_1).id,
                "product_id": self.product_a.id,
                "price": 100.0,
                **vals,
            }
        )


@tagged("post_install", "-at_install", "kam")
class TestKamCompetitor(KamCompetitorCommon):
    def test_our_price_at_the_date_and_gap(self):
        old = self._observe(date=self.today - timedelta(days=20))
        new = self._observe(price=72.0)
        self.assertEqual(old.our_price, 80.0, "the pricelist's price on that day")
        self.assertEqual(old.pricelist_id, self.pricelist)
        self.assertEqual(old.price_gap, 20.0)
        self.assertAlmostEqual(old.price_gap_percent, 25.0)
        self.assertEqual(new.our_price, 90.0)
        self.assertEqual(new.price_gap, -18.0, "the competitor is cheaper")
        self.assertAlmostEqual(new.price_gap_percent, -20.0)
        # the price list changes later: the observations keep the price of their day
        self.pricelist.item_ids.write({"fixed_price": 50.0})
        self.env.invalidate_all()
        self.assertEqual(old.our_price, 80.0)
        self.assertEqual(new.our_price, 90.0)
        # a new date is a new comparison
        new.with_user(self.kam_1).date = self.today - timedelta(days=20)
        self.assertEqual(new.our_price, 50.0)

    def test_our_price_is_not_taken_from_the_client(self):
        observation = self._observe()
        with self.assertRaisesMessage(UserError, "computed from the account"):
            observation.with_user(self.kam_1).write({"our_price": 1.0})
        with self.assertRaisesMessage(UserError, "computed from the account"):
            self._observe(price_gap_percent=0.0)
        self.assertEqual(observation.our_price, 90.0)

    def test_logged_from_a_visit(self):
        visit = (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": self.account_1.id,
                    "date_start": fields.Datetime.now() - timedelta(hours=1),
                }
            )
        )
        action = visit.with_user(self.kam_1).action_log_competitor_observation()
        form = Form(
            self.Observation.with_user(self.kam_1).with_context(action["context"])
        )
        form.competitor_id = self.zenith
        form.product_id = self.product_a
        form.price = 99.0
        form.promotion_seen = True
        form.promotion_note = "2 for 1"
        form.shelf_share = 35.0
        form.photo = _photo()
        observation = form.save()
        self.assertEqual(observation.visit_id, visit)
        self.assertEqual(observation.partner_id, self.account_1)
        self.assertEqual(observation.user_id, self.kam_1)
        self.assertEqual(observation.segment_id, self.segment)
        self.assertEqual(observation.kam_user_id, self.kam_1)
        self.assertEqual(observation.categ_id, self.product_a.categ_id)
        self.assertEqual(observation.our_price, 90.0)
        self.assertEqual(
            visit.with_user(self.kam_1).competitor_observation_ids, observation
        )
        # and from the account: its smart button counts what the user may read
        self.assertEqual(
            self.account_1.with_user(self.kam_1).kam_competitor_observation_count, 1
        )
        self.assertEqual(
            self.account_1.with_user(self.kam_2).kam_competitor_observation_count, 0
        )
        action = self.account_1.with_user(
            self.kam_1
        ).action_kam_view_competitor_observations()
        self.assertEqual(action["context"]["default_partner_id"], self.account_1.id)

    def test_a_visit_of_another_account_is_refused(self):
        visit = (
            self.env["kam.visit"]
            .with_user(self.kam_2)
            .create({"partner_id": self.account_2.id})
        )
        with self.assertRaisesMessage(ValidationError, "is not a visit of"):
            self._observe(user=self.head, visit_id=visit.id)

    def test_bad_figures_are_refused(self):
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self._observe(price=-1.0)
        with self.assertRaisesMessage(ValidationError, "from 0 to 100"):
            self._observe(shelf_share=101.0)
        with self.assertRaisesMessage(ValidationError, "from 0 to 100"):
            self._observe(shelf_share=-0.5)
        with self.assertRaisesMessage(ValidationError, "in the future"):
            self._observe(date=self.today + timedelta(days=1))
        with self.assertRaisesMessage(ValidationError, "not a key account"):
            self._observe(
                user=self.head,
                account=self.env["res.partner"].create(
                    {"name": "Walk-in", "is_company": True}
                ),
            )

    def test_an_observed_competitor_is_archived_not_deleted(self):
        self._observe(user=self.kam_2, account=self.account_2)
        with self.assertRaisesMessage(UserError, "archive it instead"):
            self.acme.with_user(self.head).unlink()
        with self.assertRaises(AccessError):
            self.zenith.with_user(self.kam_1).unlink()
        self.zenith.with_user(self.head).unlink()
        self.acme.with_user(self.kam_1).action_archive()
        self.assertFalse(self.acme.active)

    def test_kam_sees_own_accounts_only(self):
        mine = self._observe()
        theirs = self._observe(user=self.kam_2, account=self.account_2)
        Observation = self.Observation.with_user(self.kam_1)
        self.assertEqual(Observation.search([]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.kam_1).read(["price"])
        with self.assertRaises(AccessError):
            self._observe(user=self.kam_1, account=self.account_2)
        with self.assertRaises(AccessError):
            theirs.with_user(self.kam_1).write({"price": 1.0})
        # nor moved to another KAM's account, nor logged in another's name
        with self.assertRaises(AccessError):
            mine.with_user(self.kam_1).partner_id = self.account_2
        with self.assertRaises(AccessError):
            mine.with_user(self.kam_1).user_id = self.kam_2
        self.assertEqual(
            self.Observation.with_user(self.head).search([]), mine | theirs
        )

    def test_sales_support_reads_nothing(self):
        observation = self._observe()
        for user in (self.support, self.portal):
            with self.assertRaises(AccessError):
                self.Observation.with_user(user).search([])
            with self.assertRaises(AccessError):
                observation.with_user(user).read(["price"])
            with self.assertRaises(AccessError):
                self.env["kam.competitor"].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.account_1.with_user(user).read(
                    ["kam_competitor_observation_count"]
                )
        self.assertNotIn(
            "competitor_observation_ids",
            self.env["kam.visit"].with_user(self.support).fields_get(),
        )

    def test_price_gap_analysis(self):
        self._observe(date=self.today - timedelta(days=20))  # +25 %
        self._observe(price=72.0)  # -20 %
        self._observe(competitor_id=self.zenith.id, price=99.0)  # +10 %
        groups = dict(
            self.Observation.with_user(self.head)._read_group(
                [], ["competitor_id"], ["price_gap_percent:avg"]
            )
        )
        self.assertAlmostEqual(groups[self.acme], 2.5)
        self.assertAlmostEqual(groups[self.zenith], 10.0)
        by_segment = self.Observation.with_user(self.kam_1)._read_group(
            [], ["segment_id", "categ_id", "date:month"], ["__count"]
        )
        self.assertEqual(sum(count for *_keys, count in by_segment), 3)
