from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .kam_cockpit_common import ratio_select

# the months the report covers: the current one and the MONTHS - 1 before it
MONTHS = 12


class KamVisitCoverageReport(models.Model):
    """Visits against cadence per key account and month (duties 2.5, 2.20).

    A row is a key account in a month of the last twelve (this one included). The
    account's cadence is its own visit interval (``kam_visit_interval_days``: the
    tier's by default, as ``kam.visit.schedule._kam_coverage`` reads it): an account
    of interval N days
    is due floor(days of the month / N) visits; it is covered when it had as many
    done visits in the month. The coverage of a group is its covered accounts /
    its due accounts.
    """

    _name = "kam.visit.coverage.report"
    _description = "Key Account Visit Coverage"
    _auto = False
    _order = "date desc, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    kam_user_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True
    )
    kam_tier = fields.Selection(
        [("a", "A"), ("b", "B"), ("c", "C")], string="Tier", readonly=True
    )
    segment_id = fields.Many2one("kam.segment", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(string="Month", readonly=True)
    interval_days = fields.Integer(
        string="Visit Interval (days)", readonly=True, aggregator="max"
    )
    visits_required = fields.Integer(string="Visits Due", readonly=True)
    visits_done = fields.Integer(readonly=True)
    due_count = fields.Integer(string="Accounts Due", readonly=True)
    covered_count = fields.Integer(string="Accounts Visited Enough", readonly=True)
    coverage = fields.Float(
        string="Coverage (%)",
        compute="_compute_coverage",
        aggregator="avg",
        digits=(16, 1),
        help="Accounts visited as often as their cadence asks / accounts due.",
    )

    _depends = {
        "res.partner": [
            "is_key_account",
            "is_company",
            "kam_user_id",
            "kam_tier",
            "kam_segment_id",
            "kam_visit_interval_days",
            "company_id",
        ],
        "kam.visit": ["partner_id", "state", "date_start"],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        first = today.replace(day=1) - relativedelta(months=MONTHS - 1)
        return SQL(
            """
            SELECT ROW_NUMBER() OVER (ORDER BY cadence.month, cadence.partner_id) AS id,
                   cadence.partner_id, cadence.kam_user_id, cadence.kam_tier,
                   cadence.segment_id, cadence.company_id,
                   cadence.month AS date,
                   cadence.interval_days,
                   cadence.required AS visits_required,
                   COALESCE(done.n, 0) AS visits_done,
                   (cadence.required > 0)::int AS due_count,
                   (cadence.required > 0
                    AND COALESCE(done.n, 0) >= cadence.required)::int AS covered_count
              FROM (
                SELECT account.id AS partner_id, account.kam_user_id,
                       account.kam_tier, account.kam_segment_id AS segment_id,
                       company.id AS company_id,
                       month.day::date AS month,
                       account.kam_visit_interval_days AS interval_days,
                       CASE WHEN account.kam_visit_interval_days > 0
                            THEN (EXTRACT(DAY FROM month.day + interval '1 month'
                                          - interval '1 day')::int
                                  / account.kam_visit_interval_days)
                            ELSE 0 END AS required
                  FROM res_partner account
                  JOIN res_company company
                    ON company.id = COALESCE(account.company_id, %(company)s)
                  CROSS JOIN generate_series(%(first)s::timestamp,
                                             %(last)s::timestamp,
                                             interval '1 month') AS month(day)
                 WHERE account.is_key_account AND account.is_company
                   AND account.active
              ) cadence
              LEFT JOIN (
                SELECT visit.partner_id,
                       date_trunc('month', visit.date_start)::date AS month,
                       COUNT(*) AS n
                  FROM kam_visit visit
                 WHERE visit.state = 'done'
                   AND visit.date_start >= %(first)s
              GROUP BY visit.partner_id, date_trunc('month', visit.date_start)
              ) done
                ON done.partner_id = cadence.partner_id AND done.month = cadence.month
            """,
            company=self.env.company.id,
            first=first,
            last=today.replace(day=1),
        )

    @api.depends("due_count", "covered_count")
    def _compute_coverage(self):
        for row in self:
            row.coverage = (
                row.covered_count / row.due_count * 100.0 if row.due_count else 0.0
            )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec not in ("coverage:avg", "coverage:sum"):
            return super()._read_group_select(aggregate_spec, query)
        return ratio_select(self, query, "covered_count", "due_count")
