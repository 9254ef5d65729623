import contextvars

from odoo import models

from .workflow import in_workflow, workflow

# set while a state write runs: tier validation validates reviews while it checks a
# state change, and _validate_tier must not start a second one from inside it. Not a
# context key: a client could send that and leave a validated document unapproved.
_IN_STATE_WRITE = contextvars.ContextVar("kam_in_state_write", default=False)


class KamTierValidation(models.AbstractModel):
    """What plans and credit checks add to OCA tier validation: no client context
    lifts its lock, and the last decision moves the document on by itself (in sudo:
    a reviewer may not write the document otherwise)."""

    _name = "kam.tier.validation"
    _description = "Key Account Document under Review"
    _inherit = ["tier.validation"]

    def write(self, vals):
        if not (isinstance(vals, dict) and "state" in vals):
            return super().write(vals)
        token = _IN_STATE_WRITE.set(True)
        try:
            return super().write(vals)
        finally:
            _IN_STATE_WRITE.reset(token)

    def _tier_validation_check_write_allowed(self, vals):
        # OCA's skip_validation_check is a context key any client can send
        records = (
            self
            if in_workflow(self.env)
            else self.with_context(skip_validation_check=False)
        )
        return super(KamTierValidation, records)._tier_validation_check_write_allowed(
            vals
        )

    def _validate_tier(self, tiers=False):
        res = super()._validate_tier(tiers)
        if (
            not _IN_STATE_WRITE.get()
            and self.validation_status == "validated"
            and self.state in self._state_from
        ):
            # sudo: the reviewers decided; the document's own rules would refuse them
            with workflow():
                self.sudo().with_context(skip_validation_check=True)._kam_validated()
        return res

    def _rejected_tier(self, tiers=False):
        res = super()._rejected_tier(tiers)
        if self.state in self._state_from:
            # sudo: as above, for the rejection
            with workflow():
                self.sudo().with_context(skip_validation_check=True)._kam_rejected()
        return res

    def _kam_validated(self):
        """The last review approved the document."""
        raise NotImplementedError

    def _kam_rejected(self):
        """A reviewer rejected the document (it stays as it is unless overridden)."""
