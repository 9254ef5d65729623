"""Crons on several workers: two runs that overlap (a second cron record on the same
method, a job run by hand while a worker runs it) process each record once and
create nothing twice. ir.cron's own lock (one run per cron record) is checked by
tests/test_cron_workers.py on a real two-worker server."""

from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.kam_management.models.cron_batch import run_lock_key

from .common import KamCommon
from .test_kam_credit import KamCreditCommon
from .test_kam_visit import KamVisitCommon

PLAN_NEXT_WEEK = "kam.visit._cron_plan_next_week"
RECURRING = "kam.merchandising.task._cron_create_recurring"
CRON_LOGGER = "odoo.addons.base.models.ir_cron"


@contextmanager
def held_elsewhere(env, name):
    """Another database session holds ``single_run``'s lock of ``name``."""
    key = run_lock_key(name)
    with db_connect(env.cr.dbname).cursor() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            other.execute("SELECT pg_advisory_unlock(%s)", [key])


def lock_is_free(env, name):
    key = run_lock_key(name)
    with db_connect(env.cr.dbname).cursor() as other:
        other.execute("SELECT pg_try_advisory_lock(%s)", [key])
        free = other.fetchone()[0]
        if free:
            other.execute("SELECT pg_advisory_unlock(%s)", [key])
    return free


@tagged("post_install", "-at_install", "kam")
class TestCronOverlapBatches(KamVisitCommon):
    """process_in_batches: locks its batch, leaves the records another run holds,
    reads the others again after the lock."""

    def _late_visits(self):
        now = fields.Datetime.now()
        return self._visit(date_start=now - timedelta(days=3)) | self._visit(
            date_start=now - timedelta(days=4)
        )

    def _mark_missed(self):
        with (
            self.assertNoLogs(CRON_LOGGER, "ERROR"),
            self.enter_registry_test_mode(),
        ):
            result = self.env.ref(
                "kam_management.ir_cron_kam_visit_mark_missed"
            ).method_direct_trigger()
        self.assertIs(result, True)

    def _todos(self, visit):
        return visit.activity_ids.filtered(lambda a: a.summary == "Missed: reschedule")

    def test_records_held_by_another_run_are_left_to_it(self):
        held, free = self._late_visits()
        Visit = type(self.env["kam.visit"])
        original = Visit.try_lock_for_update

        def skip_held(records, **kwargs):
            return original(records - held, **kwargs)

        with patch.object(Visit, "try_lock_for_update", skip_held):
            self._mark_missed()
        self.assertEqual(held.state, "planned", "the other run marks it")
        self.assertFalse(self._todos(held))
        self.assertEqual(free.state, "missed")
        self.assertEqual(len(self._todos(free)), 1)
        self._mark_missed()  # the other run's work, once it let go
        self.assertEqual(held.state, "missed")
        self.assertEqual(len(self._todos(held)), 1)
        self.assertEqual(len(self._todos(free)), 1, "nothing twice")

    def test_records_processed_before_the_lock_are_read_again(self):
        visits = self._late_visits()
        Visit = type(self.env["kam.visit"])
        original = Visit.try_lock_for_update

        def other_run_first(records, **kwargs):
            # another run marked them and committed while this one waited
            records.filtered(lambda v: v.state == "planned")._kam_mark_missed()
            return original(records, **kwargs)

        with patch.object(Visit, "try_lock_for_update", other_run_first):
            self._mark_missed()
        self.assertEqual(set(visits.mapped("state")), {"missed"})
        for visit in visits:
            self.assertEqual(len(self._todos(visit)), 1, "one to-do, not two")


@tagged("post_install", "-at_install", "kam")
class TestCronOverlapPlanNextWeek(KamVisitCommon):
    def _plan(self):
        with (
            self.assertNoLogs(CRON_LOGGER, "ERROR"),  # ran without error
            self.enter_registry_test_mode(),
        ):
            result = self.env.ref(
                "kam_management.ir_cron_kam_visit_plan_next_week"
            ).method_direct_trigger()
        self.assertIs(result, True)
        return self.env["kam.visit"].search(
            [("partner_id", "in", (self.account_1 | self.account_2).ids)]
        )

    def test_one_run_at_a_time(self):
        self.env.company.kam_visit_autoplan = True
        with held_elsewhere(self.env, PLAN_NEXT_WEEK):
            self.assertFalse(self._plan(), "another run plans the week")
        visits = self._plan()
        self.assertEqual(visits.user_id, self.kam_1 | self.kam_2)
        self.assertEqual(self._plan(), visits, "a second run plans nothing twice")
        self.assertTrue(lock_is_free(self.env, PLAN_NEXT_WEEK))

    def test_a_failed_run_lets_go(self):
        self.env.company.kam_visit_autoplan = True
        Visit = type(self.env["kam.visit"])
        with (
            patch.object(
                Visit, "_kam_plan_next_week", side_effect=ValueError("x")
            ) as failing,
            self.assertLogs(CRON_LOGGER, "ERROR"),
            self.enter_registry_test_mode(),
        ):
            self.env.ref(
                "kam_management.ir_cron_kam_visit_plan_next_week"
            ).method_direct_trigger()
        self.assertTrue(failing.called, "the run failed")
        self.assertFalse(
            self.env["kam.visit"].search_count(
                [("partner_id", "in", (self.account_1 | self.account_2).ids)]
            )
        )
        self.assertTrue(lock_is_free(self.env, PLAN_NEXT_WEEK))
        self.assertTrue(self._plan(), "the next run plans the week")


@tagged("post_install", "-at_install", "kam")
class TestCronOverlapRecurringTasks(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shelf = cls.env["kam.merchandising.task.type"].create(
            {
                "name": "Shelf Check",
                "recurrence_days": 14,
                "line_ids": [Command.create({"name": "Planogram followed"})],
            }
        )
        cls.Task = cls.env["kam.merchandising.task"]

    def _recurring(self, account):
        return self.Task.search(
            [("partner_id", "=", account.id), ("task_type_id", "=", self.shelf.id)]
        )

    def _run_cron(self):
        with (
            self.assertNoLogs(CRON_LOGGER, "ERROR"),
            self.enter_registry_test_mode(),
        ):
            result = self.env.ref(
                "kam_management.ir_cron_kam_merchandising_recurring"
            ).method_direct_trigger()
        self.assertIs(result, True)

    def test_one_run_at_a_time(self):
        with held_elsewhere(self.env, RECURRING):
            self._run_cron()
        self.assertFalse(self._recurring(self.account_1), "another run creates it")
        self._run_cron()
        self.assertEqual(len(self._recurring(self.account_1)), 1)
        self.assertEqual(len(self._recurring(self.account_2)), 1)
        self.assertTrue(lock_is_free(self.env, RECURRING))

    def test_tasks_created_meanwhile_are_read_again(self):
        Task = type(self.Task)
        original = Task._kam_due

        def due(records, partners=None, today=None):
            result = original(records, partners, today)
            if partners is None:
                # a check-in creates account 1's task once the run listed the due ones
                records._kam_create_due(original(records, self.account_1, today))
            return result

        with patch.object(Task, "_kam_due", due):
            self._run_cron()
        self.assertEqual(len(self._recurring(self.account_1)), 1, "not twice")
        self.assertEqual(len(self._recurring(self.account_2)), 1)


@tagged("post_install", "-at_install", "kam")
class TestCronCreditReminderOnce(KamCreditCommon):
    def _run_cron(self):
        with (
            self.assertNoLogs(CRON_LOGGER, "ERROR"),
            self.enter_registry_test_mode(),
        ):
            self.env.ref(
                "kam_management.ir_cron_kam_credit_check_expiry"
            ).method_direct_trigger()

    def _reminders(self, check):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "kam.credit.check"),
                    ("res_id", "=", check.id),
                    ("summary", "=", "Renew the credit check"),
                ]
            )
        )

    def test_a_reminder_marked_done_is_not_sent_again(self):
        check = self._check()
        check.action_submit()
        check.with_user(self.head).validate_tier()
        check.sudo().valid_until = fields.Date.today() + timedelta(days=20)
        self._run_cron()
        reminder = self._reminders(check)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.user_id, self.kam_1)
        reminder.with_user(self.kam_1).action_feedback(feedback="Renewal asked for")
        self._run_cron()
        self._run_cron()
        self.assertEqual(len(self._reminders(check)), 1, "the next days: no new one")
        self.assertFalse(check.activity_ids, "done: archived, not open")
