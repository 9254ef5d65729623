"""The arithmetic of splitting a department plan: shares that add up exactly to the
whole (the last share takes the rounding)."""

from odoo.tools import float_round


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
