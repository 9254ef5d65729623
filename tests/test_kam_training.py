from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import KamCommon

SESSION = "kam_management.mail_activity_type_kam_training_session"
CERTIFICATE = "kam_management.mail_activity_type_kam_certificate_renewal"


@tagged("post_install", "-at_install", "kam")
class TestKamTraining(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.year_start = cls.today.replace(month=1, day=1)
        Partner = cls.env["res.partner"]
        cls.buyer_1, cls.shelf_1, cls.manager_1 = Partner.create(
            [
                {"name": "Buyer One", "parent_id": cls.account_1.id},
                {"name": "Shelf One", "parent_id": cls.account_1.id},
                {"name": "Manager One", "parent_id": cls.account_1.id},
            ]
        )
        cls.buyer_2 = Partner.create(
            {"name": "Buyer Two", "parent_id": cls.account_2.id}
        )
        cls.internal = new_test_user(
            cls.env,
            login="kam_internal",
            groups="base.group_user",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    def _training(self, user=None, **vals):
        user = user or self.kam_1
        if vals.get("training_type") == "self":
            defaults = {"topic": "Negotiation", "duration_hours": 8.0}
        else:
            defaults = {
                "partner_id": self.account_1.id,
                "topic": "Shelf layout",
                "duration_hours": 2.0,
            }
        return (
            self.env["kam.training"]
            .with_user(user)
            .create({"date": self.today, **defaults, **vals})
        )

    def _reminders(self, training, xmlid):
        """The open automated activities of that kind on the training."""
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "kam.training"),
                    ("res_id", "=", training.id),
                    ("activity_type_id", "=", self.env.ref(xmlid).id),
                ]
            )
        )

    # --- reminders ------------------------------------------------------------
    def test_next_session_activity_follows_the_date(self):
        training = self._training(next_session_date=self.today + timedelta(days=14))
        activity = self._reminders(training, SESSION)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, self.today + timedelta(days=14))
        self.assertEqual(activity.user_id, self.kam_1)
        self.assertIn("Shelf layout", activity.summary)
        self.assertFalse(self._reminders(training, CERTIFICATE))

        # a new date moves it, other changes keep it: never a second one
        training.next_session_date = self.today + timedelta(days=21)
        training.write({"topic": "Shelf layout, part 2", "duration_hours": 1.5})
        activity = self._reminders(training, SESSION)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, self.today + timedelta(days=21))
        self.assertIn("part 2", activity.summary)

        # another KAM takes the training over: the activity is theirs
        training.with_user(self.head).user_id = self.kam_2
        self.assertEqual(self._reminders(training, SESSION).user_id, self.kam_2)

        # cleared: no reminder left
        training.with_user(self.head).next_session_date = False
        self.assertFalse(self._reminders(training, SESSION))

    def test_next_session_after_the_reminder_was_done(self):
        training = self._training(next_session_date=self.today + timedelta(days=7))
        self._reminders(training, SESSION).action_feedback(feedback="Booked")
        self.assertFalse(self._reminders(training, SESSION), "done: archived")
        training.next_session_date = self.today + timedelta(days=30)
        activity = self._reminders(training, SESSION)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, self.today + timedelta(days=30))

    def test_duplicate_reminders_are_merged(self):
        """Two reminders of one kind (an older version, an import) become one."""
        training = self._training(next_session_date=self.today + timedelta(days=7))
        self._reminders(training, SESSION).copy()
        self.assertEqual(len(self._reminders(training, SESSION)), 2)
        training.next_session_date = self.today + timedelta(days=8)
        self.assertEqual(len(self._reminders(training, SESSION)), 1)

    def test_certificate_expiry_activity_30_days_before(self):
        expiry = self.today + timedelta(days=365)
        training = self._training(
            training_type="self", certificate_expiry_date=expiry, provider="Academy"
        )
        activity = self._reminders(training, CERTIFICATE)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, expiry - timedelta(days=30))
        self.assertEqual(activity.user_id, self.kam_1)
        self.assertFalse(self._reminders(training, SESSION))

        training.certificate_expiry_date = expiry + timedelta(days=10)
        activity = self._reminders(training, CERTIFICATE)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, expiry - timedelta(days=20))

        training.certificate_expiry_date = False
        self.assertFalse(self._reminders(training, CERTIFICATE))

    def test_reminders_follow_the_type(self):
        """A next session is a client training's, a certificate own
        development's."""
        training = self._training(next_session_date=self.today + timedelta(days=7))
        training.write(
            {
                "training_type": "self",
                "partner_id": False,
                "certificate_expiry_date": self.today + timedelta(days=100),
            }
        )
        self.assertFalse(self._reminders(training, SESSION))
        self.assertEqual(len(self._reminders(training, CERTIFICATE)), 1)

    # --- bad input ------------------------------------------------------------
    def test_constraints(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        foreign = self.env["res.partner"].create(
            {
                "name": "Foreign Buyer",
                "parent_id": self.account_1.id,
                "company_id": other_company.id,
            }
        )
        plain = self.env["res.partner"].create({"name": "Walk-in", "is_company": True})
        yesterday = self.today - timedelta(days=1)
        cases = [
            ({"duration_hours": 0}, ValidationError, "more than 0 and at most 1000"),
            ({"duration_hours": -2}, ValidationError, "more than 0"),
            ({"duration_hours": 5000}, ValidationError, "at most 1000"),
            ({"feedback_score": "6"}, ValidationError, "not one of the choices"),
            ({"feedback_score": 7}, ValidationError, "not one of the choices"),
            (
                {"attendee_ids": [Command.set(self.buyer_2.ids)]},
                ValidationError,
                "Buyer Two is not a contact of Account One",
            ),
            (
                {"attendee_ids": [Command.set(self.account_1.ids)]},
                ValidationError,
                "is not a contact of Account One",
            ),
            (
                {"attendee_ids": [Command.set(foreign.ids)]},
                UserError,
                "Other Company|companies",
            ),
            (
                {"next_session_date": yesterday},
                ValidationError,
                "cannot come before this one",
            ),
            ({"partner_id": False}, ValidationError, "name the key account"),
            ({"partner_id": plain.id}, ValidationError, "is not a key account"),
            (
                {"training_type": "self", "partner_id": self.account_1.id},
                ValidationError,
                "has no key account",
            ),
            (
                {"training_type": "self", "certificate_expiry_date": yesterday},
                ValidationError,
                "cannot expire before the course",
            ),
        ]
        for vals, error, message in cases:
            with (
                self.subTest(vals=vals),
                self.assertRaisesMessage(error, message),
            ):
                self._training(**vals)
        # and on write
        training = self._training()
        with self.assertRaisesMessage(UserError, "Attendance .* can only be set"):
            training.attendee_count = 1000
        with self.assertRaisesMessage(UserError, "Attendance .* can only be set"):
            self._training(attendee_count=50)
        with self.assertRaisesMessage(ValidationError, "more than 0"):
            training.duration_hours = -1
        with self.assertRaisesMessage(ValidationError, "cannot come before"):
            training.write({"date": self.today, "next_session_date": yesterday})

    # --- who sees and writes what ------------------------------------------------
    def test_record_rules(self):
        client_1 = self._training(attendee_ids=[Command.set(self.buyer_1.ids)])
        self_1 = self._training(training_type="self")
        client_2 = self._training(self.kam_2, partner_id=self.account_2.id)
        self_2 = self._training(self.kam_2, training_type="self")
        Training = self.env["kam.training"]

        # a KAM: their own trainings only
        self.assertEqual(Training.with_user(self.kam_1).search([]), client_1 | self_1)
        with self.assertRaises(AccessError):
            client_2.with_user(self.kam_1).read(["topic"])
        with self.assertRaises(AccessError):
            self_2.with_user(self.kam_1).topic = "Mine"
        with self.assertRaisesMessage(AccessError, "logs their own trainings"):
            self._training(user_id=self.kam_2.id)
        with self.assertRaisesMessage(AccessError, "another key account manager"):
            self._training(partner_id=self.account_2.id)
        with self.assertRaisesMessage(AccessError, "logs their own trainings"):
            client_1.with_user(self.kam_1).user_id = self.kam_2
        with self.assertRaisesMessage(AccessError, "another key account manager"):
            client_1.with_user(self.kam_1).partner_id = self.account_2
        with self.assertRaises(AccessError):
            client_1.with_user(self.kam_1).unlink()

        # a head of sales: everything
        head_sees = Training.with_user(self.head).search([])
        self.assertLessEqual(client_1 | self_1 | client_2 | self_2, head_sees)
        self_2.with_user(self.head).duration_hours = 6.0
        self._training(self.head, user_id=self.kam_2.id, partner_id=self.account_1.id)
        client_2.with_user(self.head).unlink()

        # sales support: the client trainings, read only, never own development
        support = Training.with_user(self.support)
        self.assertEqual(
            support.search([("id", "in", (client_1 | self_1).ids)]), client_1
        )
        self.assertEqual(client_1.with_user(self.support).attendee_ids, self.buyer_1)
        with self.assertRaises(AccessError):
            self_1.with_user(self.support).read(["topic"])
        with self.assertRaises(AccessError):
            client_1.with_user(self.support).topic = "Changed"
        with self.assertRaises(AccessError):
            self._training(self.support)

        # other groups: nothing
        for user in (self.internal, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Training.with_user(user).search([])

    def test_handed_over_account(self):
        """The account's new KAM reads its training history, but does not change
        the former KAM's logs."""
        training = self._training()
        self.account_1.kam_user_id = self.kam_2
        self.assertEqual(training.with_user(self.kam_2).topic, "Shelf layout")
        with self.assertRaises(AccessError):
            training.with_user(self.kam_2).topic = "Mine now"
        with self.assertRaises(AccessError):
            training.with_user(self.kam_1).topic = "Still mine"

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        head_b = new_test_user(
            self.env,
            login="kam_head_b",
            groups="kam_management.group_kam_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        training = self._training()
        self.assertFalse(
            self.env["kam.training"]
            .with_user(head_b)
            .search([("id", "=", training.id)])
        )
        with self.assertRaises(AccessError):
            training.with_user(head_b).read(["topic"])

    # --- figures --------------------------------------------------------------
    def test_hours_this_year_against_target(self):
        self.env.company.kam_training_target_hours = 30.0
        last_year = self.year_start - timedelta(days=1)
        self._training(training_type="self", duration_hours=8.0)
        self._training(training_type="self", duration_hours=4.0, date=self.year_start)
        self._training(training_type="self", duration_hours=10.0, date=last_year)
        self._training(duration_hours=3.0)  # a client training does not count
        self._training(self.kam_2, training_type="self", duration_hours=5.0)

        form = Form(self.env["kam.training"].with_user(self.kam_1))
        form.training_type = "self"
        self.assertEqual(form.kam_year_hours, 12.0)
        self.assertEqual(form.kam_target_hours, 30.0)
        form.topic = "Category management"
        form.duration_hours = 6.0
        training = form.save()
        self.assertEqual(training.kam_year_hours, 18.0)
        # a head of sales sees each KAM's own year
        other = (
            self.env["kam.training"]
            .with_user(self.head)
            .search([("user_id", "=", self.kam_2.id)])
        )
        self.assertEqual(other.kam_year_hours, 5.0)

    def test_settings_target(self):
        admin = new_test_user(
            self.env,
            login="kam_admin",
            groups="base.group_system,kam_management.group_kam_manager",
            company_id=self.env.company.id,
            company_ids=[Command.set(self.env.company.ids)],
        )
        settings = self.env["res.config.settings"].with_user(admin).create({})
        self.assertEqual(settings.kam_training_target_hours, 40.0)
        settings.kam_training_target_hours = 24.0
        settings.execute()
        self.assertEqual(self.env.company.kam_training_target_hours, 24.0)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env.company.kam_training_target_hours = -1.0
            self.env.flush_all()

    def test_partner_figures(self):
        last_year = self.year_start - timedelta(days=1)
        self._training(
            duration_hours=2.0,
            attendee_ids=[Command.set((self.buyer_1 | self.shelf_1).ids)],
        )
        self._training(
            duration_hours=1.5,
            date=self.year_start,
            attendee_ids=[Command.set(self.buyer_1.ids)],
        )
        self._training(
            duration_hours=3.0,
            date=last_year,
            attendee_ids=[Command.set((self.buyer_1 | self.manager_1).ids)],
        )
        self._training(training_type="self", duration_hours=40.0)  # not the account's
        self._training(self.kam_2, partner_id=self.account_2.id, duration_hours=9.0)

        for user in (self.kam_1, self.head, self.support):
            with self.subTest(user=user.login):
                account = self.account_1.with_user(user)
                self.assertTrue(account.kam_training_figures_visible)
                self.assertEqual(account.kam_training_count, 3)
                self.assertEqual(account.kam_trained_staff_year, 2)
                self.assertEqual(account.kam_training_hours_year, 3.5)
                # a contact shows its company's figures
                self.assertEqual(
                    self.buyer_1.with_user(user).kam_training_hours_year, 3.5
                )
        # another KAM's account: nothing, not a false zero
        hidden = self.account_2.with_user(self.kam_1)
        self.assertFalse(hidden.kam_training_figures_visible)
        self.assertEqual(
            self.account_2.with_user(self.kam_2).kam_training_hours_year, 9.0
        )
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.internal).kam_training_count  # noqa: B018

        # the smart button opens the account's trainings
        action = self.account_1.with_user(self.kam_1).action_kam_view_trainings()
        found = self.env["kam.training"].with_user(self.kam_1).search(action["domain"])
        self.assertEqual(len(found), 3)
        self.assertEqual(found.partner_id, self.account_1)
        self.assertEqual(action["context"]["default_partner_id"], self.account_1.id)

    def test_partner_figures_in_batch(self):
        """One set of queries for any number of accounts."""
        accounts = self.account_1 | self.account_2
        for account in accounts:
            self._training(self.head, partner_id=account.id)

        def queries(partners):
            partners.invalidate_recordset()
            before = self.env.cr.sql_log_count
            partners.mapped("kam_training_hours_year")
            return self.env.cr.sql_log_count - before

        head_env = self.env(user=self.head)
        queries(accounts.with_env(head_env))  # access rights and rules cached
        one = queries(self.account_1.with_env(head_env))
        self.assertEqual(queries(accounts.with_env(head_env)), one)

    # --- the form, as a KAM on the phone would fill it ---------------------------
    def test_form(self):
        form = Form(self.env["kam.training"].with_user(self.kam_1))
        self.assertEqual(form.training_type, "client")
        self.assertEqual(form.user_id, self.kam_1)
        form.partner_id = self.account_1
        form.topic = "Promotion mechanics"
        form.duration_hours = 1.5
        form.feedback_score = "4"
        form.next_session_date = self.today + timedelta(days=30)
        form.attendee_ids.add(self.buyer_1)
        form.attendee_ids.add(self.shelf_1)
        training = form.save()
        self.assertEqual(training.attendee_count, 2)
        self.assertEqual(training.feedback_score, "4")
        self.assertEqual(len(self._reminders(training, SESSION)), 1)

    def test_materials_uploaded_before_saving(self):
        """A file uploaded on a new training (no record yet) ends up on it, so the
        head of sales and sales support open it too."""
        handout = (
            self.env["ir.attachment"]
            .with_user(self.kam_1)
            .create(
                {
                    "name": "handout.txt",
                    "raw": b"Shelf layout",
                    "res_model": "kam.training",
                    "res_id": 0,
                }
            )
        )
        training = self._training(material_ids=[Command.set(handout.ids)])
        self.assertEqual(handout.res_id, training.id)
        for user in (self.head, self.support):
            self.assertEqual(handout.with_user(user).raw, b"Shelf layout")
        with self.assertRaises(AccessError):
            handout.with_user(self.kam_2).raw  # noqa: B018

    def test_materials_of_another_record_are_refused(self):
        """Only the training's own files: not another record's that the user may
        read (the training's readers may not), not another user's upload."""
        Attachment = self.env["ir.attachment"]
        check = self.env["kam.credit.check"].create(
            {"partner_id": self.account_1.id, "requested_limit": 1000.0}
        )
        balance_sheet = Attachment.create(
            {
                "name": "balance_sheet.pdf",
                "raw": b"%PDF",
                "res_model": "kam.credit.check",
                "res_id": check.id,
            }
        )
        self.assertTrue(balance_sheet.with_user(self.kam_1).name)
        for user in (self.kam_1, self.head):
            with (
                self.subTest(user=user.login),
                self.assertRaisesMessage(ValidationError, "is not a file of the"),
            ):
                self._training(user, material_ids=[Command.set(balance_sheet.ids)])
        training = self._training()
        with self.assertRaisesMessage(ValidationError, "balance_sheet.pdf is not"):
            training.material_ids = balance_sheet
        self.assertEqual(balance_sheet.res_id, check.id)
        # another KAM's upload: the KAM may not even read it
        draft = Attachment.with_user(self.kam_2).create(
            {"name": "draft.txt", "raw": b"x", "res_model": "kam.training", "res_id": 0}
        )
        with self.assertRaises(AccessError):
            training.material_ids = draft
        self.assertFalse(draft.res_id)

    # --- demo data ------------------------------------------------------------------
    def test_demo_trainings(self):
        """The demo generator logs trainings of both kinds, with reminders."""
        self.env["kam.demo.data"]._generate_trainings()
        trainings = self.env["kam.training"].search([("user_id", "=", self.kam_1.id)])
        client = trainings.filtered(lambda t: t.training_type == "client")
        own = trainings - client
        self.assertTrue(client.attendee_ids)
        self.assertEqual(client.partner_id, self.account_1)
        self.assertTrue(own.filtered("certificate"))
        self.assertTrue(client.material_ids)
        self.assertTrue(
            self._reminders(own.filtered("certificate_expiry_date")[:1], CERTIFICATE)
        )
