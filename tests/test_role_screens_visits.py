"""Issue 11, visits: each role lands on the visits it works with, the weekly planner
opens on a week that can be planned and says why a proposal is empty, the visit form
shows no position before one is recorded and keeps Take Order in reach on a phone."""

from datetime import datetime, time, timedelta

from lxml import etree

from odoo import Command, fields
from odoo.fields import Domain
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .test_kam_visit import KamVisitCommon


class RoleScreensCommon(KamVisitCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        user_vals = {
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
        }
        # a KAM outside the team of the head of sales, and a head without a team
        cls.kam_3 = new_test_user(
            cls.env,
            login="kam_3",
            name="Zoe Three",
            groups="kam_management.group_kam_user",
            **user_vals,
        )
        cls.head_2 = new_test_user(
            cls.env,
            login="kam_head_2",
            groups="kam_management.group_kam_manager",
            **user_vals,
        )
        cls.account_3 = cls._key_account("Account Three", cls.kam_3, tier="b")
        # sudo: sales teams are set up by a sales administrator
        cls.team = (
            cls.env["crm.team"]
            .sudo()
            .create(
                {
                    "name": "Key Accounts North",
                    "user_id": cls.head.id,
                    "company_id": company.id,
                    "member_ids": [Command.set((cls.kam_1 | cls.kam_2).ids)],
                }
            )
        )


@tagged("post_install", "-at_install", "kam")
class TestVisitLandings(RoleScreensCommon):
    """The menus open the visits of the user's role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        Visit = cls.env["kam.visit"]

        def visit(kam, account, days, **vals):
            return Visit.create(
                {
                    "partner_id": account.id,
                    "user_id": kam.id,
                    "date_start": datetime.combine(
                        today + timedelta(days=days), time(9, 0)
                    ),
                    **vals,
                }
            )

        cls.visit_1_today = visit(cls.kam_1, cls.account_1, 0)
        cls.visit_1_late = visit(cls.kam_1, cls.account_1, -3)
        cls.visit_1_next = visit(cls.kam_1, cls.account_1, 7)
        cls.visit_1_done = visit(cls.kam_1, cls.account_1, -8)
        cls.visit_1_done.action_done()
        # after next week, whatever the day: next week's planner still proposes it
        cls.visit_2 = visit(cls.kam_2, cls.account_2, 15)
        cls.visit_3_today = visit(cls.kam_3, cls.account_3, 0)

    def _landing(self, user, xmlid):
        """Run the menu's action as ``user``, then search as the web client does:
        the action's domain and the search view's default filters (the filters of
        one group are or-ed, the groups and-ed), in the user's view."""
        action = self.env.ref(xmlid).with_user(user).run()
        context = action["context"]
        if isinstance(context, str):
            context = safe_eval(context, {"uid": user.id})
        Visit = self.env["kam.visit"].with_user(user)
        arch = Visit.get_views([(False, "search")])["views"]["search"]["arch"]
        groups, group = [], []
        for node in etree.fromstring(arch):
            if node.tag == "separator" and group:
                groups.append(group)
                group = []
            elif node.tag == "filter" and node.get("domain"):
                if context.get(f"search_default_{node.get('name')}"):
                    group.append(
                        Domain(safe_eval(node.get("domain"), {"uid": user.id}))
                    )
        groups.append(group)
        domain = Domain.AND(
            [Domain(action.get("domain") or [])]
            + [Domain.OR(group) for group in groups if group]
        )
        visits = Visit.search(domain) & (
            self.visit_1_today
            | self.visit_1_late
            | self.visit_1_next
            | self.visit_1_done
            | self.visit_2
            | self.visit_3_today
        )
        return visits, action, context

    def test_kam_lands_on_own_visits(self):
        visits, action, context = self._landing(
            self.kam_1, "kam_management.kam_visit_action_open"
        )
        self.assertEqual(
            visits,
            self.visit_1_today
            | self.visit_1_late
            | self.visit_1_next
            | self.visit_1_done,
        )
        self.assertEqual(action["res_model"], "kam.visit")
        self.assertIn("date_start:week", context["pivot_row_groupby"])

    def test_head_of_sales_lands_on_his_team(self):
        visits, action, context = self._landing(
            self.head, "kam_management.kam_visit_action_open"
        )
        self.assertEqual(
            visits,
            self.visit_1_today
            | self.visit_1_late
            | self.visit_1_next
            | self.visit_1_done
            | self.visit_2,
            "the team's visits, not those of a KAM outside it",
        )
        self.assertTrue({"pivot", "graph"} <= set(action["view_mode"].split(",")))
        self.assertEqual(context["graph_groupbys"][0], "user_id", "bars per KAM")
        # his own visits belong to the team's
        own = self.env["kam.visit"].create(
            {
                "partner_id": self.account_1.id,
                "user_id": self.head.id,
                "date_start": self.visit_start,
            }
        )
        self.visit_3_today |= own
        visits, _action, _context = self._landing(
            self.head, "kam_management.kam_visit_action_open"
        )
        self.assertIn(own, visits)
        self.assertNotIn(self.visit_3_today - own, visits)

    def test_head_without_team_lands_on_all_visits(self):
        visits, _action, _context = self._landing(
            self.head_2, "kam_management.kam_visit_action_open"
        )
        self.assertEqual(len(visits), 6)

    def test_today_lists_todays_and_overdue_visits_of_the_role(self):
        visits, _action, _context = self._landing(
            self.kam_1, "kam_management.kam_visit_action_open_today"
        )
        self.assertEqual(visits, self.visit_1_today | self.visit_1_late)
        visits, _action, _context = self._landing(
            self.head, "kam_management.kam_visit_action_open_today"
        )
        self.assertEqual(visits, self.visit_1_today | self.visit_1_late)
        visits, _action, _context = self._landing(
            self.kam_3, "kam_management.kam_visit_action_open_today"
        )
        self.assertEqual(visits, self.visit_3_today)

    def test_nothing_today_leads_to_the_planner(self):
        visits, action, _context = self._landing(
            self.kam_2, "kam_management.kam_visit_action_open_today"
        )
        self.assertFalse(visits, "kam_2's only visit is in two weeks")
        help_html = etree.fromstring(f"<div>{action['help']}</div>")
        self.assertIn("No visits today", "".join(help_html.itertext()))
        links = help_html.xpath("//a[@type='action']")
        self.assertEqual(len(links), 1)
        # loaded as the web client does
        planner_action = (
            self.env["ir.actions.actions"]
            .with_user(self.kam_2)
            ._for_xml_id(links[0].get("name"))
        )
        self.assertEqual(planner_action["res_model"], "kam.visit.planner")
        # and the planner proposes kam_2's account, due since it became one
        planner = Form(
            self.env[planner_action["res_model"]]
            .with_user(self.kam_2)
            .with_context(safe_eval(planner_action["context"] or "{}"))
        ).save()
        planner.action_propose()
        self.assertEqual(planner.line_ids.partner_id, self.account_2)

    def test_sales_support_has_no_visit_menu(self):
        support_menus = (
            self.env["ir.ui.menu"].with_user(self.support)._visible_menu_ids()
        )
        for xmlid in ("kam_visit_menu", "kam_visit_menu_today"):
            self.assertNotIn(self.env.ref(f"kam_management.{xmlid}").id, support_menus)
            self.assertIn(
                self.env.ref(f"kam_management.{xmlid}").id,
                self.env["ir.ui.menu"].with_user(self.head)._visible_menu_ids(),
            )


@tagged("post_install", "-at_install", "kam")
class TestPlannerForEachRole(RoleScreensCommon):
    @staticmethod
    def _next_monday():
        today = fields.Date.today()
        return today + timedelta(days=7 - today.weekday())

    def _form(self, user, any_kam=False):
        action = self.env.ref(
            "kam_management.kam_visit_planner_action_any"
            if any_kam
            else "kam_management.kam_visit_planner_action"
        )
        return Form(
            self.env["kam.visit.planner"]
            .with_user(user)
            .with_context(safe_eval(action.context or "{}"))
        )

    def test_head_plans_a_kam_of_his_team(self):
        form = self._form(self.head, any_kam=True)
        self.assertEqual(form.user_id, self.kam_1, "first KAM of his team by name")
        self.assertFalse(form._get_modifier("user_id", "readonly"))
        form.user_id = self.kam_2
        planner = form.save()
        action = planner.action_propose()
        self.assertEqual(planner.line_ids.partner_id, self.account_2)
        self.assertIn(self.kam_2.name, action["name"], "the dialog keeps a title")

    def test_head_without_accounts_plans_his_team_in_his_own_planner(self):
        self.assertEqual(self._form(self.head).user_id, self.kam_1)
        account = self._key_account("Head's Own", self.head)
        self.assertEqual(self._form(self.head).user_id, self.head)
        self.assertEqual(self._form(self.head, any_kam=True).user_id, self.kam_1)
        account.kam_user_id = self.kam_3
        # a member with accounts comes before one without, whatever their names
        self.team.member_ids = self.kam_2 | self.kam_3
        self.account_2.kam_user_id = self.kam_1
        self.assertEqual(self._form(self.head, any_kam=True).user_id, self.kam_3)
        self.assertEqual(self._form(self.head).user_id, self.kam_3)

    def test_head_without_team_picks_a_kam(self):
        form = self._form(self.head_2, any_kam=True)
        self.assertFalse(form.user_id, "he is asked to pick one")
        self.assertFalse(form._get_modifier("user_id", "readonly"))
        form.user_id = self.kam_3
        planner = form.save()
        planner.action_propose()
        self.assertEqual(planner.line_ids.partner_id, self.account_3)

    def test_kam_plans_own_week(self):
        form = self._form(self.kam_1)
        self.assertEqual(form.user_id, self.kam_1)
        self.assertTrue(form._get_modifier("user_id", "readonly"))
        planner = form.save()
        action = planner.action_propose()
        self.assertEqual(action["name"], "Plan the Week")
        self.assertEqual(planner.line_ids.partner_id, self.account_1)
        self.assertFalse(planner.proposal_note)

    def test_empty_proposal_says_why(self):
        # no accounts
        kam_4 = new_test_user(
            self.env, login="kam_4", groups="kam_management.group_kam_user"
        )
        planner = self._form(kam_4).save()
        planner.action_propose()
        self.assertFalse(planner.line_ids)
        self.assertIn("no key accounts", planner.proposal_note)
        # all due accounts planned already that week
        planner = self._form(self.kam_1).save()
        monday = planner.week_start
        self._visit(date_start=datetime.combine(monday, time(10, 0)))
        planner.action_propose()
        self.assertFalse(planner.line_ids)
        self.assertIn("planned already", planner.proposal_note)
        # visited: next due after the planned week
        self._visit(date_start=datetime.combine(monday, time(10, 0))).action_done()
        planner.week_start = monday - timedelta(days=7)
        planner.action_propose()
        self.assertFalse(planner.line_ids)
        self.assertIn("is due this week", planner.proposal_note)
        self.assertIn(
            fields.Date.to_string(self.account_1.kam_next_visit_date)[:4],
            planner.proposal_note,
        )
        # due again: the note goes
        planner.week_start = self.account_1.kam_next_visit_date
        planner.action_propose()
        self.assertEqual(planner.line_ids.partner_id, self.account_1)
        self.assertFalse(planner.proposal_note)


@tagged("post_install", "-at_install", "kam")
class TestVisitFormOnThePhone(RoleScreensCommon):
    def _header_first_button(self, visit):
        """The button a phone shows of the form header: the first visible one."""
        arch = (
            self.env["kam.visit"]
            .with_user(visit.user_id)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        values = {
            name: visit[name]
            for name in ("state", "check_in", "payment_term_id", "pricelist_id")
        }
        values = {
            name: (value.id if hasattr(value, "_name") else value)
            for name, value in values.items()
        }
        for node in etree.fromstring(arch).xpath("//header/*"):
            if node.tag in ("button", "widget") and not safe_eval(
                node.get("invisible") or "False", values
            ):
                return node.get("name")
        return None

    def test_take_order_first_on_the_phone(self):
        visit = self._visit()
        self.assertEqual(self._header_first_button(visit), "action_take_order")
        visit.action_check_in(latitude=48.0, longitude=2.0)
        self.assertEqual(self._header_first_button(visit), "action_take_order")
        action = visit.with_user(self.kam_1).action_take_order()
        self.assertEqual(visit.order_count, 1, action)
        visit.action_check_out()
        self.assertEqual(self._header_first_button(visit), "action_take_order")

    def test_no_position_before_check_in(self):
        visit = self._visit()
        form = Form(visit.with_user(self.kam_1))
        for name in (
            "check_in_latitude",
            "check_in_longitude",
            "check_in_distance",
            "check_out_latitude",
            "check_out_longitude",
        ):
            self.assertTrue(form._get_modifier(name, "invisible"), name)
        # checked in without a position (desktop, refused): still none to show
        visit.action_check_in()
        form = Form(visit.with_user(self.kam_1))
        self.assertFalse(form._get_modifier("check_in", "invisible"))
        self.assertTrue(form._get_modifier("check_in_latitude", "invisible"))
        self.assertTrue(form._get_modifier("check_in_distance", "invisible"))
        # with a position and an account on the map: shown
        self.account_1.write({"partner_latitude": 48.0, "partner_longitude": 2.0})
        other = self._visit()
        other.action_check_in(latitude=48.01, longitude=2.0)
        form = Form(other.with_user(self.kam_1))
        self.assertFalse(form._get_modifier("check_in_latitude", "invisible"))
        self.assertFalse(form._get_modifier("check_in_distance", "invisible"))
        self.assertTrue(form._get_modifier("check_out_latitude", "invisible"))
