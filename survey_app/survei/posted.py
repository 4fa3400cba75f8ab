"""A posted survey form checked without building a WTForms instance (issue 20.3).

Building the form of 30 fields, processing and validating them costs more than storing the
answers. A sent form is nearly always complete and right, so :func:`plan` reads the form class
once (its fields, their validators, filters and choices: whatever the instruments, the variant
and the unit put on it) and :func:`read` applies the same rules to the posted values. Only
when a rule fails does the route build the WTForms form, which then finds the same errors
and renders them as always: the fast path never renders a refusal itself.

Anything the plan does not know how to read (another field type, validator or filter, an inline
``validate_<field>`` method) leaves the class without a plan: every post of it then goes through
WTForms, slower but the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import (
    Form,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

Filter = Callable[[Any], Any]
KNOWN_FIELDS = (HiddenField, RadioField, SelectField, StringField, TextAreaField)
CHOICE_FIELDS = (RadioField, SelectField)


@dataclass(frozen=True)
class Rule:
    """What WTForms does with one field of a posted form: its filters, the values its choice
    check accepts (None: no such check) and its validators in order."""

    name: str
    filters: tuple[Filter, ...]
    choices: frozenset[str] | None
    validators: tuple[object, ...]

    def data(self, raw: Sequence[str]) -> tuple[Any, bool]:
        """The field's data from its posted values and whether WTForms would find no error
        (``Field.validate``: the choice check, then the validator chain)."""
        value: Any = raw[0] if raw else None
        for f in self.filters:
            value = f(value)
        failed = self.choices is not None and value not in self.choices
        for validator in self.validators:
            if isinstance(validator, InputRequired):
                if not (raw and raw[0]):
                    return value, False
            elif isinstance(validator, Optional):
                if not raw or (isinstance(raw[0], str) and not validator.string_check(raw[0])):
                    return value, True  # stops the chain and clears the choice error
            elif isinstance(validator, Length):
                length = len(value) if value else 0
                if length < validator.min or (validator.max != -1 and length > validator.max):
                    return value, False
        return value, not failed


RULES_KEPT = 128
_rules: dict[type[Form], tuple[Rule, ...] | None] = {}


def rules_of(form: type[Form]) -> tuple[Rule, ...] | None:
    """:func:`plan` of ``form``, made once per form class (``form_class`` keeps its classes)."""
    if form not in _rules:
        if len(_rules) >= RULES_KEPT:
            _rules.pop(next(iter(_rules)))
        _rules[form] = plan(form)
    return _rules[form]


def plan(form: type[Form]) -> tuple[Rule, ...] | None:
    """The rules of every field of ``form`` (a class), or None when one of its fields is not
    one :class:`Rule` can read."""
    rules = []
    for name in dir(form):
        unbound = getattr(form, name)
        if name.startswith("_") or not hasattr(unbound, "_formfield"):
            continue
        if hasattr(form, f"validate_{name}"):  # an inline validator: WTForms decides
            return None
        rule = _rule(name, unbound.field_class, unbound.args, unbound.kwargs)
        if rule is None:
            return None
        rules.append(rule)
    return tuple(rules)


def _rule(name: str, field: type, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Rule | None:
    validators = tuple(kwargs.get("validators") or ())
    known = (InputRequired, Optional, Length)
    if (
        field not in KNOWN_FIELDS
        or len(args) > 1
        or set(kwargs) - {"label", "validators", "filters", "choices", "validate_choice"}
        or any(type(v) not in known for v in validators)
    ):
        return None
    choices = None
    if field in CHOICE_FIELDS and kwargs.get("validate_choice", True):
        given = kwargs.get("choices")
        if not isinstance(given, list | tuple):
            return None
        choices = frozenset(
            str(c.value if isinstance(c, SelectChoice) else c[0] if isinstance(c, tuple) else c)
            for c in given
        )
    return Rule(name, tuple(kwargs.get("filters") or ()), choices, validators)


def read(rules: Sequence[Rule], posted: MultiDict[str, str]) -> dict[str, Any] | None:
    """Each field's data as WTForms would have it after a valid post, or None when a field
    would carry an error (the form must then be built to show it)."""
    data = {}
    for rule in rules:
        value, ok = rule.data(posted.getlist(rule.name))
        if not ok:
            return None
        data[rule.name] = value
    return data
