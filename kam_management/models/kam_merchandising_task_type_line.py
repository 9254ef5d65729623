from odoo import fields, models


class KamMerchandisingTaskTypeLine(models.Model):
    _name = "kam.merchandising.task.type.line"
    _description = "Merchandising Checklist Item"
    _inherit = ["kam.input.mixin"]
    _order = "sequence, id"

    type_id = fields.Many2one(
        "kam.merchandising.task.type",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="type_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(
        string="What to Check",
        required=True,
        translate=True,
        help="e.g. Planogram followed",
    )
    photo_required = fields.Boolean(
        help="This item is answered only with a photo of it."
    )
