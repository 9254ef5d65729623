from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .cron_batch import BATCH_SIZE, single_run
from .workflow import (
    check_create,
    check_locked,
    check_workflow_fields,
    refuse_locked,
    workflow,
)

# set by the actions only
WORKFLOW_FIELDS = ("state", "date_done")
CLOSED_STATES = ("done", "cancelled")


class KamMerchandisingTask(models.Model):
    """Merchandising work at a key account's site (duty 2.10): a checklist copied
    from its type, answered line by line on the phone, with photos; its
    compliance is the share of applicable lines that are ok."""

    _name = "kam.merchandising.task"
    _description = "Merchandising Task"
    _inherit = ["kam.account.document"]
    _order = "date_deadline, id"
    _check_company_auto = True

    task_type_id = fields.Many2one(
        "kam.merchandising.task.type",
        string="Checklist",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    visit_id = fields.Many2one(
        "kam.visit",
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        tracking=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    segment_id = fields.Many2one(
        related="partner_id.kam_segment_id", string="Segment", store=True
    )
    date_deadline = fields.Date(
        string="Deadline",
        required=True,
        index=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_done = fields.Date(string="Done On", readonly=True, copy=False)
    state = fields.Selection(
        [("todo", "To Do"), ("done", "Done"), ("cancelled", "Cancelled")],
        required=True,
        default="todo",
        copy=False,
        index=True,
        tracking=True,
    )
    line_ids = fields.One2many(
        "kam.merchandising.task.line", "task_id", string="Checklist Items", copy=True
    )
    photo_before = fields.Image(max_width=1024, max_height=1024, copy=False)
    photo_after = fields.Image(max_width=1024, max_height=1024, copy=False)
    photo_required = fields.Boolean(related="task_type_id.photo_required")
    note = fields.Text()
    compliance = fields.Float(
        string="Compliance (%)",
        compute="_compute_compliance",
        store=True,
        aggregator="avg",
        help="Share of the applicable items (not n/a) that are ok.",
    )
    applicable_count = fields.Integer(
        string="Applicable Items", compute="_compute_compliance", store=True
    )
    ok_count = fields.Integer(
        string="Items OK", compute="_compute_compliance", store=True
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue")

    # --- computes -------------------------------------------------------
    @api.depends("line_ids.result")
    def _compute_compliance(self):
        for task in self:
            results = task.line_ids.mapped("result")
            applicable = sum(1 for result in results if result in ("ok", "not_ok"))
            ok = results.count("ok")
            task.applicable_count = applicable
            task.ok_count = ok
            task.compliance = ok / applicable * 100.0 if applicable else 0.0

    @api.depends("state", "date_deadline")
    @api.depends_context("tz")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for task in self:
            task.is_overdue = task.state == "todo" and task.date_deadline < today

    # --- CRUD -----------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_create(self, vals_list, {"todo"}, WORKFLOW_FIELDS)
        tasks = super().create(vals_list)
        # each task starts with its type's checklist, made here and only here: the
        # items of the type (and their photo rule) cannot be left out or changed
        with workflow():
            self.env["kam.merchandising.task.line"].create(
                [
                    {
                        "task_id": task.id,
                        "type_line_id": line.id,
                        "sequence": line.sequence,
                        "name": line.name,
                        "photo_required": line.photo_required,
                    }
                    for task in tasks
                    for line in task.task_type_id.line_ids
                ]
            )
        return tasks

    def write(self, vals):
        # the type is the checklist the task was made from: it does not change
        check_workflow_fields(self, vals, (*WORKFLOW_FIELDS, "task_type_id"))
        check_locked(self, vals, CLOSED_STATES, self._kam_closed_message)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(task.state == "done" for task in self):
            raise UserError(
                self.env._(
                    "Done merchandising tasks cannot be deleted: they are "
                    "the account's compliance history."
                )
            )

    def _kam_check_open(self):
        refuse_locked(self, CLOSED_STATES, self._kam_closed_message)

    def _kam_closed_message(self, task):
        return self.env._(
            "%(task)s is %(state)s and cannot be changed.",
            task=task.display_name,
            state=task._kam_state_label(),
        )

    @api.depends("name", "task_type_id", "partner_id")
    def _compute_display_name(self):
        for task in self:
            task.display_name = (
                " - ".join(
                    part
                    for part in (task.task_type_id.name, task.partner_id.name)
                    if part
                )
                or task.name
            )

    # --- actions --------------------------------------------------------
    def action_done(self):
        for task in self:
            if task.state != "todo":
                raise UserError(
                    self.env._("%(task)s is not to do.", task=task.display_name)
                )
            task._kam_check_complete()
        with workflow():
            self.write({"state": "done", "date_done": fields.Date.context_today(self)})

    def _kam_check_complete(self):
        """Every item answered, each photo the checklist asks for taken."""
        self.ensure_one()
        unanswered = self.line_ids.filtered(lambda line: not line.result)
        if unanswered:
            raise UserError(
                self.env._(
                    "Answer every item of %(task)s first (ok, not ok or n/a): "
                    "%(items)s.",
                    task=self.display_name,
                    items=", ".join(unanswered.mapped("name")),
                )
            )
        no_photo = self.line_ids.filtered(
            lambda line: line.photo_required and line.result != "na" and not line.photo
        )
        if no_photo:
            raise UserError(
                self.env._(
                    "Take a photo of %(items)s: the checklist asks for one.",
                    items=", ".join(no_photo.mapped("name")),
                )
            )
        if self.photo_required and not (
            self.photo_before or self.photo_after or any(self.line_ids.mapped("photo"))
        ):
            raise UserError(
                self.env._(
                    "%(type)s is done only with a photo: take one (before or after) "
                    "on the task.",
                    type=self.task_type_id.name,
                )
            )

    def action_cancel(self):
        if any(task.state != "todo" for task in self):
            raise UserError(self.env._("Only tasks to do can be cancelled."))
        with workflow():
            self.write({"state": "cancelled"})

    def action_reset(self):
        if any(task.state != "cancelled" for task in self):
            raise UserError(self.env._("Only cancelled tasks go back to to do."))
        with workflow():
            self.write({"state": "todo"})

    # --- recurrence -----------------------------------------------------
    @api.model
    def _kam_due(self, partners=None, today=None):
        """{(account, type): deadline} of the recurring tasks due: for each key
        account in a recurring type's scope, when it never had one, when the last
        is done, or when the last one's interval has passed (an open task older
        than the interval does not hold the next one back). ``partners``: only
        these accounts (a visit); else every key account of the allowed
        companies. Three queries whatever the number of accounts and types."""
        today = today or fields.Date.context_today(self)
        types = self.env["kam.merchandising.task.type"].search(
            [("recurrence_days", ">", 0)]
        )
        if not types:
            return {}
        domain = [("is_key_account", "=", True), ("is_company", "=", True)]
        if partners is not None:
            domain.append(("id", "in", partners.ids))
        accounts = self.env["res.partner"].search(domain)
        last = {
            (partner, task_type): deadline
            for partner, task_type, deadline in self._read_group(
                [
                    ("state", "!=", "cancelled"),
                    ("partner_id", "in", accounts.ids),
                    ("task_type_id", "in", types.ids),
                ],
                ["partner_id", "task_type_id"],
                ["date_deadline:max"],
            )
        }
        open_pairs = {
            (partner, task_type)
            for partner, task_type in self._read_group(
                [
                    ("state", "=", "todo"),
                    ("partner_id", "in", accounts.ids),
                    ("task_type_id", "in", types.ids),
                ],
                ["partner_id", "task_type_id"],
            )
        }
        due = {}
        for task_type in types:
            interval = timedelta(days=task_type.recurrence_days)
            for account in accounts.filtered_domain(task_type._kam_scope_domain()):
                previous = last.get((account, task_type))
                if not previous:
                    due[account, task_type] = today
                    continue
                next_deadline = previous + interval
                if (account, task_type) not in open_pairs or next_deadline <= today:
                    due[account, task_type] = max(next_deadline, today)
        return due

    @api.model
    def _kam_create_due(self, due, visit=None):
        """Create the tasks of ``due`` ({(account, type): deadline})."""
        return self.create(
            [
                {
                    "partner_id": account.id,
                    "task_type_id": task_type.id,
                    "date_deadline": visit.date_start.date() if visit else deadline,
                    "visit_id": visit.id if visit else False,
                    "company_id": (
                        visit.company_id
                        if visit
                        else task_type.company_id
                        or account.company_id
                        # a shared account: its KAM's company
                        or account.kam_user_id.company_id
                        or self.env.company
                    ).id,
                }
                for (account, task_type), deadline in due.items()
            ]
        )

    @api.model
    def _cron_create_recurring(self):
        """The next task of each recurring checklist for each account in its scope,
        when due (see _kam_due); running it twice creates nothing twice, and one
        run at a time. Creates in batches of accounts, each batch's due tasks read
        again in the transaction that follows the previous batch's commit (a
        check-in may have created some meanwhile), and commits the progress
        (ir.cron runs it again if out of time)."""
        with single_run(
            self.env, "kam.merchandising.task._cron_create_recurring"
        ) as alone:
            if not alone:
                return
            cron = self.env["ir.cron"]
            accounts = list({account for account, _type in self._kam_due()})
            for start in range(0, len(accounts), BATCH_SIZE):
                batch = self.env["res.partner"].union(
                    *accounts[start : start + BATCH_SIZE]
                )
                created = self._kam_create_due(self._kam_due(batch))
                remaining = len(accounts) - start - len(batch)
                if cron._commit_progress(len(created), remaining=remaining) <= 0:
                    return
