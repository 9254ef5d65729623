from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .workflow import in_workflow


class KamPlanLine(models.Model):
    _name = "kam.plan.line"
    _description = "Key Account Target"
    _inherit = ["kam.input.mixin"]
    _order = "plan_id, target_amount desc, id"
    _check_company_auto = True

    plan_id = fields.Many2one("kam.plan", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('is_key_account', '=', True), ('is_company', '=', True)]",
    )
    user_id = fields.Many2one(related="plan_id.user_id", store=True, index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    state = fields.Selection(related="plan_id.state")
    date_from = fields.Date(related="plan_id.date_from")
    date_to = fields.Date(related="plan_id.date_to")
    target_amount = fields.Monetary(string="Target")
    reference_amount = fields.Monetary(
        string="Last Year",
        readonly=True,
        help="Invoiced revenue of the same period one year earlier, "
        "when the plan was split.",
    )
    actual_amount = fields.Monetary(
        string="Invoiced", compute="_compute_actual_amount", compute_sudo=True
    )
    achievement = fields.Float(
        string="Achievement (%)", compute="_compute_actual_amount", compute_sudo=True
    )
    frozen_actual_amount = fields.Monetary(readonly=True, copy=False)

    _plan_partner_uniq = models.UniqueIndex(
        "(plan_id, partner_id)", "A key account appears once in a plan."
    )

    @api.depends(
        "plan_id.state",
        "partner_id",
        "plan_id.date_from",
        "plan_id.date_to",
        "target_amount",
        "frozen_actual_amount",
    )
    def _compute_actual_amount(self):
        live = self.filtered(lambda line: line.state != "closed" and line.id)
        amounts = live._kam_actual_amounts()
        for line in self:
            line.actual_amount = (
                line.frozen_actual_amount
                if line.state == "closed"
                else amounts.get(line.id, 0.0)
            )
            line.achievement = (
                line.actual_amount / line.target_amount * 100.0
                if line.target_amount
                else 0.0
            )

    def _kam_actual_amounts(self):
        """{line_id: invoiced revenue (kam.revenue.report) of the line's account in
        its plan's period}."""
        if not self:
            return {}
        self.env["kam.plan"]._kam_flush_for_actuals()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT line.id, SUM(revenue.amount)
                  FROM kam_plan_line line
                  JOIN kam_plan p ON p.id = line.plan_id
                  JOIN %s revenue
                    ON revenue.partner_id = line.partner_id
                   AND revenue.company_id = p.company_id
                   AND revenue.date BETWEEN p.date_from AND p.date_to
                 WHERE line.id = ANY(%s)
              GROUP BY line.id
                """,
                self.env["kam.revenue.report"]._table_sql,
                list(self.ids),
            )
        )
        return dict(rows)

    @api.constrains("partner_id", "plan_id", "target_amount")
    def _check_partner(self):
        for line in self:
            plan = line.plan_id
            if plan.plan_type != "individual":
                raise ValidationError(
                    self.env._("Account targets belong to individual plans only.")
                )
            account = line.partner_id
            if not account.is_key_account or account.kam_user_id != plan.user_id:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is not a key account of %(kam)s.",
                        partner=account.display_name,
                        kam=plan.user_id.name,
                    )
                )
            if line.target_amount < 0:
                raise ValidationError(self.env._("Targets cannot be negative."))

    def write(self, vals):
        plans = self.plan_id
        res = super().write(vals)
        # once kam.input.mixin accepted the values: the plan the lines left and the
        # one they joined must be open
        (plans | self.plan_id)._kam_check_locked(vals)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked_plan(self):
        # the targets of an approved or closed plan are part of it (plans deleted
        # as drafts take their lines along)
        if not in_workflow(self.env) and any(
            line.plan_id.state in ("approved", "closed") for line in self
        ):
            raise UserError(
                self.env._(
                    "The targets of an approved or closed plan cannot be deleted; a "
                    "head of sales can reset the plan to draft."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.plan_id._kam_check_locked({"line_ids": True})
        return lines
