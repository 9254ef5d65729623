from collections import defaultdict
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..models.res_partner import KAM_GROUP
from .kam_aging_report import AGING_BUCKETS

# the account's profile in the review, when the printing user may read the field
PROFILE_FIELDS = (
    "kam_tier",
    "kam_segment_id",
    "kam_user_id",
    "kam_health_score",
    "kam_needs",
    "kam_potential_annual",
    "kam_share_of_wallet",
    "kam_buying_season",
    "kam_decision_process",
)
CREDIT_FIELDS = ("kam_credit_rating", "kam_credit_hold", "credit_limit")
REVIEW_MONTHS = 12
VISIT_DAYS = 90
COMPETITOR_ROWS = 10


class ReportKeyAccountReview(models.AbstractModel):
    """The printable Key Account Review (issue 16): one account's profile, revenue of
    the last 12 months against its target, plan achievement, visits, debts,
    contracts and credit, relationship map, competitors and open tasks.

    Printed by the account's KAM and heads of sales only (the report's groups and
    the check here). Everything is gathered in one pass per section for all the
    accounts printed, as the printing user reads it (record rules apply)."""

    _name = "report.kam_management.report_key_account_review"
    _description = "Key Account Review"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        self._kam_check_review_access(partners)
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "review": self._kam_review_data(partners),
            # the profile and credit fields the printing user may read
            "readable": set(
                self._kam_readable("res.partner", PROFILE_FIELDS + CREDIT_FIELDS)
            ),
            "buckets": AGING_BUCKETS,
        }

    def _kam_check_review_access(self, partners):
        user = self.env.user
        allowed = partners._kam_kpi_partners() if user.has_group(KAM_GROUP) else None
        for partner in partners:
            if not partner.is_key_account or partner.commercial_partner_id != partner:
                raise AccessError(
                    self.env._(
                        "%(partner)s is not a key account: only key accounts have a "
                        "review.",
                        partner=partner.display_name,
                    )
                )
            if allowed is None or partner not in allowed:
                raise AccessError(
                    self.env._(
                        "Only the key account manager of %(partner)s and heads of "
                        "sales print its review.",
                        partner=partner.display_name,
                    )
                )

    def _kam_readable(self, model, names):
        records = self.env[model]
        return [
            name
            for name in names
            if name in records._fields
            and records._has_field_access(records._fields[name], "read")
        ]

    def _kam_review_data(self, partners):
        """{partner id: everything the review shows}, a few queries for all."""
        company = self.env.company
        today = fields.Date.context_today(self)
        first_month = today.replace(day=1) - relativedelta(months=REVIEW_MONTHS - 1)
        months = [first_month + relativedelta(months=n) for n in range(REVIEW_MONTHS)]
        review = {
            partner.id: {
                "months": [],
                "revenue_total": 0.0,
                "target_total": 0.0,
                "plans": [],
                "visits": self.env["kam.visit"],
                "visit_states": {},
                "debts": dict.fromkeys(dict(AGING_BUCKETS), 0.0),
                "open_debt": 0.0,
                "overdue_debt": 0.0,
                "contracts": self.env["kam.contract"],
                "contacts": self.env["res.partner"],
                "observations": self.env["kam.competitor.observation"],
                "activities": self.env["mail.activity"],
                "tasks": self.env["kam.merchandising.task"],
            }
            for partner in partners
        }
        in_company = [
            ("partner_id", "in", partners.ids),
            ("company_id", "=", company.id),
        ]

        # revenue by month (the one revenue definition) against the monthly targets
        # of the running individual plans
        revenue = {
            (partner.id, month): amount
            for partner, month, amount in self.env["kam.revenue.report"]._read_group(
                in_company + [("date", ">=", first_month), ("date", "<=", today)],
                ["partner_id", "date:month"],
                ["amount:sum"],
            )
        }
        running = [
            ("state", "=", "approved"),
            ("plan_id.plan_type", "=", "individual"),
        ]
        Plan = self.env["kam.plan.report"]
        target = {
            (partner.id, month): amount
            for partner, month, amount in Plan._read_group(
                in_company
                + running
                + [
                    ("figure", "=", "target"),
                    ("date", ">=", first_month),
                    ("date", "<=", today),
                ],
                ["partner_id", "date:month"],
                ["target_amount:sum"],
            )
        }
        for partner in partners:
            data = review[partner.id]
            for month in months:
                amount = revenue.get((partner.id, month), 0.0)
                goal = target.get((partner.id, month), 0.0)
                data["months"].append(
                    {
                        "month": month,
                        "revenue": amount,
                        "target": goal,
                        "achievement": amount / goal * 100.0 if goal else None,
                    }
                )
                data["revenue_total"] += amount
                data["target_total"] += goal

        # plan achievement: each running plan's target for the account, its target
        # up to this month and what was invoiced
        to_date = {
            (partner.id, plan.id): amount
            for partner, plan, amount in Plan._read_group(
                in_company + running + [("date", "<=", today)],
                ["partner_id", "plan_id"],
                ["target_amount:sum"],
            )
        }
        for partner, plan, goal, invoiced in Plan._read_group(
            in_company + running,
            ["partner_id", "plan_id"],
            ["target_amount:sum", "actual_amount:sum"],
        ):
            goal_to_date = to_date.get((partner.id, plan.id), 0.0)
            review[partner.id]["plans"].append(
                {
                    "plan": plan,
                    "target": goal,
                    "target_to_date": goal_to_date,
                    "invoiced": invoiced,
                    "achievement": (
                        invoiced / goal_to_date * 100.0 if goal_to_date else None
                    ),
                }
            )

        # visits of the last 90 days and their outcomes
        since = datetime.combine(today - relativedelta(days=VISIT_DAYS), time.min)
        visits = self.env["kam.visit"].search(
            [("partner_id", "in", partners.ids), ("date_start", ">=", since)],
            order="date_start desc",
        )
        for partner, visits_of in visits.grouped("partner_id").items():
            review[partner.id]["visits"] = visits_of
            states = defaultdict(int)
            for visit in visits_of:
                states[visit.state] += 1
            review[partner.id]["visit_states"] = dict(states)

        # open and overdue debts by age (the one open-debt definition)
        for partner, bucket, amount, overdue in self.env[
            "kam.aging.report"
        ]._read_group(
            in_company,
            ["partner_id", "bucket"],
            ["amount:sum", "overdue_amount:sum"],
        ):
            data = review[partner.id]
            data["debts"][bucket] = amount
            data["open_debt"] += amount
            data["overdue_debt"] += overdue

        # contracts in force or in negotiation
        contracts = self.env["kam.contract"].search(
            [
                ("partner_id", "in", partners.ids),
                ("state", "in", ("negotiation", "active")),
            ]
        )
        for partner, contracts_of in contracts.grouped("partner_id").items():
            review[partner.id]["contracts"] = contracts_of

        # relationship map: the contacts, the most influential first
        contacts = self.env["res.partner"].search(
            [("parent_id", "in", partners.ids), ("type", "=", "contact")],
            order="kam_influence desc, name",
        )
        for partner, contacts_of in contacts.grouped("parent_id").items():
            review[partner.id]["contacts"] = contacts_of

        # competitors: the latest observations
        Observation = self.env["kam.competitor.observation"]
        if Observation.has_access("read"):
            observations = Observation.search(
                [("partner_id", "in", partners.ids)], order="date desc, id desc"
            )
            for partner, observed in observations.grouped("partner_id").items():
                review[partner.id]["observations"] = observed[:COMPETITOR_ROWS]

        # open tasks: activities on the account and merchandising tasks to do
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)],
            order="date_deadline",
        )
        for res_id, activities_of in activities.grouped("res_id").items():
            review[res_id]["activities"] = activities_of
        tasks = self.env["kam.merchandising.task"].search(
            [("partner_id", "in", partners.ids), ("state", "=", "todo")]
        )
        for partner, tasks_of in tasks.grouped("partner_id").items():
            review[partner.id]["tasks"] = tasks_of
        return review
