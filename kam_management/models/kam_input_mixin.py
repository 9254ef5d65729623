from odoo import api, models
from odoo.exceptions import UserError

from .input_checks import check_values


class KamInputMixin(models.AbstractModel):
    """Put it first in ``_inherit``: the values of ``create`` and ``write`` are
    checked before the other mixins and the ORM use them; a one-record action on no
    or several records is a UserError."""

    _name = "kam.input.mixin"
    _description = "Key Account Management: input checks"

    @api.model_create_multi
    def create(self, vals_list):
        self._kam_check_input(vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._kam_check_input([vals])
        return super().write(vals)

    @api.model
    def _kam_check_input(self, vals_list, create=False):
        """Check ``vals_list`` as create (``create=True``) or write would get it;
        models whose create or write read the values before calling super() call
        it first."""
        check_values(self, vals_list, create=create)

    @api.private
    def ensure_one(self):
        """A one-record action called on no record or on several records: a
        UserError, not the ORM's ValueError (a server error over RPC)."""
        if len(self._ids) == 1:
            return self
        raise UserError(
            self.env._(
                "This action works on one %(model)s at a time, not on %(count)s.",
                model=self._description,
                count=len(self._ids),
            )
        )
