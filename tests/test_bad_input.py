"""Bad input: every public method of the kam_management models, called as over RPC.

Each case calls a method the way JSON-RPC does (``odoo.service.model.call_kw``, as a
real user, with a plain RPC context), then flushes and runs the pre-commit hooks like
the end of an RPC request, in a savepoint that is always rolled back. A case passes
when the call succeeds or raises a ``UserError`` (``ValidationError``,
``AccessError``, ``MissingError``...) with a message: what the user sees as a clear
message. Any other exception is a server error. A database constraint violation
(IntegrityError) counts as a clear message: the RPC layer turns it into a
ValidationError with the constraint's message (``odoo.service.model.retrying``).

``REFUSED`` cases must not succeed: negative amounts, reversed dates, the records of
another key account manager, actions on records in a state where they make no sense.

The cases come from tables: per model, values of the wrong type for each field
(``WRONG_VALUES``, generated from the model's fields), huge texts, and hand-written
cases (``_model_cases``) for missing values, amounts, dates, other KAMs' records and
actions. All failures are reported together in one assertion.
"""

import logging
import os
import random
import string
import traceback
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import call_kw, get_public_method
from odoo.tests import new_test_user, tagged

from .common import KamCommon

_logger = logging.getLogger(__name__)

ANY, REFUSED = "any", "refused"
MODULE = "kam_management"
MISSING_ID = 2**31 - 7  # an id no record has
MB = 2**20
# the context the web client sends (call_kw replaces the test's context with it):
# tracking, chatter messages and followers work as in production
RPC_CONTEXT = {"lang": "en_US", "tz": "Europe/Brussels"}

# wrong values per field type: none of them may reach the database
WRONG_VALUES = {
    "integer": ["many", 2.5, 2**40, [1]],
    "float": ["lots", "NaN", "1e999", [1.0]],
    "monetary": ["lots", "NaN", {"amount": 1}],
    "date": ["31/12/2026", "2026-02-30", 20261231],
    "datetime": ["tomorrow at nine", "2026-06-15 25:00:00", 1781510400],
    "boolean": ["no", [True]],
    "selection": ["no_such_key", 1, ["a"]],
    "char": [["a text"], {"en_US": "a text"}, "nul\x00byte"],
    "text": [["a text"], "nul\x00byte"],
    "html": [{"en_US": "<p>text</p>"}, "<p>nul\x00byte</p>"],
    "many2one": ["Account One", MISSING_ID, -1, [1, 2], 1.5],
    "one2many": [
        "abc",
        [(Command.CREATE, 0, "values")],
        [(Command.LINK, MISSING_ID)],
        [(99, 0, 0)],
        [MISSING_ID],
        [(Command.SET, 0, "ids")],
    ],
    "many2many": ["abc", [(Command.LINK, MISSING_ID)], [(Command.SET, 0, [-4])]],
}
# fields that only the ORM or the mail/tier mixins write, or that are no real input
SKIPPED_FIELDS = {"id", "display_name", "create_uid", "create_date", "write_uid"}

# what the web client and the ORM call on a model, besides its action_* buttons
ORM_METHODS = {
    "create",
    "write",
    "unlink",
    "copy",
    "copy_data",
    "default_get",
    "name_create",
    "onchange",
    "web_save",
    "read",
    "search",
    "fields_get",
    "get_views",
}
# other RPC-callable methods kam_management defines: {(model, method): why}
ALLOWED_PUBLIC_METHODS = {
    ("sale.order.recommendation", "generate_recommendations"): (
        "OCA's 'Get recommendations' button, extended by the order advice"
    ),
    # OCA's tier validation buttons on sale orders (duty 2.9: discount authority)
    ("sale.order", "request_validation"): "OCA's Request Validation button; "
    "records the terms the head of sales reviews",
    ("sale.order", "validate_tier"): "OCA's Validate button; says when the user "
    "is no reviewer",
    ("sale.order", "reject_tier"): "OCA's Reject button; says when the user is "
    "no reviewer",
}

# Known failures in files this test's author does not own, reported to their owner.
# A case listed here still runs: it is reported, but does not fail the test; once it
# passes, the test fails until the entry is removed (as a strict xfail).
_WORKFLOW_VALS = (
    "workflow.py check_initial_state / check_workflow_fields read the values before "
    "kam.input.mixin: skip what is no dict (the mixin then refuses it)"
)
_OTHER_KAMS_ACCOUNT = (
    "a KAM may name another KAM's key account: _kam_ensure_key_account should also "
    "refuse an account whose kam_user_id is not the user (heads of sales excepted)"
)
# cases that fail today, with the fix each needs (none left: a case that fails is a bug)
KNOWN_ISSUES = {}


class Case(NamedTuple):
    label: str
    user: str  # attribute of the test class: kam_1, kam_2, head
    model: str
    method: str
    args: tuple  # as sent over RPC: the record ids first for a record method
    kwargs: Mapping = {}
    expect: str = ANY
    check: Any = None  # check(env, result) after a success, e.g. a text stored whole


def _huge_text(size=MB, seed=19):
    """A text that does not compress (like a pasted file), ``size`` characters."""
    rng = random.Random(seed)
    return "".join(rng.choices(string.ascii_letters + string.digits + " é€", k=size))


@tagged("post_install", "-at_install", "kam")
class TestBadInput(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.today = fields.Date.today()
        cls.year_start = cls.today.replace(month=1, day=1)
        cls.year_end = cls.today.replace(month=12, day=31)
        cls.account_3 = cls._key_account("Account Three", cls.kam_1, tier="c")
        cls.account_1.write({"partner_latitude": 48.0, "partner_longitude": 11.0})
        cls.plain_partner = env["res.partner"].create(
            {"name": "Walk-in Customer", "is_company": True}
        )
        cls.other_company = env["res.company"].create({"name": "Other Company"})
        cls.team = (
            env["crm.team"]
            .sudo()
            .create(
                {
                    "name": "Key Accounts",
                    "company_id": env.company.id,
                    "member_ids": [Command.set((cls.kam_1 | cls.kam_2).ids)],
                }
            )
        )
        cls.segment = env["kam.segment"].create({"name": "Wholesale"})
        cls.segment_2 = env["kam.segment"].create({"name": "Retail"})
        cls.scale = env["kam.variable.pay.scale"].create(
            {
                "name": "Test scale",
                "line_ids": [
                    Command.create({"achievement": 50.0, "payout": 0.0}),
                    Command.create({"achievement": 100.0, "payout": 100.0}),
                ],
            }
        )
        cls.policy = env.ref("kam_management.kam_credit_rating_policy_a")

        # plans: kam_1's draft plan of this year and approved plan of last year,
        # kam_2's plan, the department plan
        sudo = env["kam.plan"].sudo()
        cls.department = sudo.create(
            {
                "name": "Department",
                "plan_type": "department",
                "team_id": cls.team.id,
                "date_from": cls.year_start,
                "date_to": cls.year_end,
                "target_amount": 10000.0,
            }
        )
        cls.plan_1, cls.plan_1_approved, cls.plan_2 = sudo.create(
            [
                cls._plan_vals(cls.kam_1, cls.account_1, "Plan One"),
                cls._plan_vals(
                    cls.kam_1,
                    cls.account_1,
                    "Plan One last year",
                    years=-1,
                    state="approved",
                ),
                cls._plan_vals(cls.kam_2, cls.account_2, "Plan Two"),
            ]
        )
        cls.plan_line_1 = cls.plan_1.line_ids
        cls.plan_line_2 = cls.plan_2.line_ids

        # visits
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        visits = env["kam.visit"].sudo()
        cls.visit_1, cls.visit_1_done, cls.visit_1_cancelled = visits.create(
            [
                {
                    "partner_id": cls.account_1.id,
                    "user_id": cls.kam_1.id,
                    "date_start": start,
                    "state": state,
                }
                for state in ("planned", "done", "cancelled")
            ]
        )
        cls.visit_2 = visits.create(
            {
                "partner_id": cls.account_2.id,
                "user_id": cls.kam_2.id,
                "date_start": start,
            }
        )

        # credit checks and contracts
        checks = env["kam.credit.check"].sudo()
        cls.check_1 = checks.create(
            {"partner_id": cls.account_1.id, "requested_limit": 1000.0}
        )
        cls.check_1_submitted = checks.create(
            {"partner_id": cls.account_1.id, "requested_limit": 2000.0}
        )
        cls.check_1_submitted.with_user(cls.kam_1).action_submit()
        cls.check_2 = checks.create(
            {"partner_id": cls.account_2.id, "requested_limit": 1000.0}
        )
        contracts = env["kam.contract"].sudo()
        contract_vals = {
            "date_start": cls.today,
            "date_end": cls.today + relativedelta(years=1, days=-1),
        }
        cls.contract_1 = contracts.create(
            {"partner_id": cls.account_1.id, **contract_vals}
        )
        cls.contract_1_active = contracts.create(
            {"partner_id": cls.account_1.id, "state": "active", **contract_vals}
        )
        cls.contract_2 = contracts.create(
            {"partner_id": cls.account_2.id, **contract_vals}
        )

        # merchandising: a checklist, kam_1's task to do and done, kam_2's task
        cls.task_type = env["kam.merchandising.task.type"].create(
            {
                "name": "Shelf check",
                "recurrence_days": 14,
                "line_ids": [
                    Command.create({"name": "Planogram followed"}),
                    Command.create({"name": "Promo display", "photo_required": True}),
                ],
            }
        )
        tasks = env["kam.merchandising.task"].sudo()
        cls.task_1, cls.task_1_done, cls.task_2 = tasks.create(
            [
                {"partner_id": account.id, "task_type_id": cls.task_type.id}
                for account in (cls.account_1, cls.account_1, cls.account_2)
            ]
        )
        cls.task_1_done.line_ids.write({"result": "na"})
        cls.task_1_done.action_done()
        # acts: kam_1's draft and confirmed shortage on account_1's invoice, kam_2's
        act_invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": account.id,
                    "invoice_date": cls.today,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": cls.product_a.id,
                                "quantity": 5,
                                "price_unit": 20.0,
                            }
                        )
                    ],
                }
                for account in (cls.account_1, cls.account_2)
            ]
        )
        act_invoices.action_post()
        cls.act_invoice_1, cls.act_invoice_2 = act_invoices
        cls.act_1, cls.act_1_confirmed, cls.act_2 = (
            env["kam.act"]
            .sudo()
            .create(
                [
                    {
                        "partner_id": invoice.partner_id.id,
                        "invoice_id": invoice.id,
                        "line_ids": [
                            Command.create(
                                {"product_id": cls.product_a.id, "qty_actual": 3}
                            )
                        ],
                    }
                    for invoice in act_invoices[:1] + act_invoices
                ]
            )
        )
        cls.act_1_confirmed.action_confirm()
        # trainings: kam_1's session for account_1's staff and own course, kam_2's
        trainings = env["kam.training"].sudo()
        cls.training_1, cls.training_1_self, cls.training_2 = trainings.create(
            [
                {
                    "partner_id": cls.account_1.id,
                    "user_id": cls.kam_1.id,
                    "topic": "Shelf layout",
                    "date": cls.today,
                    "duration_hours": 2.0,
                },
                {
                    "training_type": "self",
                    "user_id": cls.kam_1.id,
                    "topic": "Negotiation",
                    "date": cls.today,
                    "duration_hours": 8.0,
                },
                {
                    "partner_id": cls.account_2.id,
                    "user_id": cls.kam_2.id,
                    "topic": "Shelf layout",
                    "date": cls.today,
                    "duration_hours": 2.0,
                },
            ]
        )

        # receivables: an overdue invoice and a collection action of each KAM
        overdue_day = str(cls.today - timedelta(days=40))
        cls.invoice_1, cls.invoice_2 = (
            cls._invoice(account, overdue_day, 100.0)
            for account in (cls.account_1, cls.account_2)
        )
        # their KAM is their salesperson: they read them
        cls.invoice_1.invoice_user_id = cls.kam_1
        cls.invoice_2.invoice_user_id = cls.kam_2
        cls.collection_1, cls.collection_2 = (
            env["kam.collection.action"]
            .sudo()
            .create(
                [
                    {"partner_id": invoice.partner_id.id, "invoice_ids": invoice.ids}
                    for invoice in (cls.invoice_1, cls.invoice_2)
                ]
            )
        )

        # orders, the planner and the release wizard of each KAM
        cls.order_1 = cls._order(cls.kam_1, cls.account_1)
        cls.order_2 = cls._order(cls.kam_2, cls.account_2)
        monday = cls.today + timedelta(days=7 - cls.today.weekday())
        cls.planner_1 = (
            env["kam.visit.planner"].with_user(cls.kam_1).create({"week_start": monday})
        )
        cls.planner_line_1 = (
            env["kam.visit.planner.line"]
            .with_user(cls.kam_1)
            .create(
                {
                    "planner_id": cls.planner_1.id,
                    "partner_id": cls.account_1.id,
                    "date_start": start,
                }
            )
        )
        cls.planner_2 = (
            env["kam.visit.planner"].with_user(cls.kam_2).create({"week_start": monday})
        )
        cls.release_head = (
            env["kam.credit.release"]
            .with_user(cls.head)
            .create({"order_id": cls.order_1.id})
        )
        cls.release_1 = (
            env["kam.credit.release"]
            .with_user(cls.kam_1)
            .create({"order_id": cls.order_1.id, "reason": "Paid in advance"})
        )
        cls.release_2 = (
            env["kam.credit.release"]
            .with_user(cls.kam_2)
            .create({"order_id": cls.order_2.id, "reason": "Paid in advance"})
        )
        cancel_reason = env.ref("kam_management.kam_reason_cancellation_client")
        cls.cancel_1 = (
            env["kam.order.cancel"]
            .with_user(cls.kam_1)
            .create({"order_id": cls.order_1.id, "reason_id": cancel_reason.id})
        )
        cls.cancel_2 = (
            env["kam.order.cancel"]
            .with_user(cls.kam_2)
            .create({"order_id": cls.order_2.id, "reason_id": cancel_reason.id})
        )
        cls.admin = new_test_user(
            env,
            login="kam_admin",
            groups="base.group_system,kam_management.group_kam_manager",
            company_id=env.company.id,
            company_ids=[Command.set(env.company.ids)],
        )
        cls.policy_document = env["ir.attachment"].create(
            {
                "name": "policy.pdf",
                "raw": b"%PDF",
                "res_model": "kam.credit.check",
                "res_id": cls.check_1.id,
            }
        )
        cls.huge = _huge_text()
        # bonus programmes: kam_1's draft for account_1, kam_2's for account_2
        cls.promotion_1, cls.promotion_2 = (
            env["kam.promotion"]
            .with_user(kam)
            .create(
                {
                    "name": f"Bonus {account.name}",
                    "date_from": cls.year_start,
                    "date_to": cls.year_end,
                    "partner_ids": [Command.set(account.ids)],
                    "tier_ids": [
                        Command.create({"threshold_amount": 100, "bonus_percent": 1}),
                        Command.create({"threshold_amount": 900, "bonus_percent": 3}),
                    ],
                }
            )
            for kam, account in ((cls.kam_1, cls.account_1), (cls.kam_2, cls.account_2))
        )
        cls._setup_intel_records()
        cls._setup_delegation_records()

    @classmethod
    def _setup_delegation_records(cls):
        """Substitutions (issue 16): kam_1 and kam_2 away, each other's deputy."""
        Delegation = cls.env["kam.delegation"]
        week = {
            "date_from": cls.today + timedelta(days=1),
            "date_to": cls.today + timedelta(days=5),
        }
        cls.delegation_1 = Delegation.with_user(cls.kam_1).create(
            {"user_id": cls.kam_1.id, "deputy_id": cls.kam_2.id, **week}
        )
        cls.delegation_2 = Delegation.with_user(cls.kam_2).create(
            {"user_id": cls.kam_2.id, "deputy_id": cls.kam_1.id, **week}
        )
        cls.delegation_1_approved = Delegation.with_user(cls.kam_1).create(
            {
                "user_id": cls.kam_1.id,
                "deputy_id": cls.kam_2.id,
                "date_from": cls.today + timedelta(days=10),
                "date_to": cls.today + timedelta(days=12),
            }
        )
        cls.delegation_1_approved.with_user(cls.head).action_approve()

    @classmethod
    def _setup_intel_records(cls):
        """Competitors and segment proposals (issue 15)."""
        env = cls.env
        cls.competitor = env["kam.competitor"].create({"name": "Acme Foods"})
        Observation = env["kam.competitor.observation"]
        cls.observation_1 = Observation.with_user(cls.kam_1).create(
            {
                "competitor_id": cls.competitor.id,
                "partner_id": cls.account_1.id,
                "product_id": cls.product_a.id,
                "price": 10.0,
            }
        )
        cls.observation_2 = Observation.with_user(cls.kam_2).create(
            {
                "competitor_id": cls.competitor.id,
                "partner_id": cls.account_2.id,
                "product_id": cls.product_a.id,
                "price": 11.0,
            }
        )
        cls.intel_segment = env["kam.segment"].create(
            {
                "name": "Proposal Segment",
                "company_id": env.company.id,
                "pricelist_id": env["product.pricelist"]
                .create({"name": "Proposal Segment Prices"})
                .id,
            }
        )
        (cls.account_1 | cls.account_2).kam_segment_id = cls.intel_segment
        proposal_vals = {
            "title": "Summer prices",
            "segment_id": cls.intel_segment.id,
            "date_start": cls.today + timedelta(days=10),
            "line_ids": [
                Command.create({"product_id": cls.product_a.id, "proposed_price": 9.0})
            ],
        }
        Proposal = env["kam.proposal"]
        cls.proposal_1 = Proposal.with_user(cls.kam_1).create(proposal_vals)
        cls.proposal_1_approved = Proposal.with_user(cls.kam_1).create(proposal_vals)
        cls.proposal_1_approved.action_submit()
        cls.proposal_1_approved.with_user(cls.head).validate_tier()
        cls.proposal_2 = Proposal.with_user(cls.kam_2).create(proposal_vals)

    @classmethod
    def _plan_vals(cls, kam, account, name, years=0, state="draft"):
        return {
            "name": name,
            "user_id": kam.id,
            "date_from": cls.year_start + relativedelta(years=years),
            "date_to": cls.year_end + relativedelta(years=years),
            "state": state,
            "target_amount": 1000.0,
            "line_ids": [
                Command.create({"partner_id": account.id, "target_amount": 1000.0})
            ],
        }

    @classmethod
    def _order(cls, kam, account):
        return (
            cls.env["sale.order"]
            .with_user(kam)
            .create(
                {
                    "partner_id": account.id,
                    "order_line": [Command.create({"product_id": cls.product_a.id})],
                }
            )
        )

    def _order_under_review(self):
        """A key account order of kam_1 beyond the authority, under review."""
        order = self._order(self.kam_1, self.account_1)
        order.order_line.discount = 60.0
        order.request_validation()
        return order

    # --- the runner -----------------------------------------------------------
    def _run(self, case):
        """Run ``case`` as over RPC: (failure or None, what the user got)."""
        user = getattr(self, case.user)
        model = self.env[case.model].with_user(user)
        savepoint = self.env.cr.savepoint()
        self.env.cr.clear()  # no cached value hides an access error
        error = result = None
        try:
            kwargs = {"context": RPC_CONTEXT, **case.kwargs}
            result = call_kw(model, case.method, list(case.args), kwargs)
            self.env.cr.flush()  # the end of the request: flush, pre-commit hooks
            if case.check:
                case.check(model.env, result)
        except IntegrityError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - whatever the user would get
            error = exc
            where = traceback.extract_tb(exc.__traceback__)[-1]
            origin = f"{where.filename.rsplit('/', 2)[-1]}:{where.lineno}"
        finally:
            savepoint.close(rollback=True)
        if isinstance(error, IntegrityError):
            # odoo.service.model.retrying turns it into a ValidationError
            table = error.diag.table_name
            model = next(
                (
                    self.env[name]
                    for name, cls in self.env.registry.items()
                    if cls._table == table and not cls._abstract
                ),
                self.env["base"],
            )
            message = model._sql_error_to_message(error)
            error = ValidationError(message) if message else error
            origin = "database constraint"
        if error is None:
            if case.expect == REFUSED:
                return "accepted, should be refused", "accepted"
            return None, "accepted"
        text = str(error.args[0] if error.args else "")
        outcome = f"{type(error).__name__}: {' '.join(text.split())[:160]}"
        if isinstance(error, UserError):
            return (None if text else "no message"), outcome
        return f"server error ({origin}) {outcome}", outcome

    def _run_all(self, cases):
        failures, known_now_fixed, known = [], [], []
        table = os.environ.get("KAM_BAD_INPUT_TABLE")  # a file to write the cases to
        for case in cases:
            failure, outcome = self._run(case)
            if table:
                with open(table, "a", encoding="utf-8") as file:
                    file.write(f"{case.label}\t{case.expect}\t{outcome}\n")
            if case.label in KNOWN_ISSUES:
                if failure is None:
                    known_now_fixed.append(case.label)
                else:
                    known.append(f"{case.label}: {failure}")
                continue
            if failure:
                failures.append(f"{case.label}: {failure}")
        if known:
            _logger.warning(
                "%s known bad-input issues (KNOWN_ISSUES) are still open:\n%s",
                len(known),
                "\n".join(known),
            )
        report = [
            f"{len(failures)} of {len(cases)} bad-input cases failed:",
            *failures,
        ]
        if known_now_fixed:
            report += [
                "fixed, remove from KNOWN_ISSUES:",
                *known_now_fixed,
            ]
        self.assertFalse(failures or known_now_fixed, "\n".join(report))

    # --- the tables -----------------------------------------------------------
    def _specs(self):
        """Per model: who works on it, valid values to create one, the user's own
        record (writes, actions) and another KAM's record (refused)."""
        start = fields.Datetime.to_string(
            fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        )
        next_year = {
            "date_from": str(self.year_start + relativedelta(years=1)),
            "date_to": str(self.year_end + relativedelta(years=1)),
        }
        return {
            "kam.segment": {
                "user": "head",
                "create": {"name": "New segment"},
                "record": self.segment,
            },
            "kam.variable.pay.scale": {
                "user": "head",
                "create": {
                    "name": "New scale",
                    "line_ids": [
                        (Command.CREATE, 0, {"achievement": 80.0, "payout": 50.0})
                    ],
                },
                "record": self.scale,
            },
            "kam.variable.pay.scale.line": {
                "user": "head",
                "create": {
                    "scale_id": self.scale.id,
                    "achievement": 75.0,
                    "payout": 50.0,
                },
                "record": self.scale.line_ids[:1],
            },
            "kam.plan": {
                "user": "kam_1",
                "create": {
                    "name": "Next year",
                    "user_id": self.kam_1.id,
                    **next_year,
                    "line_ids": [
                        (
                            Command.CREATE,
                            0,
                            {"partner_id": self.account_1.id, "target_amount": 9.0},
                        )
                    ],
                },
                "record": self.plan_1,
                "other": self.plan_2,
            },
            "kam.plan.line": {
                "user": "kam_1",
                "create": {
                    "plan_id": self.plan_1.id,
                    "partner_id": self.account_3.id,
                    "target_amount": 10.0,
                },
                "record": self.plan_line_1,
                "other": self.plan_line_2,
            },
            "kam.visit": {
                "user": "kam_1",
                "create": {
                    "partner_id": self.account_1.id,
                    "date_start": start,
                    "duration": 1.5,
                },
                "record": self.visit_1,
                "other": self.visit_2,
            },
            "kam.visit.planner": {
                "user": "kam_1",
                "create": {"week_start": str(self.planner_1.week_start)},
                "record": self.planner_1,
                "other": self.planner_2,
            },
            "kam.visit.planner.line": {
                "user": "kam_1",
                "create": {
                    "planner_id": self.planner_1.id,
                    "partner_id": self.account_3.id,
                    "date_start": start,
                },
                "record": self.planner_line_1,
            },
            "kam.credit.check": {
                "user": "kam_1",
                "create": {"partner_id": self.account_1.id, "requested_limit": 500.0},
                "record": self.check_1,
                "other": self.check_2,
            },
            "kam.contract": {
                "user": "kam_1",
                "create": {
                    "partner_id": self.account_1.id,
                    "date_start": str(self.today),
                    "date_end": str(self.today + relativedelta(months=6)),
                },
                "record": self.contract_1,
                "other": self.contract_2,
            },
            "kam.reason": {
                "user": "head",
                "create": {"name": "Broken pallet", "reason_type": "return"},
                "record": self.env.ref("kam_management.kam_reason_return_damaged"),
            },
            "kam.collection.action": {
                "user": "kam_1",
                "create": {
                    "partner_id": self.account_1.id,
                    "action_type": "call",
                    "invoice_ids": [Command.set(self.invoice_1.ids)],
                    "promised_date": str(self.today + timedelta(days=7)),
                    "promised_amount": 50.0,
                },
                "record": self.collection_1,
                "other": self.collection_2,
            },
            "kam.merchandising.task.type": {
                "user": "head",
                "create": {"name": "Price audit", "recurrence_days": 30},
                "record": self.task_type,
            },
            "kam.merchandising.task.type.line": {
                "user": "head",
                "create": {"type_id": self.task_type.id, "name": "Tags correct"},
                "record": self.task_type.line_ids[:1],
            },
            "kam.merchandising.task": {
                "user": "kam_1",
                "create": {
                    "partner_id": self.account_1.id,
                    "task_type_id": self.task_type.id,
                },
                "record": self.task_1,
                "other": self.task_2,
            },
            "kam.merchandising.task.line": {
                "user": "kam_1",
                "create": {"task_id": self.task_1.id, "name": "Shelf clean"},
                "record": self.task_1.line_ids[:1],
                "other": self.task_2.line_ids[:1],
            },
            "kam.training": {
                "user": "kam_1",
                "create": {
                    "training_type": "client",
                    "partner_id": self.account_1.id,
                    "topic": "Promotion mechanics",
                    "date": str(self.today),
                    "duration_hours": 1.5,
                },
                "record": self.training_1,
                "other": self.training_2,
            },
            "kam.act": {
                "user": "kam_1",
                "create": {
                    "partner_id": self.account_1.id,
                    "act_type": "shortage",
                    "invoice_id": self.act_invoice_1.id,
                },
                "record": self.act_1,
                "other": self.act_2,
            },
            "kam.act.line": {
                "user": "kam_1",
                "create": {
                    "act_id": self.act_1.id,
                    "product_id": self.product_a.id,
                    "qty_actual": 1,
                },
                "record": self.act_1.line_ids,
                "other": self.act_2.line_ids,
            },
            "kam.credit.rating.policy": {
                "user": "head",
                "create": {"rating": "b", "company_id": self.env.company.id},
                "record": self.policy,
            },
            "kam.credit.release": {
                "user": "head",
                "create": {"order_id": self.order_1.id, "reason": "Paid in advance"},
                "record": self.release_head,
                "other": self.release_2,
            },
            "kam.promotion": {
                "user": "kam_1",
                "create": {
                    "name": "Spring bonus",
                    "date_from": str(self.today),
                    "date_to": str(self.today + timedelta(days=90)),
                    "partner_ids": [Command.set(self.account_1.ids)],
                },
                "record": self.promotion_1,
                "other": self.promotion_2,
            },
            "kam.promotion.tier": {
                "user": "kam_1",
                "create": {
                    "promotion_id": self.promotion_1.id,
                    "threshold_amount": 5000.0,
                    "bonus_percent": 5.0,
                },
                "record": self.promotion_1.tier_ids[:1],
                "other": self.promotion_2.tier_ids[:1],
            },
            "kam.promotion.participant": {
                "user": "kam_1",
                "create": {
                    "promotion_id": self.promotion_1.id,
                    "partner_id": self.account_3.id,
                },
                "record": self.promotion_1.participant_ids,
                "other": self.promotion_2.participant_ids,
            },
            "kam.order.cancel": {
                "user": "kam_1",
                "create": {
                    "order_id": self.order_1.id,
                    "reason_id": self.env.ref(
                        "kam_management.kam_reason_lost_price"
                    ).id,
                },
                "record": self.cancel_1,
                "other": self.cancel_2,
            },
            **self._intel_specs(),
            "kam.delegation": {
                "user": "kam_1",
                "create": {
                    "user_id": self.kam_1.id,
                    "deputy_id": self.kam_2.id,
                    "date_from": str(self.today + timedelta(days=20)),
                    "date_to": str(self.today + timedelta(days=22)),
                },
                "record": self.delegation_1,
                "other": self.delegation_2,
            },
        }

    def _intel_specs(self):
        """Competitors and segment proposals (issue 15)."""
        return {
            "kam.competitor": {
                "user": "head",
                "create": {"name": "Rival Brands"},
                "record": self.competitor,
            },
            "kam.competitor.observation": {
                "user": "kam_1",
                "create": {
                    "competitor_id": self.competitor.id,
                    "partner_id": self.account_1.id,
                    "product_id": self.product_b.id,
                    "price": 12.5,
                    "shelf_share": 20.0,
                },
                "record": self.observation_1,
                "other": self.observation_2,
            },
            "kam.proposal": {
                "user": "kam_1",
                "create": {
                    "title": "Autumn prices",
                    "segment_id": self.intel_segment.id,
                    "date_start": str(self.today + timedelta(days=20)),
                },
                "record": self.proposal_1,
                "other": self.proposal_2,
            },
            "kam.proposal.line": {
                "user": "kam_1",
                "create": {
                    "proposal_id": self.proposal_1.id,
                    "product_id": self.product_b.id,
                    "proposed_price": 5.0,
                },
                "record": self.proposal_1.line_ids,
                "other": self.proposal_2.line_ids,
            },
        }

    def _delegation_cases(self, create, write, action):
        """Substitutions (issue 16): dates, people, states and who decides."""
        model = "kam.delegation"
        yesterday = str(self.today - timedelta(days=1))
        approved = self.delegation_1_approved
        return [
            create(model, "ending before it starts", {"date_to": yesterday}),
            create(
                model,
                "in the past",
                {
                    "date_from": str(self.today - timedelta(days=9)),
                    "date_to": yesterday,
                },
            ),
            create(
                model, "with the absent KAM as deputy", {"deputy_id": self.kam_1.id}
            ),
            create(
                model, "with a deputy who is no KAM", {"deputy_id": self.support.id}
            ),
            create(
                model,
                "for another KAM's absence",
                {"user_id": self.kam_2.id, "deputy_id": self.kam_1.id},
            ),
            create(model, "approved", {"state": "approved"}),
            create(model, "with its approver", {"approved_by_id": self.head.id}),
            create(model, "as sales support", {}, user="support"),
            write(model, "the state", {"state": "approved"}),
            write(model, "a date_to before date_from", {"date_to": yesterday}),
            write(model, "the deputy to the KAM", {"deputy_id": self.kam_1.id}),
            write(model, "the absent KAM to another", {"user_id": self.kam_2.id}),
            write(model, "handed-over activities", {"activities_moved": True}),
            write(model, "an approved one", {"reason": "x"}, record=approved),
            write(
                model,
                "an approved one as head",
                {"date_to": str(self.today + timedelta(days=30))},
                record=approved,
                user="head",
            ),
            action("action_approve", "as a KAM", self.delegation_1),
            action("action_approve", "own, as the deputy", self.delegation_2),
            action("action_end", "as a KAM", approved),
            action("action_end", "of a draft", self.delegation_1, user="head"),
            action("action_cancel", "of an approved one as a KAM", approved),
            action("action_request", "of an approved one", approved),
            action("action_request", "of another KAM's", self.delegation_2),
            action(
                "action_approve",
                "overlapping another deputy",
                self.delegation_1.copy(
                    {
                        "deputy_id": self.kam_2.id,
                        "date_from": self.today + timedelta(days=11),
                        "date_to": self.today + timedelta(days=13),
                    }
                ),
                user="head",
            ),
        ]

    def _intel_cases(self, create, write, action):
        """Competitors and segment proposals (issue 15): bad figures, other KAMs'
        accounts, actions in the wrong state or by the wrong user."""
        yesterday = str(self.today - timedelta(days=1))
        tomorrow = str(self.today + timedelta(days=1))
        other_visit = (
            self.env["kam.visit"]
            .with_user(self.kam_2)
            .create({"partner_id": self.account_2.id})
        )
        obs = "kam.competitor.observation"
        return [
            create("kam.competitor", "as sales support", {}, user="support"),
            create("kam.competitor", "with an existing name", {"name": "Acme Foods"}),
            create(obs, "with a negative price", {"price": -1.0}),
            create(obs, "with a shelf share above 100", {"shelf_share": 101.0}),
            create(obs, "with a negative shelf share", {"shelf_share": -1.0}),
            create(obs, "dated tomorrow", {"date": tomorrow}),
            create(obs, "with our price given", {"our_price": 1.0}),
            create(obs, "on another KAM's account", {"partner_id": self.account_2.id}),
            create(obs, "on a visit of another account", {"visit_id": other_visit.id}),
            create(obs, "as sales support", {}, user="support"),
            write(obs, "a negative price", {"price": -0.01}),
            write(obs, "a shelf share of 150", {"shelf_share": 150.0}),
            write(obs, "the price gap", {"price_gap_percent": 0.0}),
            write(obs, "to another KAM's account", {"partner_id": self.account_2.id}),
            create(obs, "logged in another KAM's name", {"user_id": self.kam_2.id}),
            write(obs, "logged in another KAM's name", {"user_id": self.kam_2.id}),
            create(
                "kam.proposal",
                "for a segment without own account",
                {
                    "segment_id": self.segment.id,
                },
            ),
            create("kam.proposal", "in another KAM's name", {"user_id": self.kam_2.id}),
            create("kam.proposal", "approved", {"state": "approved"}),
            create("kam.proposal", "as sales support", {}, user="support"),
            write("kam.proposal", "the state", {"state": "applied"}),
            write(
                "kam.proposal",
                "an approved proposal",
                {"date_start": yesterday},
                record=self.proposal_1_approved,
            ),
            action(
                "action_submit",
                "starting yesterday",
                self.proposal_1.copy({"date_start": self.today - timedelta(days=1)}),
            ),
            action("action_apply", "as a KAM", self.proposal_1_approved),
            action("action_apply", "of a draft", self.proposal_1, user="head"),
            action(
                "action_cancel", "of an approved one as a KAM", self.proposal_1_approved
            ),
            action(
                "action_reset_to_draft",
                "of an approved one",
                self.proposal_1_approved,
                user="head",
            ),
            create("kam.proposal.line", "with a price of 0", {"proposed_price": 0.0}),
            create(
                "kam.proposal.line", "with a negative price", {"proposed_price": -3.0}
            ),
            create(
                "kam.proposal.line",
                "with a product twice",
                {"product_id": self.product_a.id},
            ),
            create("kam.proposal.line", "dropped with a price", {"change": "drop"}),
            create(
                "kam.proposal.line",
                "on an approved proposal",
                {"proposal_id": self.proposal_1_approved.id},
            ),
            create(
                "kam.proposal.line", "with its current price", {"current_price": 1.0}
            ),
            write(
                "kam.proposal.line",
                "on an approved proposal",
                {"proposed_price": 3.0},
                record=self.proposal_1_approved.line_ids,
            ),
            write(
                "kam.proposal.line",
                "to another KAM's proposal",
                {"proposal_id": self.proposal_2.id},
            ),
        ]

    def _input_fields(self, model):
        """The fields kam_management defines on ``model`` (type cases are generated
        for them; the mail and tier validation mixins are not this module's)."""
        return [
            field
            for name, field in model._fields.items()
            if MODULE in field._modules and name not in SKIPPED_FIELDS
        ]

    def _generic_cases(self, model_name, spec):
        """Wrong types for every field, huge texts, malformed calls, other KAMs'
        records and one-record actions on no or several records."""
        user, base = spec["user"], spec["create"]
        record, other = spec["record"], spec.get("other")
        model = self.env[model_name]
        ids = record.ids
        cases = [
            Case(f"{model_name}: create valid", user, model_name, "create", (base,)),
            Case(
                f"{model_name}: create with a text for values",
                user,
                model_name,
                "create",
                ("name=New",),
                expect=REFUSED,
            ),
            Case(
                f"{model_name}: create with a list of numbers",
                user,
                model_name,
                "create",
                ([1, 2],),
                expect=REFUSED,
            ),
            Case(
                f"{model_name}: create with an unknown field",
                user,
                model_name,
                "create",
                ({**base, "no_such_field": 1},),
                expect=REFUSED,
            ),
            Case(
                f"{model_name}: write a number for values",
                user,
                model_name,
                "write",
                (ids, 42),
                expect=REFUSED,
            ),
            Case(
                f"{model_name}: write an unknown field",
                user,
                model_name,
                "write",
                (ids, {"no_such_field": 1}),
                expect=REFUSED,
            ),
            Case(
                f"{model_name}: write on a record that does not exist",
                user,
                model_name,
                "write",
                ([MISSING_ID], {}),
            ),
        ]
        for field in self._input_fields(model):
            for index, value in enumerate(WRONG_VALUES.get(field.type, ())):
                label = f"{model_name}.{field.name} = {value!r:.30}"
                cases.append(
                    Case(
                        f"write {label}",
                        user,
                        model_name,
                        "write",
                        (ids, {field.name: value}),
                        expect=REFUSED,
                    )
                )
                if index < 2:
                    cases.append(
                        Case(
                            f"create {label}",
                            user,
                            model_name,
                            "create",
                            ({**base, field.name: value},),
                            expect=REFUSED,
                        )
                    )
            if field.type in ("char", "text", "html") and not (
                field.compute and field.readonly and not field.inverse
            ):
                # what is computed from other values is never stored as given
                cases += self._huge_text_cases(model_name, user, base, ids, field)
        if other:
            # another KAM's record: neither written nor used by the actions
            cases.append(
                Case(
                    f"{model_name}: write on another KAM's record",
                    "kam_1",
                    model_name,
                    "write",
                    (other.ids, dict(list(base.items())[:1])),
                    expect=REFUSED,
                )
            )
        for method in self._module_methods(model):
            if not method.startswith("action_"):
                continue
            label = f"{model_name}.{method}"
            cases += [
                Case(f"{label} on no record", user, model_name, method, ([],)),
                Case(
                    f"{label} on a missing record",
                    user,
                    model_name,
                    method,
                    ([MISSING_ID],),
                ),
                Case(f"{label} twice the record", user, model_name, method, (ids * 2,)),
            ]
            if other:
                cases.append(
                    Case(
                        f"{label} on another KAM's record",
                        "kam_1",
                        model_name,
                        method,
                        (other.ids,),
                        # opening a list filtered by the record rules shows nothing
                        expect=ANY if method.startswith("action_view") else REFUSED,
                    )
                )
        return cases

    def _huge_text_cases(self, model_name, user, base, ids, field):
        """A 1 MB text: stored whole, or refused with a message."""
        huge = self.huge

        def stored_whole(env, result):
            record_ids = [result] if type(result) is int else ids
            for record in env[model_name].browse(record_ids).sudo():
                value = record[field.name] or ""
                if field.type == "html":
                    # sanitized: the text is still all there
                    self.assertGreaterEqual(len(value), len(huge), field.name)
                else:
                    self.assertEqual(value, huge, f"{field.name}: not stored whole")

        return [
            Case(
                f"write a 1 MB text in {model_name}.{field.name}",
                user,
                model_name,
                "write",
                (ids, {field.name: huge}),
                check=stored_whole,
            ),
            Case(
                f"create with a 1 MB text in {model_name}.{field.name}",
                user,
                model_name,
                "create",
                ({**base, field.name: huge},),
                check=stored_whole,
            ),
        ]

    @classmethod
    def _module_methods(cls, model):
        """The RPC-callable methods (public, not @api.private) that kam_management
        defines on ``model``."""
        names = {
            name
            for klass in type(model).mro()
            if klass.__module__.startswith(f"odoo.addons.{MODULE}.")
            for name, value in vars(klass).items()
            if callable(value) and not name.startswith("_")
        }
        public = []
        for name in sorted(names):
            try:
                get_public_method(model, name)
            except (UserError, AttributeError):
                continue  # private: @api.private here or in a parent class
            public.append(name)
        return public

    def _model_cases(self, specs):
        """Missing values, negative amounts, reversed dates, other KAMs' records and
        actions in the wrong state or with wrong arguments, model by model."""
        drop = object()  # a value that removes the key from the valid values

        def create(model, label, vals, user=None, expect=REFUSED):
            values = {**specs[model]["create"], **vals}
            values = {key: value for key, value in values.items() if value is not drop}
            user = user or specs[model]["user"]
            return Case(
                f"{model}: create {label}", user, model, "create", (values,), {}, expect
            )

        def write(model, label, vals, record=None, user=None, expect=REFUSED):
            record = specs[model]["record"] if record is None else record
            user = user or specs[model]["user"]
            return Case(
                f"{model}: write {label}",
                user,
                model,
                "write",
                (record.ids, vals),
                {},
                expect,
            )

        def action(method, label, record, user="kam_1", expect=REFUSED, **kwargs):
            return Case(
                f"{record._name}.{method} {label}",
                user,
                record._name,
                method,
                (record.ids,),
                kwargs,
                expect,
            )

        yesterday, today = str(self.today - timedelta(days=1)), str(self.today)
        other_contact = self.env["res.partner"].create(
            {"name": "Buyer Two", "parent_id": self.account_2.id}
        )
        foreign_contact = self.env["res.partner"].create(
            {
                "name": "Foreign Buyer",
                "parent_id": self.account_1.id,
                "company_id": self.other_company.id,
            }
        )
        checked_in = self.visit_1.copy()
        checked_in.sudo().write({"check_in": fields.Datetime.now()})
        empty_planner = (
            self.env["kam.visit.planner"]
            .with_user(self.kam_1)
            .create({"week_start": str(self.planner_1.week_start)})
        )
        next_year_plan = (
            self.env["kam.plan"]
            .sudo()
            .create(
                self._plan_vals(self.kam_1, self.account_1, "Plan One next year", 1)
            )
        )
        terminated = self.contract_1.copy()
        terminated.sudo().state = "terminated"
        return [
            # --- configuration: heads of sales only ---------------------------------
            create("kam.segment", "as a KAM", {}, user="kam_1"),
            create("kam.segment", "without a name", {"name": drop}),
            create("kam.segment", "with an existing name", {"name": "Wholesale"}),
            create(
                "kam.segment",
                "in a company of which the user is no member",
                {"company_id": self.other_company.id},
            ),
            write("kam.segment", "an empty name", {"name": False}),
            write("kam.segment", "as a KAM", {"name": "Mine"}, user="kam_1"),
            write("kam.segment", "the name of another", {"name": "Retail"}),
            create("kam.variable.pay.scale", "as a KAM", {}, user="kam_1"),
            create(
                "kam.variable.pay.scale",
                "with a negative point",
                {"line_ids": [(0, 0, {"achievement": -5.0, "payout": 10.0})]},
            ),
            create(
                "kam.variable.pay.scale",
                "with the same achievement twice",
                {
                    "line_ids": [
                        (0, 0, {"achievement": 90.0, "payout": 10.0}),
                        (0, 0, {"achievement": 90.0, "payout": 20.0}),
                    ]
                },
            ),
            create(
                "kam.variable.pay.scale.line", "a negative payout", {"payout": -1.0}
            ),
            create(
                "kam.variable.pay.scale.line",
                "a negative achievement",
                {"achievement": -1.0},
            ),
            create("kam.variable.pay.scale.line", "without scale", {"scale_id": drop}),
            write("kam.variable.pay.scale.line", "a negative payout", {"payout": -1}),
            create("kam.credit.rating.policy", "as a KAM", {}, user="kam_1"),
            create(
                "kam.credit.rating.policy",
                "a second policy for a rating",
                {"rating": "a", "company_id": False},
            ),
            create("kam.credit.rating.policy", "without rating", {"rating": drop}),
            create(
                "kam.credit.rating.policy",
                "a negative unpaid limit",
                {"risk_invoice_unpaid_limit": -100.0},
            ),
            write(
                "kam.credit.rating.policy",
                "a negative unpaid limit",
                {"risk_invoice_unpaid_limit": -0.01},
            ),
            write("kam.credit.rating.policy", "as a KAM", {"note": "x"}, user="kam_1"),
            # --- plans ---------------------------------------------------------------
            create("kam.plan", "without a name", {"name": drop}),
            create(
                "kam.plan",
                "for another KAM",
                {"user_id": self.kam_2.id, "line_ids": []},
            ),
            create("kam.plan", "without KAM", {"user_id": False, "line_ids": []}),
            create(
                "kam.plan",
                "a department plan as a KAM",
                {"plan_type": "department", "team_id": self.team.id, "line_ids": []},
            ),
            create(
                "kam.plan",
                "ending before it starts",
                {"date_from": today, "date_to": yesterday},
            ),
            create("kam.plan", "without start", {"date_from": False}),
            create("kam.plan", "approved", {"state": "approved"}),
            *(
                create("kam.plan", f"a negative {fname}", {fname: -1})
                for fname in (
                    "target_amount",
                    "target_active_accounts",
                    "target_new_accounts",
                    "base_variable_pay",
                )
            ),
            create(
                "kam.plan",
                "with a negative account target",
                {
                    "line_ids": [
                        (0, 0, {"partner_id": self.account_1.id, "target_amount": -5})
                    ]
                },
            ),
            create(
                "kam.plan",
                "with another KAM's account",
                {"line_ids": [(0, 0, {"partner_id": self.account_2.id})]},
            ),
            create(
                "kam.plan",
                "with a partner that is no key account",
                {"line_ids": [(0, 0, {"partner_id": self.plain_partner.id})]},
            ),
            create(
                "kam.plan",
                "with another KAM's plan as department plan",
                {"parent_id": self.plan_2.id},
            ),
            write(
                "kam.plan",
                "an end before the start",
                {"date_to": str(self.year_start - timedelta(days=1))},
            ),
            write("kam.plan", "a negative target", {"target_amount": -0.01}),
            write("kam.plan", "another KAM", {"user_id": self.kam_2.id}),
            write(
                "kam.plan",
                "another KAM (a period they have no plan in)",
                {"user_id": self.kam_2.id},
                record=next_year_plan,
            ),
            write("kam.plan", "the approved state", {"state": "approved"}),
            write("kam.plan", "an empty name", {"name": ""}, expect=ANY),
            write("kam.plan", "no name", {"name": False}),
            write(
                "kam.plan",
                "the target of an approved plan",
                {"target_amount": 1.0},
                record=self.plan_1_approved,
            ),
            write(
                "kam.plan",
                "another KAM's plan",
                {"target_amount": 1.0},
                record=self.plan_2,
            ),
            action("action_submit", "of a draft plan", self.plan_1, expect=ANY),
            action("action_submit", "of an approved plan", self.plan_1_approved),
            action("action_approve", "as a KAM", self.plan_1),
            action(
                "action_approve", "of an approved plan", self.plan_1_approved, "head"
            ),
            action("action_close", "as a KAM", self.plan_1_approved),
            action("action_close", "of a draft plan", self.plan_1, "head"),
            action(
                "action_close", "of an approved plan", self.plan_1_approved, "head", ANY
            ),
            action("action_reopen", "of a draft plan", self.plan_1, "head"),
            action("action_reset_to_draft", "of a draft plan", self.plan_1, "head"),
            action("action_split", "of an individual plan", self.plan_1, "head"),
            action("action_split", "as a KAM", self.department),
            action(
                "action_split", "of the department plan", self.department, "head", ANY
            ),
            action(
                "action_view_children", "of the department", self.department, expect=ANY
            ),
            # --- account targets ---------------------------------------------------
            create(
                "kam.plan.line", "in another KAM's plan", {"plan_id": self.plan_2.id}
            ),
            create(
                "kam.plan.line",
                "in an approved plan",
                {"plan_id": self.plan_1_approved.id},
            ),
            create("kam.plan.line", "without plan", {"plan_id": drop}),
            create("kam.plan.line", "without account", {"partner_id": drop}),
            create("kam.plan.line", "a negative target", {"target_amount": -1.0}),
            create(
                "kam.plan.line",
                "for another KAM's account",
                {"partner_id": self.account_2.id},
            ),
            create(
                "kam.plan.line",
                "for an account already in the plan",
                {"partner_id": self.account_1.id},
            ),
            write("kam.plan.line", "a negative target", {"target_amount": -1.0}),
            write("kam.plan.line", "another KAM's plan", {"plan_id": self.plan_2.id}),
            write(
                "kam.plan.line",
                "the target of another KAM's line",
                {"target_amount": 1.0},
                record=self.plan_line_2,
            ),
            # --- visits --------------------------------------------------------------
            create("kam.visit", "of no duration", {"duration": 0}),
            create("kam.visit", "of a negative duration", {"duration": -1.5}),
            create("kam.visit", "of a billion hours", {"duration": 1e9}),
            create(
                "kam.visit", "at the end of time", {"date_start": "9999-12-31 23:00:00"}
            ),
            create("kam.visit", "for another KAM", {"user_id": self.kam_2.id}),
            create(
                "kam.visit",
                "with another KAM's account",
                {"partner_id": self.account_2.id},
            ),
            create(
                "kam.visit",
                "with a partner that is no key account",
                {"partner_id": self.plain_partner.id},
            ),
            create("kam.visit", "without account", {"partner_id": drop}),
            create("kam.visit", "without start", {"date_start": False}),
            create("kam.visit", "already done", {"state": "done"}),
            create(
                "kam.visit",
                "meeting another account's contact",
                {"contact_id": other_contact.id},
                expect=ANY,
            ),
            write("kam.visit", "a negative duration", {"duration": -1}),
            write(
                "kam.visit",
                "a start at the end of time",
                {"date_start": "9999-12-31 23:30:00"},
            ),
            write(
                "kam.visit",
                "a check-out before the check-in",
                {
                    "check_in": fields.Datetime.to_string(fields.Datetime.now()),
                    "check_out": fields.Datetime.to_string(
                        fields.Datetime.now() - timedelta(days=1)
                    ),
                },
            ),
            write("kam.visit", "another KAM", {"user_id": self.kam_2.id}),
            write(
                "kam.visit", "another KAM's account", {"partner_id": self.account_2.id}
            ),
            write("kam.visit", "the state done", {"state": "done"}),
            write(
                "kam.visit",
                "another KAM's visit",
                {"purpose": "Mine now"},
                record=self.visit_2,
            ),
            action(
                "action_check_in",
                "with a latitude in words",
                self.visit_1,
                latitude="north",
                longitude=11.0,
            ),
            action(
                "action_check_in",
                "at latitude 1000",
                self.visit_1,
                latitude=1000.0,
                longitude=11.0,
            ),
            action(
                "action_check_in",
                "with a latitude list",
                self.visit_1,
                latitude=[48.0],
                longitude=[11.0],
            ),
            action(
                "action_check_in",
                "with a latitude only",
                self.visit_1,
                expect=ANY,
                latitude=48.0,
            ),
            action("action_check_in", "without position", self.visit_1, expect=ANY),
            action("action_check_in", "of a done visit", self.visit_1_done),
            action("action_check_in", "of a cancelled visit", self.visit_1_cancelled),
            action("action_check_in", "of a checked-in visit", checked_in),
            # --- issue 18: the account's location from the phone ------------------
            action(
                "action_kam_set_location",
                "at latitude 91",
                self.account_1,
                latitude=91.0,
                longitude=11.0,
            ),
            action(
                "action_kam_set_location",
                "at longitude -181",
                self.account_1,
                latitude=48.0,
                longitude=-181.0,
            ),
            action(
                "action_kam_set_location",
                "with a latitude in words",
                self.account_1,
                latitude="north",
                longitude=11.0,
            ),
            action("action_kam_set_location", "without position", self.account_1),
            action(
                "action_kam_set_location",
                "of another KAM's account",
                self.account_2,
                latitude=48.0,
                longitude=11.0,
            ),
            action(
                "action_kam_set_location",
                "as sales support",
                self.account_1,
                user="support",
                latitude=48.0,
                longitude=11.0,
            ),
            action(
                "action_kam_set_location",
                "of a partner that is no key account",
                self.plain_partner,
                user="head",
                latitude=48.0,
                longitude=11.0,
            ),
            action(
                "action_kam_set_location",
                "where the KAM stands",
                self.account_1,
                expect=ANY,
                latitude=48.1,
                longitude=11.5,
            ),
            Case(
                "res.partner: write a latitude of 95",
                "kam_1",
                "res.partner",
                "write",
                (self.account_1.ids, {"partner_latitude": 95.0}),
                {},
                REFUSED,
            ),
            Case(
                "res.partner: write the location of another KAM's account",
                "kam_1",
                "res.partner",
                "write",
                (self.account_2.ids, {"partner_latitude": 1.0}),
                {},
                REFUSED,
            ),
            action("action_check_out", "before the check-in", self.visit_1),
            action(
                "action_check_out",
                "with a position in words",
                checked_in,
                latitude="north",
                longitude="east",
            ),
            action("action_check_out", "of a done visit", self.visit_1_done),
            action("action_done", "of a done visit", self.visit_1_done),
            action("action_done", "of a cancelled visit", self.visit_1_cancelled),
            action("action_cancel", "of a done visit", self.visit_1_done),
            action("action_cancel", "of a cancelled visit", self.visit_1_cancelled),
            action("action_reset_to_planned", "of a planned visit", self.visit_1),
            action("action_reset_to_planned", "of a done visit", self.visit_1_done),
            action("action_apply_terms", "without terms", self.visit_1),
            action("action_take_order", "on a cancelled visit", self.visit_1_cancelled),
            action("action_take_order", "on a planned visit", self.visit_1, expect=ANY),
            # --- the weekly planner ------------------------------------------------
            create("kam.visit.planner", "for another KAM", {"user_id": self.kam_2.id}),
            create("kam.visit.planner", "no visit a day", {"max_per_day": 0}),
            create("kam.visit.planner", "-3 visits a day", {"max_per_day": -3}),
            create("kam.visit.planner", "without week", {"week_start": False}),
            write("kam.visit.planner", "another KAM", {"user_id": self.kam_2.id}),
            write("kam.visit.planner", "-1 visit a day", {"max_per_day": -1}),
            write(
                "kam.visit.planner",
                "another KAM's planner",
                {"max_per_day": 2},
                record=self.planner_2,
            ),
            create(
                "kam.visit.planner.line",
                "for another KAM's account",
                {"partner_id": self.account_2.id},
            ),
            create(
                "kam.visit.planner.line",
                "in another KAM's planner",
                {"planner_id": self.planner_2.id},
            ),
            create("kam.visit.planner.line", "a negative duration", {"duration": -2.0}),
            create("kam.visit.planner.line", "without start", {"date_start": drop}),
            write("kam.visit.planner.line", "a negative duration", {"duration": -2.0}),
            action("action_propose", "of the KAM's week", self.planner_1, expect=ANY),
            action(
                "action_create_visits", "of the proposals", self.planner_1, expect=ANY
            ),
            action("action_create_visits", "without proposals", empty_planner),
            # --- credit checks -------------------------------------------------------
            create("kam.credit.check", "without account", {"partner_id": drop}),
            create("kam.credit.check", "without limit", {"requested_limit": drop}),
            *(
                create("kam.credit.check", f"a negative {fname}", {fname: -1})
                for fname in (
                    "requested_limit",
                    "approved_limit",
                    "annual_revenue",
                    "years_in_business",
                )
            ),
            create(
                "kam.credit.check",
                "valid until before its date",
                {"date": today, "valid_until": yesterday},
            ),
            create(
                "kam.credit.check",
                "for another KAM's account",
                {"partner_id": self.account_2.id},
            ),
            create(
                "kam.credit.check",
                "for another KAM's account, naming oneself",
                {"partner_id": self.account_2.id, "user_id": self.kam_1.id},
            ),
            create(
                "kam.credit.check",
                "for a partner that is no key account",
                {"partner_id": self.plain_partner.id},
            ),
            create(
                "kam.credit.check", "with a rating override", {"rating_override": "a"}
            ),
            create("kam.credit.check", "approved", {"state": "approved"}),
            create(
                "kam.credit.check",
                "with a document that is no base64",
                {
                    "attachment_ids": [
                        (0, 0, {"name": "report.pdf", "datas": "not base64!"})
                    ]
                },
            ),
            create(
                "kam.credit.check",
                "with a document of another model's record",
                {"attachment_ids": [(0, 0, {"name": "x", "no_such_field": 1})]},
            ),
            write(
                "kam.credit.check",
                "empty texts for a number, a date and a choice",
                {"years_in_business": "", "valid_until": "", "external_rating": ""},
                expect=ANY,
            ),
            write("kam.credit.check", "a negative limit", {"requested_limit": -1.0}),
            write(
                "kam.credit.check",
                "an expiry before its date",
                {"valid_until": fields.Date.today() - timedelta(days=1)},
            ),
            write("kam.credit.check", "a rating override", {"rating_override": "a"}),
            write("kam.credit.check", "the approved state", {"state": "approved"}),
            write(
                "kam.credit.check",
                "another KAM's check",
                {"requested_limit": 1.0},
                record=self.check_2,
            ),
            write(
                "kam.credit.check",
                "the limit of a submitted check",
                {"requested_limit": 1.0},
                record=self.check_1_submitted,
            ),
            action("action_submit", "of a submitted check", self.check_1_submitted),
            action(
                "action_refresh_history", "of a submitted check", self.check_1_submitted
            ),
            action("action_reset_to_draft", "of a draft check", self.check_1),
            action("action_submit", "of a draft check", self.check_1, expect=ANY),
            # --- contracts -----------------------------------------------------------
            create("kam.contract", "without account", {"partner_id": drop}),
            create("kam.contract", "without start", {"date_start": False}),
            create(
                "kam.contract",
                "ending before it starts",
                {"date_start": today, "date_end": yesterday},
            ),
            create("kam.contract", "a negative credit limit", {"credit_limit": -1.0}),
            create(
                "kam.contract",
                "for another KAM's account",
                {"partner_id": self.account_2.id},
            ),
            create(
                "kam.contract",
                "for another KAM's account, naming oneself",
                {"partner_id": self.account_2.id, "user_id": self.kam_1.id},
            ),
            create(
                "kam.contract",
                "for a partner that is no key account",
                {"partner_id": self.plain_partner.id},
            ),
            create("kam.contract", "active", {"state": "active"}),
            create(
                "kam.contract",
                "renewing another KAM's contract",
                {"renewal_of_id": self.contract_2.id},
            ),
            write(
                "kam.contract", "an end before the start", {"date_end": "2000-01-01"}
            ),
            write("kam.contract", "a negative credit limit", {"credit_limit": -5.0}),
            write("kam.contract", "the active state", {"state": "active"}),
            write(
                "kam.contract",
                "another KAM's contract",
                {"note": "<p>Mine</p>"},
                record=self.contract_2,
            ),
            action("action_activate", "of an active contract", self.contract_1_active),
            action("action_activate", "of a terminated contract", terminated),
            action("action_negotiate", "of an active contract", self.contract_1_active),
            action("action_terminate", "of a terminated contract", terminated),
            action("action_renew", "of a draft contract", self.contract_1),
            action(
                "action_renew",
                "of an active contract",
                self.contract_1_active,
                expect=ANY,
            ),
            # --- reasons -------------------------------------------------------------
            create("kam.reason", "without a name", {"name": drop}),
            create("kam.reason", "of no type", {"reason_type": False}),
            create("kam.reason", "as a KAM", {"name": "Mine"}, user="kam_1"),
            create(
                "kam.reason",
                "twice",
                {"name": "Damaged goods", "reason_type": "return"},
            ),
            # --- receivables -------------------------------------------------------
            create(
                "kam.collection.action",
                "with a promise in the past",
                {"promised_date": str(self.today - timedelta(days=1))},
            ),
            create(
                "kam.collection.action",
                "about another account's invoice",
                {"invoice_ids": [Command.set(self.invoice_2.ids)]},
            ),
            create(
                "kam.collection.action",
                "for another KAM's account",
                {
                    "partner_id": self.account_2.id,
                    "invoice_ids": [Command.set(self.invoice_2.ids)],
                },
            ),
            create(
                "kam.collection.action",
                "promising more than is owed",
                {"promised_amount": 1000000.0},
            ),
            create(
                "kam.collection.action",
                "promising a negative amount",
                {"promised_amount": -5.0},
            ),
            create(
                "kam.collection.action",
                "promising an amount without a date",
                {"promised_date": drop},
            ),
            create("kam.collection.action", "already kept", {"state": "kept"}),
            write("kam.collection.action", "its state to broken", {"state": "broken"}),
            write(
                "kam.collection.action",
                "what was open when promised",
                {"residual_at_promise": 0.0},
            ),
            # --- merchandising -------------------------------------------------------
            create(
                "kam.merchandising.task.type",
                "recurring every -7 days",
                {"recurrence_days": -7},
            ),
            create(
                "kam.merchandising.task",
                "for another KAM's account",
                {"partner_id": self.account_2.id},
            ),
            create(
                "kam.merchandising.task", "without a checklist", {"task_type_id": drop}
            ),
            create("kam.merchandising.task", "already done", {"state": "done"}),
            write("kam.merchandising.task", "its state to done", {"state": "done"}),
            write(
                "kam.merchandising.task",
                "another checklist",
                {"task_type_id": self.task_type.copy().id},
                user="head",
            ),
            write(
                "kam.merchandising.task",
                "a done task's deadline",
                {"date_deadline": str(self.today)},
                record=self.task_1_done,
            ),
            action("action_done", "with items unanswered", self.task_1),
            action("action_done", "twice", self.task_1_done),
            action("action_cancel", "of a done task", self.task_1_done),
            action("action_done", "of another KAM's task", self.task_2),
            create(
                "kam.merchandising.task.line",
                "that asks for a photo",
                {"photo_required": True},
            ),
            create(
                "kam.merchandising.task.line",
                "on a done task",
                {"task_id": self.task_1_done.id},
            ),
            write(
                "kam.merchandising.task.line",
                "no photo rule",
                {"photo_required": False},
                record=self.task_1.line_ids[1:],
            ),
            write(
                "kam.merchandising.task.line",
                "another name for a checklist item",
                {"name": "Anything"},
            ),
            Case(
                "kam.merchandising.task.line: unlink a checklist item",
                "kam_1",
                "kam.merchandising.task.line",
                "unlink",
                (self.task_1.line_ids[:1].ids,),
                {},
                REFUSED,
            ),
            # --- acts ----------------------------------------------------------------
            create(
                "kam.act",
                "on another account's invoice",
                {"invoice_id": self.act_invoice_2.id},
            ),
            create("kam.act", "without delivery or invoice", {"invoice_id": drop}),
            create("kam.act", "already confirmed", {"state": "confirmed"}),
            create(
                "kam.act",
                "with a credit note",
                {"credit_note_id": self.act_invoice_1.id},
            ),
            write("kam.act", "its state to resolved", {"state": "resolved"}),
            write(
                "kam.act",
                "a confirmed act's note",
                {"note": "changed"},
                record=self.act_1_confirmed,
            ),
            create("kam.act.line", "of a negative actual quantity", {"qty_actual": -1}),
            create(
                "kam.act.line", "of a negative expected quantity", {"qty_expected": -3}
            ),
            create(
                "kam.act.line",
                "on a confirmed act",
                {"act_id": self.act_1_confirmed.id},
            ),
            write(
                "kam.act.line",
                "a confirmed act's quantity",
                {"qty_actual": 0},
                record=self.act_1_confirmed.line_ids,
            ),
            action("action_confirm", "of another KAM's act", self.act_2),
            action("action_confirm", "twice", self.act_1_confirmed),
            action("action_create_credit_note", "of a draft act", self.act_1),
            action("action_create_return", "of a shortage act", self.act_1_confirmed),
            Case(
                "kam.act: unlink a confirmed act",
                "kam_1",
                "kam.act",
                "unlink",
                (self.act_1_confirmed.ids,),
                {},
                REFUSED,
            ),
            # --- trainings -----------------------------------------------------------
            create("kam.training", "of no hours", {"duration_hours": 0}),
            create("kam.training", "of negative hours", {"duration_hours": -1.5}),
            create("kam.training", "of a billion hours", {"duration_hours": 1e9}),
            create("kam.training", "a score of 6", {"feedback_score": "6"}),
            create("kam.training", "a score of -1", {"feedback_score": "-1"}),
            create("kam.training", "a score as a number", {"feedback_score": 5}),
            create("kam.training", "5 stars", {"feedback_score": "5"}, expect=ANY),
            create("kam.training", "without account", {"partner_id": drop}),
            create("kam.training", "without topic", {"topic": drop}),
            create("kam.training", "without date", {"date": False}),
            create(
                "kam.training",
                "with a partner that is no key account",
                {"partner_id": self.plain_partner.id},
            ),
            create("kam.training", "for another KAM", {"user_id": self.kam_2.id}),
            create(
                "kam.training",
                "with another KAM's account",
                {"partner_id": self.account_2.id},
            ),
            create(
                "kam.training",
                "with another account's contact",
                {"attendee_ids": [(Command.SET, 0, [other_contact.id])]},
            ),
            create(
                "kam.training",
                "with the account itself as attendee",
                {"attendee_ids": [(Command.SET, 0, [self.account_1.id])]},
            ),
            create(
                "kam.training",
                "with a contact of another company",
                {"attendee_ids": [(Command.SET, 0, [foreign_contact.id])]},
            ),
            create(
                "kam.training",
                "with an attendee created on the fly",
                {
                    "attendee_ids": [
                        (
                            Command.CREATE,
                            0,
                            {"name": "New Buyer", "parent_id": self.account_1.id},
                        )
                    ]
                },
                expect=ANY,
            ),
            create(
                "kam.training",
                "a next session before the date",
                {"date": today, "next_session_date": yesterday},
            ),
            create(
                "kam.training",
                "own development for an account",
                {"training_type": "self"},
            ),
            create(
                "kam.training",
                "own development, a certificate expiring before the course",
                {
                    "training_type": "self",
                    "partner_id": drop,
                    "date": today,
                    "certificate_expiry_date": yesterday,
                },
            ),
            create(
                "kam.training",
                "own development with a certificate that is no base64",
                {
                    "training_type": "self",
                    "partner_id": drop,
                    "certificate": "not base64!",
                },
            ),
            write("kam.training", "no hours", {"duration_hours": 0.0}),
            write("kam.training", "1000 attendees", {"attendee_count": 1000}),
            write(
                "kam.training",
                "another record's file as material",
                {"material_ids": [(Command.LINK, self.policy_document.id)]},
            ),
            write("kam.training", "a score of 9", {"feedback_score": "9"}),
            write("kam.training", "no account", {"partner_id": False}),
            write(
                "kam.training",
                "a next session before the date",
                {"next_session_date": str(self.today - timedelta(days=3))},
            ),
            write("kam.training", "another KAM", {"user_id": self.kam_2.id}),
            write(
                "kam.training",
                "another KAM's account",
                {"partner_id": self.account_2.id},
            ),
            write(
                "kam.training",
                "another account's contact",
                {"attendee_ids": [(Command.LINK, other_contact.id)]},
            ),
            write(
                "kam.training",
                "a certificate expiring before the course",
                {"certificate_expiry_date": str(self.today - timedelta(days=1))},
                record=self.training_1_self,
            ),
            write(
                "kam.training",
                "own development, for another KAM",
                {"user_id": self.kam_2.id},
                record=self.training_1_self,
            ),
            write(
                "kam.training",
                "another KAM's training",
                {"topic": "Mine now"},
                record=self.training_2,
            ),
            # --- credit release ------------------------------------------------------
            create("kam.credit.release", "without order", {"order_id": drop}),
            create(
                "kam.credit.release",
                "as a KAM for their order",
                {"order_id": self.order_1.id},
                user="kam_1",
                expect=ANY,
            ),
            create(
                "kam.credit.release",
                "as a KAM for another KAM's order",
                {"order_id": self.order_2.id},
                user="kam_1",
            ),
            action("action_release", "as a KAM", self.release_1),
            action("action_release", "without reason", self.release_head, "head"),
            # --- cancelling an order with its reason (duty 2.11) ---------------------
            create("kam.order.cancel", "without order", {"order_id": drop}),
            create(
                "kam.order.cancel",
                "for another KAM's order",
                {"order_id": self.order_2.id},
            ),
            create(
                "kam.order.cancel",
                "with a return reason",
                {
                    "reason_id": self.env.ref(
                        "kam_management.kam_reason_return_damaged"
                    ).id
                },
            ),
            write(
                "kam.order.cancel",
                "a refusal reason",
                {
                    "reason_id": self.env.ref(
                        "kam_management.kam_reason_refusal_quality"
                    ).id
                },
            ),
            write("kam.order.cancel", "another order", {"order_id": self.order_2.id}),
            action(
                "action_cancel_order",
                "without reason",
                self.cancel_1.with_user(self.kam_1).create(
                    {"order_id": self.order_1.id}
                ),
            ),
            # --- key account settings (the company's, through the settings, or the
            # head of sales' Key Account Settings) ------------------------------------
            *(
                Case(
                    f"res.company: write {label} as {user}",
                    user,
                    "res.company",
                    "write",
                    (self.env.company.ids, vals),
                    expect=REFUSED,
                )
                for user in ("admin", "head")
                for label, vals in (
                    ("a huge visit interval", {"kam_visit_interval_a": 2**40}),
                    ("visits per day in words", {"kam_visit_max_per_day": "four"}),
                    ("no visit interval", {"kam_visit_interval_b": 0}),
                    ("a negative grace period", {"kam_visit_grace_days": -1}),
                    ("a negative weight", {"kam_credit_weight_payment": -5}),
                    (
                        "no weight at all",
                        dict.fromkeys(
                            (
                                "kam_credit_weight_payment",
                                "kam_credit_weight_overdue",
                                "kam_credit_weight_age",
                                "kam_credit_weight_equity",
                                "kam_credit_weight_external",
                            ),
                            0,
                        ),
                    ),
                    ("a validity of 0 months", {"kam_credit_check_validity_months": 0}),
                    (
                        "a validity of 100000 months",
                        {"kam_credit_check_validity_months": 100000},
                    ),
                    ("a negative reminder", {"kam_contract_reminder_days": -1}),
                    (
                        "a sales support user that does not exist",
                        {"kam_sales_support_user_id": MISSING_ID},
                    ),
                )
            ),
            Case(
                "res.company: write the company's name as a head of sales",
                "head",
                "res.company",
                "write",
                (self.env.company.ids, {"name": "Renamed", "kam_visit_interval_a": 3}),
                expect=REFUSED,
            ),
            Case(
                "res.company: write the visit interval as a KAM",
                "kam_1",
                "res.company",
                "write",
                (self.env.company.ids, {"kam_visit_interval_a": 3}),
                expect=REFUSED,
            ),
            *(
                Case(
                    f"res.config.settings: create {label}",
                    "admin",
                    "res.config.settings",
                    "create",
                    (vals,),
                    expect=REFUSED,
                )
                for label, vals in (
                    ("a huge visit interval", {"kam_visit_interval_c": 2**40}),
                    ("a radius in words", {"kam_checkin_radius": "500 m"}),
                    ("a negative weight", {"kam_credit_weight_age": -1}),
                    ("no visit a day", {"kam_visit_max_per_day": 0}),
                )
            ),
            Case(
                "res.config.settings: create valid key account settings",
                "admin",
                "res.config.settings",
                "create",
                ({"kam_visit_interval_a": 10, "kam_credit_weight_age": 10},),
            ),
            # --- know the account (issue 15): profile, prospects, health -------------
            *self._profile_cases(write, action),
            *self._intel_cases(create, write, action),
            *self._delegation_cases(create, write, action),
            # --- discount authority (duty 2.9) --------------------------------------
            *(
                Case(
                    f"sale.order.line: write a discount of {discount} %",
                    "kam_1",
                    "sale.order.line",
                    "write",
                    (self.order_1.order_line.ids, {"discount": discount}),
                    expect=REFUSED,
                )
                for discount in (101.0, 150, -5.0)
            ),
            Case(
                "sale.order: add a line with a discount of 120 %",
                "kam_1",
                "sale.order",
                "write",
                (
                    self.order_1.ids,
                    {
                        "order_line": [
                            Command.create(
                                {"product_id": self.product_a.id, "discount": 120}
                            )
                        ]
                    },
                ),
                expect=REFUSED,
            ),
            Case(
                "sale.order: mark the discount escalated",
                "kam_1",
                "sale.order",
                "write",
                (self.order_1.ids, {"kam_discount_escalated": True}),
                expect=REFUSED,
            ),
            Case(
                "sale.order: write the terms under review",
                "kam_1",
                "sale.order",
                "write",
                (self.order_1.ids, {"kam_discount_terms": "(1, 2, [])"}),
                expect=REFUSED,
            ),
            action(
                "validate_tier",
                "of an order under review, as its KAM",
                self._order_under_review(),
            ),
            action(
                "reject_tier",
                "of an order under review, as sales support",
                self._order_under_review(),
                user="support",
            ),
            action("request_validation", "of another KAM's order", self.order_2),
            *(
                Case(
                    f"res.company: write a discount authority of {label} as {user}",
                    user,
                    "res.company",
                    "write",
                    (self.env.company.ids, vals),
                    expect=REFUSED,
                )
                for user in ("admin", "head")
                for label, vals in (
                    ("150 %", {"kam_max_discount": 150}),
                    ("-1 %", {"kam_max_discount": -1}),
                    ("101 % for tier B", {"kam_max_discount_b": 101}),
                    ("-10 % for tier C", {"kam_max_discount_c": -10}),
                    ("ten", {"kam_max_discount": "ten"}),
                    (
                        "a pricelist that does not exist",
                        {"kam_pricelist_a_ids": [Command.link(MISSING_ID)]},
                    ),
                )
            ),
            Case(
                "res.company: write the discount authority as a KAM",
                "kam_1",
                "res.company",
                "write",
                (self.env.company.ids, {"kam_max_discount": 50}),
                expect=REFUSED,
            ),
            Case(
                "res.config.settings: create a discount authority of 200 %",
                "admin",
                "res.config.settings",
                "create",
                ({"kam_max_discount": 200},),
                expect=REFUSED,
            ),
            Case(
                "res.company: write a valid discount authority as a head of sales",
                "head",
                "res.company",
                "write",
                (self.env.company.ids, {"kam_max_discount": 12.5}),
            ),
            # --- standard models' methods of kam_management --------------------------
            action("action_confirm", "of another KAM's order", self.order_2),
            action(
                "action_kam_view_invoices",
                "of two accounts",
                self.account_1 | self.account_3,
                expect=ANY,
            ),
            # --- order advice (duties 2.7, 2.8): its settings are percentages, its
            # wizard works on the orders the user may change -------------------------
            *(
                Case(
                    f"res.company: write {label} as {user}",
                    user,
                    "res.company",
                    "write",
                    (self.env.company.ids, vals),
                    expect=REFUSED,
                )
                for user in ("admin", "head")
                for label, vals in (
                    ("a core share of 0 %", {"kam_assortment_core_percent": 0}),
                    ("a core share of 150 %", {"kam_assortment_core_percent": 150}),
                    (
                        "a negative overdue threshold",
                        {"kam_advice_overdue_threshold": -5},
                    ),
                    (
                        "an overdue threshold of 101 %",
                        {"kam_advice_overdue_threshold": 101},
                    ),
                    (
                        "a core share in words",
                        {"kam_assortment_core_percent": "thirty"},
                    ),
                )
            ),
            Case(
                "res.config.settings: create an overdue threshold of 200 %",
                "admin",
                "res.config.settings",
                "create",
                ({"kam_advice_overdue_threshold": 200},),
                expect=REFUSED,
            ),
            Case(
                "sale.order.recommendation: create for another KAM's order",
                "kam_1",
                "sale.order.recommendation",
                "create",
                ({"order_id": self.order_2.id},),
                expect=REFUSED,
            ),
            Case(
                "sale.order.recommendation: create for an order that does not exist",
                "kam_1",
                "sale.order.recommendation",
                "create",
                ({"order_id": MISSING_ID},),
                expect=REFUSED,
            ),
            # --- bonus programmes ---------------------------------------------------
            create("kam.promotion", "ending before it starts", {"date_to": yesterday}),
            create("kam.promotion", "without a period", {"date_from": drop}),
            create(
                "kam.promotion",
                "with another KAM's account",
                {"partner_ids": [Command.set(self.account_2.ids)]},
            ),
            create(
                "kam.promotion",
                "with a contact as account",
                {"partner_ids": [Command.set(other_contact.ids)]},
            ),
            create("kam.promotion", "already running", {"state": "running"}),
            create(
                "kam.promotion",
                "with decreasing tiers",
                {
                    "tier_ids": [
                        Command.create({"threshold_amount": 100, "bonus_percent": 5}),
                        Command.create({"threshold_amount": 900, "bonus_percent": 2}),
                    ]
                },
            ),
            create(
                "kam.promotion",
                "with the same threshold twice",
                {
                    "tier_ids": [
                        Command.create({"threshold_amount": 100, "bonus_percent": 1}),
                        Command.create({"threshold_amount": 100, "bonus_percent": 2}),
                    ]
                },
            ),
            write("kam.promotion", "the state", {"state": "approved"}),
            write("kam.promotion", "a reversed period", {"date_to": "2000-01-01"}),
            create(
                "kam.promotion.tier", "with a bonus of 101 %", {"bonus_percent": 101}
            ),
            create("kam.promotion.tier", "with a bonus of 0 %", {"bonus_percent": 0}),
            create(
                "kam.promotion.tier", "with a negative bonus", {"bonus_percent": -5}
            ),
            create(
                "kam.promotion.tier",
                "with a negative threshold",
                {"threshold_amount": -1.0},
            ),
            create(
                "kam.promotion.tier",
                "below the others with a higher bonus",
                {"threshold_amount": 50.0, "bonus_percent": 9.0},
            ),
            create(
                "kam.promotion.participant",
                "by hand",
                {},
                user="head",
            ),
            action("action_approve", "as a KAM", self.promotion_1),
            action(
                "action_approve",
                "without participants",
                self.promotion_1.copy({"partner_ids": [Command.clear()]}),
                user="head",
            ),
            action("action_settle", "of a draft", self.promotion_1, user="head"),
            action("action_start", "of a draft", self.promotion_1, user="head"),
            action("action_reset_draft", "of a draft", self.promotion_1),
        ]

    def _profile_cases(self, write, action):
        """Profile, relationship map, prospects and health weights (issue 15)."""
        prospect = self.env["res.partner"].create(
            {
                "name": "Bad Input Prospect",
                "is_company": True,
                "kam_prospect_state": "prospect",
                "kam_user_id": self.kam_1.id,
            }
        )
        contact = self.env["res.partner"].create(
            {"name": "Bad Input Buyer", "parent_id": self.account_1.id}
        )

        def partner(record, label, vals, user="kam_1", expect=REFUSED):
            return Case(
                f"res.partner: write {label}",
                user,
                "res.partner",
                "write",
                (record.ids, vals),
                {},
                expect,
            )

        weights = (
            "visit",
            "plan",
            "overdue",
            "relationship",
            "contract",
            "trend",
        )
        return [
            partner(
                self.account_1, "a negative potential", {"kam_potential_annual": -1}
            ),
            partner(contact, "an influence of 7", {"kam_influence": 7}),
            partner(contact, "a negative influence", {"kam_influence": -1}),
            partner(contact, "an influence of 3", {"kam_influence": 3}, expect=ANY),
            partner(contact, "an unknown role", {"kam_contact_role": "boss"}),
            partner(
                contact,
                "the role of another KAM's contact",
                {"kam_contact_role": "blocker"},
                user="kam_2",
            ),
            partner(
                self.account_1,
                "the needs of another KAM's account",
                {"kam_needs": "Nothing"},
                user="kam_2",
            ),
            partner(self.account_1, "a health score", {"kam_health_score": 100}),
            partner(
                self.account_1,
                "a health score as a head of sales",
                {"kam_health_score": 100},
                user="head",
            ),
            partner(
                prospect, "a prospect straight to won", {"kam_prospect_state": "won"}
            ),
            partner(
                self.account_1,
                "a key account as a prospect",
                {"kam_prospect_state": "prospect"},
            ),
            Case(
                "res.partner: create a prospect already lost",
                "kam_1",
                "res.partner",
                "create",
                (
                    {
                        "name": "Lost Already",
                        "is_company": True,
                        "kam_prospect_state": "lost",
                    },
                ),
                {},
                REFUSED,
            ),
            Case(
                "res.partner: create a person as a prospect",
                "kam_1",
                "res.partner",
                "create",
                ({"name": "Jane", "kam_prospect_state": "prospect"},),
                {},
                REFUSED,
            ),
            action("action_kam_prospect_lost", "without a reason", prospect),
            action("action_kam_prospect_reopen", "of an open prospect", prospect),
            action("action_kam_make_key_account", "of a key account", self.account_1),
            action(
                "action_kam_make_key_account",
                "of another KAM's prospect",
                prospect,
                user="kam_2",
            ),
            action("action_kam_prospect_activate", "of no prospect", prospect.browse()),
            *(
                Case(
                    f"res.company: write {label} as {user}",
                    user,
                    "res.company",
                    "write",
                    (self.env.company.ids, vals),
                    expect=REFUSED,
                )
                for user in ("admin", "head")
                for label, vals in (
                    ("a negative health weight", {"kam_health_weight_visit": -5}),
                    (
                        "no health weight at all",
                        {f"kam_health_weight_{key}": 0 for key in weights},
                    ),
                    ("an at-risk threshold of 150", {"kam_health_risk_threshold": 150}),
                    ("a health weight in words", {"kam_health_weight_plan": "high"}),
                )
            ),
            Case(
                "res.config.settings: create a negative health weight",
                "admin",
                "res.config.settings",
                "create",
                ({"kam_health_weight_trend": -1},),
                expect=REFUSED,
            ),
        ]

    # --- the tests ------------------------------------------------------------
    def test_wrong_values_and_calls(self):
        """Generated per model: wrong types, huge texts, malformed calls, other
        KAMs' records, one-record actions on no, missing or several records."""
        cases = []
        for model_name, spec in self._specs().items():
            cases += self._generic_cases(model_name, spec)
        self._run_all(cases)

    def test_business_bad_input(self):
        """Missing values, negative amounts, reversed dates, other KAMs' records,
        actions in the wrong state or with wrong arguments."""
        self._run_all(self._model_cases(self._specs()))

    def test_every_model_checks_its_input(self):
        """Every model of the module inherits the input checks and has its row in
        the tables above."""
        mixin = self.env.registry["kam.input.mixin"]
        specs = self._specs()
        missing = []
        for model_name, model_cls in self.env.registry.items():
            if (
                model_cls._original_module != MODULE
                or model_cls._abstract
                or not model_cls._auto
            ):
                continue
            if mixin not in model_cls.mro():
                missing.append(f"{model_name} does not inherit kam.input.mixin")
            if model_name not in specs:
                missing.append(f"{model_name} has no row in _specs()")
        self.assertFalse(missing, "\n".join(missing))

    def test_helper_methods_are_private(self):
        """What kam_management defines and RPC may call: actions and ORM methods.
        Anything else (helpers, computations) must start with an underscore or be
        decorated with @api.private."""
        public = []
        for model_name in sorted(self.env.registry):
            model = self.env[model_name]
            for name in self._module_methods(model):
                if (
                    name.startswith("action_")
                    or name in ORM_METHODS
                    or (model_name, name) in ALLOWED_PUBLIC_METHODS
                ):
                    continue
                public.append(f"{model_name}.{name}")
        self.assertFalse(
            public,
            "Public methods that are neither actions nor ORM methods (make them "
            "private with a leading underscore, or allow them in "
            "ALLOWED_PUBLIC_METHODS with the reason):\n" + "\n".join(public),
        )
