"""Substitution during absence: the key account record rules of a KAM also open the
accounts of the KAMs the user stands in for today (``user._kam_acting_ids()`` where
they said ``user.id``). They live in a noupdate block, which an upgrade does not
rewrite: widen them here, or a deputy would see nothing of the absent KAM's accounts
on an upgraded database. The plans' write rules, the substitutions' own rules and
the reports of a KAM's own results (plan results and pay, assignments: need-to-know)
stay the user's, as the XML has them."""

import re

from odoo import SUPERUSER_ID, api

OWN = re.compile(r"\('((?!create_uid)[\w.]+)', '=', user\.id\)")
KEPT = {
    "kam_management.kam_plan_rule_user_write",
    "kam_management.kam_plan_line_rule_user_write",
    "kam_management.kam_delegation_rule_user",
    "kam_management.kam_delegation_rule_user_write",
    "kam_management.kam_plan_result_report_rule_user",
    "kam_management.kam_assignment_report_rule_user",
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    data = env["ir.model.data"].search(
        [("module", "=", "kam_management"), ("model", "=", "ir.rule")]
    )
    rules = (
        env["ir.rule"]
        .browse([d.res_id for d in data if f"{d.module}.{d.name}" not in KEPT])
        .exists()
    )
    for rule in rules:
        domain = rule.domain_force or ""
        if "create_uid" in domain:
            continue
        new = OWN.sub(r"('\1', 'in', user._kam_acting_ids())", domain)
        if new != domain:
            rule.domain_force = new
