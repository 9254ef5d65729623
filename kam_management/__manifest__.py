# Copyright 2026 kam_management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Key Account Management",
    "summary": "Key accounts, KAM plans, visits, credit checks and follow-up",
    "version": "19.0.1.1.0",
    "category": "Sales/Sales",
    "license": "AGPL-3",
    "author": "kam_management contributors",
    "website": "https://github.com/kam-management/kam_management",
    "depends": [
        "sale_management",
        "account",
        "calendar",
        "mail",
        "contacts",
        "sale_financial_risk",
        "sale_tier_validation",
    ],
    "data": [
        "security/kam_management_security.xml",
        "security/ir.model.access.csv",
        "data/kam_plan_data.xml",
        "data/kam_visit_data.xml",
        "data/kam_credit_data.xml",
        "views/kam_segment_views.xml",
        "views/res_partner_views.xml",
        "views/kam_plan_views.xml",
        "views/kam_variable_pay_scale_views.xml",
        "views/kam_plan_report_views.xml",
        "views/kam_report_views.xml",
        "views/kam_visit_views.xml",
        "wizard/kam_visit_planner_views.xml",
        "views/sale_order_views.xml",
        "views/kam_credit_check_views.xml",
        "views/kam_contract_views.xml",
        "views/res_config_settings_views.xml",
        "views/kam_management_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "kam_management/static/src/**/*",
        ],
    },
    "demo": [
        "demo/kam_management_demo.xml",
    ],
    "application": True,
}
