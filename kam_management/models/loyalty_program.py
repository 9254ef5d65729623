from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .res_partner import KAM_MANAGER_GROUP
from .workflow import (
    check_workflow_fields,
    harmless,
    in_workflow,
    require_group,
    workflow,
)

SALE_MANAGER_GROUP = "sales_team.group_sale_manager"
# set by the approval actions only
KAM_WORKFLOW_FIELDS = ("kam_state", "kam_approved_by_id")


class LoyaltyProgram(models.Model):
    """Discount promotions for some key accounts (duty 2.18): Odoo's own loyalty
    programmes, restricted to listed key accounts and/or a market segment.

    A restricted programme applies to an order only once a head of sales approved
    it (``kam_state``), and only to orders of its accounts (any contact of them:
    the order's commercial partner counts). A KAM proposes restricted programmes
    (record rules: their own drafts); unrestricted programmes keep Odoo's
    behaviour and rights (sales managers). An approved restricted programme is
    read-only: a head of sales resets it to draft to change it."""

    _inherit = "loyalty.program"

    kam_partner_ids = fields.Many2many(
        "res.partner",
        "loyalty_program_kam_partner_rel",
        "program_id",
        "partner_id",
        string="Participating Key Accounts",
        domain="[('is_key_account', '=', True), ('is_company', '=', True)]",
        help="Only orders of these key accounts (and of the segment's) get the "
        "programme, once approved by a head of sales. Empty with no segment: "
        "every customer, as in Odoo.",
    )
    kam_segment_id = fields.Many2one(
        "kam.segment",
        string="Key Account Segment",
        ondelete="restrict",
        help="Only orders of the segment's key accounts get the programme, once "
        "approved.",
    )
    kam_restricted = fields.Boolean(
        string="Key Accounts Only",
        compute="_compute_kam_restricted",
        store=True,
        index=True,
    )
    kam_state = fields.Selection(
        [
            ("draft", "Proposed"),
            ("to_approve", "To Approve"),
            ("approved", "Approved"),
        ],
        string="Approval",
        required=True,
        default="draft",
        copy=False,
        index=True,
    )
    kam_approved_by_id = fields.Many2one(
        "res.users",
        string="Approved By",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )

    @api.depends("kam_partner_ids", "kam_segment_id")
    def _compute_kam_restricted(self):
        for program in self:
            program.kam_restricted = bool(
                program.kam_partner_ids or program.kam_segment_id
            )

    @api.constrains("kam_partner_ids", "kam_segment_id")
    def _check_kam_partner_ids(self):
        self.kam_partner_ids._kam_ensure_key_account()
        # constraints run in sudo: the user is still the one who writes
        if self.env.user.has_group(KAM_MANAGER_GROUP):
            return
        if not self.env.user.has_group(SALE_MANAGER_GROUP) and not all(
            self.mapped("kam_restricted")
        ):
            # a KAM's proposal stays restricted: emptied, it would apply to every
            # customer without approval
            raise ValidationError(
                self.env._(
                    "A key account manager proposes promotions for key accounts or "
                    "a segment only; promotions for every customer are set up by "
                    "sales managers."
                )
            )
        # sudo: the accounts' KAM only, compared with the user
        acting = self.env.user._kam_acting_for()
        others = self.sudo().kam_partner_ids.filtered(
            lambda p: p.kam_user_id not in acting
        )
        if others:
            raise AccessError(
                self.env._(
                    "%(accounts)s: a KAM proposes promotions for their own accounts "
                    "(or a segment).",
                    accounts=", ".join(others.mapped("display_name")),
                )
            )

    def _kam_refuse_restricted(self, vals):
        """ "Key accounts only" follows the accounts and the segment: written by hand
        to False, a KAM's unapproved proposal would apply to every customer."""
        if isinstance(vals, dict) and "kam_restricted" in vals:
            raise UserError(
                self.env._(
                    "Whether a programme is for key accounts only follows its "
                    "participating key accounts and segment: set those instead."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._kam_refuse_restricted(vals)
            if isinstance(vals, dict):
                # a new programme is proposed (the form sends the default)
                check_workflow_fields(
                    self,
                    {k: v for k, v in vals.items() if (k, v) != ("kam_state", "draft")},
                    KAM_WORKFLOW_FIELDS,
                    create=True,
                )
        return super().create(vals_list)

    def write(self, vals):
        self._kam_refuse_restricted(vals)
        check_workflow_fields(self, vals, KAM_WORKFLOW_FIELDS)
        if not (in_workflow(self.env) or harmless(vals)):
            locked = self.filtered(
                lambda p: p.kam_restricted and p.kam_state != "draft"
            )
            if locked:
                raise UserError(
                    self.env._(
                        "%(program)s is submitted or approved for its key accounts "
                        "and cannot be changed; a head of sales resets it to "
                        "draft.",
                        program=locked[0].display_name,
                    )
                )
        return super().write(vals)

    # --- actions --------------------------------------------------------
    def action_kam_submit(self):
        """The KAM asks a head of sales to approve the restricted programme."""
        self.check_access("write")
        if any(not p.kam_restricted or p.kam_state != "draft" for p in self):
            raise UserError(
                self.env._(
                    "Only proposed programmes restricted to key accounts or a "
                    "segment are submitted."
                )
            )
        with workflow():
            self.write({"kam_state": "to_approve"})
        return True

    def action_kam_approve(self):
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales approves a key account promotion."),
        )
        if any(not p.kam_restricted or p.kam_state == "approved" for p in self):
            raise UserError(
                self.env._("Only restricted programmes not approved yet are approved.")
            )
        self.check_access("write")
        with workflow():
            self.write(
                {"kam_state": "approved", "kam_approved_by_id": self.env.user.id}
            )
        return True

    def action_kam_reset(self):
        require_group(
            self.env,
            KAM_MANAGER_GROUP,
            self.env._("Only a head of sales resets a key account promotion."),
        )
        self.check_access("write")
        with workflow():
            self.write({"kam_state": "draft", "kam_approved_by_id": False})
        return True
