"""Personal identity numbers in and out of the database: validated, encrypted, hashed, masked."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from tillit.common.crypto import protector
from tillit.common.errors import ApplicationError
from tillit.common.personal_ids import RecipientKey, parse_recipient_id
from tillit.common.values import parse_date
from tillit.deliveries.importers import RowRejected


def encrypt(text: str) -> str:
    return protector(settings.PERSONAL_DATA_KEY).encrypt(text)


def lookup_hash(key: RecipientKey) -> str:
    return protector(settings.PERSONAL_DATA_KEY).lookup_hash(key.canonical)


def protect(key: RecipientKey) -> tuple[str, str]:
    """(look-up hash, encrypted canonical id) for storing a recipient."""
    return lookup_hash(key), encrypt(key.canonical)


def _masked(raw: str) -> str:
    """Enough of a delivered value to find the row, never the whole number."""
    text = raw.strip()
    if text.upper().startswith("P:"):
        return text
    digits = "".join(ch for ch in text if ch.isdigit())
    return f"{digits[:-4]}****" if len(digits) >= 6 else "****"


def recipient_key_from_row(
    values: dict[str, str],
    *,
    id_column: str = "recipient_id",
    birth_column: str = "birth_date",
    reference: bool = False,
) -> RecipientKey:
    """Read a recipient's id from a delivered row.

    A row that registers a recipient (reference=False) must give a pseudonym's birth date;
    a row that refers to one (a decision, an event) need not.
    """
    raw = values.get(id_column, "").strip()
    if not raw:
        raise RowRejected(id_column, "", _("The column %(column)s is empty; it is required.") % {"column": id_column})
    birth_raw = values.get(birth_column, "").strip()
    birth = None
    if birth_raw:
        try:
            birth = parse_date(birth_raw)
        except ApplicationError as error:
            raise RowRejected(birth_column, birth_raw, error.message) from None
    try:
        return parse_recipient_id(raw, birth_date=birth, reference=reference)
    except ApplicationError as error:
        raise RowRejected(id_column, _masked(raw), error.message) from None


def recipient_key_or_none(raw: str) -> RecipientKey | None:
    """Parse a search term as a recipient id; None when it is not one."""
    try:
        return parse_recipient_id(raw, reference=True)
    except ApplicationError:
        return None
