"""Know the account (issue 15): profile and share of wallet, prospects, relationship
map and account health."""

import ast
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import KamCommon


class KamProfileCommon(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.lost_reason = cls.env.ref("kam_management.kam_reason_lost_price")
        cls.internal = new_test_user(
            cls.env, login="kam_internal", groups="base.group_user"
        )

    @classmethod
    def _done_visit(cls, partner, days_ago=1, contact=None, user=None):
        visit = cls.env["kam.visit"].create(
            {
                "partner_id": partner.id,
                "contact_id": contact and contact.id,
                "user_id": (user or partner.kam_user_id).id,
                "date_start": datetime.combine(
                    cls.today - timedelta(days=days_ago), time(9, 0)
                ),
            }
        )
        visit.action_done()
        return visit

    @classmethod
    def _approve(cls, plan):
        """The plan's KAM submits it, a head of sales validates it."""
        plan.with_user(plan.user_id).action_submit()
        plan.with_user(cls.head).validate_tier()
        assert plan.state == "approved"

    def _prospect(self, name="Prospect Co", user=None, **vals):
        user = user or self.kam_1
        return (
            self.env["res.partner"]
            .with_user(user)
            .create(
                {
                    "name": name,
                    "is_company": True,
                    "kam_prospect_state": "prospect",
                    "kam_user_id": user.id,
                    **vals,
                }
            )
        )


@tagged("post_install", "-at_install", "kam")
class TestKamAccountProfile(KamProfileCommon):
    def test_share_of_wallet(self):
        self.account_1.with_user(self.kam_1).kam_potential_annual = 10000.0
        self._invoice(self.account_1, self.today - timedelta(days=30), 2000.0)
        self._invoice(self.account_1, self.today - timedelta(days=200), 500.0)
        # older than 12 months: not in the revenue
        self._invoice(self.account_1, self.today - relativedelta(months=13), 9000.0)
        for user in (self.kam_1, self.head):
            account = self.account_1.with_user(user)
            self.assertTrue(account.kam_figures_visible)
            self.assertAlmostEqual(account.kam_share_of_wallet, 25.0)
        # another KAM: no figures, the form shows nothing (not a false zero)
        other = self.account_1.with_user(self.kam_2)
        self.assertFalse(other.kam_figures_visible)
        self.assertEqual(other.kam_share_of_wallet, 0.0)
        # no potential: no share either
        self.account_1.kam_potential_annual = 0.0
        self.assertEqual(self.account_1.with_user(self.kam_1).kam_share_of_wallet, 0.0)
        # sales support does not see the profile
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.support).read(["kam_potential_annual"])

    def test_profile_edited_by_the_kam_only(self):
        with Form(self.account_1.with_user(self.kam_1)) as form:
            form.kam_needs = "Shelf-ready packaging"
            form.kam_buying_season = "September to November"
            form.kam_decision_process = "Category manager proposes, board decides"
            form.kam_potential_annual = 50000.0
        self.assertEqual(self.account_1.kam_buying_season, "September to November")
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.kam_2).write({"kam_tier": "a"})
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.account_1.kam_potential_annual = -1.0
            self.env.flush_all()


@tagged("post_install", "-at_install", "kam")
class TestKamProspects(KamProfileCommon):
    def test_prospect_becomes_key_account_keeps_history(self):
        prospect = self._prospect()
        self.assertEqual(prospect.kam_user_id, self.kam_1)
        self.assertFalse(prospect.is_key_account)
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": prospect.id}
        )
        # a contact follows its company's stage (and record rules)
        self.assertEqual(contact.kam_prospect_state, "prospect")
        # visits and calls are possible with prospects, as their KAM
        visit = (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": prospect.id,
                    "contact_id": contact.id,
                    "visit_type": "call",
                    "user_id": self.kam_1.id,
                    "date_start": datetime.combine(self.today, time(8, 0)),
                }
            )
        )
        visit.action_done()
        prospect.with_user(self.kam_1).action_kam_prospect_activate()
        self.assertEqual(prospect.kam_prospect_state, "active")
        prospect.with_user(self.kam_1).action_kam_make_key_account()
        self.assertTrue(prospect.is_key_account)
        self.assertEqual(prospect.kam_prospect_state, "won")
        self.assertEqual(contact.kam_prospect_state, "won")
        # the same partner: its visits, contacts and chatter stay
        self.assertEqual(prospect.kam_visit_ids, visit)
        self.assertEqual(prospect.kam_last_visit_date, self.today)
        self.assertIn(contact, prospect.child_ids)
        self.assertIn(
            "Prospect turned into a key account.",
            prospect.message_ids.mapped("body")[0],
        )
        # a key account is no more a prospect to work
        with self.assertRaisesMessage(UserError, "another stage"):
            prospect.with_user(self.kam_1).action_kam_prospect_activate()

    def test_lost_needs_a_reason_and_stages_move_by_buttons(self):
        prospect = self._prospect().with_user(self.kam_1)
        with self.assertRaisesMessage(UserError, "lost reason"):
            prospect.action_kam_prospect_lost()
        with self.assertRaisesMessage(UserError, "through its buttons"):
            prospect.write({"kam_prospect_state": "won"})
        with self.assertRaisesMessage(UserError, "through its buttons"):
            prospect.write({"kam_prospect_state": "lost"})
        with self.assertRaisesMessage(UserError, "starts as a prospect"):
            self._prospect("Jumping Co", kam_prospect_state="won")
        prospect.kam_lost_reason_id = self.lost_reason
        prospect.action_kam_prospect_lost()
        self.assertEqual(prospect.kam_prospect_state, "lost")
        # lost needs its reason, also saved by hand
        with self.assertRaisesMessage(ValidationError, "reason"):
            prospect.sudo().kam_lost_reason_id = False
            prospect.sudo().flush_recordset()
        prospect.action_kam_prospect_reopen()
        self.assertEqual(prospect.kam_prospect_state, "prospect")
        self.assertFalse(prospect.kam_lost_reason_id)
        # a lost prospect is not visited
        prospect.kam_lost_reason_id = self.lost_reason
        prospect.action_kam_prospect_lost()
        with self.assertRaisesMessage(ValidationError, "nor a prospect"):
            self.env["kam.visit"].create(
                {"partner_id": prospect.id, "user_id": self.kam_1.id}
            )

    def test_kam_sees_own_prospects_only(self):
        mine = self._prospect("Mine Co")
        theirs = self._prospect("Theirs Co", user=self.kam_2)
        Partner = self.env["res.partner"]
        domain = [("kam_prospect_state", "!=", False)]
        self.assertEqual(Partner.with_user(self.kam_1).search(domain), mine)
        self.assertEqual(Partner.with_user(self.kam_2).search(domain), theirs)
        self.assertEqual(Partner.with_user(self.head).search(domain), mine | theirs)
        with self.assertRaises(AccessError):
            theirs.with_user(self.kam_1).read(["name"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.kam_1).action_kam_make_key_account()
        with self.assertRaises(AccessError):
            self.env["kam.visit"].with_user(self.kam_1).create(
                {"partner_id": theirs.id, "user_id": self.kam_1.id}
            )
        # the menu opens on the KAM's own, all for a head of sales
        action = Partner.with_user(self.kam_1)._kam_action_prospects()
        self.assertEqual(action["context"]["search_default_filter_my_prospects"], 1)
        action = Partner.with_user(self.head)._kam_action_prospects()
        self.assertNotIn("search_default_filter_my_prospects", action["context"])
        # a head of sales works any prospect
        theirs.with_user(self.head).action_kam_prospect_activate()
        self.assertEqual(theirs.kam_prospect_state, "active")

    def test_sales_support_and_other_groups(self):
        prospect = self._prospect()
        # sales support enters orders: it neither creates nor works prospects
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.support).create(
                {
                    "name": "Support Co",
                    "is_company": True,
                    "kam_prospect_state": "prospect",
                }
            )
        with self.assertRaises(AccessError):
            prospect.with_user(self.support).action_kam_prospect_activate()
        with self.assertRaises(AccessError):
            prospect.with_user(self.internal).action_kam_prospect_activate()
        self.assertEqual(prospect.kam_prospect_state, "prospect")


@tagged("post_install", "-at_install", "kam")
class TestKamRelationshipMap(KamProfileCommon):
    def test_coverage_and_last_contact(self):
        Partner = self.env["res.partner"].with_user(self.kam_1)
        account = self.account_1.with_user(self.kam_1)
        self.assertEqual(account.kam_relationship_coverage, 0.0)
        boss, buyer, fan = Partner.create(
            [
                {
                    "name": "Boss",
                    "parent_id": account.id,
                    "kam_contact_role": "decision_maker",
                    "kam_influence": 5,
                    "kam_attitude": "opponent",
                },
                {
                    "name": "Buyer",
                    "parent_id": account.id,
                    "kam_contact_role": "influencer",
                    "kam_influence": 4,
                    "kam_attitude": "supporter",
                },
                {
                    "name": "Fan",
                    "parent_id": account.id,
                    "kam_contact_role": "user",
                    "kam_influence": 2,
                    "kam_attitude": "supporter",
                },
            ]
        )
        # one key role of three held by a supporter (a user is no key role)
        self.assertAlmostEqual(account.kam_relationship_coverage, 100.0 / 3)
        boss.kam_attitude = "supporter"
        self.assertAlmostEqual(account.kam_relationship_coverage, 200.0 / 3)
        with Form(account) as form:
            with form.kam_contact_ids.edit(2) as line:
                line.kam_contact_role = "champion"
        self.assertEqual(fan.kam_contact_role, "champion")
        self.assertAlmostEqual(account.kam_relationship_coverage, 100.0)
        boss.active = False
        self.assertAlmostEqual(account.kam_relationship_coverage, 200.0 / 3)
        # last contact: visits done with them, messages written by or logged on them
        self._done_visit(self.account_1, days_ago=10, contact=buyer)
        self._done_visit(self.account_1, days_ago=3, contact=buyer)
        fan.message_post(body="Called about the new range", message_type="comment")
        self.env.invalidate_all()
        self.assertEqual(buyer.kam_last_contact_date, self.today - timedelta(days=3))
        self.assertEqual(fan.kam_last_contact_date, self.today)
        # the grouped view: contacts of the accounts, grouped by account
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.res_partner_action_relationship_map"
        )
        found = Partner.search(ast.literal_eval(action["domain"]))
        self.assertEqual(found & (buyer | fan), buyer | fan)
        self.assertIn("search_default_group_by_account", action["context"])
        # another KAM sees the roles, not the contact history of the account
        self.assertEqual(buyer.with_user(self.kam_2).kam_contact_role, "influencer")
        self.assertFalse(buyer.with_user(self.kam_2).kam_last_contact_date)

    def test_bad_influence(self):
        with self.assertRaisesMessage(ValidationError, "from 1"):
            self.env["res.partner"].with_user(self.kam_1).create(
                {"name": "Loud", "parent_id": self.account_1.id, "kam_influence": 6}
            )
        with self.assertRaisesMessage(ValidationError, "from 1"):
            self.env["res.partner"].with_user(self.kam_1).create(
                {"name": "Quiet", "parent_id": self.account_1.id, "kam_influence": -1}
            )


@tagged("post_install", "-at_install", "kam")
class TestKamAccountHealth(KamProfileCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "kam_health_weight_visit": 20,
                "kam_health_weight_plan": 20,
                "kam_health_weight_overdue": 20,
                "kam_health_weight_relationship": 15,
                "kam_health_weight_contract": 10,
                "kam_health_weight_trend": 15,
                "kam_health_risk_threshold": 50,
            }
        )

    @classmethod
    def _healthy(cls, account):
        """Visited on cadence, a running contract, growing revenue, paid on time,
        a supporter in each key role, plan on track."""
        interval = account.kam_visit_interval_days
        for days in range(1, 91, interval):
            cls._done_visit(account, days_ago=days)
        contract = cls.env["kam.contract"].create(
            {
                "partner_id": account.id,
                "date_start": cls.today - timedelta(days=30),
                "date_end": cls.today + timedelta(days=300),
            }
        )
        contract.action_activate()
        due = cls.today + timedelta(days=30)
        cls._invoice(account, cls.today - timedelta(days=120), 1000.0, due_date=due)
        cls._invoice(account, cls.today - timedelta(days=20), 2000.0, due_date=due)
        cls.env["res.partner"].create(
            [
                {
                    "name": f"{role} of {account.name}",
                    "parent_id": account.id,
                    "kam_contact_role": role,
                    "kam_attitude": "supporter",
                    "kam_influence": 4,
                }
                for role in ("decision_maker", "influencer", "champion")
            ]
        )

    def _components(self, account):
        account._kam_update_health()
        return account.sudo().kam_health_data

    def test_components_and_weights(self):
        self._healthy(self.account_1)
        components = self._components(self.account_1)
        self.assertEqual(
            components,
            {
                "visit": 100,
                "plan": None,  # no approved plan running: left out
                "overdue": 100,  # the open invoice is not due yet
                "relationship": 100,
                "contract": 100,
                "trend": 100,  # 2000 in the last 3 months against 0 before
            },
        )
        self.assertEqual(self.account_1.kam_health_score, 100)
        self.assertFalse(self.account_1.kam_health_at_risk)
        # an account with nothing: no visit, contract, relationship nor revenue
        components = self._components(self.account_2)
        self.assertEqual(components["visit"], 0)
        self.assertEqual(components["contract"], 0)
        self.assertEqual(components["overdue"], 100)  # no debt at all
        self.assertEqual(self.account_2.kam_health_score, 20 * 100 // 80)
        self.assertTrue(self.account_2.kam_health_at_risk)
        # overdue share and the revenue trend
        self._invoice(
            self.account_2,
            self.today - timedelta(days=150),
            1000.0,
            due_date=self.today - timedelta(days=120),
        )
        self._invoice(
            self.account_2,
            self.today - timedelta(days=10),
            500.0,
            due_date=self.today + timedelta(days=20),
        )
        components = self._components(self.account_2)
        # 1150 of 1725 open (taxed) is overdue; 500 against 1000: half as much
        self.assertEqual(components["overdue"], round(100 * (1 - 1150 / 1725)))
        self.assertEqual(components["trend"], 25)
        # the weights: only the visits count
        self.company.write(
            {
                f"kam_health_weight_{key}": 0
                for key in ("plan", "overdue", "relationship", "contract", "trend")
            }
        )
        self.account_1._kam_update_health()
        self.assertEqual(self.account_1.kam_health_score, 100)
        self.account_2._kam_update_health()
        self.assertEqual(self.account_2.kam_health_score, 0)

    def test_plan_achievement(self):
        year_start = self.today.replace(month=1, day=1)
        year_end = self.today.replace(month=12, day=31)
        plan = self.env["kam.plan"].create(
            {
                "name": "This year",
                "user_id": self.kam_1.id,
                "date_from": year_start,
                "date_to": year_end,
                "line_ids": [
                    Command.create(
                        {"partner_id": self.account_1.id, "target_amount": 3650.0}
                    )
                ],
            }
        )
        self._approve(plan)
        self._invoice(self.account_1, self.today, 1000.0)
        days = (year_end - year_start).days + 1
        elapsed = (self.today - year_start).days + 1
        expected = min(100, round(100 * 1000.0 / (3650.0 * elapsed / days)))
        self.assertEqual(self._components(self.account_1)["plan"], expected)

    def test_weights_refused(self):
        settings = self.company.with_user(self.head)
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            settings.kam_health_weight_visit = -5
        with self.assertRaisesMessage(ValidationError, "one at least must count"):
            settings.write(
                {
                    f"kam_health_weight_{key}": 0
                    for key in (
                        "visit",
                        "plan",
                        "overdue",
                        "relationship",
                        "contract",
                        "trend",
                    )
                }
            )
        with self.assertRaisesMessage(ValidationError, "0 to 100"):
            settings.kam_health_risk_threshold = 120
        with self.assertRaises(AccessError):
            self.company.with_user(self.kam_1).kam_health_weight_visit = 50
        settings.kam_health_weight_visit = 40
        self.assertEqual(self.company.kam_health_weight_visit, 40)

    def test_cron_twice_same_result_and_at_risk_filter(self):
        self._healthy(self.account_1)
        cron = self.env.ref("kam_management.ir_cron_kam_health")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        first = {
            account: (account.kam_health_score, account.sudo().kam_health_data)
            for account in self.account_1 | self.account_2
        }
        self.assertEqual(self.account_1.kam_health_date, self.today)
        # the next run (or a recomputation) gives the same scores
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        (self.account_1 | self.account_2)._kam_update_health()
        for account, result in first.items():
            self.assertEqual(
                (account.kam_health_score, account.sudo().kam_health_data), result
            )
        # "At risk": below the company's threshold, for each role that sees it
        domain = [
            ("id", "in", (self.account_1 | self.account_2).ids),
            ("kam_health_at_risk", "=", True),
        ]
        for user in (self.kam_1, self.head, self.support):
            self.assertEqual(
                self.env["res.partner"].with_user(user).search(domain),
                self.account_2,
                user.login,
            )
        self.company.kam_health_risk_threshold = 0
        self.assertFalse(self.env["res.partner"].search(domain))
        not_at_risk = [
            ("id", "in", (self.account_1 | self.account_2).ids),
            ("kam_health_at_risk", "=", False),
        ]
        self.assertEqual(len(self.env["res.partner"].search(not_at_risk)), 2)

    def test_who_sees_the_score_and_its_breakdown(self):
        self._healthy(self.account_1)
        self.account_1._kam_update_health()
        # the score: KAMs, heads of sales and sales support
        for user in (self.kam_1, self.kam_2, self.head, self.support):
            self.assertEqual(self.account_1.with_user(user).kam_health_score, 100)
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.internal).read(["kam_health_score"])
        # the breakdown (overdue debt, revenue): the account's KAM and heads of sales
        for user in (self.kam_1, self.head):
            breakdown = self.account_1.with_user(user).kam_health_breakdown
            self.assertIn("Revenue trend", breakdown)
            self.assertIn("n/a", breakdown)  # no plan
        self.assertFalse(self.account_1.with_user(self.kam_2).kam_health_breakdown)
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.support).read(["kam_health_breakdown"])
        # nobody edits a score, not even a head of sales
        for vals in (
            {"kam_health_score": 5},
            {"kam_health_date": str(self.today)},
        ):
            with self.assertRaisesMessage(UserError, "cannot be edited"):
                self.account_1.with_user(self.head).write(vals)
        with self.assertRaises(UserError):
            self.account_1.with_user(self.head).write({"kam_health_data": {}})


@tagged("post_install", "-at_install", "kam")
class TestKamHealthPerformance(KamProfileCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts = cls.env["res.partner"].create(
            [
                {
                    "name": f"Health {i}",
                    "is_company": True,
                    "is_key_account": True,
                    "kam_user_id": (cls.kam_1 if i % 2 else cls.kam_2).id,
                    "child_ids": [
                        Command.create(
                            {
                                "name": f"Buyer {i}",
                                "kam_contact_role": "decision_maker",
                                "kam_attitude": "supporter",
                            }
                        )
                    ],
                }
                for i in range(30)
            ]
        )
        # every dimension grows with the accounts: visits, invoices, contracts, plans
        for account in cls.accounts:
            cls._done_visit(account, days_ago=5)
        for account in cls.accounts[::3]:
            cls._invoice(account, cls.today - timedelta(days=40), 100.0)
            cls._invoice(account, cls.today - timedelta(days=130), 100.0)
            cls.env["kam.contract"].create(
                {"partner_id": account.id, "date_start": cls.today}
            ).action_activate()
        plan = cls.env["kam.plan"].create(
            {
                "name": "Health plan",
                "user_id": cls.kam_1.id,
                "date_from": cls.today.replace(month=1, day=1),
                "date_to": cls.today.replace(month=12, day=31),
                "line_ids": [
                    Command.create({"partner_id": a.id, "target_amount": 1000.0})
                    for a in cls.accounts
                    if a.kam_user_id == cls.kam_1
                ],
            }
        )
        cls._approve(plan)

    def _count(self, accounts):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        accounts._kam_update_health()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_health_query_count_does_not_grow(self):
        self._count(self.accounts[:3])  # warm the ormcaches
        few = self._count(self.accounts[:4])
        many = self._count(self.accounts)
        self.assertEqual(few, many, "health scores must not be computed per account")
        self.assertLessEqual(few, 25)
        self.assertTrue(all(self.accounts.mapped("kam_health_date")))
