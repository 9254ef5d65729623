from odoo import api, fields, models

from .res_company import check_kam_settings


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
    kam_route_start_latitude = fields.Float(
        related="company_id.kam_route_start_latitude", readonly=False
    )
    kam_route_start_longitude = fields.Float(
        related="company_id.kam_route_start_longitude", readonly=False
    )
    kam_sales_support_user_id = fields.Many2one(
        related="company_id.kam_sales_support_user_id", readonly=False
    )
    kam_credit_check_required = fields.Boolean(
        related="company_id.kam_credit_check_required", readonly=False
    )
    kam_credit_check_validity_months = fields.Integer(
        related="company_id.kam_credit_check_validity_months", readonly=False
    )
    kam_credit_weight_payment = fields.Integer(
        related="company_id.kam_credit_weight_payment", readonly=False
    )
    kam_credit_weight_overdue = fields.Integer(
        related="company_id.kam_credit_weight_overdue", readonly=False
    )
    kam_credit_weight_age = fields.Integer(
        related="company_id.kam_credit_weight_age", readonly=False
    )
    kam_credit_weight_equity = fields.Integer(
        related="company_id.kam_credit_weight_equity", readonly=False
    )
    kam_credit_weight_external = fields.Integer(
        related="company_id.kam_credit_weight_external", readonly=False
    )
    kam_contract_reminder_days = fields.Integer(
        related="company_id.kam_contract_reminder_days", readonly=False
    )
    kam_credit_days_late_worst = fields.Integer(
        related="company_id.kam_credit_days_late_worst", readonly=False
    )
    kam_credit_overdue_share_worst = fields.Integer(
        related="company_id.kam_credit_overdue_share_worst", readonly=False
    )
    kam_credit_years_best = fields.Integer(
        related="company_id.kam_credit_years_best", readonly=False
    )
    kam_credit_equity_cover_best = fields.Float(
        related="company_id.kam_credit_equity_cover_best", readonly=False
    )
    kam_credit_check_reminder_days = fields.Integer(
        related="company_id.kam_credit_check_reminder_days", readonly=False
    )
    kam_training_target_hours = fields.Float(
        related="company_id.kam_training_target_hours", readonly=False
    )
    kam_assortment_core_percent = fields.Integer(
        related="company_id.kam_assortment_core_percent", readonly=False
    )
    kam_advice_overdue_threshold = fields.Integer(
        related="company_id.kam_advice_overdue_threshold", readonly=False
    )

    # account health (issue 15)
    kam_health_weight_visit = fields.Integer(
        related="company_id.kam_health_weight_visit", readonly=False
    )
    kam_health_weight_plan = fields.Integer(
        related="company_id.kam_health_weight_plan", readonly=False
    )
    kam_health_weight_overdue = fields.Integer(
        related="company_id.kam_health_weight_overdue", readonly=False
    )
    kam_health_weight_relationship = fields.Integer(
        related="company_id.kam_health_weight_relationship", readonly=False
    )
    kam_health_weight_contract = fields.Integer(
        related="company_id.kam_health_weight_contract", readonly=False
    )
    kam_health_weight_trend = fields.Integer(
        related="company_id.kam_health_weight_trend", readonly=False
    )
    kam_health_risk_threshold = fields.Integer(
        related="company_id.kam_health_risk_threshold", readonly=False
    )
    kam_max_discount = fields.Float(
        related="company_id.kam_max_discount", readonly=False
    )
    kam_max_discount_a = fields.Float(
        related="company_id.kam_max_discount_a", readonly=False
    )
    kam_max_discount_b = fields.Float(
        related="company_id.kam_max_discount_b", readonly=False
    )
    kam_max_discount_c = fields.Float(
        related="company_id.kam_max_discount_c", readonly=False
    )
    kam_pricelist_a_ids = fields.Many2many(
        related="company_id.kam_pricelist_a_ids", readonly=False
    )
    kam_pricelist_b_ids = fields.Many2many(
        related="company_id.kam_pricelist_b_ids", readonly=False
    )
    kam_pricelist_c_ids = fields.Many2many(
        related="company_id.kam_pricelist_c_ids", readonly=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the key account settings are written on the company as the record is
        # created: their values are checked first
        check_kam_settings(self, vals_list)
        return super().create(vals_list)
