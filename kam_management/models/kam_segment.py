from odoo import api, fields, models


class KamSegment(models.Model):
    _name = "kam.segment"
    _description = "Market Segment"
    _inherit = ["kam.input.mixin", "mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    # the name is part of a unique index: a longer text could not be indexed
    name = fields.Char(required=True, tracking=True, size=128)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Html(translate=True)
    manager_id = fields.Many2one(
        "res.users",
        string="Segment Manager",
        ondelete="set null",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Head of sales responsible for this segment (proposals, promotions).",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        ondelete="cascade",
        help="Leave empty to share the segment between companies.",
    )
    # segment proposals (duty 2.17): the prices of the segment's accounts
    pricelist_id = fields.Many2one(
        "product.pricelist",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="The pricelist of the segment's accounts: the prices a segment "
        "proposal starts from and changes once approved.",
    )
    partner_ids = fields.One2many(
        "res.partner", "kam_segment_id", string="Key Accounts", readonly=True
    )
    partner_count = fields.Integer(compute="_compute_partner_count", string="Accounts")

    _name_company_uniq = models.UniqueIndex(
        "(name, COALESCE(company_id, 0))",
        "A segment with this name already exists in this company.",
    )

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [
                    ("kam_segment_id", "in", self.ids),
                    ("is_key_account", "=", True),
                    ("is_company", "=", True),
                ],
                ["kam_segment_id"],
                ["__count"],
            )
        )
        for segment in self:
            segment.partner_count = counts.get(segment, 0)

    @api.readonly
    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.res_partner_action_key_accounts"
        )
        action["domain"] = [("kam_segment_id", "=", self.id)]
        action["context"] = {"default_kam_segment_id": self.id}
        return action
