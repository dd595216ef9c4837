"""Reading one field of a delivered row, turning any problem into a RowRejected that
names the column and the value."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Hashable
from typing import Any

from django.utils.translation import gettext as _

from tillit.common.errors import ApplicationError
from tillit.common.org_numbers import normalize_org_number
from tillit.common.values import parse_bool, parse_date, parse_decimal, parse_int
from tillit.deliveries.importers import ParsedRow, RowIssue, RowRejected


def required(values: dict[str, str], column: str, *, max_length: int | None = None) -> str:
    value = values.get(column, "").strip()
    if not value:
        raise RowRejected(column, "", _("The column %(column)s is empty; it is required.") % {"column": column})
    return _fits(value, column, max_length)


def optional(values: dict[str, str], column: str, *, max_length: int | None = None) -> str:
    return _fits(values.get(column, "").strip(), column, max_length)


def _fits(value: str, column: str, max_length: int | None) -> str:
    """Refuse a value longer than it can be stored, rather than fail the whole load later."""
    if max_length is not None and len(value) > max_length:
        raise RowRejected(
            column, value[:60],
            _("The value is %(length)s characters long; %(column)s holds at most %(max)s.")
            % {"length": len(value), "column": column, "max": max_length},
        )
    return value


def length_of(model: type, field: str) -> int:
    """The stored length of a model's text field, for `max_length=` above."""
    return model._meta.get_field(field).max_length  # type: ignore[attr-defined,no-any-return]


def choice(values: dict[str, str], column: str, words: dict[str, str], *, default: str | None = None) -> str:
    """A value from a fixed vocabulary, accepting the English and the Swedish words."""
    raw = values.get(column, "").strip()
    if not raw and default is not None:
        return default
    if not raw:
        required(values, column)
    try:
        return words[raw.lower()]
    except KeyError:
        allowed = ", ".join(sorted(set(words.values())))
        raise RowRejected(
            column, raw, _("%(value)s is not a known value; use one of: %(allowed)s.") % {"value": raw, "allowed": allowed}
        ) from None


def _parsed(values: dict[str, str], column: str, parse: Callable[[str], Any], *, needed: bool) -> Any:
    raw = values.get(column, "").strip()
    if not raw:
        if needed:
            required(values, column)
        return None
    try:
        return parse(raw)
    except ApplicationError as error:
        raise RowRejected(column, raw, error.message) from None


def date(values: dict[str, str], column: str, *, needed: bool = True) -> datetime.date | None:
    return _parsed(values, column, parse_date, needed=needed)


def number(
    values: dict[str, str], column: str, *, needed: bool = True, stored_as: Any = None
) -> decimal.Decimal | None:
    """A decimal number; with `stored_as` (a DecimalField) rounded to the places the column
    keeps, so a re-delivery compares equal to what was stored, and rejected when too large."""
    value = _parsed(values, column, parse_decimal, needed=needed)
    if value is None or stored_as is None:
        return value
    raw = values[column].strip()
    limit = stored_as.max_digits - stored_as.decimal_places  # digits before the decimal point
    if value.adjusted() < limit:  # checked first: quantize fails on very long numbers
        value = value.quantize(decimal.Decimal(1).scaleb(-stored_as.decimal_places), rounding=decimal.ROUND_HALF_UP)
    if value.adjusted() >= limit:
        raise RowRejected(column, raw, _("%(value)s is too large for %(column)s; check the value.") % {"value": raw, "column": column})
    return value


def whole_number(values: dict[str, str], column: str, *, needed: bool = True) -> int | None:
    return _parsed(values, column, parse_int, needed=needed)


def boolean(values: dict[str, str], column: str) -> bool:
    return bool(_parsed(values, column, parse_bool, needed=False))


def org_number(values: dict[str, str], column: str) -> str:
    return _parsed(values, column, normalize_org_number, needed=True)


def duplicate_keys(rows: list[ParsedRow], key: Callable[[Any], Hashable], column: str) -> list[RowIssue]:
    """Reject the later rows of a file that repeat an earlier row's key."""
    seen: dict[Hashable, int] = {}
    issues = []
    for row in rows:
        value = key(row.data)
        if value in seen:
            issues.append(
                RowIssue(row.row, column, str(value), _("Repeats row %(row)s; a key may appear once per file.") % {"row": seen[value]})
            )
        else:
            seen[value] = row.row
    return issues
