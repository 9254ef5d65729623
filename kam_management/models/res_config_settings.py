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
