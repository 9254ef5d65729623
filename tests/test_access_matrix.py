"""The access matrix: who may create, read, write and delete what, as a specification.

SPEC below is the specification (parsed into MATRIX, {(subject, role): letters}).
Each row is a subject: a kam model (in a given state where the state matters) or a
KAM field of a standard model. Each column is a
role. A cell lists what the role may do with the subject's test record:

    c = create, r = read, w = write, u = unlink (delete),
    x = run the subject's action (kam.credit.release: release the credit block;
        an approved plan or credit check: reset it to draft), refused with an
        AccessError,
    - = nothing.

A field row is about that field only (r = read it, w = write it, c = create a record
with it set), the record itself being readable by the role or not. Only the
operations of the subject (``ops`` in ``_subjects``) are tried: a letter of another
operation in its row is a specification error.

Every cell is run as a real user (``with_user``, no sudo), in a savepoint that is
always rolled back. An operation is *allowed* when it succeeds and *refused* when it
raises AccessError, or a UserError (business lock, e.g. "only draft plans can be
deleted"). Any other outcome (ValidationError, SQL error...) is reported as an error:
the test data or the code has to be fixed. A read is also cross-checked with search:
a record the role may not read must not be found either.

The roles: the records under test belong to ``kam``'s key account "Matrix Account"
in company A; ``other_kam`` is another key account manager of company A;
``company_b_head`` is a head of sales whose only company is B and who must see
nothing of company A.
"""

from dataclasses import dataclass, field

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.kam_management.models.res_partner import KAM_VISIT_DAY_FIELDS

from .common import KamCommon

ROLES = (
    "kam",  # Key Account Manager, owner of the records under test
    "other_kam",  # another Key Account Manager of company A
    "head",  # Head of Sales
    "support",  # Sales Support
    "reviewer",  # Credit Reviewer + internal user, nothing else
    "accountant",  # account.group_account_invoice (Invoicing / Billing) only
    "internal",  # base.group_user only
    "portal",  # a portal user of the customer: a contact of kam's account
    "public",
    "company_b_head",  # Head of Sales of company B only
)

# Columns (ROLES, in that order): kam, other_kam (okam), head, support (supp),
# reviewer (revw), accountant (acct), internal (intl), portal (port), public (publ),
# company_b_head (B).
SPEC = """
subject                                  kam  okam head supp revw acct intl port publ B
# market segments: configuration KAMs and sales support read, heads of sales manage
kam.segment                              r    r    crwu r    -    -    -    -    -    -
# an individual plan: its KAM and heads of sales work on it while it is a draft;
# only heads of sales delete plans, credit checks and contracts
kam.plan:draft                           crw  -    crwu -    -    -    -    -    -    -
# a department plan: every KAM reads it, only heads of sales change it
kam.plan:department                      r    r    crwu -    -    -    -    -    -    -
# an approved individual plan is read only, also for heads of sales: they reset it
# to draft (x); only drafts are deleted
kam.plan:approved                        r    -    rx   -    -    -    -    -    -    -
# account targets follow their plan
kam.plan.line:draft                      crwu -    crwu -    -    -    -    -    -    -
kam.plan.line:approved                   r    -    r    -    -    -    -    -    -    -
# plan analysis: a KAM reads their own plans' rows, heads of sales all; nobody writes
kam.plan.report                          r    -    r    -    -    -    -    -    -    -
# revenue analysis: a KAM reads their own accounts' revenue, heads of sales all of
# it; nobody writes
kam.revenue.report                       r    -    r    -    -    -    -    -    -    -
# fulfilment analysis: a KAM reads their own accounts' rows, heads of sales and sales
# support all; returns and refusals: KAMs their own, heads of sales all; nobody writes
kam.fulfilment.report                    r    -    r    r    -    -    -    -    -    -
kam.return.report                        r    -    r    -    -    -    -    -    -    -
# cancelling a confirmed order with its reason (x = cancel it): the sales users who
# may change the order
kam.order.cancel                         cx   -    cx   cx   -    -    -    -    -    -
# variable pay scales: KAMs read them, heads of sales manage them
kam.variable.pay.scale                   r    r    crwu -    -    -    -    -    -    -
kam.variable.pay.scale.line              r    r    crwu -    -    -    -    -    -    -
# visits: a KAM plans and works their own visits of their own accounts, never
# deletes one
kam.visit                                crw  -    crwu -    -    -    -    -    -    -
# credit checks: the account's KAM prepares them, reviewers (heads of sales,
# accounting managers, credit reviewers) review them; approved checks are locked:
# a head of sales resets one to draft (x), nobody writes on it
kam.credit.check:draft                   crw  -    crwu -    rw   -    -    -    -    -
kam.credit.check:approved                r    -    rx   -    r    -    -    -    -    -
# rating policies: configuration KAMs read, heads of sales manage
kam.credit.rating.policy                 r    r    crwu -    -    -    -    -    -    -
# contracts: the account's KAM and heads of sales; sales support reads them
kam.contract:draft                       crw  -    crwu r    -    -    -    -    -    -
# ... but not the agreed credit limit
kam.contract.credit_limit                rw   -    rw   -    -    -    -    -    -    -
# return and refusal reasons: every employee reads the list, heads of sales keep it
kam.reason                               r    r    crwu r    r    r    r    -    -    -
# receivables: the aging rows like the revenue; collection actions of the KAM's own
# accounts, all for heads of sales, none for sales support; a decided promise is
# read only (refused write and delete)
kam.aging.report                         r    -    r    -    -    -    -    -    -    -
kam.collection.action:open               crwu -    crwu -    -    -    -    -    -    -
kam.collection.action:kept               r    -    r    -    -    -    -    -    -    -
res.partner.kam_dso                      r    r    r    -    -    -    -    -    -    -
res.partner.kam_dunning_level            r    r    r    -    -    -    -    -    -    -
res.partner.kam_dunning_date             r    r    r    -    -    -    -    -    -    -
res.partner.kam_collection_count         r    r    r    -    -    -    -    -    -    -
# merchandising checklists: KAMs read them, heads of sales manage them (one in use
# is archived, not deleted)
kam.merchandising.task.type              r    r    crw  -    -    -    -    -    -    -
kam.merchandising.task.type.line         r    r    crwu -    -    -    -    -    -    -
# merchandising tasks: the account's KAM works them, heads of sales see all; sales
# support has no part in them; a done task is the account's history: read only
kam.merchandising.task:todo              crwu -    crwu -    -    -    -    -    -    -
kam.merchandising.task:done              r    -    r    -    -    -    -    -    -    -
# the KAM's own items of a task to do (the checklist's own are answered, not removed)
kam.merchandising.task.line:todo         crwu -    crwu -    -    -    -    -    -    -
# discrepancy acts: the account's KAM and heads of sales; sales support draws them
# up with the client and reads them, never deletes one; a confirmed act is read only
# and is never deleted (it is cancelled)
kam.act:draft                            crwu -    crwu crw  -    -    -    -    -    -
kam.act:confirmed                        r    -    r    r    -    -    -    -    -    -
kam.act.line:draft                       crwu -    crwu crwu -    -    -    -    -    -
# trainings: a KAM logs their own (of their own accounts), heads of sales all of them;
# sales support reads the client trainings, never a KAM's own development
kam.training:client                      crw  -    crwu r    -    -    -    -    -    -
kam.training:self                        crw  -    crwu -    -    -    -    -    -    -
# releasing a credit block: KAMs (on their orders) and sales support may open the
# wizard, only a head of sales releases
kam.credit.release                       c    -    cx   c    -    -    -    -    -    -
# weekly visit planner: for KAMs, in their own company
kam.visit.planner                        c    c    c    -    -    -    -    -    -    -
# res.partner: who the KAM is, every internal user sees; the account's KAM and heads
# of sales change the key account settings; a head of sales hands accounts over
res.partner.is_key_account               rw   r    rw   r    r    r    r    -    -    -
res.partner.kam_user_id                  r    r    rw   r    r    r    r    -    -    -
# res.partner: KAM-only settings and figures (trade secrets)
res.partner.kam_tier                     rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_segment_id               rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_visit_interval_days      rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_visit_monday             rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_visit_tuesday            rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_visit_wednesday          rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_visit_thursday           rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_visit_friday             rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_last_visit_date          r    r    r    -    -    -    -    -    -    -
res.partner.kam_next_visit_date          r    r    r    -    -    -    -    -    -    -
res.partner.kam_revenue_12m              r    r    r    -    -    -    -    -    -    -
res.partner.kam_overdue_amount           r    r    r    -    -    -    -    -    -    -
res.partner.kam_last_order_date          r    r    r    -    -    -    -    -    -    -
res.partner.kam_credit_valid_until       r    r    r    -    -    -    -    -    -    -
res.partner.kam_figures_visible          r    r    r    -    -    -    -    -    -    -
res.partner.kam_merchandising_compliance r    r    r    -    -    -    -    -    -    -
res.partner.kam_merchandising_last_date  r    r    r    -    -    -    -    -    -    -
res.partner.kam_merchandising_todo_count r    r    r    -    -    -    -    -    -    -
# res.partner: what the form lets the user change (computed for the reader); the
# smart buttons' counts, of the records each role may open (sales support: contracts
# and invoices)
res.partner.kam_can_edit                 r    r    r    r    r    r    r    -    -    -
res.partner.kam_can_manage               r    r    r    r    r    r    r    -    -    -
res.partner.kam_visit_count              r    r    r    -    -    -    -    -    -    -
res.partner.kam_contract_count           r    r    r    r    -    -    -    -    -    -
res.partner.kam_credit_check_count       r    r    r    -    -    -    -    -    -    -
res.partner.kam_plan_count               r    r    r    -    -    -    -    -    -    -
res.partner.kam_invoice_count            r    r    r    r    -    -    -    -    -    -
res.partner.kam_late_order_count         r    r    r    r    -    -    -    -    -    -
# res.partner: the trainings of the account's staff, for KAMs and sales support
# (another KAM's account shows them as nothing: kam_training_figures_visible)
res.partner.kam_training_count           r    r    r    r    -    -    -    -    -    -
res.partner.kam_trained_staff_year       r    r    r    r    -    -    -    -    -    -
res.partner.kam_training_hours_year      r    r    r    r    -    -    -    -    -    -
res.partner.kam_training_figures_visible r    r    r    r    -    -    -    -    -    -
# res.partner: credit control is decided by heads of sales (and credit checks)
res.partner.kam_credit_rating            r    r    rw   -    -    -    -    -    -    -
res.partner.kam_credit_hold              r    r    rw   -    -    -    -    -    -    -
# Odoo's credit limit is an accounting field: approved credit checks write it; an
# accountant reads it but does not change a key account's (the guard on res.partner)
res.partner.credit_limit                 -    -    -    -    -    r    -    -    -    -
# know the account (issue 15): the profile and relationship map are the KAMs' (the
# account's KAM and heads of sales change them), the prospect stage every employee
# sees (it moves by buttons only), the health score sales support sees too, its
# breakdown (overdue debt, revenue) the account's KAM and heads of sales only (others:
# nothing); nobody writes a score
res.partner.kam_needs                    rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_potential_annual         rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_buying_season            rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_decision_process         rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_lost_reason_id           rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_contact_role             rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_influence                rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_attitude                 rw   r    rw   -    -    -    -    -    -    -
res.partner.kam_share_of_wallet          r    r    r    -    -    -    -    -    -    -
res.partner.kam_last_contact_date        r    r    r    -    -    -    -    -    -    -
res.partner.kam_relationship_coverage    r    r    r    -    -    -    -    -    -    -
res.partner.kam_health_breakdown         r    r    r    -    -    -    -    -    -    -
res.partner.kam_prospect_state           r    r    r    r    r    r    r    -    -    -
res.partner.kam_health_score             r    r    r    r    -    -    -    -    -    -
res.partner.kam_health_date              r    r    r    r    -    -    -    -    -    -
res.partner.kam_health_at_risk           r    r    r    r    -    -    -    -    -    -
res.partner.kam_health_data              -    -    -    -    -    -    -    -    -    -
# sale.order (kam's order): sales users see the KAM, only the KAM group the visit and
# the credit figures; the KAM and key account flag are copies of the account's (set on
# the account); the release is written by the release wizard only
sale.order.kam_user_id                   r    -    r    r    -    r    -    -    -    -
sale.order.kam_is_key_account            r    -    r    r    -    r    -    -    -    -
sale.order.kam_visit_id                  rw   -    rw   -    -    -    -    -    -    -
sale.order.kam_reason_id                 rw   -    rw   rw   -    rw   -    -    -    -
sale.order.kam_credit_headroom           r    -    r    -    -    -    -    -    -    -
sale.order.kam_overdue_share             r    -    r    -    -    -    -    -    -    -
sale.order.kam_credit_released_by        r    -    r    -    -    -    -    -    -    -
sale.order.kam_credit_release_reason     r    -    r    -    -    -    -    -    -    -
sale.order.kam_credit_release_date       r    -    r    -    -    -    -    -    -    -
sale.order.kam_credit_release_amount     r    -    r    -    -    -    -    -    -    -
sale.order.kam_credit_release_partner_id r    -    r    -    -    -    -    -    -    -
sale.order.kam_credit_release_valid      r    -    r    -    -    -    -    -    -    -
# ... but sales users (sales support too) see whether the gate holds the order and
# why, without figures, and who is to enter an order taken on a visit
sale.order.kam_credit_status             r    -    r    r    -    -    -    -    -    -
sale.order.kam_credit_block_reason       r    -    r    r    -    -    -    -    -    -
sale.order.kam_entry_user_id             r    -    r    r    -    -    -    -    -    -
# fulfilment: sales users (sales support too) follow the payment status and late
# deliveries of the orders
sale.order.kam_payment_status            r    -    r    r    -    -    -    -    -    -
sale.order.kam_is_late                   r    -    r    r    -    -    -    -    -    -
# invoice analysis: readers of the report see key account and KAM, the KAM group tier
# and segment
# the return reason of a credit note: set by accounting (and the acts' flows), read by
# whoever reads the invoice (the KAM reads the invoices they are the salesperson of)
account.move.kam_reason_id               -    -    r    r    -    rw   -    -    -    -
account.move.kam_is_key_account          -    -    r    r    -    r    -    -    -    -
account.invoice.report.is_key_account    -    -    r    -    -    r    -    -    -    -
account.invoice.report.kam_user_id       -    -    r    -    -    r    -    -    -    -
account.invoice.report.kam_tier          -    -    r    -    -    -    -    -    -    -
account.invoice.report.kam_segment_id    -    -    r    -    -    -    -    -    -    -
# sales analysis: as the orders (a KAM sees the rows of their own orders)
sale.report.is_key_account               r    -    r    r    -    -    -    -    -    -
sale.report.kam_user_id                  r    -    r    r    -    -    -    -    -    -
sale.report.kam_tier                     r    -    r    -    -    -    -    -    -    -
sale.report.kam_segment_id               r    -    r    -    -    -    -    -    -    -
# order advice: the account's assortment coverage, a figure of the KAM group (shown to
# the account's KAM and heads of sales only, as nothing to the others)
res.partner.kam_assortment_coverage      r    r    r    -    -    -    -    -    -    -
res.partner.kam_assortment_core_count    r    r    r    -    -    -    -    -    -    -
# bonus programmes (duty 2.18): the account's KAM proposes one, heads of sales approve
# and manage all; an approved (running) programme is read only, and read by sales
# support (its terms, who takes part); the participants' figures are the account KAM's
kam.promotion:draft                      crwu -    crwu -    -    -    -    -    -    -
kam.promotion:running                    r    -    r    r    -    -    -    -    -    -
kam.promotion.tier:draft                 crwu -    crwu -    -    -    -    -    -    -
kam.promotion.tier:running               r    -    r    r    -    -    -    -    -    -
kam.promotion.participant                r    -    r    r    -    -    -    -    -    -
res.partner.kam_promotion_summary        r    r    r    r    -    -    -    -    -    -
sale.order.kam_promotion_summary         r    -    r    r    -    -    -    -    -    -
# competitors and segment proposals (duties 2.16, 2.17): for KAMs and heads of sales
# only. Competitors: KAMs add and edit them, heads of sales delete them; observations
# of the KAM's own accounts; a KAM's own proposals for a segment they work in; an
# approved proposal is read only: a head of sales applies it (x)
kam.competitor                           crw  crw  crwu -    -    -    -    -    -    -
kam.competitor.observation               crwu -    crwu -    -    -    -    -    -    -
kam.proposal:draft                       crwu -    crwu -    -    -    -    -    -    -
kam.proposal:approved                    r    -    rx   -    -    -    -    -    -    -
kam.proposal.line:draft                  crwu -    crwu -    -    -    -    -    -    -
res.partner.kam_competitor_observation_count r r  r    -    -    -    -    -    -    -
# discount authority (duty 2.9): whoever reads the order sees whether its terms need a
# head of sales and why; the escalation and the terms under review are set by the
# review only (request_validation), never written nor created
sale.order.kam_discount_needs_approval   r    -    r    r    -    r    -    -    -    -
sale.order.kam_discount_reason           r    -    r    r    -    r    -    -    -    -
sale.order.kam_discount_escalated        r    -    r    r    -    r    -    -    -    -
sale.order.kam_discount_terms            r    -    r    r    -    r    -    -    -    -
sale.report.kam_discount_escalated       r    -    r    r    -    -    -    -    -    -
# the head of sales' reports (issue 16): a KAM reads their own figures (assignments
# given to them, their accounts' visit coverage and credit exposure, their visits'
# conversion, their plans' results and pay), heads of sales all; sales support and the
# others nothing; nobody writes
kam.assignment.report                    r    -    r    -    -    -    -    -    -    -
kam.visit.coverage.report                r    -    r    -    -    -    -    -    -    -
kam.visit.conversion.report              r    -    r    -    -    -    -    -    -    -
kam.plan.result.report                   r    -    r    -    -    -    -    -    -    -
kam.credit.exposure.report               r    -    r    -    -    -    -    -    -    -
# substitution during absence (duty 1.4): the absent KAM (kam) enters their own, the
# deputy (okam) reads it, heads of sales all; an approved one is read only: a head of
# sales ends it (x)
kam.delegation:draft                     crwu r    crwu -    -    -    -    -    -    -
kam.delegation:approved                  r    r    rx   -    -    -    -    -    -    -
"""

# Models and fields of kam_management deliberately not in the matrix, and why.
NOT_IN_MATRIX = {
    "kam.visit.planner.line": "proposals of the planner, written by action_propose",
    "res.partner.kam_visit_ids": "one2many of kam.visit: follows the kam.visit row",
    "res.partner.kam_currency_id": "technical currency of the KAM figures",
    "res.partner.kam_contact_ids": "one2many of the account's contacts: their "
    "relationship fields are rows of their own",
}

OPERATIONS = {
    "c": "create",
    "r": "read",
    "w": "write",
    "u": "unlink",
    "x": "action",
}


def parse_spec(text):
    """{(subject, role): letters} from the SPEC table."""
    matrix = {}
    rows = [
        line.split()
        for line in text.strip().splitlines()[1:]
        if line.strip() and not line.startswith("#")
    ]
    for row in rows:
        subject, cells = row[0], row[1:]
        if len(cells) != len(ROLES):
            raise ValueError(f"{subject}: {len(cells)} cells for {len(ROLES)} roles")
        for role, cell in zip(ROLES, cells, strict=True):
            matrix[subject, role] = "" if cell == "-" else cell
    return matrix


MATRIX = parse_spec(SPEC)


@dataclass
class Subject:
    """How a row of the matrix is tried: on ``record``, with these values."""

    record: object
    ops: str
    read_fields: list
    create_vals: object = None  # callable(user) -> vals, or a list of ways to try
    write_vals: object = field(default_factory=dict)  # or callable(user) -> vals
    field_name: str = None  # a field row
    action: object = None  # callable(record as the user, user): the x operation


# the records under test carry dates of 2026-2028 (plans, contracts, visits, invoices):
# the matrix runs on a day of 2026, whatever today is
@tagged("post_install", "-at_install", "kam")
@freeze_time("2026-06-15 10:00:00")
class TestKamAccessMatrix(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "KAM Company B"})
        in_a = {
            "company_id": cls.company_a.id,
            "company_ids": [Command.set(cls.company_a.ids)],
        }
        cls.reviewer = new_test_user(
            cls.env,
            login="matrix_reviewer",
            groups="base.group_user,kam_management.group_kam_credit_reviewer",
            **in_a,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="matrix_accountant",
            groups="base.group_user,account.group_account_invoice",
            **in_a,
        )
        cls.internal = new_test_user(
            cls.env, login="matrix_internal", groups="base.group_user", **in_a
        )
        cls.public = new_test_user(
            cls.env, login="matrix_public", groups="base.group_public", **in_a
        )
        cls.company_b_head = new_test_user(
            cls.env,
            login="matrix_head_b",
            groups="kam_management.group_kam_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls._setup_records()
        cls.users = {
            "kam": cls.kam_1,
            "other_kam": cls.kam_2,
            "head": cls.head,
            "support": cls.support,
            "reviewer": cls.reviewer,
            "accountant": cls.accountant,
            "internal": cls.internal,
            "portal": cls.portal_customer,
            "public": cls.public,
            "company_b_head": cls.company_b_head,
        }

    @classmethod
    def _setup_records(cls):
        company_a = cls.company_a
        kam = cls.kam_1
        cls.segment = cls.env["kam.segment"].create(
            {"name": "Matrix Segment", "company_id": company_a.id}
        )
        cls.segment_used = cls.env["kam.segment"].create({"name": "Matrix Used"})
        # the key accounts of kam under test belong to company A
        cls.account = cls._key_account(
            "Matrix Account",
            kam,
            tier="a",
            company_id=company_a.id,
            kam_segment_id=cls.segment_used.id,
        )
        cls.portal_customer = new_test_user(
            cls.env,
            login="matrix_portal",
            groups="base.group_portal",
            company_id=company_a.id,
            company_ids=[Command.set(company_a.ids)],
        )
        cls.portal_customer.partner_id.parent_id = cls.account
        cls.account_extra = cls._key_account(
            "Matrix Extra Account", kam, company_id=company_a.id
        )
        cls.invoice = cls._invoice(cls.account, "2026-01-10", 100.0)
        cls.team = (
            cls.env["crm.team"]
            .sudo()
            .create(
                {
                    "name": "Matrix Team",
                    "company_id": company_a.id,
                    "member_ids": [Command.set((cls.kam_1 | cls.kam_2).ids)],
                }
            )
        )
        Plan = cls.env["kam.plan"]
        cls.plan_department = Plan.create(
            {
                "name": "Matrix department 2026",
                "plan_type": "department",
                "team_id": cls.team.id,
                "company_id": company_a.id,
                "date_from": "2026-01-01",
                "date_to": "2026-12-31",
                "target_amount": 1000.0,
            }
        )
        cls.plan_draft = cls._individual_plan(2026)
        cls.plan_approved = cls._individual_plan(2027)
        cls.plan_approved.with_user(kam).action_submit()
        cls.plan_approved.with_user(cls.head).validate_tier()
        assert cls.plan_approved.state == "approved", "the test plan was not approved"
        cls.plan_report_row = (
            cls.env["kam.plan.report"]
            .sudo()
            .search([("plan_id", "=", cls.plan_draft.id)], limit=1)
        )
        assert cls.plan_report_row, "no plan analysis row for the draft plan"
        cls.scale = cls.env["kam.variable.pay.scale"].create(
            {
                "name": "Matrix Scale",
                "sequence": 99,
                "company_id": company_a.id,
            }
        )
        cls.env["kam.variable.pay.scale.line"].create(
            {"scale_id": cls.scale.id, "achievement": 90.0, "payout": 80.0}
        )
        cls.policy = cls.env["kam.credit.rating.policy"].create(
            {"rating": "a", "company_id": company_a.id}
        )
        cls.visit = (
            cls.env["kam.visit"]
            .with_user(kam)
            .create(
                {
                    "partner_id": cls.account.id,
                    "company_id": company_a.id,
                    "date_start": "2026-03-02 09:00:00",
                }
            )
        )
        Check = cls.env["kam.credit.check"].with_user(kam)
        check_vals = {
            "partner_id": cls.account.id,
            "company_id": company_a.id,
            "requested_limit": 5000.0,
        }
        cls.check_draft = Check.create(check_vals)
        cls.check_approved = Check.create(check_vals)
        cls.check_approved.action_submit()
        cls.check_approved.with_user(cls.head).validate_tier()
        assert cls.check_approved.state == "approved", "the check was not approved"
        cls.contract = (
            cls.env["kam.contract"]
            .with_user(kam)
            .create(
                {
                    "partner_id": cls.account.id,
                    "company_id": company_a.id,
                    "date_start": "2026-01-01",
                    "date_end": "2026-12-31",
                    "credit_limit": 3000.0,
                }
            )
        )
        cls.reason = cls.env["kam.reason"].create(
            {
                "name": "Matrix broken pallet",
                "reason_type": "return",
                "company_id": company_a.id,
            }
        )
        cls.cancel_reason = cls.env["kam.reason"].create(
            {
                "name": "Matrix store closed",
                "reason_type": "cancellation",
                "company_id": company_a.id,
            }
        )
        cls.task_type = cls.env["kam.merchandising.task.type"].create(
            {
                "name": "Matrix Shelf Check",
                "company_id": company_a.id,
                "line_ids": [Command.create({"name": "Planogram followed"})],
            }
        )
        Task = cls.env["kam.merchandising.task"].with_user(kam)
        task_vals = {
            "partner_id": cls.account.id,
            "company_id": company_a.id,
            "task_type_id": cls.task_type.id,
        }
        cls.task_todo = Task.create(task_vals)
        cls.task_done = Task.create(task_vals)
        cls.task_done.line_ids.result = "ok"
        cls.task_done.action_done()
        cls.task_line = (
            cls.env["kam.merchandising.task.line"]
            .with_user(kam)
            .create({"task_id": cls.task_todo.id, "name": "Matrix shelf clean"})
        )
        # acts: a surplus of product_a on kam's invoice (draft and confirmed)
        Act = cls.env["kam.act"].with_user(kam)
        act_vals = {
            "partner_id": cls.account.id,
            "company_id": company_a.id,
            "act_type": "surplus",
            "invoice_id": cls.invoice.id,
            "line_ids": [
                Command.create({"product_id": cls.product_a.id, "qty_actual": 1})
            ],
        }
        cls.act_draft = Act.create(act_vals)
        cls.act_confirmed = Act.create(act_vals)
        cls.act_confirmed.action_confirm()
        today = fields.Date.today()
        Training = cls.env["kam.training"].with_user(kam)
        cls.training_client = Training.create(
            {
                "partner_id": cls.account.id,
                "company_id": company_a.id,
                "topic": "Matrix session",
                "date": today,
                "duration_hours": 2.0,
            }
        )
        cls.training_self = Training.create(
            {
                "training_type": "self",
                "company_id": company_a.id,
                "topic": "Matrix course",
                "date": today,
                "duration_hours": 8.0,
            }
        )
        cls.order = (
            cls.env["sale.order"]
            .with_user(kam)
            .create(cls._order_vals(kam, cls.account, company_a))
        )
        cls.sale_report_row = (
            cls.env["sale.report"]
            .sudo()
            .search([("order_reference", "=", f"sale.order,{cls.order.id}")], limit=1)
        )
        cls.invoice_report_row = (
            cls.env["account.invoice.report"]
            .sudo()
            .search([("move_id", "=", cls.invoice.id)], limit=1)
        )
        assert cls.sale_report_row and cls.invoice_report_row, "no report rows"
        cls.revenue_report_row = (
            cls.env["kam.revenue.report"]
            .sudo()
            .search([("move_id", "=", cls.invoice.id)], limit=1)
        )
        assert cls.revenue_report_row, "no revenue analysis row"
        cls.aging_report_row = (
            cls.env["kam.aging.report"]
            .sudo()
            .search([("move_id", "=", cls.invoice.id)], limit=1)
        )
        assert cls.aging_report_row, "no receivables aging row"
        # sudo: kam is not the invoice's salesperson, so cannot read it
        Collection = cls.env["kam.collection.action"].sudo()
        cls.collection_open = Collection.create(
            {
                "partner_id": cls.account.id,
                "invoice_ids": [Command.set(cls.invoice.ids)],
            }
        )
        cls.collection_kept = Collection.create(
            {
                "partner_id": cls.account.id,
                "invoice_ids": [Command.set(cls.invoice.ids)],
                "promised_date": fields.Date.today(),
                "promised_amount": 10.0,
            }
        )
        cls.collection_kept.sudo().write({"state": "kept"})
        cls.order_confirmed = (
            cls.env["sale.order"]
            .with_user(kam)
            .create(cls._order_vals(kam, cls.account, company_a))
        )
        cls.order_confirmed.action_confirm()
        cls.fulfilment_row = (
            cls.env["kam.fulfilment.report"]
            .sudo()
            .search([("order_id", "=", cls.order_confirmed.id)], limit=1)
        )
        cls.refund = cls._invoice(cls.account, "2026-01-12", 20.0, "out_refund")
        cls.return_row = (
            cls.env["kam.return.report"]
            .sudo()
            .search([("move_id", "=", cls.refund.id)], limit=1)
        )
        assert cls.fulfilment_row and cls.return_row, "no fulfilment or return row"
        # bonus programmes of kam's account: a draft, and a running one
        Promotion = cls.env["kam.promotion"].with_user(kam)
        promotion_vals = {
            "name": "Matrix bonus",
            "company_id": company_a.id,
            "date_from": "2026-01-01",
            "date_to": "2026-12-31",
            "partner_ids": [Command.set(cls.account.ids)],
            "tier_ids": [
                Command.create({"threshold_amount": 100.0, "bonus_percent": 2.0})
            ],
        }
        cls.promotion_draft = Promotion.create(promotion_vals)
        cls.promotion_running = Promotion.create(promotion_vals)
        cls.promotion_running.with_user(cls.head).action_approve()
        assert cls.promotion_running.state == "running", "the programme does not run"
        cls._setup_intel_records()
        cls._setup_cockpit_records()
        cls._setup_delegation_records()

    @classmethod
    def _setup_cockpit_records(cls):
        """A row of each of the head of sales' reports (issue 16)."""
        kam = cls.kam_1
        assignment = cls.account.with_user(cls.head).activity_schedule(
            "kam_management.mail_activity_type_kam_assignment",
            date_deadline=fields.Date.to_date("2026-06-20"),
            user_id=kam.id,
        )
        visit_done = (
            cls.env["kam.visit"]
            .with_user(kam)
            .create(
                {
                    "partner_id": cls.account.id,
                    "company_id": cls.company_a.id,
                    "date_start": "2026-05-04 09:00:00",
                }
            )
        )
        visit_done.action_done()
        cls.cockpit_rows = {}
        for model, domain in (
            ("kam.assignment.report", [("activity_id", "=", assignment.id)]),
            (
                "kam.visit.coverage.report",
                [("partner_id", "=", cls.account.id), ("date", "=", "2026-06-01")],
            ),
            ("kam.visit.conversion.report", [("visit_id", "=", visit_done.id)]),
            ("kam.plan.result.report", [("plan_id", "=", cls.plan_draft.id)]),
            ("kam.credit.exposure.report", [("partner_id", "=", cls.account.id)]),
        ):
            row = cls.env[model].sudo().search(domain, limit=1)
            assert row, f"no {model} row"
            cls.cockpit_rows[model] = row

    @classmethod
    def _setup_delegation_records(cls):
        """Substitutions (issue 16): kam away, other_kam their deputy."""
        Delegation = cls.env["kam.delegation"].with_user(cls.kam_1)
        vals = {
            "user_id": cls.kam_1.id,
            "deputy_id": cls.kam_2.id,
            "company_id": cls.company_a.id,
        }
        cls.delegation_draft = Delegation.create(
            {**vals, "date_from": "2026-07-01", "date_to": "2026-07-05"}
        )
        cls.delegation_approved = Delegation.create(
            {**vals, "date_from": "2026-06-20", "date_to": "2026-06-30"}
        )
        cls.delegation_approved.with_user(cls.head).action_approve()

    @classmethod
    def _setup_intel_records(cls):
        """Competitors and segment proposals (issue 15)."""
        company_a, kam = cls.company_a, cls.kam_1
        cls.competitor = cls.env["kam.competitor"].create(
            {"name": "Matrix Competitor", "company_id": company_a.id}
        )
        # the competitor under test has no observation: a head of sales deletes it
        cls.competitor_seen = cls.env["kam.competitor"].create(
            {"name": "Matrix Seen Competitor", "company_id": company_a.id}
        )
        cls.observation = (
            cls.env["kam.competitor.observation"]
            .with_user(kam)
            .create(
                {
                    "competitor_id": cls.competitor_seen.id,
                    "partner_id": cls.account.id,
                    "product_id": cls.product_a.id,
                    "company_id": company_a.id,
                    "price": 10.0,
                }
            )
        )
        cls.proposal_segment = cls.env["kam.segment"].create(
            {
                "name": "Matrix Proposal Segment",
                "company_id": company_a.id,
                "pricelist_id": cls.env["product.pricelist"]
                .create({"name": "Matrix Segment Prices", "company_id": company_a.id})
                .id,
            }
        )
        cls.account_extra.kam_segment_id = cls.proposal_segment
        Proposal = cls.env["kam.proposal"].with_user(kam)
        proposal_vals = {
            "title": "Matrix prices",
            "segment_id": cls.proposal_segment.id,
            "company_id": company_a.id,
            "date_start": "2026-07-01",
            "line_ids": [
                Command.create({"product_id": cls.product_a.id, "proposed_price": 9.0})
            ],
        }
        cls.proposal_draft = Proposal.create(proposal_vals)
        cls.proposal_approved = Proposal.create(proposal_vals)
        cls.proposal_approved.action_submit()
        cls.proposal_approved.with_user(cls.head).validate_tier()
        assert cls.proposal_approved.state == "approved", "proposal not approved"

    @classmethod
    def _individual_plan(cls, year):
        plan = cls.env["kam.plan"].create(
            {
                "name": f"Matrix {year}",
                "plan_type": "individual",
                "user_id": cls.kam_1.id,
                "company_id": cls.company_a.id,
                "date_from": f"{year}-01-01",
                "date_to": f"{year}-12-31",
                "target_amount": 500.0,
            }
        )
        # lines created on their own: the plan's x2many commands are not under test
        cls.env["kam.plan.line"].create(
            {"plan_id": plan.id, "partner_id": cls.account.id, "target_amount": 500.0}
        )
        return plan

    @classmethod
    def _order_vals(cls, user, partner, company, **vals):
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "user_id": user.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product_a.id,
                        "price_unit": 10.0,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
            **vals,
        }

    # --- the subjects: how each row is tried ------------------------------------
    def _subjects(self):
        company_a = self.company_a
        account = self.account

        def in_a(**vals):
            return lambda _user: {"company_id": company_a.id, **vals}

        def for_account(**vals):
            """A document of kam's account: for kam, and for the role itself (the
            responsible user is a field the client may send)."""
            return lambda user: [
                {"company_id": company_a.id, "user_id": responsible.id, **vals}
                for responsible in (self.kam_1 | user)
            ]

        def individual_plan(_user):
            return {
                "name": "Matrix 2028",
                "plan_type": "individual",
                "user_id": self.kam_1.id,
                "company_id": company_a.id,
                "date_from": "2028-01-01",
                "date_to": "2028-12-31",
            }

        def release_vals(_user):
            return {"order_id": self.order.id, "reason": "Paid in advance"}

        def release(wizards, user):
            wizards.create(release_vals(user)).action_release()

        def cancel_vals(_user):
            return {
                "order_id": self.order_confirmed.id,
                "reason_id": self.cancel_reason.id,
            }

        def cancel_order(wizards, user):
            wizards.create(cancel_vals(user)).action_cancel_order()

        def reset_to_draft(records, _user):
            records.action_reset_to_draft()

        subjects = {
            "kam.segment": Subject(
                self.segment,
                "crwu",
                ["name", "company_id"],
                in_a(name="Matrix New Segment"),
                {"name": "Matrix Renamed"},
            ),
            "kam.plan:draft": Subject(
                self.plan_draft,
                "crwu",
                ["name", "state", "target_amount"],
                individual_plan,
                {"target_amount": 600.0},
            ),
            "kam.plan:department": Subject(
                self.plan_department,
                "crwu",
                ["name", "state", "target_amount"],
                in_a(
                    name="Matrix department 2028",
                    plan_type="department",
                    team_id=self.team.id,
                    date_from="2028-01-01",
                    date_to="2028-12-31",
                ),
                {"target_amount": 2000.0},
            ),
            "kam.plan:approved": Subject(
                self.plan_approved,
                "rwux",
                ["name", "state", "target_amount"],
                write_vals={"target_amount": 600.0},
                action=reset_to_draft,
            ),
            "kam.plan.line:draft": Subject(
                self.plan_draft.line_ids,
                "crwu",
                ["partner_id", "target_amount"],
                lambda _user: {
                    "plan_id": self.plan_draft.id,
                    "partner_id": self.account_extra.id,
                    "target_amount": 100.0,
                },
                {"target_amount": 700.0},
            ),
            "kam.plan.line:approved": Subject(
                self.plan_approved.line_ids,
                "crwu",
                ["partner_id", "target_amount"],
                lambda _user: {
                    "plan_id": self.plan_approved.id,
                    "partner_id": self.account_extra.id,
                    "target_amount": 100.0,
                },
                {"target_amount": 700.0},
            ),
            "kam.plan.report": Subject(
                self.plan_report_row,
                "crwu",
                ["plan_id", "target_amount", "actual_amount"],
                lambda _user: {"plan_id": self.plan_draft.id},
                {"target_amount": 1.0},
            ),
            "kam.revenue.report": Subject(
                self.revenue_report_row,
                "crwu",
                ["partner_id", "date", "amount"],
                lambda _user: {"move_id": self.invoice.id},
                {"amount": 1.0},
            ),
            "kam.aging.report": Subject(
                self.aging_report_row,
                "crwu",
                ["partner_id", "bucket", "amount", "dso"],
                lambda _user: {"move_id": self.invoice.id},
                {"amount": 1.0},
            ),
            "kam.collection.action:open": Subject(
                self.collection_open,
                "crwu",
                ["name", "partner_id", "state", "invoice_ids", "amount_open"],
                for_account(partner_id=account.id, action_type="call"),
                {"result": "Will pay on Friday"},
            ),
            "kam.collection.action:kept": Subject(
                self.collection_kept,
                "rwu",
                ["name", "partner_id", "state", "promised_amount"],
                write_vals={"result": "Paid after all"},
            ),
            "kam.fulfilment.report": Subject(
                self.fulfilment_row,
                "crwu",
                ["partner_id", "qty_ordered", "fill_rate"],
                lambda _user: {"order_id": self.order_confirmed.id},
                {"qty_ordered": 1.0},
            ),
            "kam.return.report": Subject(
                self.return_row,
                "crwu",
                ["partner_id", "reason_id", "amount"],
                lambda _user: {"move_id": self.refund.id},
                {"amount": 1.0},
            ),
            "kam.order.cancel": Subject(
                self.env["kam.order.cancel"],
                "cx",
                [],
                cancel_vals,
                action=cancel_order,
            ),
            "kam.variable.pay.scale": Subject(
                self.scale,
                "crwu",
                ["name", "line_ids"],
                in_a(name="Matrix New Scale"),
                {"name": "Matrix Renamed Scale"},
            ),
            "kam.variable.pay.scale.line": Subject(
                self.scale.line_ids,
                "crwu",
                ["achievement", "payout"],
                lambda _user: {
                    "scale_id": self.scale.id,
                    "achievement": 120.0,
                    "payout": 150.0,
                },
                {"payout": 70.0},
            ),
            "kam.visit": Subject(
                self.visit,
                "crwu",
                ["name", "partner_id", "state"],
                for_account(partner_id=account.id, date_start="2026-03-09 09:00:00"),
                {"purpose": "Talk about the next season"},
            ),
            "kam.credit.check:draft": Subject(
                self.check_draft,
                "crwu",
                ["name", "partner_id", "state", "requested_limit"],
                for_account(partner_id=account.id, requested_limit=4000.0),
                {"requested_limit": 6000.0},
            ),
            "kam.credit.check:approved": Subject(
                self.check_approved,
                "rwux",
                ["name", "partner_id", "state", "approved_limit"],
                write_vals={"approved_limit": 9000.0},
                action=reset_to_draft,
            ),
            "kam.credit.rating.policy": Subject(
                self.policy,
                "crwu",
                ["rating", "risk_invoice_unpaid_limit"],
                in_a(rating="b"),
                {"note": "Matrix note"},
            ),
            "kam.contract:draft": Subject(
                self.contract,
                "crwu",
                ["name", "partner_id", "state", "date_start"],
                for_account(
                    partner_id=account.id,
                    date_start="2027-01-01",
                    date_end="2027-12-31",
                ),
                {"date_end": "2026-11-30"},
            ),
            "kam.contract.credit_limit": Subject(
                self.contract,
                "rw",
                [],
                write_vals={"credit_limit": 4000.0},
                field_name="credit_limit",
            ),
            "kam.reason": Subject(
                self.reason,
                "crwu",
                ["name", "reason_type"],
                lambda _user: {
                    "name": "Matrix late truck",
                    "reason_type": "refusal",
                    "company_id": company_a.id,
                },
                {"name": "Matrix broken crate"},
            ),
            "kam.merchandising.task.type": Subject(
                self.task_type,
                "crwu",
                ["name", "line_ids", "recurrence_days"],
                in_a(name="Matrix Price Audit"),
                {"name": "Matrix Renamed Check"},
            ),
            "kam.merchandising.task.type.line": Subject(
                self.task_type.line_ids,
                "crwu",
                ["name", "photo_required"],
                lambda _user: {"type_id": self.task_type.id, "name": "Matrix tags"},
                {"name": "Matrix renamed item"},
            ),
            "kam.merchandising.task.line:todo": Subject(
                self.task_line,
                "crwu",
                ["name", "result"],
                lambda _user: {"task_id": self.task_todo.id, "name": "Matrix floor"},
                {"result": "ok"},
            ),
            "kam.merchandising.task:todo": Subject(
                self.task_todo,
                "crwu",
                ["name", "partner_id", "state", "line_ids"],
                for_account(partner_id=account.id, task_type_id=self.task_type.id),
                {"note": "Shelf cleaned"},
            ),
            "kam.merchandising.task:done": Subject(
                self.task_done,
                "rwu",
                ["name", "partner_id", "state", "compliance"],
                write_vals={"note": "Changed afterwards"},
            ),
            "kam.act:draft": Subject(
                self.act_draft,
                "crwu",
                ["name", "partner_id", "state", "amount", "line_ids"],
                for_account(
                    partner_id=account.id,
                    act_type="shortage",
                    invoice_id=self.invoice.id,
                ),
                {"note": "Matrix pallet counted twice"},
            ),
            "kam.act:confirmed": Subject(
                self.act_confirmed,
                "rwu",
                ["name", "partner_id", "state", "amount"],
                write_vals={"note": "Changed afterwards"},
            ),
            "kam.act.line:draft": Subject(
                self.act_draft.line_ids,
                "crwu",
                ["product_id", "qty_expected", "qty_actual", "price_unit", "amount"],
                lambda _user: {
                    "act_id": self.act_draft.id,
                    "product_id": self.product_b.id,
                    "qty_actual": 2,
                },
                {"qty_actual": 3},
            ),
            "kam.credit.release": Subject(
                self.env["kam.credit.release"],
                "cx",
                [],
                release_vals,
                action=release,
            ),
            "kam.training:client": Subject(
                self.training_client,
                "crwu",
                ["topic", "partner_id", "duration_hours", "attendee_ids"],
                for_account(
                    partner_id=account.id,
                    topic="Matrix new session",
                    date=str(fields.Date.today()),
                    duration_hours=1.0,
                ),
                {"feedback_score": "4"},
            ),
            "kam.training:self": Subject(
                self.training_self,
                "crwu",
                ["topic", "duration_hours", "certificate_expiry_date"],
                # kam's own development (anyone logs their own)
                in_a(
                    training_type="self",
                    user_id=self.kam_1.id,
                    topic="Matrix new course",
                    date=str(fields.Date.today()),
                    duration_hours=4.0,
                ),
                {"provider": "Matrix Academy"},
            ),
            **self._intel_subjects(for_account),
            **self._cockpit_subjects(),
            **self._delegation_subjects(),
            "kam.visit.planner": Subject(
                self.env["kam.visit.planner"],
                "c",
                [],
                lambda user: {"user_id": user.id, "company_id": company_a.id},
            ),
        }
        partner_writes = {
            "is_key_account": False,
            "kam_user_id": self.kam_2.id,
            "kam_tier": "c",
            "kam_segment_id": self.segment.id,
            "kam_visit_interval_days": 10,
            **dict.fromkeys(KAM_VISIT_DAY_FIELDS, True),
            "kam_credit_rating": "b",
            "kam_credit_hold": True,
            "credit_limit": 999.0,
        }
        for fname in (
            "is_key_account",
            "kam_user_id",
            "kam_tier",
            "kam_segment_id",
            "kam_visit_interval_days",
            *KAM_VISIT_DAY_FIELDS,
            "kam_last_visit_date",
            "kam_next_visit_date",
            "kam_revenue_12m",
            "kam_overdue_amount",
            "kam_last_order_date",
            "kam_credit_valid_until",
            "kam_merchandising_compliance",
            "kam_merchandising_last_date",
            "kam_merchandising_todo_count",
            "kam_dso",
            "kam_dunning_level",
            "kam_dunning_date",
            "kam_collection_count",
            "kam_figures_visible",
            "kam_can_edit",
            "kam_can_manage",
            "kam_visit_count",
            "kam_contract_count",
            "kam_credit_check_count",
            "kam_plan_count",
            "kam_invoice_count",
            "kam_late_order_count",
            "kam_training_count",
            "kam_trained_staff_year",
            "kam_training_hours_year",
            "kam_training_figures_visible",
            "kam_competitor_observation_count",
            "kam_credit_rating",
            "kam_credit_hold",
            "credit_limit",
            "kam_assortment_coverage",
            "kam_assortment_core_count",
        ):
            writable = fname in partner_writes
            subjects[f"res.partner.{fname}"] = Subject(
                account,
                "rw" if writable else "r",
                [],
                write_vals={fname: partner_writes[fname]} if writable else {},
                field_name=fname,
            )
        # know the account (issue 15): fields written (the others are read only)
        profile_writes = {
            "kam_needs": "Shelf-ready packaging",
            "kam_potential_annual": 50000.0,
            "kam_buying_season": "Autumn",
            "kam_decision_process": "The board decides",
            "kam_lost_reason_id": self.env.ref(
                "kam_management.kam_reason_lost_price"
            ).id,
            "kam_contact_role": "decision_maker",
            "kam_influence": 4,
            "kam_attitude": "supporter",
            "kam_prospect_state": "lost",
            "kam_health_score": 5,
            "kam_health_date": "2026-01-01",
            "kam_health_data": {"visit": 0},
        }
        for fname in (
            "kam_needs",
            "kam_potential_annual",
            "kam_buying_season",
            "kam_decision_process",
            "kam_lost_reason_id",
            "kam_contact_role",
            "kam_influence",
            "kam_attitude",
            "kam_share_of_wallet",
            "kam_last_contact_date",
            "kam_relationship_coverage",
            "kam_health_breakdown",
            "kam_prospect_state",
            "kam_health_score",
            "kam_health_date",
            "kam_health_at_risk",
            "kam_health_data",
        ):
            writable = fname in profile_writes
            subjects[f"res.partner.{fname}"] = Subject(
                account,
                "rw" if writable else "r",
                [],
                write_vals={fname: profile_writes[fname]} if writable else {},
                field_name=fname,
            )
        # sale.order fields: the values written (user -> value); the release fields
        # are also tried on create
        order_values = {
            "kam_user_id": lambda _user: self.kam_2.id,
            "kam_is_key_account": lambda _user: False,
            "kam_visit_id": lambda _user: self.visit.id,
            "kam_reason_id": lambda _user: self.cancel_reason.id,
            "kam_credit_released_by": lambda user: user.id,
            "kam_credit_release_reason": lambda _user: "I say so",
            "kam_credit_release_date": lambda _user: "2026-01-01 10:00:00",
            "kam_credit_release_amount": lambda _user: 1000000.0,
            "kam_credit_release_partner_id": lambda _user: account.id,
            "kam_discount_escalated": lambda _user: True,
            "kam_discount_terms": lambda _user: "(1, 2, [])",
        }
        for fname in (
            "kam_user_id",
            "kam_is_key_account",
            "kam_visit_id",
            "kam_reason_id",
            "kam_credit_headroom",
            "kam_overdue_share",
            "kam_credit_released_by",
            "kam_credit_release_reason",
            "kam_credit_release_date",
            "kam_credit_release_amount",
            "kam_credit_release_partner_id",
            "kam_credit_release_valid",
            "kam_credit_status",
            "kam_credit_block_reason",
            "kam_entry_user_id",
            "kam_payment_status",
            "kam_is_late",
            "kam_discount_needs_approval",
            "kam_discount_reason",
            "kam_discount_escalated",
            "kam_discount_terms",
        ):
            value = order_values.get(fname)
            release = (
                fname.startswith(("kam_credit_release", "kam_discount_"))
            ) and value
            subjects[f"sale.order.{fname}"] = Subject(
                self.order,
                "crw" if release else "rw" if value else "r",
                [],
                (
                    lambda user, fname=fname, value=value: self._order_vals(
                        user, account, company_a, **{fname: value(user)}
                    )
                )
                if release
                else None,
                write_vals=(lambda user, fname=fname, value=value: {fname: value(user)})
                if value
                else {},
                field_name=fname,
            )
        # the reason of a credit note (on an invoice here: the field is the same)
        subjects["account.move.kam_reason_id"] = Subject(
            self.invoice,
            "rw",
            [],
            write_vals={"kam_reason_id": self.reason.id},
            field_name="kam_reason_id",
        )
        subjects["account.move.kam_is_key_account"] = Subject(
            self.invoice, "r", [], field_name="kam_is_key_account"
        )
        for report, row in (
            ("account.invoice.report", self.invoice_report_row),
            ("sale.report", self.sale_report_row),
        ):
            for fname in (
                "is_key_account",
                "kam_user_id",
                "kam_tier",
                "kam_segment_id",
                "kam_discount_escalated",  # sale.report only
            ):
                if fname in self.env[report]._fields:
                    subjects[f"{report}.{fname}"] = Subject(
                        row, "r", [], field_name=fname
                    )
        # bonus programmes (duty 2.18)
        promotion_create = for_account(
            name="Matrix new bonus",
            date_from="2026-07-01",
            date_to="2026-09-30",
            partner_ids=[Command.set(account.ids)],
        )
        subjects.update(
            {
                "kam.promotion:draft": Subject(
                    self.promotion_draft,
                    "crwu",
                    ["name", "state", "partner_ids", "tier_ids"],
                    promotion_create,
                    {"name": "Matrix renamed bonus"},
                ),
                "kam.promotion:running": Subject(
                    self.promotion_running,
                    "rwu",
                    ["name", "state", "date_from", "date_to", "tier_ids"],
                    write_vals={"name": "Changed afterwards"},
                ),
                "kam.promotion.tier:draft": Subject(
                    self.promotion_draft.tier_ids,
                    "crwu",
                    ["threshold_amount", "bonus_percent"],
                    lambda _user: {
                        "promotion_id": self.promotion_draft.id,
                        "threshold_amount": 500.0,
                        "bonus_percent": 4.0,
                    },
                    {"bonus_percent": 3.0},
                ),
                "kam.promotion.tier:running": Subject(
                    self.promotion_running.tier_ids,
                    "crwu",
                    ["threshold_amount", "bonus_percent"],
                    lambda _user: {
                        "promotion_id": self.promotion_running.id,
                        "threshold_amount": 500.0,
                        "bonus_percent": 4.0,
                    },
                    {"bonus_percent": 3.0},
                ),
                "kam.promotion.participant": Subject(
                    self.promotion_running.participant_ids,
                    "rwu",
                    ["partner_id", "promotion_id", "state"],
                    write_vals={"partner_id": self.account_extra.id},
                ),
                "res.partner.kam_promotion_summary": Subject(
                    account, "r", [], field_name="kam_promotion_summary"
                ),
                "sale.order.kam_promotion_summary": Subject(
                    self.order, "r", [], field_name="kam_promotion_summary"
                ),
            }
        )
        return subjects

    def _cockpit_subjects(self):
        """The head of sales' reports (issue 16): read only."""
        fields_read = {
            "kam.assignment.report": ["user_id", "status", "days_late"],
            "kam.visit.coverage.report": ["partner_id", "visits_done", "coverage"],
            "kam.visit.conversion.report": ["visit_id", "order_count", "amount"],
            "kam.plan.result.report": ["plan_id", "achievement", "payout_amount"],
            "kam.credit.exposure.report": ["partner_id", "risk_total", "headroom"],
        }
        return {
            model: Subject(
                row,
                "crwu",
                fields_read[model],
                lambda _user, row=row, key=fields_read[model][0]: {key: row[key].id},
                {fields_read[model][1]: 1},
            )
            for model, row in self.cockpit_rows.items()
        }

    def _delegation_subjects(self):
        """Substitutions (issue 16)."""
        fields_read = ["user_id", "deputy_id", "date_from", "date_to", "state"]

        def end(records, _user):
            records.action_end()

        return {
            "kam.delegation:draft": Subject(
                self.delegation_draft,
                "crwu",
                fields_read,
                lambda _user: {
                    "user_id": self.kam_1.id,
                    "deputy_id": self.kam_2.id,
                    "company_id": self.company_a.id,
                    "date_from": "2026-08-01",
                    "date_to": "2026-08-05",
                },
                {"reason": "Trade fair"},
            ),
            "kam.delegation:approved": Subject(
                self.delegation_approved,
                "rwux",
                fields_read,
                write_vals={"date_to": "2026-07-10"},
                action=end,
            ),
        }

    def _intel_subjects(self, for_account):
        """Competitors and segment proposals (issue 15)."""
        company_a = self.company_a

        def apply(records, _user):
            records.action_apply()

        return {
            "kam.competitor": Subject(
                self.competitor,
                "crwu",
                ["name", "website"],
                lambda _user: {"name": "Matrix Rival", "company_id": company_a.id},
                {"website": "https://rival.example.com"},
            ),
            "kam.competitor.observation": Subject(
                self.observation,
                "crwu",
                ["competitor_id", "partner_id", "price", "our_price"],
                for_account(
                    competitor_id=self.competitor.id,
                    partner_id=self.account.id,
                    product_id=self.product_a.id,
                    price=12.0,
                ),
                {"price": 11.0},
            ),
            "kam.proposal:draft": Subject(
                self.proposal_draft,
                "crwu",
                ["name", "segment_id", "state", "summary_revenue"],
                for_account(
                    title="Matrix autumn prices",
                    segment_id=self.proposal_segment.id,
                    date_start="2026-08-01",
                ),
                {"title": "Matrix renamed"},
            ),
            "kam.proposal:approved": Subject(
                self.proposal_approved,
                "rwux",
                ["name", "segment_id", "state"],
                write_vals={"date_start": "2026-09-01"},
                action=apply,
            ),
            "kam.proposal.line:draft": Subject(
                self.proposal_draft.line_ids,
                "crwu",
                ["product_id", "current_price", "proposed_price"],
                lambda _user: {
                    "proposal_id": self.proposal_draft.id,
                    "product_id": self.product_b.id,
                    "proposed_price": 5.0,
                },
                {"proposed_price": 8.0},
            ),
        }

    # --- running a cell ---------------------------------------------------------
    def _attempt(self, operation):
        """Run ``operation`` in a savepoint that is always rolled back.

        Returns (outcome, detail): outcome is "allowed", "refused" or "error"."""
        savepoint = self.env.cr.savepoint()
        # nothing cached by the set-up may hide an access error
        self.env.cr.clear()
        try:
            result = operation()
            self.env.flush_all()
        except AccessError as error:
            return "refused", f"AccessError: {_first_line(error)}", None
        except UserError as error:
            if type(error) is UserError:
                return "refused", f"UserError: {_first_line(error)}", None
            return "error", f"{type(error).__name__}: {_first_line(error)}", None
        except Exception as error:  # noqa: BLE001 - reported, never swallowed
            return "error", f"{type(error).__name__}: {_first_line(error)}", None
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)
        return "allowed", "allowed", result

    def _write(self, record, vals):
        """Write as the user; return the fields whose new value was not stored."""
        record.write(vals)
        self.env.flush_all()
        self.env.invalidate_all()
        stored = record.sudo()
        return [
            fname
            for fname, value in vals.items()
            if stored._fields[fname].convert_to_cache(stored[fname], stored)
            != stored._fields[fname].convert_to_cache(value, stored)
        ]

    def _role(self, vals):
        user_id = vals.get("user_id")
        return next(
            (role for role, user in self.users.items() if user.id == user_id), user_id
        )

    def _cell(self, subject, op, user):
        """(outcome, detail) of one operation of one subject for one user."""
        record = subject.record.with_user(user)
        Model = self.env[subject.record._name].with_user(user)
        if op == "c":
            # several ways to create it: allowed when one of them succeeds
            variants = subject.create_vals(user)
            if isinstance(variants, dict):
                variants = [variants]
            outcomes = [
                self._attempt(lambda vals=vals: Model.create(vals))[:2]
                for vals in variants
            ]
            for (outcome, detail), vals in zip(outcomes, variants, strict=True):
                if outcome != "refused":
                    if len(variants) > 1:
                        detail = f"{detail} (with user_id = {self._role(vals)})"
                    return outcome, detail
            return outcomes[0]
        if op == "w":
            vals = subject.write_vals
            vals = vals(user) if callable(vals) else vals
            outcome, detail, ignored = self._attempt(lambda: self._write(record, vals))
            if outcome == "allowed" and ignored:
                # e.g. a non-stored related field without inverse: nothing changes
                return "refused", f"write accepted but ignored: {', '.join(ignored)}"
            return outcome, detail
        if op == "u":
            return self._attempt(record.unlink)[:2]
        if op == "x":
            target = record if subject.record else Model
            outcome, detail, _result = self._attempt(
                lambda: subject.action(target, user)
            )
            if outcome == "refused" and not detail.startswith("AccessError"):
                # a role that may not run the action gets an AccessError
                return "error", f"refused, but not with an AccessError: {detail}"
            return outcome, detail
        # read: the values of the record must come back (reports built for the
        # user's companies simply have no row of another company's record)
        fnames = [subject.field_name] if subject.field_name else subject.read_fields
        outcome, detail, rows = self._attempt(lambda: record.read(fnames))
        if outcome == "allowed" and len(rows or ()) != len(record):
            outcome, detail = "refused", "read returns no values (no such record)"
        if subject.field_name or outcome == "error":
            return outcome, detail
        _found_outcome, _detail, found = self._attempt(
            lambda: Model.search([("id", "=", subject.record.id)]).ids
        )
        if outcome == "allowed" and not found:
            return "error", "read allowed, but search does not find the record"
        if outcome == "refused" and found:
            return "error", f"read refused ({detail}), but search finds the record"
        return outcome, detail

    # --- the tests ----------------------------------------------------------------
    def test_matrix_is_well_formed(self):
        """Every row has a subject, only the letters its subject can try, and every
        kam model and KAM field is in the matrix or explicitly left out."""
        subjects = self._subjects()
        rows = {subject for subject, _role in MATRIX}
        self.assertEqual(rows, set(subjects), "rows of SPEC versus subjects")
        for (subject, role), letters in MATRIX.items():
            self.assertLessEqual(
                set(letters),
                set(subjects[subject].ops),
                f"{subject} / {role}: {letters!r} has an operation never tried",
            )
        covered = {subject.split(":")[0] for subject in rows} | set(NOT_IN_MATRIX)
        models = {
            model
            for model in self.env["ir.model"]
            .search([("model", "=like", "kam.%")])
            .mapped("model")
            if not self.env[model]._abstract
        }
        self.assertFalse(models - covered, "kam models missing in the matrix")
        kam_fields = self.env["ir.model.fields"].search(
            [
                (
                    "model",
                    "in",
                    [
                        "res.partner",
                        "sale.order",
                        "account.move",
                        "account.move.line",
                        "account.invoice.report",
                        "sale.report",
                    ],
                ),
                "|",
                ("name", "=like", "kam_%"),
                ("name", "=", "is_key_account"),
            ]
        )
        missing = {f"{f.model}.{f.name}" for f in kam_fields} - covered
        self.assertFalse(missing, "KAM fields missing in the matrix")

    def test_access_matrix(self):
        """Run every cell of MATRIX as a real user; list every unexpected cell."""
        unexpected = []
        cells = 0
        for name, subject in self._subjects().items():
            for role in ROLES:
                allowed = MATRIX[name, role]
                for op in subject.ops:
                    cells += 1
                    outcome, detail = self._cell(subject, op, self.users[role])
                    expected = "allowed" if op in allowed else "refused"
                    if outcome != expected:
                        unexpected.append(
                            f"{name} | {role} | {OPERATIONS[op]}: "
                            f"expected {expected}, got {detail}"
                        )
        if unexpected:
            self.fail(
                f"{len(unexpected)} unexpected cells of {cells} in the access "
                "matrix (subject | role | operation: expected, got what happened "
                "as that user):\n" + "\n".join(unexpected)
            )

    def test_company_b_sees_nothing_of_company_a(self):
        """A head of sales of company B finds none of company A's records."""
        user = self.company_b_head
        for name, subject in self._subjects().items():
            if subject.field_name or not subject.record:
                continue
            Model = self.env[subject.record._name].with_user(user)
            with self.subTest(subject=name):
                try:
                    found = Model.search([]).filtered(
                        lambda rec, ids=subject.record.ids: rec.id in ids
                    )
                except AccessError:
                    found = Model.browse()
                self.assertFalse(found, f"{name}: company B sees company A's record")


def _first_line(error):
    text = error.args[0] if error.args else str(error)
    return str(text).strip().splitlines()[0][:160] if text else repr(error)
