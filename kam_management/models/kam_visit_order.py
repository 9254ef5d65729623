from odoo import models
from odoo.exceptions import UserError


class KamVisit(models.Model):
    """What a visit agrees: terms for the account, and orders taken for sales
    support to enter (duty 2.6)."""

    _inherit = "kam.visit"

    def action_apply_terms(self):
        """Copy the agreed payment terms and pricelist to the account."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        vals = {}
        if self.payment_term_id:
            vals["property_payment_term_id"] = self.payment_term_id.id
        if self.pricelist_id:
            vals["property_product_pricelist"] = self.pricelist_id.id
        if not vals:
            raise UserError(self.env._("No payment terms or pricelist were agreed."))
        partner.check_access("write")
        partner.write(vals)
        partner.message_post(
            body=self.env._(
                "Terms agreed on %(visit)s applied.", visit=self.display_name
            )
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
        support = self._kam_sales_support_user(order)
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

    def _kam_sales_support_user(self, order):
        """Who enters the order: the team's or the company's sales support user,
        else the sales support member of the company with the fewest orders to
        enter."""
        self.ensure_one()
        named = (
            order.team_id.kam_sales_support_user_id
            or self.company_id.kam_sales_support_user_id
        )
        if named:
            return named
        # sudo: a KAM may not read groups and others' activities; only who gets
        # the activity comes out of it
        members = (
            self.env.ref("kam_management.group_kam_sales_support")
            .sudo()
            .all_user_ids.filtered(
                lambda u: not u.share and self.company_id in u.company_ids
            )
        )
        if not members:
            return self.env["res.users"]
        load = dict(
            self.env["mail.activity"]
            .sudo()
            ._read_group(
                [
                    ("user_id", "in", members.ids),
                    (
                        "activity_type_id",
                        "=",
                        self.env.ref(
                            "kam_management.mail_activity_type_enter_order"
                        ).id,
                    ),
                ],
                ["user_id"],
                ["__count"],
            )
        )
        return min(members, key=lambda u: (load.get(u, 0), u.id))

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
