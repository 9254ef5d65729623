import base64
import random
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

from ..models.workflow import workflow


class KamDemoData(models.AbstractModel):
    """Builds the sales history of the demo key accounts (demo data only).

    Dates are relative to the day the demo is installed, so the 12-month KPIs, overdue
    amounts and last order dates always show real numbers.
    """

    _name = "kam.demo.data"
    _description = "Key Account Management demo data"

    @api.model
    def _generate_history(self, months=11, orders_per_account=5, seed=42):
        rng = random.Random(seed)
        company = self.env.company
        if not self.env["account.journal"].search_count(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        ):
            self.env["account.chart.template"].try_loading(
                "generic_coa", company=company, install_demo=False
            )
        partners = self.env["res.partner"].search(
            [("is_key_account", "=", True), ("is_company", "=", True)]
        )
        products = self.env["product.product"].search(
            [("default_code", "=like", "KAM-%")], order="default_code"
        )
        if not partners or not products:
            return
        today = fields.Date.context_today(self)
        first_day = today - relativedelta(months=months)
        span = (today - first_day).days

        order_vals, order_dates = [], []
        for partner in partners:
            size = {"a": 3.0, "b": 1.5, "c": 1.0}.get(partner.kam_tier, 1.0)
            for _i in range(orders_per_account):
                day = first_day + timedelta(days=rng.randrange(span))
                lines = [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": max(1, round(rng.randint(5, 40) * size)),
                        }
                    )
                    for product in rng.sample(list(products), rng.randint(2, 4))
                ]
                order_vals.append(
                    {
                        "partner_id": partner.id,
                        "user_id": partner.kam_user_id.id,
                        "order_line": lines,
                        # promised three days after the order (fulfilment, 2.11)
                        "commitment_date": datetime.combine(
                            day + timedelta(days=3), time(18, 0)
                        ),
                    }
                )
                order_dates.append(day)
        orders = self.env["sale.order"].create(order_vals)
        orders.action_confirm()
        # action_confirm stamps "now": put each order back on its day
        for order, day in zip(orders, order_dates, strict=True):
            order.date_order = datetime.combine(day, time(10, 0))
        waiting = self._deliver_history(orders, rng, today)
        orders -= self._cancel_demo_order(waiting)
        invoices = orders._create_invoices(grouped=True)
        for invoice in invoices:
            order = invoice.line_ids.sale_line_ids.order_id[:1]
            invoice.invoice_date = order.date_order.date() + timedelta(days=1)
        invoices.action_post()

        # Pay what is older than ~45 days, except a few late payers (-> overdue).
        late_payers = partners.filtered(lambda p: p.kam_tier == "c")[:4]
        to_pay = invoices.filtered(
            lambda inv: inv.invoice_date < today - timedelta(days=45)
            and (inv.partner_id not in late_payers or rng.random() < 0.5)
        )
        for invoice in to_pay:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {"payment_date": min(invoice.invoice_date_due, today)}
            )._create_payments()

        # A few partial refunds (returns, duty 2.11), each with its reason.
        reasons = [
            self.env.ref(f"kam_management.kam_reason_{xmlid}")
            for xmlid in ("return_damaged", "return_expired", "refusal_quality")
        ]
        refund_vals = []
        for invoice in rng.sample(list(invoices), max(1, len(invoices) // 12)):
            line = invoice.invoice_line_ids[:1]
            refund_vals.append(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "invoice_date": min(
                        invoice.invoice_date + timedelta(days=10), today
                    ),
                    "ref": self.env._("Return on %(invoice)s", invoice=invoice.name),
                    "kam_reason_id": rng.choice(reasons).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "quantity": max(1, line.quantity // 4),
                                "price_unit": line.price_unit,
                                "tax_ids": [Command.set(line.tax_ids.ids)],
                            }
                        )
                    ],
                }
            )
        self.env["account.move"].create(refund_vals).action_post()

    @api.model
    def _generate_collection(self):
        """Collection actions on overdue invoices (duty 2.13): a promise kept (paid
        after it was logged), a promise broken (nothing paid: a to-do for the KAM)
        and a promise still open, on three accounts that owe."""
        today = fields.Date.context_today(self)
        overdue = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("invoice_date_due", "<", today),
                ("commercial_partner_id.is_key_account", "=", True),
                ("company_id", "=", self.env.company.id),
            ],
            order="invoice_date_due",
        )
        by_account = {}
        for invoice in overdue:
            by_account.setdefault(invoice.commercial_partner_id, invoice)
        invoices = list(by_account.values())[:3]
        if len(invoices) < 3:
            return
        kept_invoice, broken_invoice, open_invoice = invoices
        Action = self.env["kam.collection.action"]
        with workflow():
            kept, broken = Action.create(
                [
                    {
                        "partner_id": invoice.commercial_partner_id.id,
                        "action_type": action_type,
                        "date": today - timedelta(days=12),
                        "invoice_ids": [Command.set(invoice.ids)],
                        "promised_date": today - timedelta(days=2),
                        "promised_amount": invoice.company_currency_id.round(
                            invoice.amount_residual_signed / 2
                        ),
                        "result": result,
                    }
                    for invoice, action_type, result in (
                        (
                            kept_invoice,
                            "call",
                            self.env._("Accounts payable will pay half this week."),
                        ),
                        (
                            broken_invoice,
                            "email",
                            self.env._("Promised to pay half after the stock count."),
                        ),
                    )
                ]
            )
        # the kept promise is paid after it was logged
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=kept_invoice.ids
        ).create(
            {
                "payment_date": today - timedelta(days=3),
                "amount": kept.promised_amount,
                "payment_difference_handling": "open",
            }
        )._create_payments()
        (kept | broken)._kam_decide_promises(today)
        Action.create(
            {
                "partner_id": open_invoice.commercial_partner_id.id,
                "action_type": "visit",
                "invoice_ids": [Command.set(open_invoice.ids)],
                "promised_date": today + timedelta(days=7),
                "promised_amount": open_invoice.amount_residual_signed,
                "result": self.env._("Will pay it all next week, by bank transfer."),
            }
        )

    @api.model
    def _deliver_history(self, orders, rng, today):
        """Deliver the orders of the history: most on time, some late or short;
        those of the last week wait (late when their date has passed)."""
        waiting = orders.filtered(
            lambda o: o.date_order.date() > today - timedelta(days=7)
        )
        # two more left undelivered past their delivery date: late deliveries
        waiting |= (orders - waiting)[-2:]
        delivered = orders - waiting
        pickings = delivered.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        short = pickings[:3]
        for move in pickings.move_ids:
            qty = move.product_uom_qty
            if move.picking_id in short:
                qty = max(qty - 3, 1)
            move.write({"quantity": qty, "picked": True})
        pickings.with_context(cancel_backorder=True)._action_done()
        for order in delivered:
            late_days = rng.choice([1, 1, 2, 2, 3, 5])
            order.picking_ids.filtered(lambda p: p.state == "done").move_ids.write(
                {"date": order.date_order + timedelta(days=late_days)}
            )
        return waiting

    @api.model
    def _cancel_demo_order(self, waiting):
        """A confirmed order the account cancelled, with its reason (2.11)."""
        order = waiting[:1]
        order.kam_reason_id = self.env.ref(
            "kam_management.kam_reason_cancellation_client"
        )
        order.action_cancel()
        return order

    @api.model
    def _generate_plans(self, team_xmlid="kam_management.crm_team_key_accounts_demo"):
        """The current year's department plan of the key account team, split into the
        KAMs' plans: one approved, one waiting for review, one draft."""
        team = self.env.ref(team_xmlid, raise_if_not_found=False)
        if not team:
            return
        today = fields.Date.context_today(self)
        Plan = self.env["kam.plan"]
        accounts = self.env["res.partner"].search(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_user_id", "in", team.member_ids.ids),
            ]
        )
        revenue = sum(accounts.mapped("kam_revenue_12m"))
        department = Plan.create(
            {
                "name": self.env._("Key accounts %(year)s", year=today.year),
                "plan_type": "department",
                "team_id": team.id,
                "date_from": today.replace(month=1, day=1),
                "date_to": today.replace(month=12, day=31),
                # a stretch of 10 % over the last 12 months
                "target_amount": round(revenue * 1.1, -3) or 100000.0,
                "target_active_accounts": max(len(accounts) - 2, 1),
                "target_new_accounts": 3,
            }
        )
        department.action_approve()
        plans = department.action_split()
        plans.write({"base_variable_pay": 6000.0})
        plans = plans.sorted(lambda p: p.user_id.login)
        if plans:
            plans[0].action_submit()
            plans[0].with_user(team.user_id).validate_tier()
        if len(plans) > 1:
            plans[1].action_submit()

    @api.model
    def _generate_visits(self, weeks=4, seed=7):
        """Past visits (done, some missed or far from the client), and this week's
        plan of every KAM made with the weekly planner."""
        rng = random.Random(seed)
        accounts = self.env["res.partner"].search(
            [("is_key_account", "=", True), ("is_company", "=", True)]
        )
        if not accounts:
            return
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        monday = fields.Date.context_today(self) - timedelta(
            days=fields.Date.context_today(self).weekday()
        )
        vals_list = []
        for account in accounts:
            step = max(account.kam_visit_interval_days // 7, 1)
            for week in range(weeks, -1, -step):
                day = monday - timedelta(weeks=week, days=-rng.randrange(5))
                if day >= fields.Date.context_today(self):
                    continue
                start = datetime.combine(day, time(8 + rng.randrange(8), 0))
                state = "missed" if rng.random() < 0.1 else "done"
                vals = {
                    "partner_id": account.id,
                    "user_id": account.kam_user_id.id,
                    "visit_type": "call" if account.kam_tier == "c" else "visit",
                    "date_start": start,
                    "state": state,
                    "purpose": self.env._("Review orders and promotions"),
                }
                if state == "done":
                    vals.update(
                        check_in=start,
                        check_out=start + timedelta(hours=1),
                        outcome=self.env._("Order discussed, shelf checked."),
                        is_far_check_in=rng.random() < 0.1,
                    )
                vals_list.append(vals)
        self.env["kam.visit"].create(vals_list)
        # late in the week, the plan is next week's
        plan_monday = monday + timedelta(weeks=1) if now.weekday() >= 4 else monday
        for kam in accounts.kam_user_id:
            planner = self.env["kam.visit.planner"].create(
                {"user_id": kam.id, "week_start": plan_monday}
            )
            planner.action_propose()
            if planner.line_ids:
                planner.action_create_visits()
        # an order taken on one of today's visits, waiting for sales support
        support = self.env.ref(
            "kam_management.user_kam_sofia_demo", raise_if_not_found=False
        )
        if support:
            self.env.company.kam_sales_support_user_id = support
        planned = self.env["kam.visit"].search(
            [("state", "=", "planned"), ("date_start", ">=", now)], limit=1
        )
        if planned:
            planned.action_take_order()

    @api.model
    def _generate_merchandising(self, weeks=4, seed=11):
        """A month of merchandising: the shelf checks and promotion displays done on
        the past visits (answers, small photos), then the recurring tasks due now."""
        rng = random.Random(seed)
        Task = self.env["kam.merchandising.task"]
        types = self.env["kam.merchandising.task.type"].search(
            [("recurrence_days", ">", 0)]
        )
        since = fields.Datetime.now() - timedelta(weeks=weeks)
        visits = self.env["kam.visit"].search(
            [("state", "=", "done"), ("date_start", ">=", since)], order="date_start"
        )
        done_types = {}
        for visit in visits:
            for task_type in types:
                account = visit.partner_id
                if not account.filtered_domain(task_type._kam_scope_domain()):
                    continue
                last = done_types.get((account, task_type))
                day = visit.date_start.date()
                if last and (day - last).days < task_type.recurrence_days:
                    continue
                done_types[account, task_type] = day
                task = Task.create(
                    {
                        "partner_id": account.id,
                        "task_type_id": task_type.id,
                        "visit_id": visit.id,
                        "date_deadline": day,
                        "company_id": visit.company_id.id,
                    }
                )
                for line in task.line_ids:
                    line.result = rng.choices(("ok", "not_ok", "na"), (8, 2, 1))[0]
                    if line.photo_required:
                        line.photo = _demo_photo(rng)
                task.photo_before = _demo_photo(rng)
                task.photo_after = _demo_photo(rng)
                task.action_done()
                task.date_done = day
        # what the daily cron makes (without its progress commits: demo data load
        # in one transaction)
        Task._kam_create_due(Task._kam_due())

    @api.model
    def _generate_credit(self):
        """Credit checks and contracts: most A and B accounts checked and contracted,
        one check waiting for the head of sales, one account on hold."""
        head = self.env.ref(
            "kam_management.user_kam_hector_demo", raise_if_not_found=False
        )
        accounts = self.env["res.partner"].search(
            [("is_key_account", "=", True), ("is_company", "=", True)], order="id"
        )
        if not head or not accounts:
            return
        today = fields.Date.context_today(self)
        term = self.env.ref(
            "account.account_payment_term_30days", raise_if_not_found=False
        )
        Check = self.env["kam.credit.check"]
        checks = Check.create(
            [
                {
                    "partner_id": account.id,
                    "date": today - timedelta(days=30),
                    "requested_limit": round(
                        max(account.kam_revenue_12m, 10000.0) * 0.5, -3
                    ),
                    "annual_revenue": round(account.kam_revenue_12m * 40, -3),
                    "equity": round(account.kam_revenue_12m * 2, -3),
                    "years_in_business": 4 + account.id % 15,
                    "external_rating": {"a": "a", "b": "b"}.get(account.kam_tier, "c"),
                }
                for account in accounts
            ]
        )
        to_approve, pending = checks[:-2], checks[-2:-1]
        for check in to_approve | pending:
            check.with_user(check.user_id).action_submit()
        for check in to_approve:
            check.with_user(head).validate_tier()
        # the last account: rejected, so on credit hold
        rejected = checks[-1:]
        rejected.with_user(rejected.user_id).action_submit()
        rejected.with_user(head).reject_tier()
        Contract = self.env["kam.contract"]
        for account in accounts.filtered(lambda a: a.kam_tier in ("a", "b")):
            contract = Contract.create(
                {
                    "partner_id": account.id,
                    "date_start": today.replace(month=1, day=1),
                    "date_end": today.replace(month=12, day=31),
                    "payment_term_id": term.id if term else False,
                }
            )
            contract.with_user(head).action_activate()

    @api.model
    def _generate_trainings(self, seed=12):
        """Sessions for the staff of the accounts that have contacts (attendees,
        materials, feedback, some with a next session planned), and every KAM's own
        development of last year and this year (certificates, one due for renewal)."""
        rng = random.Random(seed)
        accounts = self.env["res.partner"].search(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("child_ids", "!=", False),
            ],
            order="id",
        )
        if not accounts:
            return
        today = fields.Date.context_today(self)
        year_start = today.replace(month=1, day=1)
        # more staff: a store manager and a shelf assistant per account
        # in the account's language (Dmitry's accounts are Russian)
        self.env["res.partner"].create(
            [
                {
                    "name": name,
                    "parent_id": account.id,
                    "function": function,
                }
                for account in accounts
                for name, function in self.with_context(
                    lang=account.lang
                )._demo_store_staff(account)
            ]
        )
        topics = [
            self.env._("New shelf layout"),
            self.env._("Product range update"),
            self.env._("Promotion mechanics"),
            self.env._("Ordering on the customer portal"),
            self.env._("Merchandising standards"),
        ]
        client_vals = []
        for index, account in enumerate(accounts):
            staff = account.child_ids.filtered(lambda c: c.type == "contact")
            # one session months ago, one within the last weeks
            for days_ago in (120 + rng.randrange(90), 5 + rng.randrange(40)):
                day = today - timedelta(days=days_ago)
                client_vals.append(
                    {
                        "training_type": "client",
                        "partner_id": account.id,
                        "user_id": account.kam_user_id.id,
                        "topic": topics[(index + days_ago) % len(topics)],
                        "date": day,
                        "duration_hours": rng.choice([1.0, 1.5, 2.0, 3.0]),
                        "attendee_ids": [
                            Command.set(
                                rng.sample(staff.ids, rng.randint(1, len(staff)))
                            )
                        ],
                        "feedback_score": str(rng.randint(3, 5)),
                        "next_session_date": day + timedelta(days=60)
                        if days_ago < 60 and index % 2 == 0
                        else False,
                    }
                )
        sessions = self.env["kam.training"].create(client_vals)
        handouts = self.env["ir.attachment"].create(
            [
                {
                    "name": "session_handout.txt",
                    "raw": (
                        f"{session.topic}\n\n"
                        "1. Why it matters\n2. How to do it\n3. Questions\n"
                    ).encode(),
                    "mimetype": "text/plain",
                    "res_model": "kam.training",
                    "res_id": session.id,
                }
                for session in sessions[::3]
            ]
        )
        for session, handout in zip(sessions[::3], handouts, strict=True):
            session.material_ids = handout
        courses = [
            (self.env._("Negotiating with key accounts"), "Sales Academy", 16.0),
            (self.env._("Category management"), "Retail Institute", 8.0),
            (self.env._("Reading a balance sheet"), "Online course", 6.0),
            (self.env._("Presenting with data"), "Online course", 4.0),
        ]
        self_vals = []
        for index, kam in enumerate(accounts.kam_user_id.sorted("login")):
            for number, (course, provider, hours) in enumerate(courses[index:]):
                # the first course of last year, the others this year (to date)
                day = (
                    year_start - timedelta(days=60 + 30 * index)
                    if number == 0
                    else year_start
                    + timedelta(days=rng.randrange((today - year_start).days + 1))
                )
                vals = {
                    "training_type": "self",
                    "user_id": kam.id,
                    "topic": course,
                    "provider": provider,
                    "date": day,
                    "duration_hours": hours,
                }
                if number == 0:
                    # a certificate valid 14 months: its renewal is due soon
                    vals.update(
                        certificate=base64.b64encode(
                            f"Certificate of completion\n{kam.name}\n{course}".encode()
                        ),
                        certificate_filename="certificate.txt",
                        certificate_expiry_date=max(
                            day + relativedelta(months=14), today + timedelta(days=20)
                        ),
                    )
                self_vals.append(vals)
        self.env["kam.training"].create(self_vals)

    @api.model
    def _generate_acts(self):
        """Acts (duty 2.14): a shortage found on a delivered, invoiced order of a
        tier-A account, signed by its buyer, confirmed and settled by a draft credit
        note; a damage act still in draft on the same delivery."""
        today = fields.Date.context_today(self)
        line = self.env["account.move.line"].search(
            [
                ("move_id.move_type", "=", "out_invoice"),
                ("move_id.state", "=", "posted"),
                ("move_id.partner_id.kam_tier", "=", "a"),
                # an account with a buyer to sign the act
                ("move_id.partner_id.child_ids.type", "=", "contact"),
                ("sale_line_ids", "!=", False),
                ("quantity", ">=", 4),
            ],
            order="date desc, id",
            limit=1,
        )
        if not line:
            return
        invoice = line.move_id
        order = line.sale_line_ids.order_id[:1]
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )[:1]
        if picking and picking.state != "done":
            for move in picking.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            picking.with_context(skip_backorder=True).button_validate()
        account = invoice.partner_id.commercial_partner_id
        representative = account.child_ids.filtered(lambda c: c.type == "contact")[:1]
        common = {
            "partner_id": account.id,
            "invoice_id": invoice.id,
            "picking_id": picking.id if picking.state == "done" else False,
            "representative_id": representative.id,
            "date": min(invoice.invoice_date + timedelta(days=2), today),
            "date_signed": min(invoice.invoice_date + timedelta(days=2), today),
            "company_id": invoice.company_id.id,
        }
        shortage, _damage = self.env["kam.act"].create(
            [
                {
                    **common,
                    "act_type": "shortage",
                    "note": self.env._("Two cartons missing on the pallet."),
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "qty_actual": line.quantity - 2,
                            }
                        )
                    ],
                },
                {
                    **common,
                    "act_type": "damage",
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "qty_actual": line.quantity - 1,
                            }
                        )
                    ],
                },
            ]
        )
        shortage.action_confirm()
        shortage.action_create_credit_note()

    # --- know the account (issue 15) ---------------------------------------------
    @api.model
    def _generate_profile(self, seed=15):
        """Prospects at every stage, the profile and relationship map of the tier A
        accounts, then the health scores (as the nightly cron computes them)."""
        rng = random.Random(seed)
        Partner = self.env["res.partner"]
        kams = [
            self.env.ref(
                f"kam_management.user_kam_{name}_demo", raise_if_not_found=False
            )
            for name in ("anna", "boris", "clara")
        ]
        kams = [kam for kam in kams if kam]
        if not kams:
            return
        segments = self.env["kam.segment"].search([], limit=3)
        lost = self.env.ref("kam_management.kam_reason_lost_price")
        today = fields.Date.context_today(self)
        prospects = Partner.create(
            [
                {
                    "name": name,
                    "is_company": True,
                    "city": city,
                    "kam_prospect_state": "prospect",
                    "kam_user_id": kams[index % len(kams)].id,
                    "kam_segment_id": segments[index % len(segments)].id
                    if segments
                    else False,
                    "kam_potential_annual": potential,
                    "kam_needs": self.env._("A second supplier for its private label"),
                    "child_ids": [
                        Command.create(
                            {
                                "name": self.env._("Buyer of %(name)s", name=name),
                                "function": self.env._("Category Manager"),
                                "kam_contact_role": "decision_maker",
                                "kam_influence": 4,
                                "kam_attitude": "neutral",
                            }
                        )
                    ],
                }
                for index, (name, city, potential) in enumerate(
                    (
                        ("Harbour Foods", "Bremen", 120000.0),
                        ("Alpine Grocers", "Innsbruck", 80000.0),
                        ("Sunrise Cash & Carry", "Marseille", 250000.0),
                        ("Meadow Organic Stores", "Utrecht", 60000.0),
                        ("Lakeside Hotels", "Geneva", 90000.0),
                        ("Granite Wholesale", "Porto", 150000.0),
                    )
                )
            ]
        )
        # worked: a call last month and a visit last week
        worked = prospects[2:]
        for prospect in worked:
            for days in (30, 7):
                visit = self.env["kam.visit"].create(
                    {
                        "partner_id": prospect.id,
                        "contact_id": prospect.child_ids[:1].id,
                        "user_id": prospect.kam_user_id.id,
                        "visit_type": "call" if days > 7 else "visit",
                        "date_start": datetime.combine(
                            today - timedelta(days=days), time(10, 0)
                        ),
                        "purpose": self.env._("Present our range"),
                    }
                )
                visit.action_done()
        worked.action_kam_prospect_activate()
        prospects[3].kam_lost_reason_id = lost
        prospects[3].action_kam_prospect_lost()
        prospects[5].action_kam_make_key_account()
        # the profile and relationship map of the top accounts; the relationships of
        # some are well covered, of others not at all (their health shows it)
        accounts = Partner.search(
            [("is_key_account", "=", True), ("is_company", "=", True)], order="id"
        )
        revenue = self.env["kam.revenue.report"]._kam_amounts(
            accounts, today - relativedelta(years=1, days=-1), today
        )
        attitudes = ("supporter", "supporter", "neutral", "opponent")
        for index, account in enumerate(accounts.filtered(lambda a: a.kam_tier == "a")):
            account.write(
                {
                    "kam_potential_annual": round(
                        max(revenue.get(account, 0.0), 10000.0)
                        * rng.choice((1.5, 2.0, 3.0, 5.0)),
                        -3,
                    ),
                    "kam_needs": self.env._(
                        "Reliable deliveries before the promotions; shelf-ready "
                        "packaging."
                    ),
                    "kam_buying_season": self.env._("September to November"),
                    "kam_decision_process": self.env._(
                        "The category manager proposes, the purchasing board decides "
                        "every quarter."
                    ),
                }
            )
            buyer = account.child_ids[:1]
            buyer.write(
                {
                    "kam_contact_role": "influencer",
                    "kam_influence": 4,
                    "kam_attitude": "supporter",
                }
            )
            Partner.create(
                [
                    {
                        "name": account.with_context(lang=account.lang).env._(
                            "%(role)s of %(account)s", role=label, account=account.name
                        ),
                        "parent_id": account.id,
                        "function": label,
                        "kam_contact_role": role,
                        "kam_influence": influence,
                        "kam_attitude": attitudes[(index + offset) % len(attitudes)],
                    }
                    for offset, (role, label, influence) in enumerate(
                        self.with_context(lang=account.lang)._demo_key_roles()
                    )
                ]
            )
        accounts._kam_update_health()

    @api.model
    def _demo_store_staff(self, account):
        """A store manager and a shelf assistant, named in the account's language."""
        if (account.lang or "").startswith("ru"):
            first_names = ("Марина Соколова", "Тимур Ахметов")
        else:
            first_word = account.name.split()[0]
            first_names = (f"Marta {first_word}", f"Tom {first_word}")
        functions = (self.env._("Store Manager"), self.env._("Shelf Assistant"))
        return list(zip(first_names, functions, strict=True))

    @api.model
    def _demo_key_roles(self):
        return (
            ("decision_maker", self.env._("Purchasing Director"), 5),
            ("champion", self.env._("Category Manager"), 3),
            ("gatekeeper", self.env._("Assistant"), 2),
            ("blocker", self.env._("Finance Controller"), 3),
        )

    @api.model
    def _generate_advice(self):
        """Order advice (duties 2.7, 2.8): a new seasonal pack bought this quarter by
        half of a segment's accounts (a segment gap for the others); a quotation of
        one of Anna's accounts whose advice shows its usual quantities and that gap,
        scaled down by a credit headroom of half its usual order; a quotation of an
        account whose overdue debt restricts the advice to its usual quantities."""
        product = self.env.ref(
            "kam_management.product_kam_seasonal_pack_demo", raise_if_not_found=False
        )
        anna = self.env.ref(
            "kam_management.user_kam_anna_demo", raise_if_not_found=False
        )
        if not product or not anna:
            return
        company = self.env.company
        threshold = company.kam_advice_overdue_threshold
        Partner = self.env["res.partner"].with_company(company)
        accounts = Partner.search(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_segment_id", "!=", False),
                ("kam_credit_hold", "=", False),
            ],
            order="id",
        )
        bought = Partner._kam_bought_products(accounts, company)

        def overdue_share(account):
            open_debt = account.risk_invoice_open + account.risk_invoice_unpaid
            unpaid = max(account.risk_invoice_unpaid, 0.0)
            return unpaid / open_debt * 100.0 if open_debt > 0 else 0.0

        advised = accounts.filtered(
            lambda a: a.kam_user_id == anna
            and bought.get(a.id)
            and overdue_share(a) <= threshold
        )[:1]
        restricted = accounts.filtered(
            lambda a: bought.get(a.id) and overdue_share(a) > threshold
        )[:1]
        if not advised:
            return
        # the gap: bought by half of the other accounts of the segment
        peers = accounts.filtered(
            lambda a: a.kam_segment_id == advised.kam_segment_id and a != advised
        )
        buyers = peers[: (len(peers) + 1) // 2]
        today = fields.Date.context_today(self)
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": peer.id,
                    "user_id": peer.kam_user_id.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 6})
                    ],
                }
                for peer in buyers
            ]
        )
        orders.action_confirm()
        for index, order in enumerate(orders):
            order.date_order = datetime.combine(
                today - timedelta(days=5 + 7 * index), time(10, 0)
            )
        # the headroom: about half of the account's usual order
        usual = bought[advised.id]
        products = self.env["product.product"].browse(list(usual))
        usual_total = sum(
            usual[p.id][0] / usual[p.id][1] * p.lst_price for p in products
        )
        self.env.invalidate_all()
        advised = advised.with_company(company)
        advised.credit_limit = advised.risk_total + max(round(usual_total / 2, -1), 10)
        self.env["sale.order"].create(
            [
                {
                    "partner_id": account.id,
                    "user_id": account.kam_user_id.id,
                    "client_order_ref": self.env._("Order advice"),
                }
                for account in advised | restricted
            ]
        )

    @api.model
    def _generate_promotions(self):
        """Promotions (duty 2.18): a running volume bonus programme of the
        wholesale segment, proposed by a KAM, approved by the head of sales, whose
        tiers put its participants at different tiers of their revenue so far; a
        discount promotion for the retail segment approved, and a KAM's proposal
        for one account waiting for approval."""
        today = fields.Date.context_today(self)
        head = self.env.ref("kam_management.user_kam_hector_demo")
        kam = self.env.ref("kam_management.user_kam_boris_demo")
        segment = self.env.ref("kam_management.kam_segment_wholesale_demo")
        date_from = today - relativedelta(months=6)
        promotion = self.env["kam.promotion"].create(
            {
                "name": self.env._("Wholesale volume bonus"),
                "user_id": kam.id,
                "segment_id": segment.id,
                "date_from": date_from,
                "date_to": today + relativedelta(months=3),
            }
        )
        revenues = sorted(
            promotion.participant_ids.mapped("revenue"), key=lambda amount: amount
        )
        if len(revenues) < 3 or revenues[-1] <= 0:
            return
        # thresholds between the accounts' revenues: one below the first tier,
        # the others on different tiers
        positive = [amount for amount in revenues if amount > 0]
        steps = sorted(
            {
                max(round(positive[len(positive) * q // 4] * 0.95, -2), 100.0)
                for q in (1, 2, 3)
            }
        )
        promotion.write(
            {
                "tier_ids": [
                    Command.create(
                        {"threshold_amount": threshold, "bonus_percent": bonus}
                    )
                    for threshold, bonus in zip(steps, (1.0, 2.5, 4.0), strict=False)
                ]
            }
        )
        promotion.with_user(head).action_approve()
        promotion.message_post(
            body=self.env._("Approved for the wholesale accounts this season.")
        )

        Program = self.env["loyalty.program"]
        reward = {
            "reward_type": "discount",
            "discount": 5,
            "discount_mode": "percent",
            "discount_applicability": "order",
            "required_points": 1,
        }
        rule = {"reward_point_mode": "order", "minimum_amount": 500.0}
        retail = Program.create(
            {
                "name": self.env._("Retail key accounts: 5 % from 500"),
                "program_type": "promotion",
                "applies_on": "current",
                "trigger": "auto",
                "date_to": today + relativedelta(months=2),
                "kam_segment_id": self.env.ref(
                    "kam_management.kam_segment_retail_demo"
                ).id,
                "rule_ids": [Command.create(rule)],
                "reward_ids": [Command.create(reward)],
            }
        )
        retail.with_user(head).action_kam_approve()
        account = self.env["res.partner"].search(
            [("kam_user_id", "=", kam.id), ("is_key_account", "=", True)], limit=1
        )
        if account:
            proposal = (
                Program.with_user(kam)
                .with_context(default_program_type="promotion")
                .create(
                    {
                        "name": self.env._(
                            "%(account)s: 8 %% on the summer order",
                            account=account.name,
                        ),
                        "program_type": "promotion",
                        "applies_on": "current",
                        "trigger": "auto",
                        "kam_partner_ids": [Command.set(account.ids)],
                        "rule_ids": [Command.create(rule)],
                        "reward_ids": [Command.create({**reward, "discount": 8})],
                    }
                )
            )
            proposal.action_kam_submit()

    @api.model
    def _generate_intel(self, days=90, seed=15):
        """Competitor observations over three months at several accounts of every
        KAM, the retail segment's pricelist, and a KAM's price proposal for the
        segment waiting for the head of sales."""
        rng = random.Random(seed)
        head = self.env.ref(
            "kam_management.user_kam_hector_demo", raise_if_not_found=False
        )
        kam = self.env.ref(
            "kam_management.user_kam_anna_demo", raise_if_not_found=False
        )
        retail = self.env.ref(
            "kam_management.kam_segment_retail_demo", raise_if_not_found=False
        )
        products = self.env["product.product"].search(
            [("default_code", "=like", "KAM-%")], order="default_code"
        )
        competitors = self.env["kam.competitor"].concat(
            *(
                self.env.ref(f"kam_management.kam_competitor_{name}_demo")
                for name in ("acme", "brightway", "nordic")
            )
        )
        if not (head and kam and retail and products and competitors):
            return
        today = fields.Date.context_today(self)
        # pricelists on (Sales settings): the retail chains buy at their segment's
        # prices, a little under the list price
        self.env.ref("base.group_user").implied_ids += self.env.ref(
            "product.group_product_pricelist"
        )
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Retail Chains",
                # shared, as the segment
                "company_id": False,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": product.id,
                            "compute_price": "fixed",
                            "fixed_price": round(product.lst_price * 0.92, 2),
                        }
                    )
                    for product in products
                ],
            }
        )
        retail.pricelist_id = pricelist
        accounts = self.env["res.partner"].search(
            [("is_key_account", "=", True), ("is_company", "=", True)], order="id"
        )
        accounts.filtered(lambda a: a.kam_segment_id == retail).write(
            {"property_product_pricelist": pricelist.id}
        )
        # three accounts of every KAM
        observed = self.env["res.partner"].concat(
            *(group[:3] for group in accounts.grouped("kam_user_id").values())
        )
        visits = self.env["kam.visit"].search(
            [("partner_id", "in", observed.ids), ("state", "=", "done")]
        )
        # the observations of the last weeks were logged on the visits
        visit_by_day = {(v.partner_id, v.date_start.date()): v for v in visits}
        visit_days = {}
        for visit in visits:
            visit_days.setdefault(visit.partner_id, []).append(visit.date_start.date())
        bias = {competitor: rng.uniform(-0.15, 0.1) for competitor in competitors}
        Observation = self.env["kam.competitor.observation"]
        vals_list = []
        for account in observed:
            steps = [
                today - timedelta(days=days - step - rng.randrange(0, 7))
                for step in range(0, days - 28, 14)
            ] + visit_days.get(account, [today - timedelta(days=rng.randrange(1, 28))])
            for day in steps:
                competitor = rng.choice(competitors)
                product = rng.choice(products)
                vals_list.append(
                    {
                        "competitor_id": competitor.id,
                        "partner_id": account.id,
                        "product_id": product.id,
                        "date": min(day, today),
                        "visit_id": visit_by_day.get((account, day), visits[:0]).id,
                        "user_id": account.kam_user_id.id,
                        "price": round(
                            product.lst_price
                            * (1 + bias[competitor] + rng.uniform(-0.05, 0.05)),
                            2,
                        ),
                        "promotion_seen": rng.random() < 0.25,
                        "shelf_share": rng.randrange(5, 45),
                        "photo": _demo_photo(rng) if rng.random() < 0.3 else False,
                    }
                )
        observations = Observation.create(vals_list)
        observations.filtered("promotion_seen").promotion_note = "2 for 1 on the shelf"
        # Anna's proposal for the retail chains, waiting for Hector
        Proposal = self.env["kam.proposal"].with_user(kam)
        proposal = Proposal.create(
            {
                "title": "Beverages: meet Brightway's shelf prices",
                "segment_id": retail.id,
                "date_start": today + timedelta(days=14),
                "rationale": "<p>Brightway's private labels undercut us by about "
                "10 % on beverages at Northwind and Bluebird; the snacks hold.</p>",
                "line_ids": [
                    Command.create(
                        {
                            "change": "price",
                            "product_id": product.id,
                            "proposed_price": round(product.lst_price * 0.85, 2),
                        }
                    )
                    for product in products[:2]
                ]
                + [
                    Command.create(
                        {
                            "change": "drop",
                            "product_id": products[-1].id,
                            "note": "Slow mover in the chains",
                        }
                    )
                ],
            }
        )
        proposal.action_submit()

    @api.model
    def _generate_discounts(self):
        """Discount authority (duty 2.9): a discount beyond its KAM's authority
        approved by the head of sales and confirmed a week ago, and one a KAM has
        just escalated, waiting for Hector."""
        head = self.env.ref(
            "kam_management.user_kam_hector_demo", raise_if_not_found=False
        )
        accounts = self.env["res.partner"].search(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_user_id", "!=", False),
                ("kam_user_id", "!=", head.id if head else False),
                ("kam_credit_hold", "=", False),
            ],
            order="kam_tier, id",
        )
        products = self.env["product.product"].search(
            [("default_code", "=like", "KAM-%")], order="default_code", limit=2
        )
        if not head or len(accounts) < 2 or not products:
            return
        authority = self.env.company.kam_max_discount

        def quotation(account, discount):
            kam = account.kam_user_id
            return (
                self.env["sale.order"]
                .with_user(kam)
                .create(
                    {
                        "partner_id": account.id,
                        "user_id": kam.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": products[0].id,
                                    "product_uom_qty": 10,
                                    "discount": discount,
                                }
                            ),
                            Command.create(
                                {"product_id": products[-1].id, "product_uom_qty": 5}
                            ),
                        ],
                    }
                )
            )

        # approved and confirmed: the first account the credit gate lets through
        approved = False
        for account in accounts:
            order = quotation(account, authority + 5)
            if order._kam_credit_block_reasons():
                order.sudo().unlink()
                continue
            order.request_validation()
            action = order.with_user(head).validate_tier()
            self.env["comment.wizard"].with_user(head).with_context(
                **action["context"]
            ).create(
                {"comment": self.env._("Yearly volume agreed: granted once.")}
            ).add_comment()
            order.action_confirm()
            order.sudo().date_order = fields.Datetime.now() - timedelta(days=7)
            approved = account
            break
        # escalated by its KAM, waiting for the head of sales
        waiting = (accounts - approved)[:1]
        quotation(waiting, authority + 8).request_validation()
        # discounts within the authority, confirmed over the last weeks
        for weeks, account in enumerate((accounts - approved - waiting)[:3], start=1):
            order = quotation(account, max(authority - 2 * weeks, 1))
            if order._kam_credit_block_reasons():
                order.sudo().unlink()
                continue
            order.action_confirm()
            order.sudo().date_order = fields.Datetime.now() - timedelta(weeks=weeks)

    @api.model
    def _generate_assignments(self):
        """Assignments (duty 2.23): Hector gives each KAM four on their accounts,
        one done on time, one done late, one overdue and one open."""
        head = self.env.ref(
            "kam_management.user_kam_hector_demo", raise_if_not_found=False
        )
        if not head:
            return
        accounts = self.env["res.partner"].search(
            [
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("kam_user_id", "not in", [False, head.id]),
            ],
            order="kam_user_id, id",
        )
        today = fields.Date.context_today(self)
        # (summary, deadline in days from today, done days from today or None)
        cases = [
            ("Agree the next year's listing", -10, -12),
            ("Collect the overdue invoices", -20, -15),
            ("Present the new range to the buyer", -3, None),
            ("Check the promotion shelf", 5, None),
        ]
        for kam, kam_accounts in accounts.grouped("kam_user_id").items():
            kam_accounts = kam_accounts.sorted("id")
            for index, (summary, deadline, done) in enumerate(cases):
                account = kam_accounts[index % len(kam_accounts)]
                activity = account.with_user(head).activity_schedule(
                    "kam_management.mail_activity_type_kam_assignment",
                    date_deadline=today + timedelta(days=deadline),
                    user_id=kam.id,
                    summary=summary,
                )
                if done is not None:
                    activity.with_user(kam).action_done()
                    # sudo: the demo's done date lies in the past
                    activity.sudo().date_done = today + timedelta(days=done)


def _demo_photo(rng, size=(96, 72)):
    """A small picture of a shelf: coloured facings on grey boards (base64 PNG)."""
    import io  # noqa: PLC0415 (demo data only)

    from PIL import Image, ImageDraw  # noqa: PLC0415

    image = Image.new("RGB", size, (225, 225, 225))
    draw = ImageDraw.Draw(image)
    for row in range(3):
        top = 4 + row * 23
        draw.rectangle((0, top + 18, size[0], top + 20), fill=(120, 120, 120))
        x = 2
        while x < size[0] - 8:
            width = rng.randrange(6, 14)
            colour = tuple(rng.randrange(40, 230) for _i in range(3))
            draw.rectangle(
                (x, top + rng.randrange(0, 6), x + width, top + 17), fill=colour
            )
            x += width + 2
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue())
