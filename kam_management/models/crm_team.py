from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    kam_sales_support_user_id = fields.Many2one(
        "res.users",
        string="Sales Support",
        ondelete="set null",
        domain="[('share', '=', False)]",
        help="Gets the activity to enter the orders this team's KAMs take on visits; "
        "the company's sales support user when empty.",
    )

    def _kam_order_entry_user(self, company):
        """Who enters the orders KAMs take: the team's sales support user, the
        company's, else the sales support member of the company with the fewest
        orders to enter (an empty recordset when there is none)."""
        named = self.kam_sales_support_user_id or company.kam_sales_support_user_id
        if named:
            return named
        # sudo: a KAM may not read groups and others' activities; only who gets
        # the activity comes out of it
        members = (
            self.env.ref("kam_management.group_kam_sales_support")
            .sudo()
            .all_user_ids.filtered(lambda u: not u.share and company in u.company_ids)
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
