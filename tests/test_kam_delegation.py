from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import KamCommon


class KamDelegationCommon(KamCommon):
    """kam_1 is away, kam_2 stands in; kam_3 is a third KAM with their own account.
    Each KAM's documents exist already: a visit, a credit check, a contract, an
    order and a plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.kam_3 = new_test_user(
            cls.env,
            login="kam_3",
            groups="kam_management.group_kam_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.account_3 = cls._key_account("Account Three", cls.kam_3)
        cls.today = fields.Date.today()
        cls.docs = {}
        for kam, account in ((cls.kam_1, cls.account_1), (cls.kam_3, cls.account_3)):
            Visit = cls.env["kam.visit"].with_user(kam)
            Check = cls.env["kam.credit.check"].with_user(kam)
            Order = cls.env["sale.order"].with_user(kam)
            cls.docs[kam] = {
                "kam.visit": Visit.create(
                    {
                        "partner_id": account.id,
                        "user_id": kam.id,
                        "date_start": datetime.combine(
                            cls.today + timedelta(days=2), time(9, 0)
                        ),
                    }
                ),
                "kam.credit.check": Check.create(
                    {"partner_id": account.id, "requested_limit": 5000.0}
                ),
                "kam.contract": cls.env["kam.contract"].create(
                    {
                        "partner_id": account.id,
                        "date_start": cls.today,
                        "date_end": cls.today + timedelta(days=300),
                    }
                ),
                "sale.order": Order.create(
                    {
                        "partner_id": account.id,
                        "user_id": kam.id,
                        "order_line": [
                            Command.create(
                                {"product_id": cls.product_a.id, "price_unit": 10.0}
                            )
                        ],
                    }
                ),
            }
        cls.plan_1 = cls.env["kam.plan"].create(
            {
                "name": "Plan of kam_1",
                "user_id": cls.kam_1.id,
                "date_from": cls.today.replace(day=1),
                "date_to": cls.today.replace(day=1) + timedelta(days=80),
                "base_variable_pay": 12000.0,
            }
        )

    def setUp(self):
        super().setUp()
        # the record rules and the deputies are cached per user and day: what a
        # rolled-back test approved must not stay in the caches
        self.addCleanup(self.registry.clear_cache)

    def _delegation(self, user=None, kam=None, deputy=None, start=0, end=3, **vals):
        return (
            self.env["kam.delegation"]
            .with_user(user or self.head)
            .create(
                {
                    "user_id": (kam or self.kam_1).id,
                    "deputy_id": (deputy or self.kam_2).id,
                    "date_from": self.today + timedelta(days=start),
                    "date_to": self.today + timedelta(days=end),
                    **vals,
                }
            )
        )

    def _approved(self, **kwargs):
        delegation = self._delegation(**kwargs)
        delegation.action_approve()
        return delegation

    def _visible(self, user, kam):
        """The documents of ``kam`` that ``user`` finds, by model."""
        return {
            model: bool(
                self.env[model].with_user(user).search([("id", "=", record.id)])
            )
            for model, record in self.docs[kam].items()
        }

    def _on_day(self, offset):
        return freeze_time(
            datetime.combine(self.today + timedelta(days=offset), time(12))
        )


@tagged("post_install", "-at_install", "kam")
class TestKamDelegationAccess(KamDelegationCommon):
    def test_deputy_works_the_accounts_during_the_window_only(self):
        self._approved(start=1, end=3)
        nothing = dict.fromkeys(self.docs[self.kam_1], False)
        everything = dict.fromkeys(self.docs[self.kam_1], True)
        # before the first day
        self.assertEqual(self._visible(self.kam_2, self.kam_1), nothing)
        with self.assertRaises(AccessError):
            self.docs[self.kam_1]["kam.visit"].with_user(self.kam_2).purpose = "x"
        with self.assertRaisesMessage(AccessError, "another key account manager"):
            self.env["kam.visit"].with_user(self.kam_2).create(
                {
                    "partner_id": self.account_1.id,
                    "user_id": self.kam_2.id,
                    "date_start": datetime.combine(self.today, time(15)),
                }
            )
        for day in (1, 3):  # first and last day
            with self._on_day(day):
                self.assertEqual(self._visible(self.kam_2, self.kam_1), everything)
                # the other KAMs' documents stay out of reach
                self.assertFalse(any(self._visible(self.kam_2, self.kam_3).values()))
        with self._on_day(2):
            docs = {
                m: r.with_user(self.kam_2) for m, r in self.docs[self.kam_1].items()
            }
            # works them as the KAM would: writes, new documents, order lines
            docs["kam.visit"].purpose = "Seen by the deputy"
            docs["kam.credit.check"].requested_limit = 6000.0
            docs["sale.order"].note = "Deputy's note"
            self.env["kam.credit.check"].with_user(self.kam_2).create(
                {"partner_id": self.account_1.id, "requested_limit": 100.0}
            )
            visit = (
                self.env["kam.visit"]
                .with_user(self.kam_2)
                .create(
                    {
                        "partner_id": self.account_1.id,
                        "user_id": self.kam_2.id,
                        "date_start": datetime.combine(
                            self.today + timedelta(days=2), time(15)
                        ),
                    }
                )
            )
            self.assertEqual(visit.partner_id, self.account_1)
            self.assertEqual(docs["kam.visit"].purpose, "Seen by the deputy")
            # the account's figures and settings, as the KAM's
            account = self.account_1.with_user(self.kam_2)
            self.assertTrue(account.kam_figures_visible)
            self.assertTrue(account.kam_can_edit)
            # another KAM's account stays closed
            with self.assertRaises(AccessError):
                self.docs[self.kam_3]["kam.visit"].with_user(self.kam_2).purpose = "x"
            self.assertFalse(self.account_3.with_user(self.kam_2).kam_figures_visible)
        # after the last day
        with self._on_day(4):
            self.assertEqual(self._visible(self.kam_2, self.kam_1), nothing)
            self.assertFalse(self.account_1.with_user(self.kam_2).kam_figures_visible)
            with self.assertRaises(AccessError):
                self.docs[self.kam_1]["kam.credit.check"].with_user(
                    self.kam_2
                ).requested_limit = 1.0

    def test_deputy_reads_the_reports_of_the_accounts_not_the_pay(self):
        """The manager's reports of the absent KAM's accounts (credit exposure)
        follow the deputy during the window; plan results and pay stay the KAM's."""
        self._approved(start=1, end=3)
        exposure = self.env["kam.credit.exposure.report"].with_user(self.kam_2)
        results = self.env["kam.plan.result.report"].with_user(self.kam_2)
        account = [("partner_id", "=", self.account_1.id)]
        plan = [("plan_id", "=", self.plan_1.id)]
        self.assertFalse(exposure.search(account))
        with self._on_day(2):
            self.assertTrue(exposure.search(account))
            self.assertFalse(results.search(plan))
            # the KAM reads their own plan's results
            self.assertTrue(
                self.env["kam.plan.result.report"].with_user(self.kam_1).search(plan)
            )
        with self._on_day(4):
            self.assertFalse(exposure.search(account))

    def test_deputy_does_not_take_the_account_over(self):
        self._approved(start=0, end=3)
        account = self.account_1.with_user(self.kam_2)
        account.kam_tier = "b"  # a key account setting, as the KAM would
        self.assertEqual(self.account_1.kam_tier, "b")
        for kam in (self.kam_2, self.kam_3):
            with self.assertRaisesMessage(AccessError, "only be changed"):
                account.kam_user_id = kam
        self.assertEqual(self.account_1.kam_user_id, self.kam_1)

    def test_absent_kam_keeps_access(self):
        self._approved(start=0, end=3)
        everything = dict.fromkeys(self.docs[self.kam_1], True)
        self.assertEqual(self._visible(self.kam_1, self.kam_1), everything)
        self.assertEqual(self._visible(self.kam_2, self.kam_1), everything)
        self.docs[self.kam_1]["kam.visit"].with_user(self.kam_1).purpose = "Still mine"

    def test_ended_early_stops_access_now(self):
        delegation = self._approved(start=0, end=5)
        self.assertTrue(self._visible(self.kam_2, self.kam_1)["kam.visit"])
        delegation.with_user(self.head).action_end()
        self.assertEqual(delegation.state, "ended")
        self.assertFalse(any(self._visible(self.kam_2, self.kam_1).values()))

    def test_not_approved_gives_nothing(self):
        delegation = self._delegation(user=self.kam_1, start=0, end=3)
        delegation.with_user(self.kam_1).action_request()
        self.assertEqual(delegation.state, "requested")
        self.assertFalse(any(self._visible(self.kam_2, self.kam_1).values()))

    def test_two_kams_one_deputy(self):
        self._approved(kam=self.kam_1, start=0, end=2)
        self._approved(kam=self.kam_3, start=1, end=4)
        visible_1 = self._visible(self.kam_2, self.kam_1)
        self.assertTrue(all(visible_1.values()))
        self.assertFalse(any(self._visible(self.kam_2, self.kam_3).values()))
        with self._on_day(2):  # both run
            self.assertTrue(all(self._visible(self.kam_2, self.kam_1).values()))
            self.assertTrue(all(self._visible(self.kam_2, self.kam_3).values()))
            accounts = (self.account_1 | self.account_3).with_user(self.kam_2)
            self.assertEqual(accounts.mapped("kam_figures_visible"), [True, True])
        with self._on_day(3):  # kam_1 is back
            self.assertFalse(any(self._visible(self.kam_2, self.kam_1).values()))
            self.assertTrue(all(self._visible(self.kam_2, self.kam_3).values()))

    def test_one_kam_two_deputies_in_turn(self):
        self._approved(kam=self.kam_1, deputy=self.kam_2, start=0, end=1)
        self._approved(kam=self.kam_1, deputy=self.kam_3, start=2, end=3)
        self.assertTrue(all(self._visible(self.kam_2, self.kam_1).values()))
        self.assertFalse(any(self._visible(self.kam_3, self.kam_1).values()))
        with self._on_day(2):
            self.assertFalse(any(self._visible(self.kam_2, self.kam_1).values()))
            self.assertTrue(all(self._visible(self.kam_3, self.kam_1).values()))

    def test_overlapping_deputies_of_one_kam_refused(self):
        self._approved(kam=self.kam_1, deputy=self.kam_2, start=0, end=3)
        other = self._delegation(kam=self.kam_1, deputy=self.kam_3, start=3, end=5)
        with self.assertRaisesMessage(ValidationError, "one deputy at a time"):
            other.action_approve()
        self.assertEqual(other.state, "draft")

    def test_deputy_reads_plans_without_pay(self):
        self._approved(start=0, end=3)
        plan = self.plan_1.with_user(self.kam_2)
        self.assertEqual(plan.name, "Plan of kam_1")
        values = plan.read(["name", "base_variable_pay", "payout_amount"])[0]
        self.assertIs(values["base_variable_pay"], False)
        self.assertIs(values["payout_amount"], False)
        with self.assertRaises(AccessError):
            plan.write({"name": "Renamed by the deputy"})
        # nor does the chatter show a tracked change of the pay to the deputy
        self.plan_1.with_context(
            tracking_disable=False, mail_notrack=False
        ).base_variable_pay = 15000.0
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking messages are made on commit
        message = self.plan_1.message_ids.filtered("tracking_value_ids")[:1]
        self.assertIn(
            "base_variable_pay", message.tracking_value_ids.field_id.mapped("name")
        )
        shown = {
            user: plan.with_user(user)
            ._track_filter_for_display(message.sudo().tracking_value_ids)
            .field_id.mapped("name")
            for user in (self.kam_1, self.kam_2)
        }
        self.assertIn("base_variable_pay", shown[self.kam_1])
        self.assertNotIn("base_variable_pay", shown[self.kam_2])
        # the KAM and heads of sales still read the pay
        self.assertEqual(
            self.plan_1.with_user(self.kam_1).read(["base_variable_pay"])[0][
                "base_variable_pay"
            ],
            15000.0,
        )
        self.assertEqual(
            self.plan_1.with_user(self.head).read(["base_variable_pay"])[0][
                "base_variable_pay"
            ],
            15000.0,
        )

    def test_deputy_cannot_infer_pay_by_grouping_searching_or_sorting(self):
        self._approved(start=0, end=3)
        own = self.plan_1.copy(
            {
                "user_id": self.kam_2.id,
                "name": "Plan of kam_2",
                "base_variable_pay": 700.0,
            }
        )
        plan_ids = (self.plan_1 | own).ids
        in_plans = [("id", "in", plan_ids)]
        Plan = self.env["kam.plan"]
        for user, expected in (
            (self.kam_2, {self.kam_1: False, self.kam_2: 700.0}),  # the deputy
            (self.kam_1, {self.kam_1: 12000.0}),  # kam_1 does not deputise
            (self.head, {self.kam_1: 12000.0, self.kam_2: 700.0}),
        ):
            groups = Plan.with_user(user)._read_group(
                in_plans, ["user_id"], ["base_variable_pay:sum", "__count"]
            )
            sums = {kam: total for kam, total, _count in groups}
            self.assertEqual(sums, expected, user.login)
            # the plans themselves stay in their groups: only the pay is nothing
            self.assertEqual(
                sum(count for _kam, _total, count in groups), len(expected), user.login
            )
        deputy = Plan.with_user(self.kam_2)
        # filters on the pay never match a plan whose pay is hidden
        for condition in (
            ("base_variable_pay", ">", 0),
            ("base_variable_pay", "=", 12000.0),
            ("base_variable_pay", "!=", False),
        ):
            self.assertEqual(
                deputy.search(in_plans + [condition]).ids,
                [] if condition[2] == 12000.0 else own.ids,
                condition,
            )
        self.assertEqual(
            Plan.with_user(self.head).search_count(
                in_plans + [("base_variable_pay", "=", 12000.0)]
            ),
            1,
        )
        # grouping by the pay or its scale puts the hidden plan under "nothing"
        by_pay = dict(deputy._read_group(in_plans, ["base_variable_pay"], ["__count"]))
        self.assertNotIn(12000.0, by_pay)
        by_scale = deputy._read_group(in_plans, ["pay_scale_id"], ["id:array_agg"])
        scale_of = {plan_id: scale for scale, ids in by_scale for plan_id in ids}
        self.assertFalse(scale_of[self.plan_1.id])
        self.assertEqual(scale_of[own.id], own.pay_scale_id)
        # sorting by the pay does not rank the hidden plan: it comes with the empty ones
        for order in (
            "base_variable_pay desc nulls last",
            "base_variable_pay asc nulls last",
        ):
            self.assertEqual(
                deputy.search(in_plans, order=order).ids,
                [own.id, self.plan_1.id],
                order,
            )
        self.assertEqual(
            Plan.with_user(self.head)
            .search(in_plans, order="base_variable_pay desc nulls last")
            .ids,
            [self.plan_1.id, own.id],
        )
        # nor does an export (base.group_allow_export) show it
        allow_export = self.env.ref("base.group_allow_export")
        (self.kam_2 | self.head).write({"group_ids": [Command.link(allow_export.id)]})
        exported = deputy.browse(plan_ids).export_data(
            ["name", "base_variable_pay", "pay_scale_id/name"]
        )["datas"]
        self.assertEqual(
            [row[1:] for row in exported],
            [[False, False], [700.0, own.pay_scale_id.name or False]],
        )
        self.assertEqual(
            self.plan_1.with_user(self.head).export_data(["base_variable_pay"])[
                "datas"
            ],
            [[12000.0]],
        )
        # the formatted groups of a list view, as the web client asks for them
        rows = deputy.formatted_read_group(
            in_plans, ["user_id"], ["base_variable_pay:sum"]
        )
        shown = {row["user_id"][0]: row["base_variable_pay:sum"] for row in rows}
        self.assertFalse(shown[self.kam_1.id])
        self.assertEqual(shown[self.kam_2.id], 700.0)

    def test_delegation_visibility(self):
        delegation = self._approved(start=0, end=3)
        Delegation = self.env["kam.delegation"]
        self.assertEqual(Delegation.with_user(self.kam_1).search([]), delegation)
        self.assertEqual(Delegation.with_user(self.kam_2).search([]), delegation)
        self.assertFalse(Delegation.with_user(self.kam_3).search([]))
        self.assertEqual(Delegation.with_user(self.head).search([]), delegation)
        self.assertEqual(
            Delegation.with_user(self.kam_2).search([("is_running", "=", True)]),
            delegation,
        )
        with self.assertRaises(AccessError):
            Delegation.with_user(self.support).search([])


@tagged("post_install", "-at_install", "kam")
class TestKamDelegationWorkflow(KamDelegationCommon):
    def test_request_and_approval(self):
        with Form(self.env["kam.delegation"].with_user(self.kam_1)) as form:
            form.deputy_id = self.kam_2
            form.date_from = self.today
            form.date_to = self.today + timedelta(days=2)
            form.reason = "Trade fair"
        # BaseCommon disables tracking in tests: this test checks it too
        delegation = form.record.with_context(
            tracking_disable=False, mail_notrack=False
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertEqual(delegation.user_id, self.kam_1)
        team = (
            self.env["crm.team"]
            .sudo()
            .create(
                {
                    "name": "Key accounts",
                    "user_id": self.head.id,
                    "member_ids": [Command.set(self.kam_1.ids)],
                }
            )
        )
        self.assertEqual(self.kam_1.sale_team_id, team)
        delegation.action_request()
        todo = delegation.activity_ids
        self.assertEqual(todo.user_id, self.head, "the team's head of sales approves")
        with self.assertRaisesMessage(AccessError, "head of sales approves"):
            delegation.action_approve()
        delegation.with_user(self.head).action_approve()
        self.env.flush_all()
        self.assertEqual(delegation.state, "approved")
        self.assertEqual(delegation.approved_by_id, self.head)
        self.assertFalse(delegation.activity_ids, "the approval to-do is done")
        self.assertTrue(delegation.is_running)
        self.env.cr.precommit.run()  # tracking values are written at commit time
        self.assertTrue(
            delegation.sudo().message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "state"
            )
        )

    def test_head_does_not_approve_own(self):
        other_head = new_test_user(
            self.env,
            login="kam_head_2",
            groups="kam_management.group_kam_manager",
        )
        delegation = self._delegation(user=self.head, kam=self.head)
        with self.assertRaisesMessage(AccessError, "Another head of sales"):
            delegation.action_approve()
        delegation.with_user(other_head).action_approve()
        self.assertEqual(delegation.state, "approved")

    def test_kam_cannot_enter_anothers_absence(self):
        with self.assertRaises(AccessError):
            self._delegation(user=self.kam_1, kam=self.kam_3)
        delegation = self._delegation(user=self.kam_1)
        with self.assertRaises(AccessError):
            delegation.with_user(self.kam_1).write({"user_id": self.kam_3.id})
        # the deputy reads it, does not change it
        with self.assertRaises(AccessError):
            delegation.with_user(self.kam_2).write({"date_to": self.today})

    def test_sales_support_cannot_create(self):
        with self.assertRaises(AccessError):
            self._delegation(user=self.support)

    def test_state_only_through_actions(self):
        delegation = self._delegation(user=self.kam_1)
        for vals in (
            {"state": "approved"},
            {"approved_by_id": self.head.id},
            {"activities_moved": True},
        ):
            with self.assertRaisesMessage(UserError, "only be set through its buttons"):
                delegation.with_user(self.kam_1).write(vals)
            with self.assertRaisesMessage(UserError, "only be set through its buttons"):
                delegation.with_user(self.head).write(vals)
        with self.assertRaisesMessage(UserError, "starts as draft"):
            self._delegation(state="approved")
        self.assertEqual(delegation.state, "draft")
        self.assertFalse(any(self._visible(self.kam_2, self.kam_1).values()))

    def test_approved_is_read_only(self):
        delegation = self._approved(start=0, end=3)
        for user in (self.kam_1, self.head):
            with self.assertRaisesMessage(UserError, "cannot be changed"):
                delegation.with_user(user).write(
                    {"date_to": self.today + timedelta(days=30)}
                )
        with self.assertRaisesMessage(AccessError, "head of sales cancels"):
            delegation.with_user(self.kam_1).action_cancel()
        with self.assertRaisesMessage(AccessError, "head of sales ends"):
            delegation.with_user(self.kam_1).action_end()
        with self.assertRaisesMessage(UserError, "stays"):
            delegation.with_user(self.head).unlink()
        delegation.with_user(self.head).action_cancel()
        self.assertEqual(delegation.state, "cancelled")
        with self.assertRaisesMessage(UserError, "stay as they are"):
            delegation.with_user(self.head).action_cancel()

    def test_kam_withdraws_own_request(self):
        delegation = self._delegation(user=self.kam_1)
        delegation.with_user(self.kam_1).action_request()
        delegation.with_user(self.kam_1).action_cancel()
        self.assertEqual(delegation.state, "cancelled")


@tagged("post_install", "-at_install", "kam")
class TestKamDelegationActivities(KamDelegationCommon):
    def _chatter(self, record):
        return " ".join(str(body) for body in record.message_ids.mapped("body"))

    def _run_cron(self):
        cron = self.env.ref("kam_management.ir_cron_kam_delegation_sync")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def _todo(self, record, user, summary):
        return record.activity_schedule(
            "mail.mail_activity_data_todo", user_id=user.id, summary=summary
        )

    def test_activities_move_and_come_back(self):
        call = self._todo(self.account_1, self.kam_1, "Call the buyer")
        done = self._todo(self.docs[self.kam_1]["kam.visit"], self.kam_1, "Report")
        passed_on = self._todo(self.account_1, self.kam_1, "Send the offer")
        others = self._todo(self.account_3, self.kam_3, "Not kam_1's")
        delegation = self._approved(start=0, end=2, move_activities=True)
        self.assertEqual((call | done | passed_on).user_id, self.kam_2)
        self.assertEqual(others.user_id, self.kam_3)
        moved = delegation.moved_activity_ids
        self.assertLessEqual(call | done | passed_on, moved)
        self.assertEqual(moved.user_id, self.kam_2)
        self.assertIn(f"{len(moved)} open activities", self._chatter(delegation))
        # twice: nothing twice
        self._run_cron()
        self.assertEqual(
            len(
                delegation.message_ids.filtered(
                    lambda m: "handed over" in (m.body or "")
                )
            ),
            1,
        )
        done.with_user(self.kam_2).action_feedback(feedback="Done by the deputy")
        passed_on.user_id = self.kam_3
        # after the last day, the daily cron ends it and gives back the open ones
        with self._on_day(3):
            self._run_cron()
            self.assertEqual(delegation.state, "ended")
            self.assertEqual(call.user_id, self.kam_1)
            self.assertEqual(passed_on.user_id, self.kam_3)
            self.assertTrue(delegation.activities_returned)
            self.assertIn(
                f"{len(moved) - 2} open activities back", self._chatter(delegation)
            )
            self._run_cron()
            self.assertEqual(call.user_id, self.kam_1)

    def test_activities_move_on_the_first_day(self):
        call = self._todo(self.account_1, self.kam_1, "Call the buyer")
        delegation = self._approved(start=1, end=2, move_activities=True)
        self.assertEqual(call.user_id, self.kam_1)
        with self._on_day(1):
            self._run_cron()
            self.assertEqual(call.user_id, self.kam_2)
            delegation.with_user(self.head).action_end()
            self.assertEqual(call.user_id, self.kam_1)

    def test_activities_stay_without_the_option(self):
        call = self._todo(self.account_1, self.kam_1, "Call the buyer")
        self._approved(start=0, end=2)
        self.assertEqual(call.user_id, self.kam_1)


@tagged("post_install", "-at_install", "kam")
class TestKamDelegationPerformance(KamDelegationCommon):
    def _count(self):
        """Queries of a deputy's key account list with its figures, caches warm."""
        partners = self.env["res.partner"].with_user(self.kam_2)

        def partner_list():
            found = partners.search([("is_key_account", "=", True)])
            found.mapped("kam_revenue_12m")
            found.mapped("kam_overdue_amount")
            return found

        self.env.invalidate_all()
        partner_list()  # warm the ormcaches (record rules, deputies)
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        found = partner_list()
        count = self.env.cr.sql_log_count - before
        return count, found.filtered("kam_figures_visible")

    def test_partner_list_of_a_deputy_does_not_grow(self):
        company = self.env.company
        kams = self.env["res.users"]
        for i in range(6):
            kams |= new_test_user(
                self.env,
                login=f"kam_away_{i}",
                groups="kam_management.group_kam_user",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
        for kam in kams:
            self._key_account(f"Account of {kam.login}", kam)
            self._key_account(f"Second account of {kam.login}", kam)
        self._approved(kam=kams[0])
        few, found_few = self._count()
        for kam in kams[1:]:
            self._approved(kam=kam)
        many, found_many = self._count()
        self.assertEqual(few, many, "a deputy's partner list grew with delegations")
        self.assertEqual(found_few.kam_user_id, self.kam_2 | kams[0])
        self.assertEqual(found_many.kam_user_id, self.kam_2 | kams)
