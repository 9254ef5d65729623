from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import KamCommon


@tagged("post_install", "-at_install", "kam")
class TestKamConfigurationAccess(KamCommon):
    """Configuration belongs to heads of sales; KAMs read it, others get nothing."""

    def test_variable_pay_scales(self):
        Scale = self.env["kam.variable.pay.scale"]
        scale = self.env.ref("kam_management.kam_variable_pay_scale_default")
        self.assertTrue(scale.with_user(self.kam_1).line_ids)
        with self.assertRaises(AccessError):
            Scale.with_user(self.kam_1).create({"name": "Generous"})
        with self.assertRaises(AccessError):
            scale.line_ids[:1].with_user(self.kam_1).payout = 500.0
        with self.assertRaises(AccessError):
            Scale.with_user(self.support).search([])
        Scale.with_user(self.head).create({"name": "Stretch"})

    def test_credit_rating_policies(self):
        Policy = self.env["kam.credit.rating.policy"]
        policy = self.env.ref("kam_management.kam_credit_rating_policy_d")
        self.assertEqual(policy.with_user(self.kam_1).rating, "d")
        with self.assertRaises(AccessError):
            policy.with_user(self.kam_1).risk_invoice_unpaid_limit = 0.0
        with self.assertRaises(AccessError):
            Policy.with_user(self.support).search([])
        policy.with_user(self.head).note = "Cash in advance"

    def test_planner_and_release_wizards(self):
        with self.assertRaises(AccessError):
            self.env["kam.visit.planner"].with_user(self.support).create(
                {"user_id": self.support.id}
            )
        with self.assertRaises(AccessError):
            self.env["kam.visit.planner"].with_user(self.portal).create(
                {"user_id": self.portal.id}
            )

    def test_portal_gets_no_kam_record(self):
        for model in (
            "kam.plan",
            "kam.plan.line",
            "kam.plan.report",
            "kam.visit",
            "kam.credit.check",
            "kam.contract",
            "kam.variable.pay.scale",
            "kam.credit.rating.policy",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.portal).search([])
