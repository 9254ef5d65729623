from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.kam_management.models.workflow import workflow

from .common import KamCommon


@tagged("post_install", "-at_install", "kam")
class TestKamReceivables(KamCommon):
    """Duty 2.13: what each account owes by age, DSO, collection actions and the
    promises to pay the daily check marks kept or broken."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()

    def _days(self, days):
        return str(self.today + timedelta(days=days))

    def _overdue_invoice(self, partner, days_overdue, amount=100.0):
        """An invoice of ``amount`` untaxed (15% tax) due ``days_overdue`` days ago."""
        day = self._days(-days_overdue)
        invoice = self._invoice(partner, day, amount, due_date=day)
        # the salesperson of a key account's invoices is its KAM (their orders'):
        # sales users read the invoices of which they are the salesperson
        invoice.invoice_user_id = partner.kam_user_id
        return invoice

    def _aging(self, user, partner):
        return dict(
            self.env["kam.aging.report"]
            .with_user(user)
            ._read_group([("partner_id", "=", partner.id)], ["bucket"], ["amount:sum"])
        )

    # --- aging report -------------------------------------------------------
    def test_aging_buckets_relative_to_today(self):
        self._invoice(self.account_1, self._days(-5), 100.0, due_date=self._days(10))
        for days in (1, 30, 31, 60, 61, 90, 91, 400):
            self._overdue_invoice(self.account_1, days)
        paid = self._overdue_invoice(self.account_1, 45)
        self._pay(paid)
        partly = self._overdue_invoice(self.account_1, 20)
        self._pay(partly, amount=15.0)
        aging = self._aging(self.kam_1, self.account_1)
        self.assertEqual(
            aging,
            {
                "0_not_due": 115.0,
                "1_30": 230.0 + 100.0,
                "31_60": 230.0,
                "61_90": 230.0,
                "91_plus": 230.0,
            },
            "one open installment per bucket pair, paid ones left out",
        )
        # the overdue debt is the one of the account's Overdue figure
        rows = (
            self.env["kam.aging.report"]
            .with_user(self.kam_1)
            .search([("partner_id", "=", self.account_1.id)])
        )
        self.assertAlmostEqual(
            sum(rows.mapped("overdue_amount")),
            self.account_1.with_user(self.kam_1).kam_overdue_amount,
        )
        self.assertEqual(max(rows.mapped("days_overdue")), 400)

    def test_aging_by_kam_and_rules(self):
        self._overdue_invoice(self.account_1, 10)
        self._overdue_invoice(self.account_2, 100, amount=200.0)
        Aging = self.env["kam.aging.report"]
        by_kam = dict(
            Aging.with_user(self.head)._read_group(
                [("partner_id", "in", (self.account_1 | self.account_2).ids)],
                ["kam_user_id"],
                ["overdue_amount:sum"],
            )
        )
        self.assertEqual(by_kam, {self.kam_1: 115.0, self.kam_2: 230.0})
        # a KAM sees their own accounts' rows only
        mine = Aging.with_user(self.kam_1).search([])
        self.assertEqual(mine.partner_id, self.account_1)
        self.assertEqual(mine.kam_tier, "a")
        for user in (self.support, self.portal):
            with self.assertRaises(AccessError):
                Aging.with_user(user).search([])

    def test_aging_query_count_does_not_grow_with_invoices(self):
        def count(user):
            # the time zone the web client sends (else the user's is read)
            Aging = (
                self.env["kam.aging.report"]
                .with_user(user)
                .with_context(tz="Europe/Brussels")
            )
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            Aging._read_group([], ["partner_id", "bucket"], ["amount:sum"])
            # the report's own rows (not the names of the partners shown)
            Aging.search_fetch([], ["partner_id", "bucket", "amount", "dso"])
            return self.env.cr.sql_log_count - before

        self._overdue_invoice(self.account_1, 10)
        count(self.kam_1)  # warm the caches
        few = count(self.kam_1)
        for days in range(5, 100, 5):
            self._overdue_invoice(self.account_1, days)
        count(self.kam_1)
        self.assertEqual(few, count(self.kam_1))
        self.assertEqual(few, 2, "one query for the pivot, one for the list")

    def test_dso_on_the_account_and_in_the_report(self):
        # revenue of the last 90 days: 1000 untaxed; open: 1150 + 575 taxed
        self._invoice(self.account_2, self._days(-30), 1000.0, due_date=self._days(0))
        self._overdue_invoice(self.account_2, 200, amount=500.0)
        expected = round((1150.0 + 575.0) / 1000.0 * 90)  # 155 days
        account = self.account_2.with_user(self.kam_2)
        self.assertEqual(account.kam_dso, expected)
        rows = self.env["kam.aging.report"].with_user(self.kam_2).search([])
        self.assertEqual(set(rows.mapped("dso")), {expected})
        # another KAM's account: no figure, not a false one
        other = self.account_2.with_user(self.kam_1)
        self.assertFalse(other.kam_figures_visible)
        self.assertFalse(other.kam_dso)
        # no revenue in the last 90 days: no DSO
        self._overdue_invoice(self.account_1, 200)
        self.assertFalse(self.account_1.with_user(self.kam_1).kam_dso)

    # --- collection actions -------------------------------------------------
    def _promise(self, invoices, days=7, amount=50.0, user=None):
        return (
            self.env["kam.collection.action"]
            .with_user(user or self.kam_1)
            .create(
                {
                    "partner_id": invoices.commercial_partner_id.id,
                    "action_type": "call",
                    "invoice_ids": [Command.set(invoices.ids)],
                    "promised_date": self._days(days),
                    "promised_amount": amount,
                }
            )
        )

    def test_log_a_promise_from_the_account_form(self):
        invoice = self._overdue_invoice(self.account_1, 20)
        account = self.account_1.with_user(self.kam_1)
        action = account.action_kam_new_collection_action()
        form = Form(
            self.env["kam.collection.action"]
            .with_user(self.kam_1)
            .with_context(**action["context"])
        )
        self.assertEqual(form.partner_id, self.account_1)
        self.assertEqual(form.invoice_ids[0], invoice, "the overdue invoices")
        form.action_type = "call"
        form.promised_date = self.today + timedelta(days=3)
        form.promised_amount = 60.0
        form.result = "Pays 60 on Thursday"
        promise = form.save()
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.user_id, self.kam_1)
        self.assertEqual(promise.residual_at_promise, 115.0)
        self.assertEqual(account.kam_collection_count, 1)
        listed = account.action_kam_view_collection_actions()
        self.assertEqual(
            self.env["kam.collection.action"]
            .with_user(self.kam_1)
            .search(listed["domain"]),
            promise,
        )

    def test_log_from_the_overdue_invoices_and_a_visit(self):
        invoices = self._overdue_invoice(self.account_1, 20) | self._overdue_invoice(
            self.account_1, 50
        )
        action = invoices.with_user(self.kam_1).action_kam_collection_action()
        self.assertEqual(action["context"]["default_invoice_ids"], invoices.ids)
        self.assertEqual(action["context"]["default_partner_id"], self.account_1.id)
        mixed = invoices | self._overdue_invoice(self.account_2, 20)
        with self.assertRaisesMessage(UserError, "one key account"):
            mixed.with_user(self.kam_1).action_kam_collection_action()
        visit = (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            .create(
                {
                    "partner_id": self.account_1.id,
                    "date_start": fields.Datetime.now(),
                }
            )
        )
        action = visit.action_log_collection()
        self.assertEqual(action["context"]["default_visit_id"], visit.id)
        self.assertEqual(action["context"]["default_action_type"], "visit")
        self.assertEqual(
            set(action["context"]["default_invoice_ids"]), set(invoices.ids)
        )

    def test_bad_promises_are_refused(self):
        invoice = self._overdue_invoice(self.account_1, 20)
        with self.assertRaisesMessage(UserError, "in the past"):
            self._promise(invoice, days=-1)
        with self.assertRaisesMessage(UserError, "more than the open amount"):
            self._promise(invoice, amount=500.0)
        with self.assertRaisesMessage(UserError, "positive"):
            self._promise(invoice, amount=-5.0)
        # (a KAM does not even read another account's invoices: as a head of sales)
        with self.assertRaisesMessage(UserError, "own posted customer invoices"):
            self.env["kam.collection.action"].with_user(self.head).create(
                {
                    "partner_id": self.account_1.id,
                    "invoice_ids": [
                        Command.set(self._overdue_invoice(self.account_2, 5).ids)
                    ],
                }
            )
        paid = self._overdue_invoice(self.account_1, 30)
        self._pay(paid)
        with self.assertRaisesMessage(UserError, "no longer open"):
            self._promise(paid)
        promise = self._promise(invoice)
        with self.assertRaisesMessage(UserError, "through its buttons"):
            promise.write({"state": "kept"})
        with self.assertRaisesMessage(UserError, "through its buttons"):
            promise.write({"residual_at_promise": 1.0})
        with self.assertRaisesMessage(UserError, "in the past"):
            promise.write({"promised_date": self._days(-3)})

    def test_roles(self):
        invoice = self._overdue_invoice(self.account_1, 20)
        promise = self._promise(invoice)
        # the head of sales sees and logs on every account
        self.assertEqual(
            promise.with_user(self.head).read(["state"])[0]["state"], "open"
        )
        self._promise(self._overdue_invoice(self.account_2, 5), user=self.head)
        # another KAM neither sees nor logs on kam_1's account
        Action = self.env["kam.collection.action"]
        self.assertFalse(Action.with_user(self.kam_2).search([("id", "=", promise.id)]))
        with self.assertRaises(AccessError):
            promise.with_user(self.kam_2).read(["state"])
        with self.assertRaises(AccessError):
            self._promise(self._overdue_invoice(self.account_1, 6), user=self.kam_2)
        # sales support and the portal: no collection data at all
        for user in (self.support, self.portal):
            with self.assertRaises(AccessError):
                Action.with_user(user).search([])
            with self.assertRaises(AccessError):
                self._promise(invoice, user=user)

    # --- the daily check of the promises -----------------------------------
    def _pass_the_date(self, promises):
        """The promised date is yesterday (as the days go by)."""
        with workflow():
            promises.write({"promised_date": self._days(-1)})

    def _run_cron(self):
        with self.enter_registry_test_mode():
            self.env.ref(
                "kam_management.ir_cron_kam_collection_promises"
            ).method_direct_trigger()

    def _todos(self, promises):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "kam.collection.action"),
                ("res_id", "in", promises.ids),
            ]
        )

    def test_promises_kept_broken_once(self):
        kept = self._promise(self._overdue_invoice(self.account_1, 20), amount=60.0)
        broken = self._promise(self._overdue_invoice(self.account_1, 30), amount=60.0)
        waiting = self._promise(self._overdue_invoice(self.account_1, 40), amount=60.0)
        paid_before = self._overdue_invoice(self.account_1, 50)
        self._pay(paid_before, amount=100.0)
        # paid before the promise: does not count for it
        early = self._promise(paid_before, amount=10.0)
        self._pass_the_date(kept | broken | early)
        self._pay(kept.invoice_ids, amount=60.0)
        self._pay(broken.invoice_ids, amount=59.0)
        self._run_cron()
        self.assertEqual(kept.state, "kept")
        self.assertEqual(kept.amount_paid, 60.0)
        self.assertEqual(broken.state, "broken")
        self.assertEqual(broken.amount_paid, 59.0)
        self.assertEqual(early.state, "broken")
        self.assertEqual(waiting.state, "open", "its date has not passed")
        self.assertEqual(kept.date_closed, self.today)
        todos = self._todos(kept | broken | waiting | early)
        self.assertEqual(set(todos.mapped("res_id")), {broken.id, early.id})
        self.assertEqual(set(todos.user_id), {self.kam_1})
        self.assertIn(
            "paid 59.0", todos.filtered(lambda todo: todo.res_id == broken.id).note
        )
        # twice: nothing twice
        self._pay(broken.invoice_ids, amount=10.0)
        self._run_cron()
        self.assertEqual(broken.state, "broken")
        self.assertEqual(len(self._todos(kept | broken | early)), 2)
        # a decided promise is the account's history: read only
        for promise in (kept, broken):
            with self.assertRaisesMessage(UserError, "not changed"):
                promise.with_user(self.kam_1).write({"result": "Changed my mind"})
            with self.assertRaisesMessage(UserError, "cannot be deleted"):
                promise.with_user(self.kam_1).unlink()

    def test_cron_query_count_does_not_grow_with_promises(self):
        def count(size):
            invoices = self.env["account.move"].browse()
            for days in range(size):
                invoices |= self._overdue_invoice(self.account_1, days + 1)
            promises = self.env["kam.collection.action"].browse()
            for invoice in invoices:
                promises |= self._promise(invoice, amount=10.0)
            self._pass_the_date(promises)
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            promises._kam_decide_promises(self.today)
            self.env.flush_all()
            queries = self.env.cr.sql_log_count - before
            self.assertEqual(set(promises.mapped("state")), {"broken"})
            return queries

        count(2)  # warm the caches
        self.assertEqual(count(2), count(8))

    # --- accounting's dunning (OCA account_credit_control) --------------------
    def test_the_kam_sees_the_dunning_level_reached(self):
        receivable = self.env["account.account"].search(
            [
                ("account_type", "=", "asset_receivable"),
                ("company_ids", "in", self.env.company.ids),
            ]
        )
        # accounting's set-up and run (credit control managers)
        policy = (
            self.env["credit.control.policy"]
            .sudo()
            .create(
                {
                    "name": "Key accounts",
                    "account_ids": [Command.set(receivable.ids)],
                    "level_ids": [
                        Command.create(
                            {
                                "name": f"Reminder {level}",
                                "level": level,
                                "computation_mode": "net_days",
                                "delay_days": delay,
                                "channel": "letter",
                                "email_template_id": self.env.ref(
                                    "account_credit_control.email_template_credit_control_base"
                                ).id,
                                "custom_text": "Please pay",
                                "custom_mail_text": "<p>Please pay</p>",
                            }
                        )
                        for level, delay in ((1, 10), (2, 40))
                    ],
                }
            )
        )
        self.env.company.sudo().credit_policy_id = policy
        account = self.account_1.with_user(self.kam_1)
        self.assertEqual(account.kam_dunning_level, 0, "no reminder: nothing")
        invoice = self._overdue_invoice(self.account_1, 20)
        run = (
            self.env["credit.control.run"]
            .sudo()
            .create({"date": self.today, "policy_ids": [Command.set(policy.ids)]})
        )
        run.generate_credit_lines()
        lines = run.line_ids.filtered(lambda line: line.invoice_id == invoice)
        self.assertEqual(lines.level, 1)
        account.invalidate_recordset()
        self.assertEqual(account.kam_dunning_level, 0, "generated, not sent yet")
        lines.write({"state": "sent", "date_sent": self.today})
        account.invalidate_recordset()
        self.assertEqual(account.kam_dunning_level, 1)
        self.assertEqual(account.kam_dunning_date, self.today)
        # credit data of another KAM's account: nothing
        self.assertEqual(self.account_1.with_user(self.kam_2).kam_dunning_level, 0)
        self.assertEqual(self.account_1.with_user(self.head).kam_dunning_level, 1)
        with self.assertRaises(AccessError):
            self.account_1.with_user(self.support).read(["kam_dunning_level"])
