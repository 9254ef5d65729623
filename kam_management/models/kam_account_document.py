from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .cron_batch import schedule_todos


class KamAccountDocument(models.AbstractModel):
    """What credit checks and contracts share: a numbered document of a key account,
    owned by the account's KAM, in a company, with chatter and activities."""

    _name = "kam.account.document"
    _description = "Key Account Document"
    _inherit = ["kam.input.mixin", "mail.thread", "mail.activity.mixin"]

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('is_key_account', '=', True), ('is_company', '=', True)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Key Account Manager",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("partner_id")
    def _compute_user_id(self):
        for document in self:
            # sudo: the KAM's name only; the partner's KAM fields are group-restricted
            document.user_id = document.partner_id.sudo().kam_user_id or self.env.user

    @api.constrains("partner_id")
    def _check_partner(self):
        self.partner_id._kam_ensure_key_account()

    def _kam_remind_before(self, date_field, summary, note):
        """A to-do for each document's KAM, due a week before ``date_field``;
        ``note(document)`` gives its text."""
        schedule_todos(
            self,
            summary,
            lambda document: document.user_id,
            note,
            lambda document: document[date_field] - relativedelta(days=7),
        )

    def _kam_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if isinstance(vals, dict) and vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(self._name) or "/"
        return super().create(vals_list)
