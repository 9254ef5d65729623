from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamVariablePayScale(models.Model):
    _name = "kam.variable.pay.scale"
    _description = "Variable Pay Scale"
    _inherit = ["kam.input.mixin", "mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        ondelete="cascade",
        help="Leave empty to use the scale in every company.",
    )
    line_ids = fields.One2many(
        "kam.variable.pay.scale.line", "scale_id", string="Points", copy=True
    )
    note = fields.Text(
        compute="_compute_note",
        help="How the payout follows plan achievement.",
    )

    @api.depends("line_ids.achievement", "line_ids.payout")
    def _compute_note(self):
        for scale in self:
            points = scale.line_ids.sorted("achievement")
            scale.note = (
                self.env._(
                    "Below %(first)s %% achievement: no variable pay; linear "
                    "between the points; from %(last)s %% on: %(cap)s %%.",
                    first=points[0].achievement,
                    last=points[-1].achievement,
                    cap=points[-1].payout,
                )
                if points
                else False
            )

    def _payout_pct(self, achievement):
        """Payout % for an achievement %: 0 below the first point, linear between
        points, capped at the last point."""
        self.ensure_one()
        points = [
            (p.achievement, p.payout) for p in self.line_ids.sorted("achievement")
        ]
        if not points or achievement < points[0][0]:
            return 0.0
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if achievement < x1:
                return y0 + (y1 - y0) * (achievement - x0) / (x1 - x0)
        return points[-1][1]


class KamVariablePayScaleLine(models.Model):
    _name = "kam.variable.pay.scale.line"
    _description = "Variable Pay Scale Point"
    _inherit = ["kam.input.mixin"]
    _order = "scale_id, achievement"

    scale_id = fields.Many2one(
        "kam.variable.pay.scale", required=True, index=True, ondelete="cascade"
    )
    achievement = fields.Float(
        string="Achievement (%)", required=True, help="Plan achievement in percent."
    )
    payout = fields.Float(
        string="Payout (%)",
        required=True,
        help="Share of the base variable pay paid at this achievement.",
    )

    _scale_achievement_uniq = models.UniqueIndex(
        "(scale_id, achievement)", "Each achievement appears once in a scale."
    )

    @api.constrains("achievement", "payout")
    def _check_values(self):
        for line in self:
            if line.achievement < 0 or line.payout < 0:
                raise ValidationError(
                    self.env._("Achievement and payout cannot be negative.")
                )
