from odoo.tools import SQL


def values_rows(rows, width):
    """The rows (tuples) of a report computed in Python as the body of a VALUES
    list, plus a row of NULLs so that the list is never empty (the report's query
    drops it: ``WHERE v.id IS NOT NULL``)."""
    return SQL(", ").join(
        [SQL("%s", tuple(row)) for row in rows] + [SQL("%s", (None,) * width)]
    )


def ratio_select(model, query, numerator, denominator):
    """SQL of a group's ratio in percent: the ratio of the group's sums (never an
    average of percentages), empty when the denominator is zero."""
    return SQL(
        "SUM(%(num)s)::float / NULLIF(SUM(%(den)s), 0) * 100.0",
        num=model._field_to_sql(model._table, numerator, query),
        den=model._field_to_sql(model._table, denominator, query),
    )
