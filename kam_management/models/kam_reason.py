from odoo import fields, models


class KamReason(models.Model):
    """Why a key account's confirmed order was cancelled or a credit note made for
    it (duty 2.11): one list, analysed in the returns and refusals pivot."""

    _name = "kam.reason"
    _description = "Return / Refusal Reason"
    _inherit = ["kam.input.mixin"]
    _order = "reason_type, sequence, name, id"

    name = fields.Char(required=True, translate=True, size=128)
    reason_type = fields.Selection(
        [
            ("return", "Return"),
            ("refusal", "Refusal"),
            ("cancellation", "Cancellation"),
            ("lost", "Lost"),
            ("bonus", "Volume Bonus"),
        ],
        string="Type",
        required=True,
        default="return",
        help="Return: goods sent back; Refusal: goods or an order refused at delivery; "
        "Cancellation: an order cancelled before delivery; Lost: a sale lost to a "
        "competitor or to the account's decision; Volume Bonus: a bonus programme's "
        "credit note.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text()
    company_id = fields.Many2one(
        "res.company",
        index=True,
        ondelete="cascade",
        help="Leave empty to share the reason between companies.",
    )

    _name_type_unique = models.UniqueIndex(
        "(name, reason_type, COALESCE(company_id, 0))",
        "This reason exists already for this type.",
    )
