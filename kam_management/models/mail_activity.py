from odoo import api, models

from .res_partner import KAM_MANAGER_GROUP
from .workflow import require_group

ASSIGNMENT_TYPE = "kam_management.mail_activity_type_kam_assignment"


class MailActivity(models.Model):
    """Assignments (duty 2.23): an activity of the type "Assignment" is given by a
    head of sales only. The type is a generic one (no model): it works on an
    account and on any KAM document. The assignee marks it done as any activity;
    Odoo 19 keeps it archived with its done date, which the assignment analysis
    (kam.assignment.report) reads."""

    _inherit = "mail.activity"

    @api.model_create_multi
    def create(self, vals_list):
        self._kam_check_assignment({vals.get("activity_type_id") for vals in vals_list})
        return super().create(vals_list)

    def write(self, vals):
        if "activity_type_id" in vals:
            self._kam_check_assignment({vals["activity_type_id"]})
        return super().write(vals)

    @api.model
    def _kam_check_assignment(self, type_ids):
        """Only a head of sales gives an assignment: checked on the server, the
        activity type being a field any activity's author may set over RPC."""
        if self.env.su:
            return
        assignment = self.env.ref(ASSIGNMENT_TYPE, raise_if_not_found=False)
        if assignment and assignment.id in type_ids:
            require_group(
                self.env,
                KAM_MANAGER_GROUP,
                self.env._("Only a head of sales gives assignments."),
            )

    @api.model
    def _kam_action_assignments(self):
        """The assignments list as the role expects it: a head of sales sees them
        all grouped by KAM, a KAM their own; the overdue ones come first (the list
        is ordered by deadline)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.mail_activity_action_kam_assignments"
        )
        action["context"] = (
            {"search_default_group_by_user": 1}
            if self.env.user.has_group(KAM_MANAGER_GROUP)
            else {"search_default_filter_mine": 1}
        )
        return action
