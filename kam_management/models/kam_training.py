from collections.abc import Mapping

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_date

from .res_partner import KAM_MANAGER_GROUP
from .workflow import check_workflow_fields

# a course of a few months at most: more hours are a typing error
MAX_HOURS = 1000
# the KAM is reminded this many days before a certificate expires
CERTIFICATE_NOTICE_DAYS = 30
ACTIVITY_SESSION = "kam_management.mail_activity_type_kam_training_session"
ACTIVITY_CERTIFICATE = "kam_management.mail_activity_type_kam_certificate_renewal"
# computed from the attendees: a figure of the analysis no client sets
COMPUTED_FIELDS = ("attendee_count",)
# the fields the reminders (activities) follow
REMINDER_FIELDS = {
    "training_type",
    "topic",
    "partner_id",
    "user_id",
    "next_session_date",
    "certificate_expiry_date",
}
FEEDBACK_SCORES = [
    ("0", "Not Rated"),
    ("1", "Poor"),
    ("2", "Fair"),
    ("3", "Good"),
    ("4", "Very Good"),
    ("5", "Excellent"),
]


class KamTraining(models.Model):
    _name = "kam.training"
    _description = "Key Account Training"
    _inherit = ["kam.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _rec_name = "topic"
    _check_company_auto = True

    # --- fields ---------------------------------------------------------
    training_type = fields.Selection(
        [("client", "Client Staff"), ("self", "Own Development")],
        string="Type",
        required=True,
        default="client",
        index=True,
        tracking=True,
        help="Client Staff: a session for a key account's staff (duty 2.12). Own "
        "Development: a course the key account manager took (duty 2.19).",
    )
    topic = fields.Char(
        required=True,
        tracking=True,
        help="What the session was about; for own development, the course.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('is_key_account', '=', True), ('is_company', '=', True)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Key Account Manager",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env.company,
    )
    date = fields.Date(
        required=True, index=True, default=fields.Date.context_today, tracking=True
    )
    duration_hours = fields.Float(
        string="Hours", required=True, default=1.0, tracking=True
    )
    note = fields.Html(string="Notes")
    # client staff
    attendee_ids = fields.Many2many(
        "res.partner",
        "kam_training_attendee_rel",
        "training_id",
        "partner_id",
        string="Attendees",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), "
        "('id', '!=', partner_id), ('type', '=', 'contact')]",
        help="The account's staff who attended.",
    )
    attendee_count = fields.Integer(
        string="Attendance",
        compute="_compute_attendee_count",
        store=True,
        help="The number of attendees; summed over trainings, a person trained "
        "twice counts twice.",
    )
    material_ids = fields.Many2many(
        "ir.attachment",
        "kam_training_material_rel",
        "training_id",
        "attachment_id",
        string="Materials",
        copy=False,
        help="Slides, handouts, price lists used in the session.",
    )
    feedback_score = fields.Selection(
        FEEDBACK_SCORES,
        string="Feedback",
        default="0",
        help="How the attendees rated the session, 1 to 5 stars.",
    )
    next_session_date = fields.Date(
        string="Next Session",
        tracking=True,
        help="The key account manager gets an activity on that day.",
    )
    # own development
    provider = fields.Char(help="Who gave the course: a school, a trainer, a platform.")
    certificate = fields.Binary(attachment=True, copy=False)
    certificate_filename = fields.Char(copy=False)
    certificate_expiry_date = fields.Date(
        string="Certificate Expiry",
        copy=False,
        tracking=True,
        help=f"The key account manager gets an activity {CERTIFICATE_NOTICE_DAYS} "
        "days before.",
    )
    # the key account manager's year of own development
    kam_year_hours = fields.Float(
        string="Own Development This Year (h)",
        compute="_compute_kam_year",
        help="Hours of own development of this key account manager dated this "
        "calendar year.",
    )
    kam_target_hours = fields.Float(
        string="Yearly Target (h)",
        compute="_compute_kam_year",
        help="The company's yearly target of own development hours per key account "
        "manager (Settings).",
    )

    # --- computes -------------------------------------------------------
    @api.depends("attendee_ids")
    def _compute_attendee_count(self):
        for training in self:
            training.attendee_count = len(training.attendee_ids)

    @api.depends("user_id", "company_id")
    @api.depends_context("uid")
    def _compute_kam_year(self):
        year_start, year_end = self._kam_year_bounds()
        hours = dict(
            self._read_group(
                [
                    ("training_type", "=", "self"),
                    ("user_id", "in", self.user_id.ids),
                    ("date", ">=", year_start),
                    ("date", "<=", year_end),
                ],
                ["user_id"],
                ["duration_hours:sum"],
            )
        )
        for training in self:
            training.kam_year_hours = hours.get(training.user_id, 0.0)
            company = training.company_id or self.env.company
            training.kam_target_hours = company.kam_training_target_hours

    @api.model
    def _kam_year_bounds(self):
        """The first and last day of the user's current calendar year."""
        today = fields.Date.context_today(self)
        return today.replace(month=1, day=1), today.replace(month=12, day=31)

    # --- constraints ----------------------------------------------------
    @api.constrains("duration_hours")
    def _check_duration(self):
        if any(not 0 < training.duration_hours <= MAX_HOURS for training in self):
            raise ValidationError(
                self.env._(
                    "The hours of a training are more than 0 and at most %(max)s.",
                    max=MAX_HOURS,
                )
            )

    @api.constrains("training_type", "partner_id")
    def _check_partner(self):
        for training in self:
            if training.training_type == "client" and not training.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(training)s trains a client's staff: name the key account.",
                        training=training.display_name,
                    )
                )
            if training.training_type == "self" and training.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(training)s is own development: it has no key account.",
                        training=training.display_name,
                    )
                )
        self.partner_id._kam_ensure_key_account()

    @api.constrains("attendee_ids", "partner_id", "company_id")
    def _check_attendees(self):
        for training in self:
            for attendee in training.attendee_ids:
                if (
                    not training.partner_id
                    or attendee.commercial_partner_id != training.partner_id
                    or attendee == training.partner_id
                ):
                    raise ValidationError(
                        self.env._(
                            "%(attendee)s is not a contact of %(account)s: only the "
                            "account's staff attend its trainings.",
                            attendee=attendee.display_name,
                            account=training.partner_id.display_name
                            or self.env._("the key account"),
                        )
                    )
                if attendee.company_id and attendee.company_id != training.company_id:
                    raise ValidationError(
                        self.env._(
                            "%(attendee)s belongs to %(company)s, the training to "
                            "%(training_company)s.",
                            attendee=attendee.display_name,
                            company=attendee.company_id.name,
                            training_company=training.company_id.name,
                        )
                    )

    @api.constrains("date", "next_session_date", "certificate_expiry_date")
    def _check_dates(self):
        for training in self:
            if training.next_session_date and training.next_session_date < (
                training.date
            ):
                raise ValidationError(
                    self.env._(
                        "The next session of %(training)s cannot come before this one "
                        "(%(date)s).",
                        training=training.display_name,
                        date=training.date,
                    )
                )
            if (
                training.certificate_expiry_date
                and training.certificate_expiry_date < training.date
            ):
                raise ValidationError(
                    self.env._(
                        "The certificate of %(training)s cannot expire before the "
                        "course (%(date)s).",
                        training=training.display_name,
                        date=training.date,
                    )
                )

    def _kam_check_owner(self, vals_list):
        """A KAM logs their own trainings, with their own accounts (record rules
        judge the training before a write, not the KAM or account it is given)."""
        user = self.env.user
        if self.env.su or user.has_group(KAM_MANAGER_GROUP):
            return
        vals_list = [vals for vals in vals_list if isinstance(vals, Mapping)]
        for vals in vals_list:
            user_id = vals.get("user_id")
            if type(user_id) is int and user_id and user_id != user.id:
                raise AccessError(
                    self.env._(
                        "A key account manager logs their own trainings; a head of "
                        "sales logs them for others."
                    )
                )
        partner_ids = {
            vals["partner_id"]
            for vals in vals_list
            if type(vals.get("partner_id")) is int
        }
        # sudo: reads whose accounts they are, to refuse another KAM's
        partners = self.env["res.partner"].sudo().browse(partner_ids).exists()
        acting = user._kam_acting_for() if partners else user
        for partner in partners:
            if partner.is_key_account and partner.kam_user_id not in acting:
                raise AccessError(
                    self.env._(
                        "%(partner)s is a key account of another key account manager.",
                        partner=partner.display_name,
                    )
                )

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if isinstance(vals_list, list):
            for vals in vals_list:
                check_workflow_fields(self, vals, COMPUTED_FIELDS, create=True)
            self._kam_check_owner(vals_list)
        trainings = super().create(vals_list)
        trainings._kam_attach_materials()
        trainings._kam_sync_reminders()
        return trainings

    def write(self, vals):
        check_workflow_fields(self, vals, COMPUTED_FIELDS)
        self._kam_check_owner([vals])
        res = super().write(vals)
        if "material_ids" in vals:
            self._kam_attach_materials()
        if REMINDER_FIELDS & vals.keys():
            self._kam_sync_reminders()
        return res

    # --- business -------------------------------------------------------
    def _kam_attach_materials(self):
        """The materials are the training's own files. Those uploaded before the
        training was saved belong to no record yet (only their uploader reads
        them): they are attached to the training, so that whoever reads the
        training reads them. Another record's file is refused: the training would
        show it to its readers, or fail to open for those who may not read it."""
        for training in self:
            # sudo: where each file belongs, to refuse another record's
            for attachment in training.material_ids.sudo():
                if (
                    attachment.res_model != self._name
                    or attachment.res_id not in (0, training.id)
                    or (
                        not attachment.res_id and attachment.create_uid != self.env.user
                    )
                ):
                    raise ValidationError(
                        self.env._(
                            "%(file)s is not a file of the training %(training)s: "
                            "upload it on the training.",
                            file=attachment.name,
                            training=training.display_name,
                        )
                    )
            training.material_ids.filtered(lambda a: not a.res_id).write(
                {"res_id": training.id}
            )

    def _kam_reminders(self):
        """[(activity type xml id, deadline or None, summary)] of the training: the
        next session on its day, the certificate's renewal some days before it
        expires."""
        self.ensure_one()
        session = self.training_type == "client" and self.next_session_date
        expiry = self.training_type == "self" and self.certificate_expiry_date
        return [
            (
                ACTIVITY_SESSION,
                session or None,
                self.env._(
                    "Next training session: %(topic)s at %(account)s",
                    topic=self.topic,
                    account=self.partner_id.name,
                ),
            ),
            (
                ACTIVITY_CERTIFICATE,
                expiry and expiry - relativedelta(days=CERTIFICATE_NOTICE_DAYS) or None,
                self.env._(
                    "Renew the certificate of %(topic)s (expires on %(date)s)",
                    topic=self.topic,
                    date=format_date(self.env, expiry),
                ),
            ),
        ]

    def _kam_sync_reminders(self):
        """One automated activity per reminder of each training, for its KAM and on
        its day: moved when the date or the KAM changes, removed when the date is
        cleared, never doubled."""
        if not self:
            return
        types = {
            xmlid: self.env.ref(xmlid)
            for xmlid in (ACTIVITY_SESSION, ACTIVITY_CERTIFICATE)
        }
        Activity = self.env["mail.activity"]
        existing = Activity.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("activity_type_id", "in", [t.id for t in types.values()]),
                ("automated", "=", True),
            ],
            order="id",
        ).grouped(lambda a: (a.res_id, a.activity_type_id.id))
        model_id = self.env["ir.model"]._get_id(self._name)
        to_create, to_unlink = [], Activity
        for training in self:
            for xmlid, deadline, summary in training._kam_reminders():
                activity_type = types[xmlid]
                activities = existing.get((training.id, activity_type.id), Activity)
                if not deadline:
                    to_unlink |= activities
                    continue
                to_unlink |= activities[1:]
                activity = activities[:1]
                vals = {
                    "date_deadline": deadline,
                    "user_id": training.user_id.id,
                    "summary": summary,
                }
                if not activity:
                    to_create.append(
                        {
                            **vals,
                            "activity_type_id": activity_type.id,
                            "automated": True,
                            "res_model_id": model_id,
                            "res_id": training.id,
                        }
                    )
                elif (
                    activity.date_deadline,
                    activity.user_id.id,
                    activity.summary,
                ) != (deadline, training.user_id.id, summary):
                    activity.write(vals)
        to_unlink.unlink()
        if to_create:
            Activity.create(to_create)
