import json
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.spreadsheet.utils.validate_data import fields_in_spreadsheet

from .common import KamCommon

REVIEW = "kam_management.report_key_account_review"


@tagged("post_install", "-at_install", "kam")
class TestKamDashboardReview(KamCommon):
    """The Key Accounts dashboard and the printable Key Account Review (issue 16)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.dashboard = cls.env.ref("kam_management.spreadsheet_dashboard_key_accounts")
        # a running individual plan per KAM: 1,000 a month for their account
        first = cls.today.replace(day=1) - relativedelta(months=5)
        for kam, account in ((cls.kam_1, cls.account_1), (cls.kam_2, cls.account_2)):
            plan = cls.env["kam.plan"].create(
                {
                    "name": f"Plan {kam.login}",
                    "plan_type": "individual",
                    "user_id": kam.id,
                    "date_from": first,
                    "date_to": first + relativedelta(months=12, days=-1),
                    "target_amount": 12000.0,
                }
            )
            cls.env["kam.plan.line"].create(
                {"plan_id": plan.id, "partner_id": account.id, "target_amount": 12000.0}
            )
            plan.with_user(kam).action_submit()
            plan.with_user(cls.head).validate_tier()
            assert plan.state == "approved", "the test plan was not approved"
        # invoiced and overdue (unpaid, due in the past)
        cls._invoice(
            cls.account_1,
            cls.today - timedelta(days=40),
            1000.0,
            due_date=cls.today - timedelta(days=35),
        )
        cls._invoice(
            cls.account_2,
            cls.today - timedelta(days=70),
            400.0,
            due_date=cls.today - timedelta(days=65),
        )
        # visits: one done and one planned for account 1, one done for account 2
        cls.visit = cls._visit(cls.account_1, -10, outcome="Listed the new range")
        cls._visit(cls.account_1, 5, done=False)
        cls._visit(cls.account_2, -20)
        # the relationship map, a competitor seen, an open task
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Greta Buyer",
                "parent_id": cls.account_1.id,
                "kam_contact_role": "decision_maker",
                "kam_attitude": "supporter",
                "kam_influence": 5,
            }
        )
        competitor = cls.env["kam.competitor"].create({"name": "Rival Foods"})
        cls.env["kam.competitor.observation"].create(
            {
                "competitor_id": competitor.id,
                "partner_id": cls.account_1.id,
                "product_id": cls.product_a.id,
                "price": 9.5,
                "date": cls.today - timedelta(days=3),
            }
        )
        cls.account_1.activity_schedule(
            "mail.mail_activity_data_todo",
            summary="Send the listing proposal",
            user_id=cls.kam_1.id,
        )
        # both accounts below the at-risk threshold
        cls.env.company.kam_health_risk_threshold = 100
        (cls.account_1 | cls.account_2)._kam_update_health()

    @classmethod
    def _visit(cls, account, days, done=True, outcome=False):
        visit = cls.env["kam.visit"].create(
            {
                "partner_id": account.id,
                "user_id": account.kam_user_id.id,
                "date_start": datetime.combine(
                    cls.today + timedelta(days=days), time(9, 0)
                ),
                "outcome": outcome,
            }
        )
        if done:
            visit.action_done()
        return visit

    def _data(self):
        return json.loads(self.dashboard.spreadsheet_data)

    # --- dashboard -----------------------------------------------------------
    def test_dashboard_definition(self):
        self.assertEqual(
            self.dashboard.group_ids, self.env.ref("kam_management.group_kam_user")
        )
        self.assertEqual(self.dashboard.main_data_model_ids.model, "kam.revenue.report")
        self.assertTrue(self.dashboard.sample_dashboard_file_path)
        self.assertTrue(self.dashboard._get_sample_dashboard())
        used = fields_in_spreadsheet(self._data())
        self.assertEqual(
            set(used),
            {
                "kam.revenue.report",
                "kam.plan.report",
                "kam.aging.report",
                "kam.visit",
                "res.partner",
            },
        )
        # every field chain of every pivot, list, chart and link exists
        for model, chains in used.items():
            for chain in chains:
                Model = self.env[model]
                for name in chain.split("."):
                    self.assertIn(name, Model._fields, f"{model}: {chain}")
                    field = Model._fields[name]
                    Model = self.env[field.comodel_name] if field.relational else Model

    def _pivot_rows(self, user, pivot):
        """The pivot's groups as the browser reads them for ``user``."""
        Model = self.env[pivot["model"]].with_user(user)
        aggregates = []
        for measure in pivot["measures"]:
            name = measure["fieldName"]
            aggregator = (
                "count" if name == "__count" else Model._fields[name].aggregator
            )
            aggregates.append(name if name == "__count" else f"{name}:{aggregator}")
        groupby = [row["fieldName"] for row in pivot["rows"]]
        return Model.formatted_read_group(pivot["domain"], groupby, aggregates)

    def _kams(self, user):
        """{pivot name: the KAMs of its rows} for the pivots by KAM."""
        result = {}
        for pivot in self._data()["pivots"].values():
            if not pivot["rows"]:
                continue
            key = pivot["rows"][0]["fieldName"]
            result[pivot["name"]] = {
                row[key][0] for row in self._pivot_rows(user, pivot) if row[key]
            }
        return result

    def test_dashboard_head_sees_all_kam_own(self):
        kams = {self.kam_1.id, self.kam_2.id}
        head = self._kams(self.head)
        self.assertEqual(
            set(head),
            {"Plan achievement by KAM", "Overdue by KAM", "Visits by KAM"},
        )
        for name, users in head.items():
            self.assertEqual(users, kams, name)
        for name, users in self._kams(self.kam_1).items():
            self.assertEqual(users, {self.kam_1.id}, name)
        pivots = self._data()["pivots"]
        # the KPI cells: revenue of the period, accounts at risk
        revenue = self._pivot_rows(self.head, pivots["1"])[0]["amount:sum"]
        self.assertEqual(revenue, 1400.0)
        revenue = self._pivot_rows(self.kam_1, pivots["1"])[0]["amount:sum"]
        self.assertEqual(revenue, 1000.0)
        self.assertEqual(self._pivot_rows(self.head, pivots["5"])[0]["__count"], 2)
        self.assertEqual(self._pivot_rows(self.kam_1, pivots["5"])[0]["__count"], 1)
        # plan achievement by KAM: 1,000 invoiced against the target to date
        plan_rows = self._pivot_rows(self.kam_1, pivots["2"])
        self.assertEqual(plan_rows[0]["actual_amount:sum"], 1000.0)
        self.assertEqual(plan_rows[0]["target_amount:sum"], 12000.0)
        # visits done vs planned
        visits = {
            row["state"]: row["__count"]
            for row in self.env["kam.visit"]
            .with_user(self.kam_1)
            .formatted_read_group(pivots["4"]["domain"], ["state"], ["__count"])
        }
        self.assertEqual(visits, {"done": 1, "planned": 1})
        # the at-risk list: their own accounts for a KAM, all for a head of sales
        listed = self._data()["lists"]["1"]
        for user, accounts in (
            (self.head, self.account_1 | self.account_2),
            (self.kam_1, self.account_1),
            (self.kam_2, self.account_2),
        ):
            rows = (
                self.env["res.partner"]
                .with_user(user)
                .search_read(listed["domain"], listed["columns"])
            )
            self.assertEqual({row["id"] for row in rows}, set(accounts.ids))

    def test_dashboard_access(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        for user in (self.head, self.kam_1):
            self.assertEqual(
                Dashboard.with_user(user).search([("id", "=", self.dashboard.id)]),
                self.dashboard,
            )
            dashboard = self.dashboard.with_user(user)
            self.assertFalse(dashboard._dashboard_is_empty())
            served = json.loads(dashboard._get_serialized_readonly_dashboard())
            self.assertEqual(served["translation_namespace"], "kam_management")
            self.assertIn("pivots", served["snapshot"])
        # sales support has no key-account figures: no dashboard
        self.assertFalse(
            Dashboard.with_user(self.support).search([("id", "=", self.dashboard.id)])
        )
        # a KAM without any revenue yet gets the sample
        newcomer = new_test_user(
            self.env, login="kam_new", groups="kam_management.group_kam_user"
        )
        self.assertTrue(self.dashboard.with_user(newcomer)._dashboard_is_empty())

    # --- review --------------------------------------------------------------
    def _html(self, user, partners):
        html, _format = (
            self.env["ir.actions.report"]
            .with_user(user)
            ._render_qweb_html(REVIEW, partners.ids)
        )
        return html.decode()

    def test_review_figures(self):
        report = self.env.ref("kam_management.action_report_key_account_review")
        self.assertEqual(
            report.group_ids, self.env.ref("kam_management.group_kam_user")
        )
        self.assertEqual(report.binding_model_id.model, "res.partner")
        for user in (self.kam_1, self.head):
            html = self._html(user, self.account_1)
            self.assertIn("Account One", html)
            self.assertNotIn("Account Two", html)
            # revenue of its month and in total (12 months), the overdue debt
            self.assertIn("1,000.00", html)
            self.assertIn("1,150.00", html)
            # the monthly target of the running plan
            self.assertIn(f"Plan {self.kam_1.login}", html)
            self.assertIn("Listed the new range", html)
            self.assertIn("Greta Buyer", html)
            self.assertIn("Decision Maker", html)
            self.assertIn("Rival Foods", html)
            self.assertIn("Send the listing proposal", html)
            self.assertIn("Potential Annual Volume", html)
        data = (
            self.env["report.kam_management.report_key_account_review"]
            .with_user(self.kam_1)
            ._get_report_values(self.account_1.ids)["review"][self.account_1.id]
        )
        this_month = data["months"][-1]
        self.assertEqual(len(data["months"]), 12)
        self.assertEqual(this_month["month"], self.today.replace(day=1))
        self.assertEqual(this_month["target"], 1000.0)
        self.assertEqual(data["revenue_total"], 1000.0)
        self.assertEqual(data["overdue_debt"], 1150.0)
        self.assertEqual(data["debts"]["31_60"], 1150.0)
        self.assertEqual(data["plans"][0]["invoiced"], 1000.0)
        self.assertEqual(data["plans"][0]["target_to_date"], 6000.0)
        self.assertEqual(data["visits"], self.visit | data["visits"])
        self.assertEqual(data["visit_states"], {"done": 1, "planned": 1})

    def test_review_access(self):
        # another KAM's account, sales support, a partner that is no key account
        plain = self.env["res.partner"].create({"name": "Walk-in", "is_company": True})
        for user, partners in (
            (self.kam_2, self.account_1),
            (self.kam_1, self.account_1 | self.account_2),
            (self.support, self.account_1),
            (self.head, plain),
        ):
            with self.assertRaises(AccessError):
                self._html(user, partners)
        # heads of sales print any account
        self.assertIn("Account Two", self._html(self.head, self.account_2))

    def test_review_pdf(self):
        Report = self.env["ir.actions.report"].with_user(self.kam_1)
        self.assertEqual(Report.get_wkhtmltopdf_state(), "ok")
        with self.allow_pdf_render():
            pdf, report_format = Report.with_context(
                force_report_rendering=True
            )._render_qweb_pdf(REVIEW, res_ids=self.account_1.ids)
        self.assertEqual(report_format, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_review_queries_do_not_grow(self):
        """The review gathers its data in grouped queries: printing three accounts
        with more history costs the queries of one."""
        extra = self._key_account("Account Three", self.kam_1)
        self._invoice(extra, self.today - timedelta(days=10), 300.0)
        self._invoice(extra, self.today - timedelta(days=100), 200.0)
        for days in (-5, -15, -25):
            self._visit(extra, days, outcome="Checked the shelf")
        self.env["res.partner"].create(
            [{"name": f"Contact {n}", "parent_id": extra.id} for n in range(3)]
        )
        competitor = self.env["kam.competitor"].create({"name": "Other Rival"})
        self.env["kam.competitor.observation"].create(
            [
                {
                    "competitor_id": competitor.id,
                    "partner_id": extra.id,
                    "product_id": product.id,
                    "price": 5.0,
                    "date": self.today - timedelta(days=n),
                }
                for n, product in enumerate(self.product_a | self.product_b)
            ]
        )
        for summary in ("Call back", "Send samples"):
            extra.activity_schedule(
                "mail.mail_activity_data_todo", summary=summary, user_id=self.kam_1.id
            )
        Review = self.env["report.kam_management.report_key_account_review"]
        # warm the caches (groups, record rules) once
        Review.with_user(self.head)._kam_review_data(self.account_1)
        counts = []
        for partners in (self.account_1, self.account_1 | self.account_2 | extra):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Review.with_user(self.head)._kam_review_data(partners)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
