from collections.abc import Mapping

from odoo import api, fields, models
from odoo.exceptions import UserError

from .workflow import check_workflow_fields, in_workflow

# copied from the task's type when the task is made
TEMPLATE_FIELDS = ("type_line_id", "photo_required")


class KamMerchandisingTaskLine(models.Model):
    """One item of a task's checklist: its answer, a note and a photo."""

    _name = "kam.merchandising.task.line"
    _description = "Merchandising Task Item"
    _inherit = ["kam.input.mixin"]
    _order = "sequence, id"

    task_id = fields.Many2one(
        "kam.merchandising.task", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="task_id.company_id", store=True)
    type_line_id = fields.Many2one(
        "kam.merchandising.task.type.line",
        string="Checklist Item",
        readonly=True,
        ondelete="set null",
        help="The item of the task type this one was copied from (empty: added on "
        "the task).",
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="What to Check", required=True)
    photo_required = fields.Boolean(readonly=True)
    result = fields.Selection(
        [("ok", "OK"), ("not_ok", "Not OK"), ("na", "N/A")],
        help="N/A items do not count in the compliance.",
    )
    note = fields.Char()
    photo = fields.Image(max_width=1024, max_height=1024, copy=False)

    # a done or cancelled task's items are read-only like the task; the items of
    # the type stay as the type made them (name, photo rule), only their answers,
    # notes and photos are filled in
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_workflow_fields(self, vals, TEMPLATE_FIELDS, create=True)
        tasks = self.env["kam.merchandising.task"].browse(
            {
                vals["task_id"]
                for vals in vals_list
                if isinstance(vals, Mapping) and isinstance(vals.get("task_id"), int)
            }
        )
        tasks._kam_check_open()
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(self, vals, TEMPLATE_FIELDS)
        self.task_id._kam_check_open()
        if isinstance(vals, Mapping) and {"name", "task_id"} & vals.keys():
            self._kam_check_not_template()
        return super().write(vals)

    def unlink(self):
        self.task_id._kam_check_open()
        self._kam_check_not_template()
        return super().unlink()

    def _kam_check_not_template(self):
        if not in_workflow(self.env) and any(self.mapped("type_line_id")):
            raise UserError(
                self.env._(
                    "The items of the checklist come from the task type: answer them "
                    "(n/a when they do not apply), do not remove or rename them."
                )
            )
