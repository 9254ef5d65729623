from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kam_visit_interval_a = fields.Integer(
        related="company_id.kam_visit_interval_a", readonly=False
    )
    kam_visit_interval_b = fields.Integer(
        related="company_id.kam_visit_interval_b", readonly=False
    )
    kam_visit_interval_c = fields.Integer(
        related="company_id.kam_visit_interval_c", readonly=False
    )
    kam_visit_max_per_day = fields.Integer(
        related="company_id.kam_visit_max_per_day", readonly=False
    )
    kam_visit_grace_days = fields.Integer(
        related="company_id.kam_visit_grace_days", readonly=False
    )
    kam_checkin_radius = fields.Integer(
        related="company_id.kam_checkin_radius", readonly=False
    )
    kam_visit_autoplan = fields.Boolean(
        related="company_id.kam_visit_autoplan", readonly=False
    )
    kam_sales_support_user_id = fields.Many2one(
        related="company_id.kam_sales_support_user_id", readonly=False
    )
