from collections.abc import Mapping
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.safe_eval import safe_eval

from .geo import distance_m
from .res_partner import KAM_MANAGER_GROUP
from .workflow import check_create, check_workflow_fields, workflow

MAX_HOURS = 24


# set by the actions only: the state and what the phone recorded at check-in/out
WORKFLOW_FIELDS = (
    "state",
    "check_in",
    "check_out",
    "check_in_latitude",
    "check_in_longitude",
    "check_out_latitude",
    "check_out_longitude",
    "check_in_distance",
    "is_far_check_in",
    "calendar_event_id",
)


class KamVisit(models.Model):
    _name = "kam.visit"
    _description = "Key Account Visit or Call"
    _inherit = ["kam.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    # --- fields ---------------------------------------------------------
    name = fields.Char(
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    visit_type = fields.Selection(
        [("visit", "Visit"), ("call", "Call")],
        string="Type",
        required=True,
        default="visit",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        # key accounts and the prospects being worked (issue 15)
        domain="[('is_company', '=', True), '|', ('is_key_account', '=', True), "
        "('kam_prospect_state', 'in', ('prospect', 'active'))]",
    )
    contact_id = fields.Many2one(
        "res.partner",
        ondelete="set null",
        domain="[('parent_id', '=', partner_id)]",
        help="The person met or called; invited to the calendar event.",
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
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date_start = fields.Datetime(
        string="Start",
        required=True,
        index=True,
        tracking=True,
        default=fields.Datetime.now,
    )
    duration = fields.Float(
        default=1.0, tracking=True, help="Planned duration in hours."
    )
    date_end = fields.Datetime(string="End", compute="_compute_date_end", store=True)
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("done", "Done"),
            ("missed", "Missed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="planned",
        copy=False,
        index=True,
        tracking=True,
    )
    is_unscheduled = fields.Boolean(
        string="Unscheduled",
        help="Made outside the weekly schedule, when needed (duty 2.3).",
    )
    purpose = fields.Text()
    outcome = fields.Text()
    next_step = fields.Text()
    # negotiated terms (duty 2.3)
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Agreed Payment Terms",
        check_company=True,
        ondelete="set null",
        tracking=True,
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Agreed Pricelist",
        check_company=True,
        ondelete="set null",
        tracking=True,
    )
    terms_note = fields.Text(string="Other Agreed Terms")
    # check-in / check-out from the phone
    check_in = fields.Datetime(readonly=True, copy=False)
    check_out = fields.Datetime(readonly=True, copy=False)
    check_in_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    check_in_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    check_out_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    check_out_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    check_in_distance = fields.Float(
        string="Distance at Check-in (m)",
        readonly=True,
        copy=False,
        help="Between the phone and the account's address coordinates.",
    )
    is_far_check_in = fields.Boolean(
        string="Checked in Far Away",
        readonly=True,
        copy=False,
        help="Checked in farther from the account than the allowed radius.",
    )
    calendar_event_id = fields.Many2one(
        "calendar.event", readonly=True, copy=False, ondelete="set null"
    )
    order_ids = fields.One2many("sale.order", "kam_visit_id", string="Orders")
    order_count = fields.Integer(compute="_compute_order_count")
    merchandising_task_ids = fields.One2many(
        "kam.merchandising.task", "visit_id", string="Merchandising Tasks"
    )
    merchandising_open_count = fields.Integer(
        string="Open Merchandising Tasks", compute="_compute_merchandising_open_count"
    )
    # competitor intelligence (duty 2.16): for KAMs and heads of sales only
    competitor_observation_ids = fields.One2many(
        "kam.competitor.observation",
        "visit_id",
        string="Competitor Observations",
        groups="kam_management.group_kam_user",
    )

    # --- computes -------------------------------------------------------
    @api.depends("visit_type", "partner_id.name")
    def _compute_name(self):
        labels = dict(self._fields["visit_type"]._description_selection(self.env))
        for visit in self:
            visit.name = (
                f"{labels.get(visit.visit_type, '')}: {visit.partner_id.name or ''}"
            )

    @api.depends("date_start", "duration")
    def _compute_date_end(self):
        for visit in self:
            # an impossible duration is refused by _check_duration; until then it
            # must not overflow the end date
            hours = visit.duration if 0 < visit.duration <= MAX_HOURS else 0.0
            visit.date_end = visit.date_start and visit.date_start + timedelta(
                hours=hours
            )

    @api.depends("order_ids")
    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("kam_visit_id", "in", self.ids)], ["kam_visit_id"], ["__count"]
            )
        )
        for visit in self:
            visit.order_count = counts.get(visit, 0)

    @api.depends("merchandising_task_ids.state")
    def _compute_merchandising_open_count(self):
        counts = dict(
            self.env["kam.merchandising.task"]._read_group(
                [("visit_id", "in", self.ids), ("state", "=", "todo")],
                ["visit_id"],
                ["__count"],
            )
        )
        for visit in self:
            visit.merchandising_open_count = counts.get(visit, 0)

    # --- constraints ----------------------------------------------------
    @api.constrains("duration")
    def _check_duration(self):
        if any(not 0 < visit.duration <= MAX_HOURS for visit in self):
            raise ValidationError(
                self.env._(
                    "The duration of a visit is more than 0 and at most %(max)s hours.",
                    max=MAX_HOURS,
                )
            )

    def _kam_check_accounts(self, vals_list):
        """A KAM's visits are with their own accounts: record rules judge the visit
        before the write, not the account it is given (one query for a batch)."""
        if self.env.su or self.env.user.has_group(KAM_MANAGER_GROUP):
            return
        partner_ids = {
            vals["partner_id"]
            for vals in vals_list
            if isinstance(vals, Mapping) and isinstance(vals.get("partner_id"), int)
        }
        # sudo: reads whose accounts they are, to refuse another KAM's
        partners = self.env["res.partner"].sudo().browse(partner_ids).exists()
        acting = self.env.user._kam_acting_for() if partners else None
        for partner in partners:
            if (
                partner.is_key_account or partner.kam_prospect_state
            ) and partner.kam_user_id not in acting:
                raise AccessError(
                    self.env._(
                        "%(partner)s is a key account of another key account manager.",
                        partner=partner.display_name,
                    )
                )

    @api.constrains("check_in", "check_out")
    def _check_check_out(self):
        for visit in self:
            if visit.check_out and (
                not visit.check_in or visit.check_out < visit.check_in
            ):
                raise ValidationError(
                    self.env._(
                        "%(visit)s: check-out cannot come before check-in.",
                        visit=visit.display_name,
                    )
                )

    @api.constrains("partner_id")
    def _check_partner(self):
        self.partner_id._kam_ensure_visitable()

    # --- CRUD and calendar sync ------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"planned"}, WORKFLOW_FIELDS)
        if isinstance(vals_list, list):
            self._kam_check_accounts(vals_list)
        visits = super().create(vals_list)
        with workflow():
            visits.filtered(lambda v: v.state == "planned")._kam_create_events()
        return visits

    def write(self, vals):
        check_workflow_fields(self, vals, WORKFLOW_FIELDS)
        self._kam_check_accounts([vals])
        res = super().write(vals)
        with workflow():
            self._kam_follow_events(vals)
        return res

    def unlink(self):
        with workflow():
            self._kam_drop_events()
        return super().unlink()

    # --- actions --------------------------------------------------------
    def action_check_in(self, latitude=None, longitude=None):
        """Called by the phone's check-in button with the browser's coordinates
        (None when the device has none or the user refused)."""
        latitude, longitude = self._kam_position(latitude, longitude)
        for visit in self:
            if visit.check_in:
                raise UserError(
                    self.env._(
                        "%(visit)s was checked in already.", visit=visit.display_name
                    )
                )
            if visit.state != "planned":
                raise UserError(
                    self.env._(
                        "Only a planned visit can be checked in (%(visit)s is "
                        "%(state)s).",
                        visit=visit.display_name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[visit.state],
                    )
                )
            vals = {"check_in": fields.Datetime.now()}
            if latitude is not None and longitude is not None:
                vals.update(check_in_latitude=latitude, check_in_longitude=longitude)
                partner = visit.partner_id
                if partner.partner_latitude or partner.partner_longitude:
                    distance = distance_m(
                        latitude,
                        longitude,
                        partner.partner_latitude,
                        partner.partner_longitude,
                    )
                    vals.update(
                        check_in_distance=round(distance),
                        is_far_check_in=distance > visit.company_id.kam_checkin_radius,
                    )
            with workflow():
                visit.write(vals)
        return True

    def _kam_position(self, latitude, longitude):
        """The phone's position as sent by the browser: both numbers within range,
        or none at all."""
        if latitude is None or longitude is None:
            return None, None
        if not all(
            isinstance(value, int | float) and not isinstance(value, bool)
            for value in (latitude, longitude)
        ) or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise UserError(
                self.env._(
                    "The position sent by the device is not valid (latitude "
                    "-90..90, longitude -180..180)."
                )
            )
        return float(latitude), float(longitude)

    def action_check_out(self, latitude=None, longitude=None):
        latitude, longitude = self._kam_position(latitude, longitude)
        for visit in self:
            if not visit.check_in:
                raise UserError(
                    self.env._(
                        "Check in to %(visit)s before checking out.",
                        visit=visit.display_name,
                    )
                )
            vals = {"check_out": fields.Datetime.now(), "state": "done"}
            if latitude is not None and longitude is not None:
                vals.update(check_out_latitude=latitude, check_out_longitude=longitude)
            with workflow():
                visit.write(vals)
        return self._kam_open_tasks_warning()

    def _kam_open_tasks_warning(self):
        """Checking out with merchandising tasks still open is allowed, with a
        warning that names them."""
        tasks = self.merchandising_task_ids.filtered(lambda task: task.state == "todo")
        if not tasks:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Merchandising tasks still open"),
                "message": self.env._(
                    "Checked out with %(count)s merchandising task(s) still to do: "
                    "%(tasks)s.",
                    count=len(tasks),
                    tasks=", ".join(tasks.mapped("display_name")),
                ),
                "type": "warning",
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_add_due_tasks(self):
        """The account's merchandising tasks for this visit: its open tasks not yet
        on a visit join it, and the recurring checklists due for the account are
        created on it."""
        self.ensure_one()
        if self.state != "planned":
            raise UserError(
                self.env._("Add merchandising tasks to a planned visit only.")
            )
        Task = self.env["kam.merchandising.task"]
        Task.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("state", "=", "todo"),
                ("visit_id", "=", False),
            ]
        ).write({"visit_id": self.id})
        created = Task._kam_create_due(Task._kam_due(self.partner_id), visit=self)
        if not (self.merchandising_task_ids or created):
            raise UserError(
                self.env._(
                    "No merchandising task is due for %(account)s: create one by hand "
                    "from the Merchandising Tasks tab if needed.",
                    account=self.partner_id.display_name,
                )
            )
        return True

    @api.readonly
    def action_view_merchandising_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "kam_management.kam_merchandising_task_action"
        )
        action["domain"] = [("visit_id", "=", self.id)]
        action["context"] = {
            "default_visit_id": self.id,
            "default_partner_id": self.partner_id.id,
        }
        return action

    def action_log_competitor_observation(self):
        """A competitor observation seen on this visit."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "res_model": "kam.competitor.observation",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_visit_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                # an observation is never dated in the future
                "default_date": min(
                    fields.Datetime.context_timestamp(self, self.date_start).date(),
                    fields.Date.context_today(self),
                ),
            },
        }

    def action_log_collection(self):
        """A collection action taken on this visit, about the account's overdue
        invoices."""
        self.ensure_one()
        action = self.partner_id.action_kam_new_collection_action()
        action["context"].update(
            default_visit_id=self.id,
            default_action_type="visit" if self.visit_type == "visit" else "call",
        )
        return action

    def action_done(self):
        if any(visit.state != "planned" for visit in self):
            raise UserError(self.env._("Only planned visits can be marked as done."))
        with workflow():
            self.write({"state": "done"})

    def action_cancel(self):
        if any(visit.state == "done" for visit in self):
            raise UserError(self.env._("A visit that took place cannot be cancelled."))
        if any(visit.state == "cancelled" for visit in self):
            raise UserError(self.env._("The visit is cancelled already."))
        with workflow():
            self.write({"state": "cancelled"})

    def action_reset_to_planned(self):
        if any(visit.state not in ("missed", "cancelled") for visit in self):
            raise UserError(
                self.env._("Only missed or cancelled visits can be planned again.")
            )
        with workflow():
            self.write({"state": "planned"})

    def action_apply_terms(self):
        """Copy the agreed payment terms and pricelist to the account."""
        self.ensure_one()
        if not (self.payment_term_id or self.pricelist_id):
            raise UserError(self.env._("No payment terms or pricelist were agreed."))
        self.partner_id._kam_apply_terms(
            self.company_id,
            self.payment_term_id,
            self.pricelist_id,
            self.env._("Terms agreed on %(visit)s applied.", visit=self.display_name),
        )
        return True

    def action_take_order(self):
        """A quotation for the account, linked to this visit, for sales support."""
        self.ensure_one()
        if self.state == "cancelled":
            raise UserError(self.env._("No order can be taken on a cancelled visit."))
        vals = {
            "partner_id": self.partner_id.id,
            "user_id": self.user_id.id,
            "company_id": self.company_id.id,
            "kam_visit_id": self.id,
            "origin": self.name,
        }
        if self.payment_term_id:
            vals["payment_term_id"] = self.payment_term_id.id
        if self.pricelist_id:
            vals["pricelist_id"] = self.pricelist_id.id
        order = self.env["sale.order"].create(vals)
        support = order.team_id._kam_order_entry_user(self.company_id)
        order.activity_schedule(
            "kam_management.mail_activity_type_enter_order",
            user_id=(support or self.user_id).id,
            note=self.env._(
                "Order taken by %(kam)s on %(visit)s: please enter it.",
                kam=self.user_id.name,
                visit=self.display_name,
            ),
        )
        action = {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
        if support:
            return action
        # nobody would enter it: the KAM is told now, and has the activity
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("No sales support"),
                "message": self.env._(
                    "No sales support user works for %(company)s: enter the order "
                    "yourself or ask a head of sales to name one (sales team or "
                    "Settings).",
                    company=self.company_id.name,
                ),
                "type": "warning",
                "sticky": True,
                "next": action,
            },
        }

    @api.model
    def _kam_role_action(self, xmlid):
        """A visits action with the defaults of the user's role, as CRM's "My
        Pipeline": a KAM lands on their own visits, week by week; a head of sales on
        the visits of the teams he leads (all he may read when he leads none), KAM by
        KAM. Only defaults: the record rules decide what each one reads."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = safe_eval(action.get("context") or "{}", {"uid": self.env.uid})
        if self.env.user.has_group(KAM_MANAGER_GROUP):
            context.pop("search_default_filter_my_visits", None)
            if self._kam_team_users():
                context["search_default_filter_my_team"] = 1
            context.update(graph_groupbys=["user_id", "state"])
        else:
            context.update(pivot_row_groupby=["date_start:week"])
        action["context"] = context
        # the URL is the menu's server action: a reload opens the role's defaults
        action["path"] = False
        return action

    @api.model
    def _kam_team_users(self):
        """The members of the sales teams the current user leads, without him."""
        teams = self.env["crm.team"].search([("user_id", "=", self.env.uid)])
        return teams.member_ids - self.env.user

    @api.readonly
    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale.action_quotations_with_onboarding"
        )
        action["domain"] = [("kam_visit_id", "=", self.id)]
        action["context"] = {
            "default_kam_visit_id": self.id,
            "default_partner_id": self.partner_id.id,
        }
        return action
