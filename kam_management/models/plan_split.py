"""The arithmetic of splitting a department plan: shares that add up exactly to the
whole (the last share takes the rounding)."""

from odoo import Command
from odoo.tools import float_round


def individual_plans_vals(plan, kams, accounts, history):
    """The values of the individual plans of ``kams`` that split department
    ``plan``: account targets from last year's revenue (``history``: {partner id:
    amount}), active-account targets by number of accounts, new-account targets
    evenly."""
    targets = split_amount(
        plan.target_amount,
        [history.get(a.id, 0.0) for a in accounts],
        plan.currency_id,
    )
    target_by_account = dict(zip(accounts.ids, targets, strict=True))
    by_kam = accounts.grouped("kam_user_id")
    active_split = split_integer(
        plan.target_active_accounts, [len(by_kam.get(kam, [])) for kam in kams]
    )
    new_split = split_integer(plan.target_new_accounts, [1] * len(kams))
    vals_list = []
    for kam, active_target, new_target in zip(
        kams, active_split, new_split, strict=True
    ):
        kam_accounts = by_kam.get(kam, accounts.browse())
        vals_list.append(
            {
                "name": plan.env._("%(plan)s - %(kam)s", plan=plan.name, kam=kam.name),
                "plan_type": "individual",
                "parent_id": plan.id,
                "user_id": kam.id,
                "company_id": plan.company_id.id,
                "target_amount": sum(target_by_account[a.id] for a in kam_accounts),
                "target_active_accounts": active_target,
                "target_new_accounts": new_target,
                "line_ids": [
                    Command.create(
                        {
                            "partner_id": account.id,
                            "target_amount": target_by_account[account.id],
                            "reference_amount": history.get(account.id, 0.0),
                        }
                    )
                    for account in kam_accounts
                ],
            }
        )
    return vals_list


def split_amount(total, weights, currency):
    """Split ``total`` over accounts: an account without history gets an even share
    (total / number of accounts); what is left goes to the others in proportion to
    their history. The parts add up to ``total`` exactly (rounding goes to the last)."""
    if not weights:
        return []
    even = total / len(weights)
    with_history = sum(weights)
    left = total - even * sum(1 for w in weights if not w)
    parts = (
        [
            currency.round(left * w / with_history) if w else currency.round(even)
            for w in weights
        ]
        if with_history
        else [currency.round(even)] * len(weights)
    )
    parts[-1] = currency.round(parts[-1] + total - sum(parts))
    return parts


def split_integer(total, weights):
    """Split an integer ``total`` in proportion to ``weights`` (largest remainders)."""
    if not weights:
        return []
    weight_sum = sum(weights) or len(weights)
    weights = weights if sum(weights) else [1] * len(weights)
    raw = [total * w / weight_sum for w in weights]
    parts = [int(float_round(r, precision_digits=6) // 1) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts
