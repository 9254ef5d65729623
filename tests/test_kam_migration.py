"""The 19.0.1.2.0 upgrade widens the KAMs' own-record rules to the KAMs a deputy stands
in for (noupdate rules are not rewritten by an upgrade), and leaves the rules that stay
the user's own (need-to-know) as they are."""

import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged

MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "kam_management"
    / "migrations"
    / "19.0.1.2.0"
    / "post-migration.py"
)


@tagged("post_install", "-at_install", "kam")
class TestKamMigrationRules(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        spec = importlib.util.spec_from_file_location("kam_mig_19_0_1_2_0", MIGRATION)
        cls.migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cls.migration)
        data = cls.env["ir.model.data"].search(
            [("module", "=", "kam_management"), ("model", "=", "ir.rule")]
        )
        cls.rules = cls.env["ir.rule"].browse(data.mapped("res_id"))

    def _domains(self):
        self.rules.invalidate_recordset(["domain_force"])
        return {rule.id: rule.domain_force for rule in self.rules}

    def test_current_rules_unchanged(self):
        """On rules as this version's XML has them, the migration changes nothing: the
        rules kept the user's own (plan write, substitutions, plan results and pay,
        assignments) are not widened to a deputy."""
        before = self._domains()
        self.migration.migrate(self.env.cr, "19.0.1.1.0")
        self.assertEqual(self._domains(), before)
        pay = self.env.ref("kam_management.kam_plan_result_report_rule_user")
        self.assertEqual(pay.domain_force, "[('user_id', '=', user.id)]")

    def test_old_rule_widened(self):
        visits = self.env.ref("kam_management.kam_visit_rule_user")
        visits.domain_force = "[('user_id', '=', user.id)]"  # as 19.0.1.1.0 had it
        self.migration.migrate(self.env.cr, "19.0.1.1.0")
        visits.invalidate_recordset(["domain_force"])
        self.assertEqual(
            visits.domain_force, "[('user_id', 'in', user._kam_acting_ids())]"
        )
