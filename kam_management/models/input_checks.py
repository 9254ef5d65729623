"""Checks of the values given to ``create`` and ``write`` before the ORM uses them.

Over RPC, any exception that is not a ``UserError`` (``ValidationError``,
``AccessError``, ``MissingError``...) reaches the user as a server error. The ORM
converts values with ``int()``, ``float()``, ``strptime()``... and lets their
``ValueError`` / ``TypeError`` through, takes any number as a many2one id (the
foreign key fails at flush time), any integer for an int4 column and any text for a
column (NUL characters fail at flush time). This mixin refuses those values first,
with a message naming the field. It converts nothing: the ORM still does.
"""

import base64
import binascii
import math
from collections import defaultdict
from collections.abc import Mapping

from odoo import models
from odoo.api import NewId
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tools import SQL

INT4_MAX = 2**31 - 1
# dates outside these years are typing errors, and date arithmetic near the ends of
# Python's calendar (years 1 and 9999) raises OverflowError
MIN_YEAR, MAX_YEAR = 1000, 8999
# the field types whose own conversion (Field.convert_to_cache) tells a wrong value
CONVERTED_TYPES = ("integer", "float", "monetary", "date", "datetime", "selection")
# the arity of each x2many command, and the commands that name an existing record
COMMAND_SIZE = {
    Command.CREATE: 3,
    Command.UPDATE: 3,
    Command.DELETE: 2,
    Command.UNLINK: 2,
    Command.LINK: 2,
    Command.CLEAR: 1,
    Command.SET: 3,
}
COMMANDS_WITH_ID = (Command.UPDATE, Command.DELETE, Command.UNLINK, Command.LINK)


def _is_number(value):
    try:
        return math.isfinite(float(value))
    except (ValueError, TypeError, OverflowError):
        return False


def _shorten(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 6]}...{text[-3:]}"


class _ValuesChecker:
    """Checks the values of one ``create`` or ``write`` call. The record ids the
    values refer to are collected, then checked in one query per model."""

    def __init__(self, env):
        self.env = env
        self.ids = defaultdict(set)  # {model name: {id}}
        self.origin = {}  # {(model name, id): (model, field)} for the message

    def error(self, model, field, reason):
        """The ValidationError for a wrong value; ``reason`` is translated."""
        return ValidationError(
            self.env._(
                "Wrong value for %(field)s (%(model)s): %(reason)s",
                field=field._description_string(self.env),
                model=model._description,
                reason=reason,
            )
        )

    def check_vals(self, model, vals):
        if not isinstance(vals, Mapping):
            raise ValidationError(
                self.env._(
                    "%(model)s: the values must be a dictionary of field names and "
                    "values, not %(value)s.",
                    model=model._description,
                    value=_shorten(vals),
                )
            )
        for fname, value in vals.items():
            field = model._fields.get(fname) if isinstance(fname, str) else None
            if field is None:
                raise ValidationError(
                    self.env._(
                        "%(model)s has no field %(field)s.",
                        model=model._description,
                        field=_shorten(fname),
                    )
                )
            if value is not None and value is not False:
                self.check_value(model, field, value)

    def check_value(self, model, field, value):
        ftype = field.type
        if ftype == "boolean":
            if type(value) is not bool and value not in (0, 1):
                raise self.error(
                    model,
                    field,
                    self.env._(
                        "%(value)s is not true or false.", value=_shorten(value)
                    ),
                )
            return
        if value is True:
            raise self.error(
                model, field, self.env._("true is not a value for this field.")
            )
        if ftype in CONVERTED_TYPES:
            self.check_converted(model, field, value)
        elif ftype in ("char", "text", "html"):
            self.check_text(model, field, value)
        elif ftype == "many2one":
            self.check_many2one(model, field, value)
        elif ftype in ("one2many", "many2many"):
            self.check_x2many(model, field, value)
        elif ftype == "binary":
            self.check_binary(model, field, value)

    def check_converted(self, model, field, value):
        """What the field's conversion refuses (ValueError, TypeError), plus what it
        lets through and the database refuses or cannot store."""
        if isinstance(value, list | tuple | dict | set | bytes):
            raise self.error(
                model,
                field,
                self.env._("%(value)s has the wrong type.", value=_shorten(value)),
            )
        ftype = field.type
        try:
            # Monetary rounds with the records' currency when validate=True
            converted = field.convert_to_cache(
                value, model.browse(), validate=ftype != "monetary"
            )
        except (ValueError, TypeError, OverflowError):
            reason = (
                self.env._("%(value)s is not a whole number.", value=_shorten(value))
                if ftype == "integer" and _is_number(value)
                else self.env._("%(value)s is not a number.", value=_shorten(value))
                if ftype in ("integer", "float", "monetary")
                else self.env._("%(value)s is not a valid date.", value=_shorten(value))
                if ftype in ("date", "datetime")
                else self.env._(
                    "%(value)s is not one of the choices.", value=_shorten(value)
                )
            )
            raise self.error(model, field, reason) from None
        if converted is None:
            return  # an empty text: no value, as False
        if ftype == "selection" and value not in field.get_values(self.env):
            # a related or dynamic selection is not validated by its conversion
            raise self.error(
                model,
                field,
                self.env._(
                    "%(value)s is not one of the choices.", value=_shorten(value)
                ),
            )
        if ftype in ("date", "datetime") and not MIN_YEAR <= converted.year <= MAX_YEAR:
            raise self.error(
                model,
                field,
                self.env._(
                    "%(value)s is not a date between the years %(min)s and %(max)s.",
                    value=_shorten(value),
                    min=MIN_YEAR,
                    max=MAX_YEAR,
                ),
            )
        if ftype in ("float", "monetary") and not math.isfinite(converted):
            raise self.error(
                model,
                field,
                self.env._("%(value)s is not a finite number.", value=_shorten(value)),
            )
        if ftype == "integer":
            if isinstance(value, float) and value != int(value):
                raise self.error(
                    model,
                    field,
                    self.env._(
                        "%(value)s is not a whole number.", value=_shorten(value)
                    ),
                )
            if not -INT4_MAX - 1 <= converted <= INT4_MAX:
                raise self.error(
                    model,
                    field,
                    self.env._("%(value)s is out of range.", value=_shorten(value)),
                )

    def check_text(self, model, field, value):
        if not isinstance(value, str | int | float):
            raise self.error(
                model,
                field,
                self.env._("%(value)s is not a text.", value=_shorten(value)),
            )
        if not isinstance(value, str):
            return
        if "\x00" in value:
            raise self.error(
                model, field, self.env._("the text contains a NUL character.")
            )
        size = getattr(field, "size", None)
        if size and len(value) > size:
            # the ORM would cut the text silently
            raise self.error(
                model,
                field,
                self.env._(
                    "the text has %(length)s characters, at most %(size)s are allowed.",
                    length=len(value),
                    size=size,
                ),
            )

    def check_binary(self, model, field, value):
        """A file is given in base64, which the ORM decodes."""
        try:
            if not isinstance(value, str | bytes):
                raise TypeError(value)
            base64.b64decode(value)
        except (TypeError, ValueError, binascii.Error):
            raise self.error(
                model,
                field,
                self.env._("the file is not encoded in base64."),
            ) from None

    def add_id(self, model, field, comodel_name, value):
        """Keep a record id the values refer to, for the existence check."""
        if isinstance(value, NewId):
            return
        if type(value) is not int or value < 0:
            raise self.error(
                model,
                field,
                self.env._("%(value)s is not a record id.", value=_shorten(value)),
            )
        if value:  # 0 is no record, as False
            self.ids[comodel_name].add(value)
            self.origin.setdefault((comodel_name, value), (model, field))

    def check_many2one(self, model, field, value):
        if isinstance(value, models.BaseModel):
            if value._name != field.comodel_name or len(value) > 1:
                raise self.error(
                    model,
                    field,
                    self.env._(
                        "%(value)s is not one %(comodel)s.",
                        value=_shorten(value),
                        comodel=self.env[field.comodel_name]._description,
                    ),
                )
            return
        if isinstance(value, tuple) and value:
            value = value[0]  # (id, display name), as read() gives it
        self.add_id(model, field, field.comodel_name, value)

    def check_x2many(self, model, field, value):
        comodel = self.env[field.comodel_name]
        if isinstance(value, models.BaseModel):
            if value._name != comodel._name:
                raise self.error(
                    model,
                    field,
                    self.env._(
                        "%(value)s are no %(comodel)s records.",
                        value=_shorten(value),
                        comodel=comodel._description,
                    ),
                )
            return
        if not isinstance(value, list | tuple):
            raise self.error(
                model,
                field,
                self.env._(
                    "%(value)s is not a list of commands or record ids.",
                    value=_shorten(value),
                ),
            )
        if not value:
            return
        if isinstance(value, tuple) or not isinstance(value[0], list | tuple):
            # the ids of the new value, as the ORM reads a tuple or a list of ids
            for record_id in value:
                self.add_id(model, field, comodel._name, record_id)
            return
        for command in value:
            self.check_command(model, field, comodel, command)

    def check_command(self, model, field, comodel, command):
        size = (
            COMMAND_SIZE.get(command[0])
            if isinstance(command, list | tuple)
            and command
            and isinstance(command[0], int)  # Command is an IntEnum
            and not isinstance(command[0], bool)
            else None
        )
        if size is None or len(command) < size:
            raise self.error(
                model,
                field,
                self.env._(
                    "%(value)s is not a valid command.", value=_shorten(command)
                ),
            )
        code = command[0]
        if code in COMMANDS_WITH_ID:
            self.add_id(model, field, comodel._name, command[1])
        if code in (Command.CREATE, Command.UPDATE):
            # the values of the line, checked as those of the model itself
            self.check_vals(comodel, command[2] or {})
        elif code == Command.SET:
            if not isinstance(command[2] or (), list | tuple):
                raise self.error(
                    model,
                    field,
                    self.env._(
                        "%(value)s is not a valid command.", value=_shorten(command)
                    ),
                )
            for record_id in command[2] or ():
                self.add_id(model, field, comodel._name, record_id)

    def check_ids(self):
        """Every record id given exists: one query per model (no access rule: a
        record the user may not see is the ORM's and the record rules' business)."""
        for model_name, ids in self.ids.items():
            table = self.env[model_name]._table
            wanted = [record_id for record_id in ids if record_id <= INT4_MAX]
            rows = (
                self.env.execute_query(
                    SQL(
                        "SELECT id FROM %s WHERE id = ANY(%s)",
                        SQL.identifier(table),
                        wanted,
                    )
                )
                if wanted
                else []
            )
            missing = sorted(ids - {record_id for (record_id,) in rows})
            if missing:
                model, field = self.origin[(model_name, missing[0])]
                raise self.error(
                    model,
                    field,
                    self.env._(
                        "there is no %(comodel)s with the id %(id)s.",
                        comodel=self.env[model_name]._description,
                        id=missing[0],
                    ),
                )


def check_values(model, vals_list, create=False):
    """Raise a ValidationError naming the field when a value of ``vals_list`` cannot
    be written on ``model``: unknown field, wrong type, unknown selection key, record
    that does not exist, number out of range, text with a NUL character..."""
    env = model.env
    if not isinstance(vals_list, list | tuple):
        raise ValidationError(
            env._(
                "%(model)s: the values of the records to create must be a list of "
                "dictionaries, not %(value)s.",
                model=model._description,
                value=_shorten(vals_list),
            )
        )
    checker = _ValuesChecker(env)
    for vals in vals_list:
        checker.check_vals(model, vals)
    if create:
        # default values from the context, for the fields some record lacks
        checker.check_vals(
            model,
            {
                key[8:]: value
                for key, value in env.context.items()
                if key.startswith("default_")
                and key[8:] in model._fields
                and any(key[8:] not in vals for vals in vals_list)
            },
        )
    checker.check_ids()
