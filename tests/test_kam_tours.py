"""Browser tours: the key account day in a real headless Chromium.

The tours (kam_management/static/tests/tours/kam_tours.js) click through the screens
as each role does; this file creates their data and checks the records afterwards.
A tour that cannot run fails: no browser, no websocket-client or no HTTP server is
an error here, never a skip (Odoo skips such tests and the run would pass).
"""

import unittest
from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tests import common as tests_common

from odoo.addons.kam_management.models.geo import distance_m

from .common import KamCommon

# where the account is, and where the KAM's phone says it is: about 45 m away
ACCOUNT_POSITION = (48.8566, 2.3522)
PHONE_POSITION = (48.8570, 2.3524)
PHONE = "375x667"
DESKTOP = "1366x768"


@tagged("post_install", "-at_install", "kam", "kam_tour")
class TestKamTours(KamCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        # a browser test that cannot run fails the run (Odoo would skip it)
        assert tests_common.websocket is not None, (
            "the browser tours need the Python module websocket (websocket-client)"
        )
        try:
            tests_common._find_executable()
        except unittest.SkipTest as exc:
            raise AssertionError(
                "the browser tours need Chromium or Chrome on PATH (scripts/setup.sh "
                "installs Debian's chromium)"
            ) from exc
        assert cls.http_port(), (
            "the browser tours need an HTTP server (pytest --odoo-http)"
        )
        super().setUpClass()

        company = cls.env.company
        cls.kam_1.name = "Tour KAM"
        company.write(
            {
                "kam_sales_support_user_id": cls.support.id,
                "kam_credit_check_required": True,
            }
        )
        cls.market = cls._key_account(
            "Tour Market",
            cls.kam_1,
            tier="a",
            partner_latitude=ACCOUNT_POSITION[0],
            partner_longitude=ACCOUNT_POSITION[1],
            credit_limit=100000.0,
            risk_sale_order_include=True,
            risk_invoice_open_include=True,
            risk_invoice_unpaid_include=True,
        )
        # the credit gate lets the order through: a fresh approved credit check
        check = (
            cls.env["kam.credit.check"]
            .with_user(cls.kam_1)
            .create({"partner_id": cls.market.id, "requested_limit": 50000.0})
        )
        check.action_submit()
        check.with_user(cls.head).validate_tier()
        assert check.state == "approved", check.state
        cls.coffee = cls.env["product.product"].create(
            {
                "name": "Tour Coffee",
                "type": "consu",
                "list_price": 12.0,
                "taxes_id": [Command.clear()],
            }
        )
        # today's visit (an hour ago: today or, just after midnight, overdue; the
        # Today screen shows both) and the checklist due on it
        cls.visit = (
            cls.env["kam.visit"]
            .with_user(cls.kam_1)
            .create(
                {
                    "partner_id": cls.market.id,
                    "user_id": cls.kam_1.id,
                    "date_start": fields.Datetime.now() - timedelta(hours=1),
                    "purpose": "Shelf and reorder",
                }
            )
        )
        promo = cls.env["kam.merchandising.task.type"].create(
            {
                "name": "Promo Check",
                "line_ids": [
                    Command.create(
                        {"name": "Promo display in place", "photo_required": True}
                    )
                ],
            }
        )
        cls.task = (
            cls.env["kam.merchandising.task"]
            .with_user(cls.kam_1)
            .create(
                {
                    "partner_id": cls.market.id,
                    "task_type_id": promo.id,
                    "visit_id": cls.visit.id,
                }
            )
        )
        # the head of sales' figures: the KAM's plan of the twelve months to the end
        # of this one, and revenue invoiced last month (the dashboard's default
        # period, the last twelve months, ends with last month)
        month_start = fields.Date.today().replace(day=1)
        team = (
            cls.env["crm.team"]
            .sudo()
            .create(
                {
                    "name": "Tour Team",
                    "company_id": company.id,
                    "user_id": cls.head.id,
                    "member_ids": [Command.set(cls.kam_1.ids)],
                }
            )
        )
        department = cls.env["kam.plan"].create(
            {
                "name": "Tour plan",
                "plan_type": "department",
                "team_id": team.id,
                "date_from": month_start - relativedelta(months=11),
                "date_to": month_start + relativedelta(months=1, days=-1),
                "target_amount": 12000.0,
            }
        )
        plan = department.with_user(cls.head).action_split()
        plan.with_user(cls.kam_1).action_submit()
        plan.with_user(cls.head).validate_tier()
        assert plan.state == "approved", plan.state
        cls._pay(
            cls._invoice(cls.market, month_start - relativedelta(months=1), 1500.0)
        )

    def _kam_tour(self, tour, login, url, size=DESKTOP, position=None):
        """Run a tour as ``login`` in a ``size`` window (a touch screen when it is a
        phone's), the browser granted ``position`` as its geolocation."""
        self.browser_size = size
        self.touch_enabled = size == PHONE
        navigate_to = tests_common.ChromeBrowser.navigate_to
        origin = self.base_url()

        def navigate_with_position(browser, url, wait_stop=False):
            if position:
                browser._websocket_request(
                    "Browser.grantPermissions",
                    params={"permissions": ["geolocation"], "origin": origin},
                )
                browser._websocket_request(
                    "Emulation.setGeolocationOverride",
                    params={
                        "latitude": position[0],
                        "longitude": position[1],
                        "accuracy": 10,
                    },
                )
            return navigate_to(browser, url, wait_stop=wait_stop)

        with patch.object(
            tests_common.ChromeBrowser, "navigate_to", navigate_with_position
        ):
            try:
                self.start_tour(url, tour, login=login)
            except unittest.SkipTest as exc:
                self.fail(f"the browser tour {tour} could not run: {exc}")

    def test_kam_visit_on_phone_then_support_confirms(self):
        self._kam_tour(
            "kam_tour_kam_phone_visit",
            self.kam_1.login,
            "/odoo/kam-today",
            size=PHONE,
            position=PHONE_POSITION,
        )
        # the check-in stored the position the browser was granted
        visit = self.visit
        self.assertTrue(visit.check_in)
        self.assertAlmostEqual(visit.check_in_latitude, PHONE_POSITION[0], places=5)
        self.assertAlmostEqual(visit.check_in_longitude, PHONE_POSITION[1], places=5)
        self.assertLess(
            distance_m(*PHONE_POSITION, *ACCOUNT_POSITION),
            visit.company_id.kam_checkin_radius,
        )
        self.assertFalse(visit.is_far_check_in)
        self.assertAlmostEqual(
            visit.check_in_distance,
            round(distance_m(*PHONE_POSITION, *ACCOUNT_POSITION)),
            delta=1,
        )
        # the checklist is done, its item answered with the uploaded photo
        task = self.task
        self.assertEqual(task.state, "done")
        self.assertEqual(task.line_ids.result, "ok")
        self.assertTrue(task.line_ids.photo)
        photo = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "kam.merchandising.task.line"),
                ("res_id", "=", task.line_ids.id),
                ("res_field", "=", "photo"),
            ]
        )
        self.assertEqual(photo.mimetype, "image/png")
        self.assertAlmostEqual(task.compliance, 100.0)
        # the order taken on the visit: a quotation of the account, for sales support
        order = self.env["sale.order"].search([("kam_visit_id", "=", visit.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.partner_id, self.market)
        self.assertEqual(order.user_id, self.kam_1)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.kam_entry_user_id, self.support)

        # sales support enters the line and confirms it: the credit gate lets it pass
        self._kam_tour(
            "kam_tour_support_confirm", self.support.login, "/odoo/kam-orders-to-enter"
        )
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line.product_id, self.coffee)
        self.assertAlmostEqual(order.amount_untaxed, 12.0)
        self.assertFalse(order.kam_entry_user_id, "the Enter Order activity is done")

    def test_head_reads_plan_analysis_and_dashboard(self):
        self._kam_tour(
            "kam_tour_head_analysis",
            self.head.login,
            "/odoo",
        )
