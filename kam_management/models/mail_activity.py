from odoo import api, models

from .res_partner import KAM_MANAGER_GROUP
from .workflow import require_group

ASSIGNMENT_TYPE = "kam_management.mail_activity_type_kam_assignment"

# what only a head of sales sets on an assignment: the assignee marks it done
ASSIGNMENT_FIELDS = ("activity_type_id", "user_id", "date_deadline")


class MailActivity(models.Model):
    """Assignments (duty 2.23): an activity of the type "Assignment" is given by a
    head of sales only. The type is a generic one (no model): it works on an
    account and on any KAM document. The assignee marks it done as any activity
    but neither moves its deadline, hands it on nor deletes it. Odoo 19 keeps a
    done activity archived with its done date, which the assignment analysis
    (kam.assignment.report) reads."""

    _inherit = "mail.activity"

    @api.model_create_multi
    def create(self, vals_list):
        activities = super().create(vals_list)
        # checked on the result: the type may come from a default (context)
        activities._kam_check_assignment()
        return activities

    def write(self, vals):
        if any(name in vals for name in ASSIGNMENT_FIELDS):
            self._kam_check_assignment()
        result = super().write(vals)
        if "activity_type_id" in vals:
            self._kam_check_assignment()
        return result

    def unlink(self):
        self._kam_check_assignment()
        return super().unlink()

    def _kam_check_assignment(self):
        """Only a head of sales gives, changes or deletes an assignment: checked on
        the server, the activity's fields being what any author may send over
        RPC."""
        if self.env.su:
            return
        assignment = self.env.ref(ASSIGNMENT_TYPE, raise_if_not_found=False)
        if assignment and assignment in self.activity_type_id:
            require_group(
                self.env,
                KAM_MANAGER_GROUP,
                self.env._("Only a head of sales gives or changes assignments."),
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
