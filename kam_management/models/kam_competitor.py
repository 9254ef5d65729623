from odoo import api, fields, models
from odoo.exceptions import UserError


class KamCompetitor(models.Model):
    """A competitor met on the key accounts' shelves (duty 2.16)."""

    _name = "kam.competitor"
    _description = "Competitor"
    _inherit = ["kam.input.mixin", "mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True, size=128)
    website = fields.Char()
    note = fields.Html()
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
        help="Leave empty to share the competitor between companies.",
    )
    observation_ids = fields.One2many(
        "kam.competitor.observation", "competitor_id", string="Observations"
    )
    observation_count = fields.Integer(compute="_compute_observation_count")

    _name_company_uniq = models.UniqueIndex(
        "(name, COALESCE(company_id, 0))",
        "A competitor with this name already exists in this company.",
    )

    def _compute_observation_count(self):
        counts = dict(
            self.env["kam.competitor.observation"]._read_group(
                [("competitor_id", "in", self.ids)], ["competitor_id"], ["__count"]
            )
        )
        for competitor in self:
            competitor.observation_count = counts.get(competitor, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_observed(self):
        # sudo: observations of accounts the user may not read count too
        observed = self.sudo().observation_ids.competitor_id
        if observed:
            raise UserError(
                self.env._(
                    "%(competitor)s has observations: archive it instead.",
                    competitor=observed[0].display_name,
                )
            )

    @api.readonly
    def action_view_observations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_competitor_observation_action"
        )
        action["domain"] = [("competitor_id", "=", self.id)]
        action["context"] = {"default_competitor_id": self.id}
        return action
