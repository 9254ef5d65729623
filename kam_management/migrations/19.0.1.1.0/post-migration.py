"""The KAM's record rules of visits, credit checks and contracts became read rules (a
write rule on their own accounts sits beside each). They live in a noupdate block,
which an upgrade does not rewrite: narrow them here, or the old all-permission rules
would keep letting a KAM create documents on another KAM's account."""

from odoo import SUPERUSER_ID, api

READ_ONLY_RULES = (
    "kam_management.kam_visit_rule_user",
    "kam_management.kam_credit_check_rule_user",
    "kam_management.kam_contract_rule_user",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in READ_ONLY_RULES:
        rule = env.ref(xmlid, raise_if_not_found=False)
        if rule:
            rule.write(
                {"perm_write": False, "perm_create": False, "perm_unlink": False}
            )
