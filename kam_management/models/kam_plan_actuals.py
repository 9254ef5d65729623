from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.orm.models import READ_GROUP_AGGREGATE, parse_read_group_spec
from odoo.tools import SQL

from .res_partner import KAM_GROUP, KAM_MANAGER_GROUP
from .workflow import require_group, require_states, workflow

# the plan figures that are the KAM's variable pay (need-to-know, duty 2.21)
PAY_FIELDS = {"pay_scale_id", "base_variable_pay", "payout_pct", "payout_amount"}


class KamPlan(models.Model):
    """The plan's results: its actuals, read from the invoiced revenue
    (kam.revenue.report) in a constant number of queries for any number of plans
    and accounts, and the variable pay they earn."""

    _inherit = "kam.plan"

    # --- fields ---------------------------------------------------------
    # the actuals frozen when the plan is closed (action_close)
    frozen_actual_amount = fields.Monetary(readonly=True, copy=False)
    frozen_active_accounts = fields.Integer(readonly=True, copy=False)
    frozen_new_accounts = fields.Integer(readonly=True, copy=False)
    date_closed = fields.Date(readonly=True, copy=False)
    # variable pay: the KAM concerned and heads of sales only (record rules + groups)
    pay_scale_id = fields.Many2one(
        "kam.variable.pay.scale",
        string="Variable Pay Scale",
        ondelete="restrict",
        check_company=True,
        default=lambda self: self._default_pay_scale(),
        groups=KAM_GROUP,
        tracking=True,
    )
    base_variable_pay = fields.Monetary(
        groups=KAM_GROUP,
        tracking=True,
        help="Variable pay at 100 % payout for the period.",
    )
    payout_pct = fields.Float(
        string="Payout (%)",
        compute="_compute_payout",
        compute_sudo=True,
        groups=KAM_GROUP,
    )
    payout_amount = fields.Monetary(
        string="Variable Pay",
        compute="_compute_payout",
        compute_sudo=True,
        groups=KAM_GROUP,
    )

    # live until the plan is closed, then the frozen snapshot
    actual_amount = fields.Monetary(
        string="Invoiced Revenue", compute="_compute_actuals", compute_sudo=True
    )
    actual_active_accounts = fields.Integer(
        string="Active Accounts", compute="_compute_actuals", compute_sudo=True
    )
    actual_new_accounts = fields.Integer(
        string="New Accounts", compute="_compute_actuals", compute_sudo=True
    )
    achievement_amount = fields.Float(
        string="Revenue Achievement (%)",
        compute="_compute_actuals",
        compute_sudo=True,
        search="_search_achievement_amount",
    )
    achievement_active = fields.Float(
        string="Active Accounts Achievement (%)",
        compute="_compute_actuals",
        compute_sudo=True,
    )
    achievement_new = fields.Float(
        string="New Accounts Achievement (%)",
        compute="_compute_actuals",
        compute_sudo=True,
    )

    # --- pay kept from deputies -----------------------------------------
    def _read_format(self, fnames, load="_classic_read"):
        """A deputy reads the absent KAM's plans (record rules) but not their
        variable pay (need-to-know): shown as nothing, never as a zero."""
        result = super()._read_format(fnames, load=load)
        hidden = PAY_FIELDS & set(fnames)
        if not hidden:
            return result
        others = set(self._kam_pay_hidden().ids)
        for values in result:
            if values["id"] in others:
                values.update(dict.fromkeys(hidden, False))
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        """Nor does an export (it reads the records' values, not _read_format)."""
        columns = [i for i, path in enumerate(fields) if path[0] in PAY_FIELDS]
        hidden = self._kam_pay_hidden() if columns else self.browse()
        if not hidden:
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
        rows = []
        for plan in self:  # in the order asked (a deputy's export: a few plans)
            part = super(KamPlan, plan)._export_rows(
                fields, _is_toplevel_call=_is_toplevel_call
            )
            if plan in hidden:
                for row in part:
                    for i in columns:
                        row[i] = False
            rows += part
        return rows

    def _kam_pay_hidden(self):
        """The individual plans whose pay the user may not see: another KAM's
        (a deputy's view); heads of sales see all."""
        user = self.env.user
        if self.env.su or user.has_group(KAM_MANAGER_GROUP):
            return self.browse()
        return self.filtered(
            lambda p: p.plan_type == "individual" and p.user_id != user
        )

    # ... nor through grouping, searching or sorting on it (a deputy could otherwise
    # read a sum of the absent KAM's pay, or narrow it down with filters): in SQL the
    # pay of a plan the user may not see is nothing (NULL)
    def _kam_pay_guarded(self):
        return not self.env.su and not self.env.user.has_group(KAM_MANAGER_GROUP)

    def _kam_pay_visible_sql(self, alias, query):
        return SQL(
            "(%s != 'individual' OR %s = %s)",
            self._field_to_sql(alias, "plan_type", query),
            self._field_to_sql(alias, "user_id", query),
            self.env.uid,
        )

    def _read_group_select(self, aggregate_spec, query):
        sql = super()._read_group_select(aggregate_spec, query)
        fname, _property, func = parse_read_group_spec(aggregate_spec)
        if fname not in PAY_FIELDS or not self._kam_pay_guarded():
            return sql
        if (
            func not in READ_GROUP_AGGREGATE
        ):  # sum_currency: no pay field is in a foreign currency
            return SQL("NULL")
        value = SQL(
            "CASE WHEN %s THEN %s END",
            self._kam_pay_visible_sql(self._table, query),
            self._field_to_sql(self._table, fname, query),
        )
        return READ_GROUP_AGGREGATE[func](self._table, value)

    def _read_group_groupby(self, alias, groupby_spec, query):
        sql = super()._read_group_groupby(alias, groupby_spec, query)
        if (
            parse_read_group_spec(groupby_spec)[0] not in PAY_FIELDS
            or not self._kam_pay_guarded()
        ):
            return sql
        return SQL(
            "CASE WHEN %s THEN %s END", self._kam_pay_visible_sql(alias, query), sql
        )

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        if field_name.split(".")[0] in PAY_FIELDS and self._kam_pay_guarded():
            return SQL(
                "CASE WHEN %s THEN %s END %s %s",
                self._kam_pay_visible_sql(alias, query),
                self._field_to_sql(alias, field_name.split(".")[0], query),
                direction,
                nulls,
            )
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    def _search(self, domain, *args, **kwargs):
        if self._kam_pay_guarded():
            visible = Domain("plan_type", "!=", "individual") | Domain(
                "user_id", "=", self.env.uid
            )
            domain = Domain(domain).map_conditions(
                lambda condition: condition & visible
                if condition.field_expr.split(".")[0] in PAY_FIELDS
                else condition
            )
        return super()._search(domain, *args, **kwargs)

    def _track_filter_for_display(self, tracking_values):
        """Nor do the chatter's tracked changes show that pay to a deputy."""
        tracking_values = super()._track_filter_for_display(tracking_values)
        if not self._kam_pay_hidden():
            return tracking_values
        return tracking_values.filtered(
            lambda value: value.field_id.name not in PAY_FIELDS
        )

    # --- computes -------------------------------------------------------
    @api.model
    def _default_pay_scale(self):
        return self.env["kam.variable.pay.scale"].search(
            [("company_id", "in", [False, self.env.company.id])], limit=1
        )

    @api.depends("plan_type", "achievement_amount", "pay_scale_id", "base_variable_pay")
    def _compute_payout(self):
        for plan in self:
            if plan.plan_type != "individual" or not plan.pay_scale_id:
                plan.payout_pct = plan.payout_amount = 0.0
                continue
            plan.payout_pct = plan.pay_scale_id._payout_pct(plan.achievement_amount)
            plan.payout_amount = plan.currency_id.round(
                plan.base_variable_pay * plan.payout_pct / 100.0
            )

    @api.depends(
        "state",
        "date_from",
        "date_to",
        "user_id",
        "team_id",
        "target_amount",
        "target_active_accounts",
        "target_new_accounts",
        "frozen_actual_amount",
    )
    def _compute_actuals(self):
        live = self.filtered(lambda p: p.state != "closed" and p.id)
        figures = live._kam_actuals()
        for plan in self:
            if plan.state == "closed":
                amount = plan.frozen_actual_amount
                active = plan.frozen_active_accounts
                new = plan.frozen_new_accounts
            else:
                amount, active, new = figures.get(plan.id, (0.0, 0, 0))
            plan.actual_amount = amount
            plan.actual_active_accounts = active
            plan.actual_new_accounts = new
            plan.achievement_amount = _pct(amount, plan.target_amount)
            plan.achievement_active = _pct(active, plan.target_active_accounts)
            plan.achievement_new = _pct(new, plan.target_new_accounts)

    def _search_achievement_amount(self, operator, value):
        if operator not in ("<", "<=", ">", ">="):
            return NotImplemented
        plans = self.search([("target_amount", ">", 0)])
        return Domain(
            "id",
            "in",
            plans.filtered_domain([("achievement_amount", operator, value)]).ids,
        )

    # --- business: actuals in SQL batches ---------------------------------
    def _kam_plan_kams(self):
        """{plan_id: KAM user ids}: the KAM of an individual plan, the active members
        of a department plan's sales team (one query for all the teams)."""
        teams = self.filtered(lambda p: p.plan_type == "department").team_id
        members = {}
        if teams:
            members = dict(
                self.env["crm.team.member"]
                .sudo()
                ._read_group(
                    [("crm_team_id", "in", teams.ids)],
                    ["crm_team_id"],
                    ["user_id:array_agg"],
                )
            )
        return {
            plan.id: (
                set(members.get(plan.team_id, []))
                if plan.plan_type == "department"
                else {plan.user_id.id}
            )
            for plan in self
        }

    def _kam_flush_for_actuals(self):
        # the revenue report flushes what it reads itself (_table_sql metadata)
        self.env["res.partner"].flush_model(["kam_user_id", "is_key_account"])
        self.flush_model(
            ["plan_type", "user_id", "team_id", "date_from", "date_to", "company_id"]
        )
        self.env["kam.plan.line"].flush_model(["plan_id", "partner_id"])

    def _kam_actuals(self):
        """{plan_id: (revenue, active accounts, new accounts)}.

        The revenue of each key account is read once per period (company, dates)
        for all the KAMs of the plans in that period, so a department plan and the
        individual plans split from it share one query: one query per distinct
        period (plus one for the department plans' teams)."""
        if not self:
            return {}
        plan_kams = self._kam_plan_kams()
        periods = defaultdict(set)
        for plan in self:
            periods[plan.company_id.id, plan.date_from, plan.date_to] |= plan_kams[
                plan.id
            ]
        Revenue = self.env["kam.revenue.report"]
        # {period: {kam: {account: (revenue, first invoice date)}}}
        accounts = {
            period: Revenue._kam_account_figures(kams, *period)
            for period, kams in periods.items()
        }
        figures = {}
        for plan in self:
            period = (plan.company_id.id, plan.date_from, plan.date_to)
            amount = active = new = 0
            for kam in plan_kams[plan.id]:
                for revenue, first_day in accounts[period].get(kam, {}).values():
                    amount += revenue
                    active += revenue > 0
                    new += (
                        bool(first_day) and plan.date_from <= first_day <= plan.date_to
                    )
            figures[plan.id] = (amount, active, new)
        return figures

    def _kam_history(self, accounts):
        """{partner_id: invoiced revenue in the same period one year earlier}."""
        self.ensure_one()
        last_year = relativedelta(years=1)
        # sudo: the split weighs the history of every account of the team, not
        # only the rows the caller's record rules on the report show
        rows = (
            self.env["kam.revenue.report"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", accounts.ids),
                    ("company_id", "=", self.company_id.id),
                    ("date", ">=", self.date_from - last_year),
                    ("date", "<=", self.date_to - last_year),
                ],
                ["partner_id"],
                ["amount:sum"],
            )
        )
        return {partner.id: max(amount, 0.0) for partner, amount in rows}

    # --- closing: the actuals are frozen ----------------------------------
    def action_close(self):
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales closes plans."),
        )
        require_states(
            self, ("approved",), self.env._("Only approved plans can be closed.")
        )
        figures = self._kam_actuals()
        line_figures = self.line_ids._kam_actual_amounts()
        with workflow():
            self._kam_freeze(figures, line_figures)

    def _kam_freeze(self, figures, line_figures):
        for plan in self:
            amount, active, new = figures[plan.id]
            plan.write(
                {
                    "state": "closed",
                    "date_closed": fields.Date.context_today(self),
                    "frozen_actual_amount": amount,
                    "frozen_active_accounts": active,
                    "frozen_new_accounts": new,
                }
            )
        for line in self.line_ids:
            line.frozen_actual_amount = line_figures.get(line.id, 0.0)

    def action_reopen(self):
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales reopens plans."),
        )
        require_states(
            self, ("closed",), self.env._("Only closed plans can be reopened.")
        )
        with workflow():
            self.write({"state": "approved", "date_closed": False})


def _pct(actual, target):
    return actual / target * 100.0 if target else 0.0
