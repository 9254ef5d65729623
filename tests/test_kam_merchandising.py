import base64
import io
from datetime import timedelta

from freezegun import freeze_time
from PIL import Image

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import KamCommon


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue())


@tagged("post_install", "-at_install", "kam")
class TestKamMerchandising(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["kam.merchandising.task"])
        cls.retail = cls.env["kam.segment"].create({"name": "Retail"})
        cls.account_1.kam_segment_id = cls.retail
        cls.shelf = cls.env["kam.merchandising.task.type"].create(
            {
                "name": "Shelf Check",
                "recurrence_days": 14,
                "line_ids": [
                    Command.create({"sequence": 1, "name": "Planogram followed"}),
                    Command.create({"sequence": 2, "name": "Price tags correct"}),
                    Command.create({"sequence": 3, "name": "Facings >= 4"}),
                    Command.create(
                        {
                            "sequence": 4,
                            "name": "Promo display in place",
                            "photo_required": True,
                        }
                    ),
                ],
            }
        )
        cls.launch = cls.env["kam.merchandising.task.type"].create(
            {
                "name": "Product Launch",
                "photo_required": True,
                "line_ids": [Command.create({"name": "Listed"})],
            }
        )
        cls.Task = cls.env["kam.merchandising.task"]

    def _task(self, task_type=None, account=None, user=None, **vals):
        return self.Task.with_user(user or self.kam_1).create(
            {
                "partner_id": (account or self.account_1).id,
                "task_type_id": (task_type or self.shelf).id,
                **vals,
            }
        )

    # --- the checklist -----------------------------------------------------
    def test_task_made_in_the_form_copies_the_checklist(self):
        form = Form(self.Task.with_user(self.kam_1))
        form.partner_id = self.account_1
        form.task_type_id = self.shelf
        task = form.save()
        self.assertEqual(task.user_id, self.kam_1, "the account's KAM")
        self.assertEqual(task.state, "todo")
        self.assertTrue(task.name.startswith("MT/"))
        self.assertEqual(
            task.line_ids.mapped("name"),
            [
                "Planogram followed",
                "Price tags correct",
                "Facings >= 4",
                "Promo display in place",
            ],
        )
        self.assertEqual(task.line_ids.mapped("photo_required"), [0, 0, 0, 1])
        self.assertEqual(task.line_ids.type_line_id, self.shelf.line_ids)
        self.assertEqual(task.display_name, "Shelf Check - Account One")

    def test_compliance_counts_applicable_items(self):
        task = self._task()
        lines = task.line_ids.with_user(self.kam_1)
        lines[0].result = "ok"
        lines[1].result = "not_ok"
        lines[2].result = "na"
        lines[3].write({"result": "ok", "photo": _photo()})
        self.assertAlmostEqual(task.compliance, 2 / 3 * 100)
        self.assertEqual((task.applicable_count, task.ok_count), (3, 2))
        lines[1].result = "ok"
        self.assertAlmostEqual(task.compliance, 100.0)

    def test_done_needs_every_answer_and_the_photos(self):
        task = self._task().with_user(self.kam_1)
        lines = task.line_ids
        with self.assertRaisesMessage(UserError, "Answer every item"):
            task.action_done()
        lines.write({"result": "ok"})
        with self.assertRaisesMessage(UserError, "Promo display in place"):
            task.action_done()
        # n/a needs no photo: the item does not apply
        lines[3].result = "na"
        task.action_done()
        self.assertEqual(task.state, "done")
        self.assertEqual(task.date_done, self.today)

    def test_type_that_requires_a_photo(self):
        task = self._task(self.launch).with_user(self.kam_1)
        task.line_ids.result = "ok"
        with self.assertRaisesMessage(UserError, "done only with a photo"):
            task.action_done()
        task.photo_after = _photo()
        task.action_done()
        self.assertEqual(task.state, "done")
        # the photo is kept as an attachment of the task
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", task._name),
                ("res_id", "=", task.id),
                ("res_field", "=", "photo_after"),
            ]
        )
        self.assertTrue(attachment)

    def test_done_task_is_read_only(self):
        task = self._task(self.launch).with_user(self.kam_1)
        task.line_ids.result = "ok"
        task.photo_before = _photo()
        task.action_done()
        with self.assertRaisesMessage(UserError, "is Done and cannot be changed"):
            task.note = "Afterwards"
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            task.line_ids.result = "not_ok"
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            self.env["kam.merchandising.task.line"].with_user(self.kam_1).create(
                {"task_id": task.id, "name": "Sneaked in", "result": "ok"}
            )
        with self.assertRaisesMessage(UserError, "cannot be deleted"):
            task.unlink()
        with self.assertRaisesMessage(UserError, "not to do"):
            task.action_done()
        # the chatter stays open
        task.message_post(body="Store manager happy")
        self.assertAlmostEqual(task.compliance, 100.0)

    def test_controls_no_write_switches_off(self):
        task = self._task().with_user(self.kam_1)
        with self.assertRaisesMessage(UserError, "through its buttons"):
            task.write({"state": "done"})
        with self.assertRaisesMessage(UserError, "through its buttons"):
            task.write({"task_type_id": self.launch.id})
        photo_line = task.line_ids[3]
        with self.assertRaisesMessage(UserError, "through its buttons"):
            photo_line.photo_required = False
        with self.assertRaisesMessage(UserError, "do not remove or rename"):
            photo_line.unlink()
        with self.assertRaisesMessage(UserError, "do not remove or rename"):
            photo_line.name = "Anything"
        Line = self.env["kam.merchandising.task.line"].with_user(self.kam_1)
        with self.assertRaisesMessage(UserError, "through its buttons"):
            Line.create({"task_id": task.id, "name": "Mine", "photo_required": True})
        # an item of the KAM's own: added, answered, removed
        extra = Line.create({"task_id": task.id, "name": "Shelf clean"})
        extra.result = "ok"
        extra.unlink()
        self.assertEqual(len(task.line_ids), 4)

    def test_cancel_and_reset(self):
        task = self._task().with_user(self.kam_1)
        task.action_cancel()
        self.assertEqual(task.state, "cancelled")
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            task.note = "x"
        task.action_reset()
        self.assertEqual(task.state, "todo")

    # --- roles ---------------------------------------------------------------
    def test_roles(self):
        task = self._task()
        with self.assertRaises(AccessError):
            task.with_user(self.kam_2).read(["name"])
        with self.assertRaises(AccessError):
            task.with_user(self.support).read(["name"])
        with self.assertRaises(AccessError):
            self._task(account=self.account_2, user=self.kam_1)
        self.assertEqual(task.with_user(self.head).state, "todo")
        self.assertFalse(self.Task.with_user(self.kam_2).search([("id", "=", task.id)]))
        # figures the support may not see: the field is not theirs to read
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.support).read(
                ["kam_merchandising_compliance"]
            )
        with self.assertRaises(AccessError):
            self.shelf.with_user(self.kam_1).write({"recurrence_days": 1})

    def test_account_shows_last_compliance(self):
        account = self.account_1.with_user(self.kam_1)
        self.assertFalse(account.kam_merchandising_last_date, "none done: nothing")
        first = self._task().with_user(self.kam_1)
        first.line_ids.write({"result": "not_ok"})
        first.line_ids[3].photo = _photo()
        first.action_done()
        second = self._task().with_user(self.kam_1)
        second.line_ids.write({"result": "ok"})
        second.line_ids[3].photo = _photo()
        second.action_done()
        third = self._task()
        account.invalidate_recordset()
        self.assertEqual(account.kam_merchandising_last_date, self.today)
        self.assertAlmostEqual(account.kam_merchandising_compliance, 100.0)
        self.assertEqual(account.kam_merchandising_todo_count, 1)
        # another KAM's account: nothing, not its figures
        other = self.account_1.with_user(self.kam_2)
        self.assertFalse(other.kam_merchandising_last_date)
        self.assertEqual(other.kam_merchandising_todo_count, 0)
        self.assertEqual(
            self.account_1.with_user(self.head).kam_merchandising_todo_count, 1
        )
        action = account.action_kam_view_merchandising_tasks()
        self.assertEqual(self.Task.search(action["domain"]), first | second | third)

    # --- recurrence ----------------------------------------------------------
    def _recurring(self, account):
        return self.Task.search(
            [("partner_id", "=", account.id), ("task_type_id", "=", self.shelf.id)],
            order="date_deadline, id",
        )

    def _run_cron(self):
        # as ir.cron runs it: its progress commits are the test cursor's savepoints
        with self.enter_registry_test_mode():
            self.env.ref(
                "kam_management.ir_cron_kam_merchandising_recurring"
            ).method_direct_trigger()

    def test_cron_creates_the_next_task_once(self):
        self._run_cron()
        first = self._recurring(self.account_1)
        self.assertEqual(len(first), 1, "one task per account in scope")
        self.assertEqual(first.date_deadline, self.today)
        self.assertEqual(len(first.line_ids), 4)
        self.assertEqual(len(self._recurring(self.account_2)), 1)
        self.assertFalse(
            self.Task.search([("task_type_id", "=", self.launch.id)]),
            "no recurrence, no task",
        )
        self._run_cron()
        self.assertEqual(self._recurring(self.account_1), first, "twice: nothing new")
        # done: the next one comes, due one interval after the previous deadline
        first.line_ids.write({"result": "na"})
        first.action_done()
        self._run_cron()
        self._run_cron()
        tasks = self._recurring(self.account_1)
        self.assertEqual(len(tasks), 2)
        self.assertEqual(tasks[1].date_deadline, self.today + timedelta(days=14))
        self.assertEqual(tasks[1].state, "todo")
        # an open task older than the interval does not hold the next one back
        with freeze_time(self.today + timedelta(days=29)):
            self._run_cron()
            self._run_cron()
        tasks = self._recurring(self.account_1)
        self.assertEqual(len(tasks), 3)
        self.assertEqual(tasks[2].date_deadline, self.today + timedelta(days=29))

    def test_cron_respects_segments_and_cancelled(self):
        self.shelf.segment_ids = self.retail
        self._run_cron()
        self.assertEqual(len(self._recurring(self.account_1)), 1)
        self.assertFalse(self._recurring(self.account_2), "not in the segment")
        # a cancelled task is as if it never was: the account is due again
        self._recurring(self.account_1).action_cancel()
        self._run_cron()
        self.assertEqual(
            self._recurring(self.account_1).mapped("state"), ["cancelled", "todo"]
        )

    def test_cron_query_count_does_not_grow_with_accounts(self):
        Task = self.Task.sudo()
        self.shelf.segment_ids = self.retail

        def run():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Task._kam_due()
            return self.env.cr.sql_log_count - before

        run()
        few = run()
        self.env["res.partner"].create(
            [
                {
                    "name": f"Retail {i}",
                    "is_company": True,
                    "is_key_account": True,
                    "kam_user_id": self.kam_1.id,
                    "kam_segment_id": self.retail.id,
                }
                for i in range(30)
            ]
        )
        many = run()
        self.assertEqual(few, many)
        self.assertEqual(len(Task._kam_due()), 31)

    # --- visits ------------------------------------------------------------------
    def _visit(self):
        return (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": self.account_1.id,
                    "date_start": fields.Datetime.now() + timedelta(hours=2),
                }
            )
        )

    def test_visit_adds_due_tasks_and_warns_at_check_out(self):
        loose = self._task(self.launch)
        visit = self._visit()
        visit.action_add_due_tasks()
        self.assertIn(loose, visit.merchandising_task_ids, "the open task joins it")
        shelf = visit.merchandising_task_ids - loose
        self.assertEqual(shelf.task_type_id, self.shelf, "the due recurring type")
        self.assertEqual(shelf.date_deadline, visit.date_start.date())
        self.assertEqual(visit.merchandising_open_count, 2)
        visit.action_add_due_tasks()
        self.assertEqual(len(visit.merchandising_task_ids), 2, "nothing twice")
        visit.action_check_in()
        result = visit.action_check_out()
        self.assertEqual(visit.state, "done", "the KAM can still check out")
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("2 merchandising task(s)", result["params"]["message"])
        self.assertIn("Shelf Check - Account One", result["params"]["message"])

    def test_check_out_without_open_tasks_does_not_warn(self):
        visit = self._visit()
        visit.action_check_in()
        self.assertIs(visit.action_check_out(), True)
