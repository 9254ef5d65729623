"""Data generator of the kam_management benchmark.

Builds, through the ORM in batches, a company's sales history: KAMs, key accounts,
ordinary customers, confirmed orders, posted invoices with refunds and payments,
visits, credit checks, contracts and a department plan split into the KAMs' plans.
Runs as superuser with mail tracking off; ``commit=True`` commits after each batch
(the benchmark's own database), ``False`` inside a test transaction.
"""

import random
import time
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, Command, api, fields

from .replicate import Replicator

BATCH = 200  # moves per create/post batch
LINES_PER_INVOICE = 10
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
    "mail_create_nosubscribe": True,
    "no_reset_password": True,
}
TIERS = ("a", "b", "c")


class Generator:
    def __init__(self, env, seed=1, commit=False, log=print, today=None):
        self.env = api.Environment(
            env.cr, SUPERUSER_ID, dict(env.context, **QUIET), su=True
        )
        self.rng = random.Random(seed)
        self.commit = commit
        self.log = log
        self.today = today or fields.Date.context_today(self.env["res.partner"])
        self.rates = {}  # step: (records, seconds)

    # --- helpers ---------------------------------------------------------
    def _done(self, step, count, started):
        seconds = time.perf_counter() - started
        self.rates[step] = (count, seconds)
        self.log(
            f"[gen] {step}: {count} in {seconds:.1f} s "
            f"({count / seconds if seconds else 0:.0f}/s)"
        )

    def _checkpoint(self):
        self.env.flush_all()
        if self.commit:
            self.env.cr.commit()
        self.env.invalidate_all()

    def _day(self, months):
        span = (self.today - (self.today - relativedelta(months=months))).days
        return self.today - timedelta(days=self.rng.randrange(1, span))

    # --- master data -----------------------------------------------------
    def master_data(self, kams, accounts, others):
        env = self.env
        started = time.perf_counter()
        company = env.company
        if not env["account.journal"].search_count(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        ):
            env["account.chart.template"].try_loading(
                "generic_coa", company=company, install_demo=False
            )
        self._done("chart of accounts", 1, started)

        started = time.perf_counter()
        Users = env["res.users"].with_context(**QUIET)

        def user_vals(login, name, groups):
            return {
                "login": login,
                "name": name,
                "email": f"{login}@bench.example.com",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "group_ids": [Command.set([env.ref(g).id for g in groups])],
            }

        head, support, salesman = Users.create(
            [
                user_vals(
                    "bench_head", "Bench Head", ["kam_management.group_kam_manager"]
                ),
                user_vals(
                    "bench_support",
                    "Bench Support",
                    ["kam_management.group_kam_sales_support"],
                ),
                user_vals(
                    "bench_sales",
                    "Bench Salesperson",
                    ["sales_team.group_sale_salesman"],
                ),
            ]
        )
        kam_users = Users.create(
            [
                user_vals(
                    f"bench_kam_{i:03d}",
                    f"Bench KAM {i:03d}",
                    ["kam_management.group_kam_user"],
                )
                for i in range(kams)
            ]
        )
        team = env["crm.team"].create(
            {
                "name": "Bench Key Accounts",
                "user_id": head.id,
                "company_id": company.id,
                "crm_team_member_ids": [
                    Command.create({"user_id": kam.id}) for kam in kam_users
                ],
            }
        )
        company.kam_sales_support_user_id = support
        self._done("users", kams + 3, started)

        started = time.perf_counter()
        tax = env["account.tax"].search(
            [
                ("type_tax_use", "=", "sale"),
                ("company_id", "=", company.id),
                ("amount_type", "=", "percent"),
            ],
            limit=1,
        )
        products = env["product.product"].create(
            [
                {
                    "name": f"Bench Product {i:02d}",
                    "default_code": f"BENCH-{i:02d}",
                    "type": "consu",
                    "list_price": 5.0 + 3 * i,
                    "invoice_policy": "order",
                    "taxes_id": [Command.set(tax.ids)],
                }
                for i in range(30)
            ]
        )
        segments = env["kam.segment"].create(
            [{"name": f"Bench Segment {s}"} for s in ("Retail", "HoReCa", "Wholesale")]
        )
        Partner = env["res.partner"].with_context(**QUIET)
        key_accounts = Partner.browse()
        for start in range(0, accounts, 500):
            key_accounts |= Partner.create(
                [
                    {
                        "name": f"Bench Key Account {i:05d}",
                        "is_company": True,
                        "is_key_account": True,
                        "kam_user_id": kam_users[i % kams].id,
                        "user_id": kam_users[i % kams].id,
                        "kam_tier": TIERS[i % 3],
                        "kam_segment_id": segments[i % 3].id,
                        "credit_limit": 10_000_000.0,
                        "city": "Bench City",
                        # spread over a region (no random draw: the rest of the
                        # data stays as it was), for the planner's routes
                        "partner_latitude": 47.5 + (i * 7919 % 1000) / 250,
                        "partner_longitude": 6.0 + (i * 104729 % 1000) / 125,
                    }
                    for i in range(start, min(start + 500, accounts))
                ]
            )
            self._checkpoint()
        customers = Partner.browse()
        for start in range(0, others, 1000):
            customers |= Partner.create(
                [
                    {
                        "name": f"Bench Customer {i:05d}",
                        "is_company": True,
                        "user_id": salesman.id,
                        "credit_limit": 10_000_000.0,
                    }
                    for i in range(start, min(start + 1000, others))
                ]
            )
            self._checkpoint()
        self._done("partners", accounts + others, started)
        self.data = {
            "company": company.id,
            "head": head.id,
            "support": support.id,
            "salesman": salesman.id,
            "kams": kam_users.ids,
            "team": team.id,
            "products": products.ids,
            "key_accounts": key_accounts.ids,
            "customers": customers.ids,
        }
        return self.data

    # --- sales history -----------------------------------------------------
    def _partner_pool(self):
        """Key accounts buy three times as often as ordinary customers."""
        data = self.data
        return data["key_accounts"] * 3 + data["customers"]

    def orders(self, count, months):
        """Confirmed orders of 10 lines (created confirmed: the report reads them)."""
        env = self.env
        started = time.perf_counter()
        pool = self._partner_pool()
        products = env["product.product"].browse(self.data["products"])
        Order = env["sale.order"].with_context(**QUIET)
        partners = env["res.partner"].browse(pool)
        users = {p.id: p.user_id.id for p in partners}
        for start in range(0, count, BATCH):
            vals_list = []
            for _i in range(start, min(start + BATCH, count)):
                partner_id = self.rng.choice(pool)
                day = self._day(months)
                vals_list.append(
                    {
                        "partner_id": partner_id,
                        "user_id": users[partner_id],
                        "state": "sale",
                        "date_order": datetime.combine(day, datetime.min.time()),
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": self.rng.randint(1, 40),
                                }
                            )
                            for product in self.rng.sample(
                                list(products), LINES_PER_INVOICE
                            )
                        ],
                    }
                )
            Order.create(vals_list)
            self._checkpoint()
        self._done("confirmed orders", count, started)

    def invoices(self, lines, months, refund_share=0.05, paid_share=0.8):
        """Posted invoices of 10 lines; refunds of some, payments of most older than
        45 days (the rest are overdue)."""
        env = self.env
        started = time.perf_counter()
        pool = self._partner_pool()
        products = env["product.product"].browse(self.data["products"])
        prices = {p.id: p.list_price for p in products}
        Move = env["account.move"].with_context(**QUIET)
        count = max(lines // LINES_PER_INVOICE, 1)
        to_refund, to_pay = [], []
        for start in range(0, count, BATCH):
            vals_list = []
            for _i in range(start, min(start + BATCH, count)):
                day = self._day(months)
                vals_list.append(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.rng.choice(pool),
                        "invoice_date": day,
                        "date": day,
                        "invoice_date_due": day + timedelta(days=30),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product_id,
                                    "quantity": self.rng.randint(1, 40),
                                    "price_unit": prices[product_id],
                                }
                            )
                            for product_id in self.rng.sample(
                                list(prices), LINES_PER_INVOICE
                            )
                        ],
                    }
                )
            moves = Move.create(vals_list)
            moves._post(soft=False)
            for move in moves:
                if self.rng.random() < refund_share:
                    to_refund.append(move.id)
                elif (
                    move.invoice_date < self.today - timedelta(days=45)
                    and self.rng.random() < paid_share
                ):
                    to_pay.append(move.id)
            self._checkpoint()
        self._done("posted invoices", count, started)
        self.rates["invoice lines"] = (
            count * LINES_PER_INVOICE,
            self.rates["posted invoices"][1],
        )

        started = time.perf_counter()
        for start in range(0, len(to_refund), BATCH):
            origins = Move.browse(to_refund[start : start + BATCH])
            vals_list = []
            # a key account's credit note carries its reason (duty 2.11)
            reason = self.env.ref("kam_management.kam_reason_return_damaged")
            for origin in origins:
                day = min(origin.invoice_date + timedelta(days=10), self.today)
                line = origin.invoice_line_ids[:1]
                vals_list.append(
                    {
                        "move_type": "out_refund",
                        "partner_id": origin.partner_id.id,
                        "reversed_entry_id": origin.id,
                        "kam_reason_id": reason.id,
                        "invoice_date": day,
                        "date": day,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": line.product_id.id,
                                    "quantity": max(1, line.quantity // 2),
                                    "price_unit": line.price_unit,
                                }
                            )
                        ],
                    }
                )
            Move.create(vals_list)._post(soft=False)
            self._checkpoint()
        self._done("refunds", len(to_refund), started)

        started = time.perf_counter()
        for start in range(0, len(to_pay), BATCH):
            invoices = Move.browse(to_pay[start : start + BATCH])
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoices.ids, **QUIET
            ).create({"group_payment": False})._create_payments()
            self._checkpoint()
        self._done("payments", len(to_pay), started)

    def replicate(self, lines, orders, months):
        """SQL copies of the ORM-made invoices and orders up to the sizes asked."""
        started = time.perf_counter()
        pool = self._partner_pool()
        partners = self.env["res.partner"].browse(pool)
        copier = Replicator(
            self.env,
            self.rng,
            self.today,
            months,
            pool,
            {partner.id: partner.user_id.id for partner in partners},
        )
        moves, added = copier.invoices(lines)
        self.env.invalidate_all()
        self._done("invoice lines copied in SQL", added, started)
        self.rates["invoices copied in SQL"] = (
            moves,
            self.rates["invoice lines copied in SQL"][1],
        )
        started = time.perf_counter()
        copied = copier.orders(orders)
        self.env.invalidate_all()
        self._checkpoint()
        self._done("orders copied in SQL", copied, started)

    # --- key account management -------------------------------------------
    def visits(self, count, months):
        """Visits and calls done (a few missed) over the period; 3 % still planned
        though past their end (the missed-visit cron's work)."""
        env = self.env
        started = time.perf_counter()
        accounts = env["res.partner"].browse(self.data["key_accounts"])
        kam_of = {a.id: a.kam_user_id.id for a in accounts}
        Visit = env["kam.visit"].with_context(**QUIET)
        planned = max(count * 3 // 100, 2)
        for start in range(0, count, 1000):
            vals_list = []
            for i in range(start, min(start + 1000, count)):
                partner_id = self.rng.choice(accounts.ids)
                if i < planned:
                    day, state = self.today - timedelta(days=3 + i % 20), "planned"
                else:
                    day = self._day(months) - timedelta(days=3)
                    state = "missed" if self.rng.random() < 0.05 else "done"
                begin = datetime.combine(day, datetime.min.time()) + timedelta(
                    hours=8 + self.rng.randrange(8)
                )
                vals = {
                    "partner_id": partner_id,
                    "user_id": kam_of[partner_id],
                    "visit_type": "visit",
                    "date_start": begin,
                    "state": state,
                    "purpose": "Review orders",
                }
                if state == "done":
                    vals.update(check_in=begin, check_out=begin + timedelta(hours=1))
                vals_list.append(vals)
            Visit.create(vals_list)
            self._checkpoint()
        self._done("visits", count, started)

    def credit_and_contracts(self):
        """An approved credit check and an active contract per key account; 1/10 of
        each ended already and 1/10 end within the reminder days (the crons' work)."""
        env = self.env
        started = time.perf_counter()
        accounts = env["res.partner"].browse(self.data["key_accounts"])
        today = self.today

        def end(i):
            if i % 10 == 0:
                return today - timedelta(days=1 + i % 30)
            if i % 10 == 1:
                return today + timedelta(days=5)
            return today + timedelta(days=200 + i % 100)

        for start in range(0, len(accounts), 500):
            chunk = accounts[start : start + 500]
            env["kam.credit.check"].with_context(**QUIET).create(
                [
                    {
                        "partner_id": account.id,
                        "date": today - timedelta(days=400),
                        "requested_limit": 50_000.0,
                        "approved_limit": 50_000.0,
                        "state": "approved",
                        "valid_until": end(start + i),
                    }
                    for i, account in enumerate(chunk)
                ]
            )
            env["kam.contract"].with_context(**QUIET).create(
                [
                    {
                        "partner_id": account.id,
                        "date_start": today - timedelta(days=400),
                        "date_end": end(start + i),
                        "state": "active",
                    }
                    for i, account in enumerate(chunk)
                ]
            )
            self._checkpoint()
        self._done("credit checks + contracts", 2 * len(accounts), started)

    def plans(self):
        """This year's department plan of the team, approved and split."""
        env = self.env
        started = time.perf_counter()
        head = env["res.users"].browse(self.data["head"])
        Plan = env["kam.plan"].with_user(head).with_context(**QUIET)
        department = Plan.create(
            {
                "name": f"Bench department plan {self.today.year}",
                "plan_type": "department",
                "team_id": self.data["team"],
                "date_from": self.today.replace(month=1, day=1),
                "date_to": self.today.replace(month=12, day=31),
                "target_amount": 10_000_000.0,
                "target_active_accounts": len(self.data["key_accounts"]),
                "target_new_accounts": 10,
            }
        )
        department.action_approve()
        individual = department.action_split()
        self.data["department_plan"] = department.id
        self.data["plans"] = individual.ids
        self._checkpoint()
        self._done("plans (department + split)", 1 + len(individual), started)


def generate(
    env,
    kams=50,
    accounts=1000,
    others=5000,
    lines=200_000,
    orders=None,
    visits=20_000,
    months=24,
    orm_lines=10_000,
    orm_orders=250,
    seed=1,
    commit=False,
    log=print,
):
    """Build the data set; return (ids of what was made, {step: (count, seconds)}).

    Up to ``orm_lines`` invoice lines and ``orm_orders`` orders are made through
    the ORM, the rest are SQL copies of them (bench/replicate.py)."""
    gen = Generator(env, seed=seed, commit=commit, log=log)
    gen.master_data(kams, accounts, others)
    orders = orders if orders is not None else max(lines // 40, 2)
    gen.orders(min(orders, orm_orders), months)
    gen.invoices(min(lines, orm_lines), months)
    gen.replicate(lines, orders, months)
    gen.visits(visits, months)
    gen.credit_and_contracts()
    gen.plans()
    if commit:
        # as autovacuum would do on a live database: plans for the new row counts
        env.cr.execute("ANALYZE")
    return gen.data, gen.rates
