"""With a PostgreSQL read replica (--db_replica_host), Odoo answers the RPC calls
of methods marked @api.readonly on a read-only cursor. The add-on's buttons that
only open a list (of orders, tasks, participants...) are marked: they must work in
a read-only transaction, as each role calls them."""

from psycopg2.errors import ReadOnlySqlTransaction

from odoo.tests import tagged

from odoo.addons.web.controllers.dataset import DataSet

from .test_kam_visit import KamVisitCommon

READONLY_BUTTONS = {
    "kam.competitor": ["action_view_observations"],
    "kam.contract": ["action_view_orders", "action_view_credit_check"],
    "kam.plan": ["action_view_children"],
    "kam.promotion": ["action_view_participants", "action_view_credit_notes"],
    "kam.segment": ["action_view_partners"],
    "kam.visit": ["action_view_merchandising_tasks", "action_view_orders"],
}


@tagged("post_install", "-at_install", "kam")
class TestReadOnlyButtons(KamVisitCommon):
    def _read_only(self, call):
        """``call()`` in a read-only transaction (as on a replica's cursor)."""
        self.env.flush_all()
        self.env.invalidate_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            self.env.cr.execute("SET LOCAL transaction_read_only = on")
            try:
                result = call()
                self.env.flush_all()
            finally:
                savepoint.rollback()  # read-write again
        return result

    def test_marked_readonly(self):
        for model, methods in READONLY_BUTTONS.items():
            for method in methods:
                with self.subTest(model=model, method=method):
                    # what /web/dataset/call_button and call_kw look at
                    self.assertTrue(getattr(type(self.env[model]), method)._readonly)
        self.assertTrue(DataSet._call_kw_readonly)

    def test_buttons_work_on_a_read_only_cursor(self):
        visit = self._visit()
        segment = self.env["kam.segment"].create({"name": "Read-only Retail"})
        self.account_1.kam_segment_id = segment
        competitor = self.env["kam.competitor"].create({"name": "Read-only Rival"})
        cases = [
            (self.kam_1, visit, "action_view_orders", "sale.order"),
            (self.kam_1, visit, "action_view_merchandising_tasks", None),
            (self.head, visit, "action_view_orders", "sale.order"),
            (self.head, segment, "action_view_partners", "res.partner"),
            (self.kam_1, competitor, "action_view_observations", None),
        ]
        for user, record, method, res_model in cases:
            with self.subTest(user=user.login, method=method):
                action = self._read_only(
                    lambda user=user, record=record, method=method: getattr(
                        record.with_user(user), method
                    )()
                )
                self.assertEqual(action["type"], "ir.actions.act_window")
                if res_model:
                    self.assertEqual(action["res_model"], res_model)
                records = self._read_only(
                    lambda user=user, action=action: self.env[action["res_model"]]
                    .with_user(user)
                    .search(action["domain"])
                )
                if method == "action_view_partners":
                    self.assertIn(self.account_1, records)
        # the read-only transaction refuses a write: the check above is real
        with self.assertRaises(ReadOnlySqlTransaction):
            self._read_only(
                lambda: self.env.cr.execute("UPDATE res_partner SET ref = ref")
            )
