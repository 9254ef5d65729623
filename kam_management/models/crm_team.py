from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    kam_sales_support_user_id = fields.Many2one(
        "res.users",
        string="Sales Support",
        ondelete="set null",
        domain="[('share', '=', False)]",
        help="Gets the activity to enter the orders this team's KAMs take on visits; "
        "the company's sales support user when empty.",
    )
