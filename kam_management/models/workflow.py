"""Documents change state only through their actions.

Over RPC a client sends any context and writes any field it can see, so what tells a
write that it comes from an action cannot be a context key or a field: it is a context
variable that only Python code running on the server sets, around the action's own
writes (``with workflow(): ...``). Superuser code (crons, sudo flows) is trusted too.
"""

import contextvars
from collections.abc import Mapping
from contextlib import contextmanager

from odoo.exceptions import AccessError, UserError

_IN_WORKFLOW = contextvars.ContextVar("kam_in_workflow", default=False)

# what any user who may read a locked document still does on it
HARMLESS_PREFIXES = ("message_", "activity_", "website_message_")


@contextmanager
def workflow():
    """Let the writes of an action change the fields its workflow owns."""
    token = _IN_WORKFLOW.set(True)
    try:
        yield
    finally:
        _IN_WORKFLOW.reset(token)


def in_workflow(env):
    return env.su or _IN_WORKFLOW.get()


def check_workflow_fields(records, vals, field_names, create=False):
    """Refuse a write or create that sets fields only actions may set (on create,
    their empty defaults are fine: a form sends them; the state is checked by
    check_initial_state)."""
    if not isinstance(vals, Mapping):
        return  # not values at all: kam.input.mixin refuses them clearly
    touched = set(field_names) & vals.keys()
    if create:
        touched = {name for name in touched if name != "state" and vals[name]}
    if touched and not in_workflow(records.env):
        labels = ", ".join(
            sorted(
                records._fields[name]._description_string(records.env)
                for name in touched
            )
        )
        raise UserError(
            records.env._(
                "%(fields)s of a %(model)s can only be set through its buttons "
                "(submit, approve, confirm...), not by editing the record.",
                fields=labels,
                model=records._description,
            )
        )


def check_initial_state(model, vals_list, initial_states):
    """A new document starts in one of its first states (unless an action makes
    it)."""
    if in_workflow(model.env) or not isinstance(vals_list, list):
        return
    for vals in vals_list:
        if not isinstance(vals, Mapping):
            continue
        if vals.get("state", next(iter(initial_states))) not in initial_states:
            raise UserError(
                model.env._(
                    "A new %(model)s starts as %(states)s; its state then changes "
                    "through its buttons.",
                    model=model._description,
                    states=" / ".join(sorted(initial_states)),
                )
            )


def check_create(model, vals_list, initial_states, field_names):
    """What a new document may be given: one of its first states, and none of the
    fields its actions set."""
    check_initial_state(model, vals_list, initial_states)
    if isinstance(vals_list, list):
        for vals in vals_list:
            check_workflow_fields(model, vals, field_names, create=True)


def harmless(vals):
    """True when a write only touches the chatter and activities."""
    return isinstance(vals, Mapping | set) and all(
        name.startswith(HARMLESS_PREFIXES) for name in vals
    )


def refuse_locked(records, states, message):
    """Refuse a change to documents in one of ``states`` (closed, approved...);
    ``message(record)`` words the error for the first of them."""
    locked = records.filtered(lambda record: record.state in states)
    if locked:
        raise UserError(message(locked[0]))


def check_locked(records, vals, states, message, writable=()):
    """A user's write on closed documents is refused, unless it only touches the
    chatter, activities or the ``writable`` fields; actions write through
    workflow()."""
    if not isinstance(vals, Mapping):
        return  # not values at all: kam.input.mixin refuses them clearly
    if in_workflow(records.env) or harmless(set(vals) - set(writable)):
        return
    refuse_locked(records, states, message)


def require_group(env, group, message):
    """An action kept to a group (a head of sales...): AccessError otherwise."""
    if not env.user.has_group(group):
        raise AccessError(message)


def require_states(records, states, message):
    """An action that makes sense from some states only: UserError otherwise."""
    if any(record.state not in states for record in records):
        raise UserError(message)
