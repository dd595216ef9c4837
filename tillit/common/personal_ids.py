"""Recipient keys: personnummer, samordningsnummer or a delivering system's pseudonym.

Every file and API call names a recipient by one of Skatteverket's forms of a personal
identity number, or (when the municipality delivers pseudonymized data) by ``P:<id>``.
`parse_recipient_id` turns all of them into one `RecipientKey`, so that the same person
delivered as ``YYMMDD-NNNN`` in one file and ``YYYYMMDDNNNN`` in another is the same key.

Privacy: a full personal identity number never goes into an error message, an error's
context or a ``repr()``; they show it masked (``YYYYMMDD-****``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext
from personnummer import personnummer as _pnr

from tillit.common.errors import ApplicationError

PERSONNUMMER = "personnummer"
COORDINATION = "coordination"
PSEUDONYM = "pseudonym"

PSEUDONYM_PREFIX = "P:"
PSEUDONYM_MAX_LENGTH = 64

# Skatteverket's long forms: YYYYMMDDNNNN and YYYYMMDD-NNNN. "YYYYMMDD+NNNN" is not one of them.
_LONG = re.compile(r"(?P<century>[0-9]{2})(?P<yymmdd>[0-9]{6})-?(?P<serial>[0-9]{4})")
# Short forms: YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN. [0-9], not \d: \d also matches non-ASCII digits.
_SHORT = re.compile(r"(?P<yymmdd>[0-9]{6})(?P<sep>[-+]?)(?P<serial>[0-9]{4})")


def _(message: str) -> str:
    """Translate when Django is set up; plain English in scripts and bare unit tests."""
    return gettext(message) if settings.configured else message


class RecipientIdError(ApplicationError):
    """A recipient id that is not a valid personnummer, samordningsnummer or pseudonym."""

    code = "personal_id.invalid"


@dataclass(frozen=True, repr=False)
class RecipientKey:
    """One recipient, however the id was written; `canonical` is what gets stored (protected)."""

    kind: str
    canonical: str
    birth_date: datetime.date | None

    @property
    def is_pseudonym(self) -> bool:
        """Pseudonyms have no digits to hide and no date of their own."""
        return self.kind == PSEUDONYM

    @property
    def masked(self) -> str:
        """What lists, logs and error messages may show: the date part only, ``YYYYMMDD-****``."""
        if self.is_pseudonym:
            return self.canonical  # a pseudonym identifies nobody by itself
        # A samordningsnummer keeps its own day digits (day + 60), like the number shows it.
        return f"{self.canonical[:8]}-****"

    @property
    def display(self) -> str:
        """The full number as people write it, ``YYYYMMDD-NNNN``, for users allowed to see it."""
        if self.is_pseudonym:
            return self.canonical
        return f"{self.canonical[:8]}-{self.canonical[8:]}"

    def __repr__(self) -> str:
        # Masked on purpose: reprs end up in tracebacks, logs and debugger output.
        return f"RecipientKey(kind={self.kind!r}, masked={self.masked!r}, birth_date={self.birth_date!r})"


def _accepted_forms() -> str:
    """One sentence every recipient id error ends with, so the user knows what to write."""
    return _(
        "Accepted forms are YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN (100 years "
        "or older) and YYMMDDNNNN for a personnummer or samordningsnummer, or P:<id> for a "
        "pseudonym."
    )


def mask_raw(raw: str) -> str:
    """Show an unparsed recipient id in a message without revealing a full number.

    Keeps at most the first eight digits (the date part) and never the last four digits;
    every later digit becomes ``*``. Pseudonyms are shown as written, control characters
    replaced.
    """
    text = raw.strip()
    if text[:2].upper() == PSEUDONYM_PREFIX:
        # Control characters would garble a log line or a report cell.
        text = "".join(ch if ch.isprintable() else "\ufffd" for ch in text)
        return text if len(text) <= 80 else text[:79] + "…"
    digit_count = sum(ch.isdigit() for ch in text)
    keep = max(0, min(8, digit_count - 4))
    shown: list[str] = []
    for ch in text:
        if ch.isdigit():
            shown.append(ch if keep > 0 else "*")
            keep -= 1
        else:
            shown.append(ch)
    masked = "".join(shown)
    return masked if len(masked) <= 40 else masked[:39] + "…"


def _error(message: str, *, reason: str, value: str) -> RecipientIdError:
    """Build the error with the forms sentence appended; `value` must already be masked."""
    return RecipientIdError(f"{message} {_accepted_forms()}", reason=reason, value=value)


def _real_day(day: int) -> int:
    """The day of the month a number stands for: samordningsnummer add 60 to the day."""
    return day - 60 if day > 60 else day


def _full_year(yy: int, month: int, day: int, sep: str, today: datetime.date) -> int:
    """Choose the century of a short form (YYMMDD) the way the separator says.

    ``+``: Skatteverket changes the separator from ``-`` to ``+`` from the calendar year in
    which the person turns 100, so the birth year is the latest one ≤ today.year − 100.
    ``-`` or none: the person is 0–99 years old on `today` (birth date in
    (today − 100 years, today]); this also reads a stale ``-`` written before the switch.
    """
    if sep == "+":
        base = today.year - 100
        return base - ((base - yy) % 100)
    year = today.year - ((today.year - yy) % 100)
    # Compare as tuples: the date may be invalid (Feb 30); the validator reports that later.
    if (year, month, _real_day(day)) > (today.year, today.month, today.day):
        year -= 100
    return year


def _number_date(digits12: str) -> datetime.date | None:
    """The birth date of a 12-digit number, or None when there is no such day."""
    year, month, day = int(digits12[:4]), int(digits12[4:6]), int(digits12[6:8])
    if day > 91 or 31 < day <= 60 or day == 0:
        return None
    try:
        return datetime.date(year, month, _real_day(day))
    except ValueError:  # month 13, 31 April, 29 February in a non-leap year, ...
        return None


def _parse_pseudonym(
    text: str, birth_date: datetime.date | None, today: datetime.date, *, reference: bool = False
) -> RecipientKey:
    """Validate ``P:<id>``: the id is opaque but must be printable, short and whitespace-free."""
    ident = text[len(PSEUDONYM_PREFIX):].strip()
    canonical = PSEUDONYM_PREFIX + ident
    shown = mask_raw(canonical)
    if (
        not ident
        or len(ident) > PSEUDONYM_MAX_LENGTH
        or not ident.isprintable()
        or any(ch.isspace() for ch in ident)
    ):
        raise _error(
            _(
                "The pseudonymous recipient id %(value)s is not valid: after P: it must have "
                "1 to %(max)s printable characters without spaces."
            )
            % {"value": shown, "max": PSEUDONYM_MAX_LENGTH},
            reason="pseudonym",
            value=shown,
        )
    if birth_date is None and not reference:
        raise _error(
            _(
                "The pseudonymous recipient id %(value)s has no birth date. Give the birth "
                "date too, because the age rules (65 and older) need it."
            )
            % {"value": shown},
            reason="birth_date_missing",
            value=shown,
        )
    if birth_date is not None and birth_date > today:
        raise _error(
            _("The birth date %(birth_date)s of recipient %(value)s is in the future.")
            % {"birth_date": birth_date.isoformat(), "value": shown},
            reason="future",
            value=shown,
        )
    return RecipientKey(kind=PSEUDONYM, canonical=canonical, birth_date=birth_date)


def parse_recipient_id(
    raw: str,
    *,
    birth_date: datetime.date | None = None,
    today: datetime.date | None = None,
    reference: bool = False,
) -> RecipientKey:
    """Validate a recipient id in any accepted form and return its one canonical key.

    With `reference=True` the id only points at a recipient registered elsewhere (a
    decision's or a visit's recipient), so a pseudonym needs no birth date there.

    `today` decides the century of short forms and what "in the future" means; it is
    injectable so that results do not change with the date the tests run.
    `birth_date` is required for pseudonyms and, for numbers, must agree with the number.
    """
    if today is None:
        today = datetime.date.today()
    if isinstance(birth_date, datetime.datetime):
        birth_date = birth_date.date()
    text = raw.strip()

    if text[:2].upper() == PSEUDONYM_PREFIX:
        return _parse_pseudonym(text, birth_date, today, reference=reference)

    shown = mask_raw(text)
    if not text:
        raise _error(_("The recipient id is empty."), reason="empty", value="")

    if long_match := _LONG.fullmatch(text):
        digits = long_match["century"] + long_match["yymmdd"] + long_match["serial"]
    elif short_match := _SHORT.fullmatch(text):
        yymmdd = short_match["yymmdd"]
        year = _full_year(int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]), short_match["sep"], today)
        digits = f"{year:04d}{yymmdd[2:]}{short_match['serial']}"
    else:
        raise _error(
            _("The recipient id %(value)s is not in an accepted form.") % {"value": shown},
            reason="format",
            value=shown,
        )

    masked = f"{digits[:8]}-****"
    number_date = _number_date(digits)
    if number_date is None:
        raise _error(
            _("The personal identity number %(value)s does not contain a valid date of birth.")
            % {"value": masked},
            reason="date",
            value=masked,
        )
    if number_date > today:
        raise _error(
            _("The personal identity number %(value)s gives a birth date in the future.")
            % {"value": masked},
            reason="future",
            value=masked,
        )

    # The package checks the Luhn digit (and the serial); it gets the 12-digit form so that
    # its own century guess, which depends on the real today, plays no part.
    try:
        number = _pnr.parse(digits)
    except _pnr.PersonnummerException:
        raise _error(
            _(
                "The personal identity number %(value)s is not valid: its check digit does not "
                "match. Check the number for typing errors."
            )
            % {"value": masked},
            reason="check_digit",
            value=masked,
        ) from None  # the package's message would echo the full number
    canonical = number.format(long_format=True)  # YYYYMMDDNNNN, the same digits we gave it

    if birth_date is not None and birth_date != number_date:
        raise _error(
            _(
                "The birth date %(birth_date)s does not match the personal identity number "
                "%(value)s. Correct the birth date or leave it empty."
            )
            % {"birth_date": birth_date.isoformat(), "value": masked},
            reason="birth_date_mismatch",
            value=masked,
        )
    kind = COORDINATION if number.is_coordination_number() else PERSONNUMMER
    return RecipientKey(kind=kind, canonical=canonical, birth_date=number_date)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Whole years of age on `day`, for age rules such as "65 and older".

    Someone born on 29 February becomes a year older on 1 March in non-leap years (and on
    29 February in leap years): the birthday has passed only once (month, day) ≥ (2, 29).
    """
    if day < birth_date:
        raise ApplicationError(
            _("The day %(day)s is before the birth date %(birth_date)s, so there is no age.")
            % {"day": day.isoformat(), "birth_date": birth_date.isoformat()},
            code="personal_id.age_before_birth",
        )
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)
