"""Swedish organisationsnummer: one stored form, ``NNNNNN-NNNN``, whatever the file said."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext
from stdnum.exceptions import ValidationError as _StdnumValidationError
from stdnum.se import orgnr as _orgnr

from tillit.common.errors import ApplicationError

# NNNNNN-NNNN, NNNNNNNNNN, or the 12-digit form with the "16" prefix that some systems
# (e.g. the tax agency's exports) write: 16NNNNNNNNNN, 16NNNNNN-NNNN.
# [0-9], not \d: \d also matches non-ASCII digits.
_FORM = re.compile(r"(?:16)?(?P<first>[0-9]{6})-?(?P<last>[0-9]{4})")
# A 12-digit value that starts like a birth year is probably a sole trader's personnummer.
_LOOKS_PERSONAL = re.compile(r"(?:18|19|20)[0-9]{6}-?[0-9]{4}")


def _(message: str) -> str:
    """Translate when Django is set up; plain English in scripts and bare unit tests."""
    return gettext(message) if settings.configured else message


class OrgNumberError(ApplicationError):
    """An organisationsnummer that is malformed or fails its Luhn check digit."""

    code = "org_number.invalid"


def _shown(text: str) -> str:
    """The value as a message may show it: a sole trader's organisationsnummer is a
    personnummer, so a 12-digit personnummer-like value keeps its last four digits hidden."""
    if _LOOKS_PERSONAL.fullmatch(text):
        return text[:-4] + "****"
    return text if len(text) <= 40 else text[:39] + "…"


def normalize_org_number(raw: str) -> str:
    """Validate an organisationsnummer and return it as ``NNNNNN-NNNN``, the one stored form."""
    text = raw.strip()
    match = _FORM.fullmatch(text)
    if match is None:
        raise OrgNumberError(
            _(
                "The organisationsnummer %(value)s is not in an accepted form. Write it as ten "
                "digits, NNNNNN-NNNN or NNNNNNNNNN (a 16 prefix is allowed)."
            )
            % {"value": _shown(text)},
            value=_shown(text),
            reason="format",
        )
    digits = match["first"] + match["last"]
    try:
        _orgnr.validate(digits)
    except _StdnumValidationError:
        raise OrgNumberError(
            _(
                "The organisationsnummer %(value)s is not valid: its check digit does not match. "
                "Check the number for typing errors."
            )
            % {"value": _shown(text)},
            value=_shown(text),
            reason="check_digit",
        ) from None
    return _orgnr.format(digits)
