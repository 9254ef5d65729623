from odoo import api, fields, models
from odoo.exceptions import UserError


class KamMerchandisingTaskType(models.Model):
    """A merchandising checklist template: what the KAM checks at the client's
    site, whether a photo proves it, and how often it comes back."""

    _name = "kam.merchandising.task.type"
    _description = "Merchandising Task Type"
    _inherit = ["kam.input.mixin", "mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        ondelete="cascade",
        help="Leave empty to share the checklist between companies.",
    )
    description = fields.Html(translate=True)
    line_ids = fields.One2many(
        "kam.merchandising.task.type.line",
        "type_id",
        string="Checklist",
        copy=True,
    )
    photo_required = fields.Boolean(
        tracking=True,
        help="A task of this type is done only with at least one photo "
        "(before, after or on a checklist line).",
    )
    recurrence_days = fields.Integer(
        string="Every (days)",
        tracking=True,
        help="A daily job creates the next task of this type for each account in "
        "scope when the previous one is done or its interval has passed. Leave 0 "
        "for tasks created by hand or from a visit only.",
    )
    segment_ids = fields.Many2many(
        "kam.segment",
        string="Segments",
        check_company=True,
        help="The key accounts this checklist is for; empty: all key accounts.",
    )

    _recurrence_check = models.Constraint(
        "CHECK(recurrence_days >= 0)",
        "The recurrence of a merchandising task type cannot be negative.",
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        # sudo: a task the user may not read uses the checklist all the same
        used = (
            self.env["kam.merchandising.task"]
            .sudo()
            .search_count([("task_type_id", "in", self.ids)], limit=1)
        )
        if used:
            raise UserError(
                self.env._(
                    "This checklist has tasks: archive it instead, so that their "
                    "history keeps it."
                )
            )

    def _kam_scope_domain(self):
        """The key accounts this checklist is for (a res.partner domain)."""
        self.ensure_one()
        domain = [("is_key_account", "=", True), ("is_company", "=", True)]
        if self.segment_ids:
            domain.append(("kam_segment_id", "in", self.segment_ids.ids))
        if self.company_id:
            domain.append(("company_id", "in", [False, self.company_id.id]))
        return domain
