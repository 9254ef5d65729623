"""Grow the benchmark's sales history by copying, in SQL, the posted invoices and
the confirmed orders the ORM generated.

The ORM generator posts about 20 invoices a second: 200,000 invoice lines would take
most of an hour. The hot paths measured read rows, not the way they were made, so
the history is grown from an ORM-made seed: each copy of a move (or order) and of
all its lines goes to another customer of the pool, on another day of the period
(every date of the document shifted by the same number of days), with its own
name. Amounts, taxes lines, residuals and payment states are those of the seed (a
copy of a paid invoice reads as paid, without the payment's entries); links to other
documents (reversed entry, reconciliations, payments, invoices of an order) are
left out. Only for the benchmark's own database.
"""

import math
from datetime import timedelta

from odoo.tools import SQL

# per table: {column: SQL expression over ``src`` (the seed row) and ``map`` (the
# copy: new_id, partner_id, user_id, shift in days, round)}; a column not named
# is copied as is, one named None is left empty
MOVE = {
    "name": "src.name || '-' || map.round",
    "partner_id": "map.partner_id",
    "commercial_partner_id": "map.partner_id",
    "partner_shipping_id": "map.partner_id",
    "invoice_user_id": "map.user_id",
    "date": "src.date + map.shift",
    "invoice_date": "src.invoice_date + map.shift",
    "invoice_date_due": "src.invoice_date_due + map.shift",
    "payment_reference": "src.payment_reference || '-' || map.round",
    "reversed_entry_id": None,
    "secure_sequence_number": None,
    "inalterable_hash": None,
    "message_main_attachment_id": None,
    "origin_payment_id": None,
    "statement_line_id": None,
    "auto_post_origin_id": None,
    "tax_cash_basis_rec_id": None,
    "tax_cash_basis_origin_move_id": None,
}
MOVE_LINE = {
    "move_id": "map.new_id",
    "move_name": "src.move_name || '-' || map.round",
    "partner_id": "CASE WHEN src.partner_id IS NULL THEN NULL ELSE map.partner_id END",
    "date": "src.date + map.shift",
    "invoice_date": "src.invoice_date + map.shift",
    "date_maturity": "src.date_maturity + map.shift",
    "full_reconcile_id": None,
    "matching_number": None,
    "reconcile_model_id": None,
    "statement_line_id": None,
    "statement_id": None,
    "payment_id": None,
}
ORDER = {
    "name": "src.name || '-' || map.round",
    "partner_id": "map.partner_id",
    "partner_invoice_id": "map.partner_id",
    "partner_shipping_id": "map.partner_id",
    "user_id": "map.user_id",
    "date_order": "src.date_order + make_interval(days => map.shift)",
    "access_token": None,
    "message_main_attachment_id": None,
}
ORDER_LINE = {
    "order_id": "map.new_id",
    "order_partner_id": "map.partner_id",
    "salesman_id": "map.user_id",
}


class Replicator:
    def __init__(self, env, rng, today, months, pool, users):
        """``pool``: the customers to pick from (repeated to weigh them);
        ``users``: {partner_id: salesperson user id}."""
        self.env = env
        self.cr = env.cr
        self.rng = rng
        self.today = today
        self.months = months
        self.pool = pool
        self.users = users

    def _columns(self, table):
        self.cr.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = %s AND column_name <> 'id'"
            " ORDER BY ordinal_position",
            [table],
        )
        return [name for (name,) in self.cr.fetchall()]

    def _select(self, table, overrides):
        columns = self._columns(table)
        exprs = []
        for column in columns:
            expr = overrides.get(column, f"src.{column}")
            exprs.append("NULL" if expr is None else expr)
        names = ", ".join(f'"{c}"' for c in columns)
        return names, ", ".join(exprs)

    def _map(self, rows, sequence, rounds, date_of):
        """Fill the temporary table kam_bench_map with one copy per seed row and
        round: new id, another customer, another day of the period."""
        self.cr.execute(
            "CREATE TEMP TABLE IF NOT EXISTS kam_bench_map"
            " (src_id int, new_id int, partner_id int, user_id int, shift int,"
            " round int) ON COMMIT DROP"
        )
        self.cr.execute("TRUNCATE kam_bench_map")
        span = (self.today - (self.today - timedelta(days=self.months * 30))).days
        values = []
        for round_ in range(1, rounds + 1):
            for src_id, day in rows:
                partner = self.rng.choice(self.pool)
                new_day = self.today - timedelta(days=self.rng.randrange(1, span))
                values.append(
                    (
                        src_id,
                        partner,
                        self.users[partner],
                        (new_day - date_of(day)).days,
                        round_,
                    )
                )
        if not values:
            return 0
        columns = list(zip(*values, strict=True))
        self.cr.execute(
            SQL(
                """
                INSERT INTO kam_bench_map
                       (src_id, new_id, partner_id, user_id, shift, round)
                SELECT src, nextval(%(sequence)s), partner, usr, shift, rnd
                  FROM unnest(%(src)s::int[], %(partner)s::int[], %(usr)s::int[],
                              %(shift)s::int[], %(rnd)s::int[])
                       AS t(src, partner, usr, shift, rnd)
                """,
                sequence=sequence,
                src=list(columns[0]),
                partner=list(columns[1]),
                usr=list(columns[2]),
                shift=list(columns[3]),
                rnd=list(columns[4]),
            )
        )
        return len(values)

    def _copy(self, table, line_table, line_key, overrides, line_overrides):
        names, exprs = self._select(table, overrides)
        self.cr.execute(
            f'INSERT INTO "{table}" (id, {names})'  # noqa: S608 (bench: own names)
            f" SELECT map.new_id, {exprs} FROM {table} src"
            " JOIN kam_bench_map map ON map.src_id = src.id"
        )
        names, exprs = self._select(line_table, line_overrides)
        self.cr.execute(
            f'INSERT INTO "{line_table}" ({names})'  # noqa: S608
            f" SELECT {exprs} FROM {line_table} src"
            f" JOIN kam_bench_map map ON map.src_id = src.{line_key}"
        )
        return self.cr.rowcount

    def invoices(self, lines):
        """Copy the posted customer invoices and credit notes until the revenue
        lines (product lines) number at least ``lines``; returns (moves, product
        lines) added."""
        self.env.flush_all()
        self.cr.execute(
            """
            SELECT move.id, move.invoice_date, COUNT(line.id)
              FROM account_move move
              JOIN account_move_line line
                ON line.move_id = move.id AND line.display_type = 'product'
             WHERE move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
          GROUP BY move.id ORDER BY move.id
            """
        )
        seed = self.cr.fetchall()
        have = sum(count for _id, _day, count in seed)
        if not seed or have >= lines:
            return 0, 0
        rounds = math.ceil((lines - have) / have)
        moves = self._map(
            [(move_id, day) for move_id, day, _c in seed],
            "account_move_id_seq",
            rounds,
            lambda day: day,
        )
        self._copy("account_move", "account_move_line", "move_id", MOVE, MOVE_LINE)
        return moves, have * rounds

    def orders(self, count):
        """Copy the confirmed orders until they number ``count``."""
        self.env.flush_all()
        self.cr.execute(
            "SELECT id, date_order FROM sale_order WHERE state = 'sale' ORDER BY id"
        )
        seed = self.cr.fetchall()
        if not seed or len(seed) >= count:
            return 0
        rounds = math.ceil((count - len(seed)) / len(seed))
        added = self._map(
            seed, "sale_order_id_seq", rounds, lambda moment: moment.date()
        )
        self._copy("sale_order", "sale_order_line", "order_id", ORDER, ORDER_LINE)
        return added
