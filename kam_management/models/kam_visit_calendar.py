from odoo import models



class KamVisit(models.Model):
    """A planned visit or call is an event in its KAM's calendar, kept in step with
    the visit, and dropped when the visit is cancelled or missed."""

    _inherit = "kam.visit"

    def _kam_follow_events(self, vals):
        if vals.get("state") in ("cancelled", "missed"):
            self._kam_drop_events()
        elif (
            vals.get("state") == "planned"
            or {
                "date_start",
                "duration",
                "user_id",
                "partner_id",
                "contact_id",
                "visit_type",
                "name",
            }
            & vals.keys()
        ):
            self._kam_sync_events()

    def _kam_event_vals(self):
        self.ensure_one()
        attendee = self.contact_id or self.partner_id
        return {
            "name": self.name,
            "start": self.date_start,
            "stop": self.date_end,
            "duration": self.duration,
            "user_id": self.user_id.id,
            "partner_ids": [(6, 0, (self.user_id.partner_id | attendee).ids)],
            "location": self.partner_id._display_address(without_company=True).replace(
                "\n", ", "
            )
            if self.visit_type == "visit"
            else False,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
        }

    def _kam_events(self):
        # visits are the KAM's; the events they own follow them (no e-mail to the
        # customer from an automatic planning)
        return self.env["calendar.event"].with_context(
            no_mail_to_attendees=True, mail_create_nosubscribe=True
        )

    def _kam_create_events(self):
        if not self:
            return
        events = self._kam_events().create([visit._kam_event_vals() for visit in self])
        for visit, event in zip(self, events, strict=True):
            visit.calendar_event_id = event

    def _kam_sync_events(self):
        for visit in self.filtered(lambda v: v.state == "planned"):
            if visit.calendar_event_id:
                visit.calendar_event_id.with_context(no_mail_to_attendees=True).write(
                    visit._kam_event_vals()
                )
            else:
                visit._kam_create_events()

    def _kam_drop_events(self):
        events = self.calendar_event_id
        if events:
            self.calendar_event_id = False
            events.with_context(no_mail_to_attendees=True).unlink()
