"""The screens of issue 11 around reports, the sales support queue and the settings:
what each role gets when it opens them, through the ORM as that user."""

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import KamCommon
from .test_kam_credit import KamCreditCommon

ENTER_ORDER = "kam_management.mail_activity_type_enter_order"


class KamScreensMixin:
    def _open(self, xmlid, user):
        """(action, model as ``user`` with the action's context, the action's domain)
        of a window action, or of the window action a server action returns, as the
        web client evaluates them."""
        record = self.env.ref(xmlid).with_user(user).sudo(False)
        if record._name == "ir.actions.server":
            action = record.run()
        else:
            action = record._get_action_dict()
        eval_context = {"uid": user.id, "context_today": fields.Date.context_today}
        context = action.get("context") or "{}"
        if isinstance(context, str):
            context = safe_eval(context, eval_context)
        domain = safe_eval(action.get("domain") or "[]", eval_context)
        model = self.env[action["res_model"]].with_user(user).with_context(**context)
        return action, model, domain

    def _view(self, action, model, view_type):
        """The arch of the action's view of ``view_type``, as the user gets it."""
        views = [(view_id, mode) for view_id, mode in action["views"]]
        arch = model.get_views(views)["views"][view_type]["arch"]
        return etree.fromstring(arch)


@tagged("post_install", "-at_install", "kam")
class TestReportCharts(KamScreensMixin, KamCommon):
    """Revenue by KAM in bars; a line only for time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # quantities that would rank the KAMs the other way round than revenue
        for partner, qty, price in (
            (cls.account_1, 1, 900.0),
            (cls.account_2, 50, 2.0),
        ):
            order = cls.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": partner.kam_user_id.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product_a.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            order.action_confirm()
        today = fields.Date.today()
        cls._invoice(cls.account_1, today, 700.0)
        cls._invoice(cls.account_2, today, 300.0)

    def _chart(self, xmlid, user):
        """(model, domain, graph group-bys, pivot rows, measure) of the report as
        ``user`` opens it."""
        action, model, domain = self._open(xmlid, user)
        graph = self._view(action, model, "graph")
        self.assertEqual(graph.get("type"), "bar", f"{xmlid}: categories in bars")
        (measure,) = [f.get("name") for f in graph.iter("field") if f.get("type")]
        groupbys = model.env.context.get("graph_groupbys") or [
            f.get("name") for f in graph.iter("field") if not f.get("type")
        ]
        pivot = self._view(action, model, "pivot")
        rows = model.env.context.get("pivot_row_groupby") or [
            f.get("name") for f in pivot.iter("field") if f.get("type") == "row"
        ]
        return model, domain, groupbys, rows, measure

    def test_key_account_sales_is_untaxed_revenue_by_kam(self):
        model, domain, groupbys, rows, measure = self._chart(
            "kam_management.sale_report_action_key_accounts_open", self.head
        )
        self.assertEqual((groupbys, rows), (["kam_user_id"], ["kam_user_id"]))
        self.assertEqual(measure, "price_subtotal")
        revenue = dict(model._read_group(domain, groupbys, [f"{measure}:sum"]))
        self.assertEqual(revenue, {self.kam_1: 900.0, self.kam_2: 100.0})

    def test_a_kam_sees_the_revenue_of_their_accounts(self):
        model, domain, groupbys, rows, measure = self._chart(
            "kam_management.sale_report_action_key_accounts_open", self.kam_1
        )
        self.assertEqual((groupbys, rows), (["partner_id"], ["partner_id"]))
        revenue = dict(model._read_group(domain, groupbys, [f"{measure}:sum"]))
        self.assertEqual(revenue, {self.account_1: 900.0})

    def test_key_account_invoicing_is_untaxed_revenue_by_kam(self):
        model, domain, groupbys, rows, measure = self._chart(
            "kam_management.account_invoice_report_action_key_accounts", self.head
        )
        self.assertEqual((groupbys, rows), (["kam_user_id"], ["kam_user_id"]))
        self.assertEqual(measure, "price_subtotal")
        # the action's default filters: posted customer invoices of the last year
        search = model.env.ref("account.view_account_invoice_report_search")
        filters = {
            node.get("name"): node.get("domain")
            for node in etree.fromstring(
                model.get_views([(search.id, "search")])["views"]["search"]["arch"]
            ).iter("filter")
        }
        for key in model.env.context:
            if key.startswith("search_default_"):
                name = key.removeprefix("search_default_")
                domain = domain + safe_eval(filters[name], {"uid": self.head.id})
        revenue = dict(model._read_group(domain, groupbys, [f"{measure}:sum"]))
        self.assertEqual(revenue, {self.kam_1: 700.0, self.kam_2: 300.0})


@tagged("post_install", "-at_install", "kam")
class TestPlanAnalysis(KamScreensMixin, KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        year_start, year_end = (
            today.replace(month=1, day=1),
            today.replace(month=12, day=31),
        )
        cls.account_3 = cls._key_account("Account Three", cls.kam_1)
        cls.plan = cls.env["kam.plan"].create(
            {
                "name": "Anna's year",
                "plan_type": "individual",
                "user_id": cls.kam_1.id,
                "date_from": year_start,
                "date_to": year_end,
                "line_ids": [
                    Command.create(
                        {"partner_id": cls.account_1.id, "target_amount": 1200.0}
                    ),
                    Command.create(
                        {"partner_id": cls.account_3.id, "target_amount": 2400.0}
                    ),
                ],
            }
        )
        # 50 % and 125 %: their average (87.5 %) is not the plan's 100 %
        cls._invoice(cls.account_1, year_start, 600.0)
        cls._invoice(cls.account_3, year_start, 3000.0)

    def _pivot(self, groupby, user=None):
        """What the pivot shows: formatted_read_group with the measures' own
        aggregators, as the web client asks for them."""
        Report = self.env["kam.plan.report"].with_user(user or self.kam_1)
        fields_info = Report.fields_get(
            ["target_amount", "actual_amount", "achievement"], ["aggregator"]
        )
        aggregates = [
            f"{name}:{info['aggregator']}" for name, info in fields_info.items()
        ]
        return Report.formatted_read_group(
            [("plan_id", "=", self.plan.id)], groupby, aggregates
        )

    def test_achievement_of_a_group_is_the_ratio_of_its_sums(self):
        (total,) = self._pivot(["user_id"])
        self.assertAlmostEqual(total["target_amount:sum"], 3600.0)
        self.assertAlmostEqual(total["actual_amount:sum"], 3600.0)
        self.assertAlmostEqual(total["achievement:avg"], 100.0)
        by_account = {
            group["partner_id"][0]: group["achievement:avg"]
            for group in self._pivot(["partner_id"])
        }
        self.assertAlmostEqual(by_account[self.account_1.id], 50.0)
        self.assertAlmostEqual(by_account[self.account_3.id], 125.0)
        # months: the target is spread, the revenue falls in January
        by_month = self._pivot(["date:month"])
        self.assertAlmostEqual(by_month[0]["achievement:avg"], 3600.0 / 300.0 * 100.0)
        self.assertEqual(len(by_month), 12)

    def test_no_target_is_no_achievement_not_zero(self):
        self.plan.line_ids.filtered(
            lambda line: line.partner_id == self.account_3
        ).target_amount = 0.0
        by_account = {
            group["partner_id"][0]: group["achievement:avg"]
            for group in self._pivot(["partner_id"], user=self.head)
        }
        self.assertIs(by_account[self.account_3.id], False)
        self.assertAlmostEqual(by_account[self.account_1.id], 50.0)

    def _plan_chart(self, user):
        action, model, domain = self._open(
            "kam_management.kam_plan_report_action_open", user
        )
        graph = self._view(action, model, "graph")
        self.assertEqual(graph.get("type"), "bar")
        groupbys = model.env.context.get("graph_groupbys") or [
            f.get("name") for f in graph.iter("field") if not f.get("type")
        ]
        (measure,) = [f.get("name") for f in graph.iter("field") if f.get("type")]
        rows = model._read_group(
            domain + [("plan_id", "=", self.plan.id)], groupbys, [f"{measure}:sum"]
        )
        return groupbys, {
            (group, figure): round(amount, 2) for group, figure, amount in rows
        }

    def test_chart_shows_target_next_to_invoiced(self):
        groupbys, bars = self._plan_chart(self.head)
        self.assertEqual(groupbys, ["user_id", "figure"])
        self.assertEqual(
            bars, {(self.kam_1, "target"): 3600.0, (self.kam_1, "invoiced"): 3600.0}
        )
        # a KAM compares their accounts
        groupbys, bars = self._plan_chart(self.kam_1)
        self.assertEqual(groupbys, ["partner_id", "figure"])
        self.assertEqual(
            bars,
            {
                (self.account_1, "target"): 1200.0,
                (self.account_1, "invoiced"): 600.0,
                (self.account_3, "target"): 2400.0,
                (self.account_3, "invoiced"): 3000.0,
            },
        )


@tagged("post_install", "-at_install", "kam")
class TestOrdersToEnter(KamScreensMixin, KamCreditCommon):
    QUEUE = "kam_management.sale_order_action_to_enter"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.support_2 = new_test_user(
            cls.env,
            login="kam_support_2",
            groups="kam_management.group_kam_sales_support",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.env.company.kam_sales_support_user_id = cls.support
        cls.order_taken = cls._take_order(cls.account_1, cls.kam_1)
        cls.order_other_support = cls._take_order(cls.account_2, cls.kam_2)
        cls.order_other_support.activity_ids.user_id = cls.support_2
        cls.order_plain = cls.env["sale.order"].create({"partner_id": cls.account_1.id})

    @classmethod
    def _take_order(cls, account, kam):
        visit = cls.env["kam.visit"].with_user(kam).create({"partner_id": account.id})
        visit.action_take_order()
        return visit.sudo().order_ids

    def _queue(self, user):
        _action, model, domain = self._open(self.QUEUE, user)
        return model.search(domain)

    def test_queue_lists_the_orders_waiting_for_the_user(self):
        self.assertEqual(self._queue(self.support), self.order_taken)
        self.assertEqual(self._queue(self.support_2), self.order_other_support)
        self.assertFalse(self._queue(self.kam_1))
        order = self._queue(self.support)
        self.assertEqual(order.kam_entry_user_id, self.support)
        self.assertEqual(order.activity_ids.activity_type_id, self.env.ref(ENTER_ORDER))
        waiting = (
            self.env["sale.order"]
            .with_user(self.head)
            .search([("kam_entry_user_id", "!=", False)])
        )
        self.assertEqual(waiting, self.order_taken | self.order_other_support)
        self.assertNotIn(
            self.order_taken,
            self.env["sale.order"].search([("kam_entry_user_id", "=", False)]),
        )

    def test_an_order_leaves_the_queue_once_entered(self):
        order = self.order_taken.with_user(self.support)
        order.activity_ids.action_feedback(feedback="Entered")
        self.assertFalse(self._queue(self.support))

    def test_confirmed_or_cancelled_orders_leave_the_queue(self):
        order = self.order_taken.with_user(self.support)
        order.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "price_unit": 100.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ]
            }
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._queue(self.support))
        self.order_other_support.with_user(self.support_2).action_cancel()
        self.assertFalse(self._queue(self.support_2))

    def test_key_account_filter(self):
        plain = self.env["res.partner"].create({"name": "Walk-in", "is_company": True})
        walk_in = self.env["sale.order"].create({"partner_id": plain.id})
        search = self.env.ref("sale.view_sales_order_filter")
        arch = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.support)
            .get_views([(search.id, "search")])["views"]["search"]["arch"]
        )
        (node,) = arch.xpath("//filter[@name='filter_key_accounts']")
        orders = (
            self.env["sale.order"]
            .with_user(self.support)
            .search(safe_eval(node.get("domain")))
        )
        self.assertIn(self.order_plain, orders)
        self.assertNotIn(walk_in, orders)


@tagged("post_install", "-at_install", "kam")
class TestCreditGateStatus(KamScreensMixin, KamCreditCommon):
    """Sales support sees whether the gate holds an order, never the figures."""

    def test_blocked_status_without_figures(self):
        order = self._order(1500.0)  # over the 1000.0 credit limit
        as_support = order.with_user(self.support)
        self.assertEqual(as_support.kam_credit_status, "blocked")
        reason = as_support.kam_credit_block_reason
        self.assertIn("exceeds the financial risk", reason)
        self.assertNotRegex(reason, r"\d", "no figure in the reason")
        with self.assertRaises(AccessError):
            as_support.read(["kam_credit_headroom"])
        self.assertEqual(
            self.env["sale.order"]
            .with_user(self.support)
            .search([("kam_credit_status", "=", "blocked")]),
            order,
        )
        # the order form of sales support carries the status, not the figures
        form = Form(as_support)
        self.assertEqual(form.kam_credit_status, "blocked")
        self.assertEqual(form.kam_user_id, self.kam_1)
        self.assertNotIn("kam_credit_headroom", form._view["fields"])

    def test_clear_confirmed_and_not_key(self):
        order = self._order(500.0)
        as_support = order.with_user(self.support)
        self.assertEqual(as_support.kam_credit_status, "clear")
        self.assertFalse(as_support.kam_credit_block_reason)
        self.assertNotIn(
            order,
            as_support.search([("kam_credit_status", "=", "blocked")]),
        )
        self.assertIn(order, as_support.search([("kam_credit_status", "=", "clear")]))
        # confirmed: no quotation for the gate any more
        as_support.action_confirm()
        self.assertFalse(as_support.kam_credit_status)
        self.assertIn(order, as_support.search([("kam_credit_status", "=", False)]))
        plain = self.env["res.partner"].create({"name": "Walk-in", "is_company": True})
        walk_in = self._order(5000.0, partner=plain)
        self.assertFalse(walk_in.with_user(self.support).kam_credit_status)

    def test_released_order_is_confirmed(self):
        blocked = self._order(1500.0)
        self.env["kam.credit.release"].with_user(self.head).create(
            {"order_id": blocked.id, "reason": "Paid in advance"}
        ).action_release()
        self.assertEqual(blocked.state, "sale")
        self.assertFalse(blocked.with_user(self.support).kam_credit_status)

    def test_status_of_a_new_quotation(self):
        form = Form(self.env["sale.order"].with_user(self.support))
        form.partner_id = self.account_1
        with form.order_line.new() as line:
            line.product_id = self.product_a
            line.price_unit = 1500.0
            line.tax_ids.clear()
        self.assertEqual(form.kam_credit_status, "blocked")
        with form.order_line.edit(0) as line:
            line.price_unit = 100.0
        self.assertEqual(form.kam_credit_status, "clear")
        self.assertEqual(form.save().kam_credit_status, "clear")

    def test_held_account_reason(self):
        self.account_1.kam_credit_hold = True
        order = self._order(10.0)
        self.assertIn(
            "credit hold", order.with_user(self.support).kam_credit_block_reason
        )


@tagged("post_install", "-at_install", "kam")
class TestKeyAccountSettings(KamScreensMixin, KamCommon):
    """Heads of sales own the key account rules of their company."""

    SETTINGS_VIEW = "kam_management.res_company_view_form_kam_settings"

    def _settings_action(self, user):
        action = self.env.ref("kam_management.res_company_action_kam_settings")
        return action.with_user(user).sudo(False).run()

    def test_head_of_sales_changes_the_settings(self):
        result = self._settings_action(self.head)
        company = self.env["res.company"].browse(result["res_id"])
        self.assertEqual(company, self.env.company)
        with Form(company.with_user(self.head), view=self.SETTINGS_VIEW) as form:
            form.kam_visit_interval_a = 5
            form.kam_credit_check_required = True
            form.kam_sales_support_user_id = self.support
        self.assertEqual(company.kam_visit_interval_a, 5)
        self.assertTrue(company.kam_credit_check_required)
        self.assertEqual(company.kam_sales_support_user_id, self.support)
        # the checks of the settings hold for them too
        with self.assertRaises(ValidationError):
            company.with_user(self.head).kam_credit_check_validity_months = 0

    def test_head_of_sales_changes_nothing_else_of_the_company(self):
        company = self.env.company.with_user(self.head)
        for vals in (
            {"name": "Renamed"},
            {"kam_visit_interval_a": 5, "email": "x@y.z"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                company.write(vals)
        self.assertNotEqual(self.env.company.name, "Renamed")

    def test_others_cannot_change_the_settings(self):
        for user in (self.kam_1, self.support):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env.company.with_user(user).kam_visit_interval_a = 5
                with self.assertRaises(AccessError):
                    self._settings_action(user)
        self.assertNotEqual(self.env.company.kam_visit_interval_a, 5)

    def test_the_administrators_settings_page_still_works(self):
        admin = new_test_user(
            self.env,
            login="kam_settings_admin",
            groups="base.group_system",
            company_id=self.env.company.id,
            company_ids=[Command.set(self.env.company.ids)],
        )
        settings = (
            self.env["res.config.settings"]
            .with_user(admin)
            .create({"kam_visit_interval_b": 21})
        )
        settings.execute()
        self.assertEqual(self.env.company.kam_visit_interval_b, 21)
