from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_is_zero

from .res_partner import KAM_GROUP
from .workflow import (
    check_create,
    check_locked,
    check_workflow_fields,
    refuse_locked,
    require_group,
    require_states,
    workflow,
)

# set by the actions only
WORKFLOW_FIELDS = (
    "state",
    "credit_note_id",
    "invoice_surplus_id",
    "redelivery_picking_id",
    "return_picking_id",
    "date_confirmed",
)
LOCKED_STATES = ("confirmed", "resolved", "cancelled")
# the return reason of the credit note each type ends in
REASONS = {
    "shortage": "kam_management.kam_reason_return_shortage",
    "damage": "kam_management.kam_reason_return_damaged",
    "mis_grading": "kam_management.kam_reason_return_wrong_product",
}


class KamAct(models.Model):
    """An act of discrepancy (duty 2.14), signed with the key account's
    representative on a delivery and/or an invoice: goods short, in surplus,
    mis-graded (another product received than the one ordered) or damaged. It is
    confirmed, then resolved by the document that settles it: a draft credit note
    (shortage, damage, mis-grading), a re-delivery (mis-grading), a draft invoice
    or a return (surplus)."""

    _name = "kam.act"
    _description = "Discrepancy Act"
    _inherit = ["kam.account.document"]
    _order = "date desc, id desc"
    _check_company_auto = True

    act_type = fields.Selection(
        [
            ("shortage", "Shortage"),
            ("surplus", "Surplus"),
            ("mis_grading", "Mis-grading"),
            ("damage", "Damage"),
        ],
        string="Type",
        required=True,
        default="shortage",
        index=True,
        tracking=True,
    )
    date = fields.Date(
        required=True, default=fields.Date.context_today, index=True, tracking=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("confirmed", "Confirmed"),
            ("resolved", "Resolved"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('picking_type_code', '=', 'outgoing'), "
        "('partner_id', 'child_of', partner_id)]",
    )
    invoice_id = fields.Many2one(
        "account.move",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('partner_id', 'child_of', partner_id)]",
    )
    representative_id = fields.Many2one(
        "res.partner",
        string="Client's Representative",
        ondelete="restrict",
        tracking=True,
        domain="[('parent_id', '=', partner_id), ('type', '=', 'contact')]",
        help="The contact of the account who signed the act.",
    )
    date_signed = fields.Date(tracking=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Scans and Photos",
        help="The signed act scanned, photos of the goods.",
    )
    note = fields.Text()
    line_ids = fields.One2many("kam.act.line", "act_id", string="Lines", copy=True)
    amount = fields.Monetary(
        compute="_compute_amount",
        store=True,
        tracking=True,
        help="The value of the difference between expected and actual quantities.",
    )
    date_confirmed = fields.Date(string="Confirmed On", readonly=True, copy=False)
    credit_note_id = fields.Many2one(
        "account.move",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    invoice_surplus_id = fields.Many2one(
        "account.move",
        string="Surplus Invoice",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    redelivery_picking_id = fields.Many2one(
        "stock.picking",
        string="Re-delivery",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    return_picking_id = fields.Many2one(
        "stock.picking",
        string="Return",
        readonly=True,
        copy=False,
        ondelete="set null",
    )

    # --- computes -------------------------------------------------------
    @api.depends("line_ids.amount")
    def _compute_amount(self):
        for act in self:
            act.amount = sum(act.line_ids.mapped("amount"))

    @api.onchange("picking_id", "invoice_id")
    def _onchange_documents(self):
        document = self.invoice_id or self.picking_id
        if document and not self.partner_id:
            self.partner_id = document.partner_id.commercial_partner_id

    # --- constraints ----------------------------------------------------
    @api.constrains("partner_id", "invoice_id", "picking_id", "representative_id")
    def _check_documents(self):
        # sudo: a KAM reads the invoices they sell, not every invoice of the account
        for act in self.sudo():
            account = act.partner_id.commercial_partner_id
            if not (act.invoice_id or act.picking_id):
                raise ValidationError(
                    self.env._(
                        "An act is drawn up against a delivery or an invoice of "
                        "the key account: give one of them."
                    )
                )
            invoice = act.invoice_id
            if invoice and (
                invoice.move_type != "out_invoice"
                or invoice.commercial_partner_id != account
            ):
                raise ValidationError(
                    self.env._(
                        "%(invoice)s is not a customer invoice of %(account)s: an "
                        "act is drawn up against the account's own invoices.",
                        invoice=invoice.display_name,
                        account=account.display_name,
                    )
                )
            picking = act.picking_id
            if picking and (
                picking.picking_type_code != "outgoing"
                or picking.partner_id.commercial_partner_id != account
            ):
                raise ValidationError(
                    self.env._(
                        "%(picking)s is not a delivery to %(account)s: an act is "
                        "drawn up against the account's own deliveries.",
                        picking=picking.display_name,
                        account=account.display_name,
                    )
                )
            representative = act.representative_id
            if representative and representative.commercial_partner_id != account:
                raise ValidationError(
                    self.env._(
                        "%(contact)s is not a contact of %(account)s.",
                        contact=representative.display_name,
                        account=account.display_name,
                    )
                )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"draft"}, WORKFLOW_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        check_locked(self, vals, LOCKED_STATES, self._kam_locked_message)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        if any(act.state in ("confirmed", "resolved") for act in self):
            raise UserError(
                self.env._(
                    "Confirmed or resolved acts cannot be deleted: cancel the act "
                    "instead."
                )
            )

    def _kam_check_draft(self):
        refuse_locked(self, LOCKED_STATES, self._kam_locked_message)

    def _kam_locked_message(self, act):
        return self.env._(
            "%(act)s is %(state)s and cannot be changed.",
            act=act.name,
            state=act._kam_state_label(),
        )

    # --- actions --------------------------------------------------------
    def action_confirm(self):
        require_states(self, ("draft",), self.env._("Only draft acts are confirmed."))
        for act in self:
            if not act.line_ids:
                raise UserError(
                    self.env._("Add the lines of %(act)s first.", act=act.name)
                )
            if float_is_zero(act.amount, precision_rounding=act.currency_id.rounding):
                raise UserError(
                    self.env._(
                        "%(act)s shows no difference between the expected and the "
                        "actual quantities.",
                        act=act.name,
                    )
                )
            act.line_ids._kam_check_type()
        with workflow():
            self.write(
                {
                    "state": "confirmed",
                    "date_confirmed": fields.Date.context_today(self),
                }
            )

    def action_cancel(self):
        require_states(
            self,
            ("draft", "confirmed"),
            self.env._("Only draft or confirmed acts are cancelled."),
        )
        with workflow():
            self.write({"state": "cancelled"})

    def action_reset_draft(self):
        require_states(
            self, ("cancelled",), self.env._("Only cancelled acts go back to draft.")
        )
        with workflow():
            self.write({"state": "draft"})

    def _kam_check_resolvable(self, act_types, done_field):
        """The account's KAM or a head of sales settles an act (sales support draws
        it up); the documents are made as superuser, after these checks."""
        self.ensure_one()
        require_group(
            self.env,
            KAM_GROUP,
            self.env._("Only the account's KAM or a head of sales settles an act."),
        )
        self.check_access("write")
        if (
            self.state not in ("confirmed", "resolved")
            or self.act_type not in act_types
        ):
            raise UserError(
                self.env._(
                    "%(act)s cannot be settled this way: confirm it first; this "
                    "settlement is for %(types)s acts.",
                    act=self.name,
                    types=", ".join(
                        dict(self._fields["act_type"].selection)[act_type]
                        for act_type in act_types
                    ),
                )
            )
        if self[done_field]:
            raise UserError(
                self.env._(
                    "%(act)s is settled already by %(document)s.",
                    act=self.name,
                    document=self[done_field].display_name,
                )
            )

    def _kam_open(self, record):
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "views": [(False, "form")],
        }

    def _kam_resolve(self, vals):
        with workflow():
            self.write({"state": "resolved", **vals})

    def action_create_credit_note(self):
        """A draft credit note of the act's value on the invoice, with the return
        reason of the act's type. Accounting checks and posts it: the act makes the
        draft only (sudo: KAMs and sales support do not write invoices)."""
        self._kam_check_resolvable(tuple(REASONS), "credit_note_id")
        if not self.invoice_id:
            raise UserError(
                self.env._(
                    "%(act)s has no invoice: a credit note corrects an invoice.",
                    act=self.name,
                )
            )
        invoice = self.invoice_id.sudo()
        refund = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "company_id": self.company_id.id,
                    "journal_id": invoice.journal_id.id,
                    "currency_id": invoice.currency_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_date": fields.Date.context_today(self),
                    "invoice_origin": f"{self.name} ({invoice.name})",
                    "ref": self.env._("Act %(act)s", act=self.name),
                    "kam_reason_id": self.env.ref(REASONS[self.act_type]).id,
                    "invoice_user_id": invoice.invoice_user_id.id,
                    # no sale_line_ids: the act's credit note does not change what
                    # the order has invoiced
                    "invoice_line_ids": [
                        Command.create(line._kam_move_line_vals())
                        for line in self.line_ids
                        if line.qty_difference
                    ],
                }
            )
        )
        self._kam_resolve({"credit_note_id": refund.id})
        self.message_post(
            body=self.env._("Draft credit note %(move)s made.", move=refund.name)
        )
        return self._kam_open(refund)

    def action_create_redelivery(self):
        """A mis-graded delivery: the ordered product delivered again (a new
        outgoing picking of the ordered quantity not received)."""
        self._kam_check_resolvable(("mis_grading",), "redelivery_picking_id")
        if not self.picking_id:
            raise UserError(
                self.env._("%(act)s has no delivery to deliver again.", act=self.name)
            )
        source = self.picking_id.sudo()
        lines = self.line_ids.filtered("qty_difference")
        picking = (
            self.env["stock.picking"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "picking_type_id": source.picking_type_id.id,
                    "partner_id": source.partner_id.id,
                    "location_id": source.location_id.id,
                    "location_dest_id": source.location_dest_id.id,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "product_uom_qty": line.qty_difference,
                                "product_uom": line.product_id.uom_id.id,
                                "location_id": source.location_id.id,
                                "location_dest_id": source.location_dest_id.id,
                                "company_id": self.company_id.id,
                            }
                        )
                        for line in lines
                    ],
                }
            )
        )
        picking.action_confirm()
        self._kam_resolve({"redelivery_picking_id": picking.id})
        self.message_post(
            body=self.env._("Re-delivery %(picking)s made.", picking=picking.name)
        )
        return self._kam_open(picking)

    def action_create_surplus_invoice(self):
        """The surplus kept by the account: a draft invoice of it."""
        self._kam_check_resolvable(("surplus",), "invoice_surplus_id")
        self._kam_check_surplus_open()
        partner = (self.invoice_id or self.picking_id).sudo().partner_id
        invoice = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "invoice_origin": self.name,
                    "ref": self.env._("Act %(act)s", act=self.name),
                    "invoice_line_ids": [
                        Command.create(line._kam_move_line_vals())
                        for line in self.line_ids
                        if line.qty_difference
                    ],
                }
            )
        )
        self._kam_resolve({"invoice_surplus_id": invoice.id})
        self.message_post(
            body=self.env._("Draft invoice %(move)s made.", move=invoice.name)
        )
        return self._kam_open(invoice)

    def action_create_return(self):
        """The surplus sent back: a return of the delivery (Odoo's return wizard)
        of the surplus quantities, not to refund (it was never invoiced)."""
        self._kam_check_resolvable(("surplus",), "return_picking_id")
        self._kam_check_surplus_open()
        if not self.picking_id or self.picking_id.state != "done":
            raise UserError(
                self.env._(
                    "%(act)s: goods come back on a return of a done delivery; the "
                    "act has none.",
                    act=self.name,
                )
            )
        surplus = {}
        for line in self.line_ids:
            surplus[line.product_id] = (
                surplus.get(line.product_id, 0.0) + line.qty_difference
            )
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_context(
                active_id=self.picking_id.id,
                active_ids=self.picking_id.ids,
                active_model="stock.picking",
            )
            .create({"picking_id": self.picking_id.id})
        )
        for return_line in wizard.product_return_moves:
            quantity = surplus.pop(return_line.product_id, 0.0)
            return_line.write({"quantity": quantity, "to_refund": False})
        if surplus:
            raise UserError(
                self.env._(
                    "%(products)s not on %(picking)s: return it by hand.",
                    products=", ".join(p.display_name for p in surplus),
                    picking=self.picking_id.name,
                )
            )
        result = wizard.action_create_returns()
        picking = self.env["stock.picking"].sudo().browse(result["res_id"])
        self._kam_resolve({"return_picking_id": picking.id})
        self.message_post(
            body=self.env._("Return %(picking)s made.", picking=picking.name)
        )
        return self._kam_open(picking)

    def _kam_check_surplus_open(self):
        if self.invoice_surplus_id or self.return_picking_id:
            raise UserError(
                self.env._(
                    "The surplus of %(act)s is settled already (invoiced or returned).",
                    act=self.name,
                )
            )

    def action_kam_view_credit_note(self):
        self.ensure_one()
        return self._kam_open(self.credit_note_id)

    def action_print(self):
        self.check_access("read")
        return self.env.ref("kam_management.action_report_kam_act").report_action(self)
