"""What visit rows refer to, handed to DuckDB as small tables: providers, units, the
catalogue, recipients (by surrogate id only) and the year rules of local time.

Identity numbers are parsed and hashed here in Python, once per distinct value, so that no
personal identity number ever enters the engine or the ledger.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import duckdb
import pyarrow as pa
from django.utils.translation import gettext as _

from tillit.care.models import Intervention, Recipient
from tillit.care.protection import lookup_hash, protect
from tillit.common.errors import ApplicationError
from tillit.common.localtime import year_rules
from tillit.common.personal_ids import parse_recipient_id
from tillit.ledger.columns import BOOLEAN_WORDS, METHOD_WORDS, STATUS_WORDS
from tillit.registry.models import Provider, Unit

TIME_ZONE = "Europe/Stockholm"


def register_references(connection: duckdb.DuckDBPyConnection) -> None:
    """Providers, units, the catalogue, the vocabularies and the time-zone rules."""
    providers = list(Provider.objects.values_list("org_number", "pk", "organisation_id"))
    connection.register("ref_providers", pa.table({
        "org_number": [p[0] for p in providers],
        "provider_id": pa.array([p[1] for p in providers], pa.int64()),
        "organisation_id": pa.array([p[2] for p in providers], pa.int64()),
    }))
    units = list(Unit.objects.values_list("provider_id", "code", "pk"))
    connection.register("ref_units", pa.table({
        "provider_id": pa.array([u[0] for u in units], pa.int64()),
        "code": [u[1] for u in units],
        "unit_id": pa.array([u[2] for u in units], pa.int64()),
    }))
    catalogue = list(Intervention.objects.values_list("code", "valid_from", "valid_to"))
    connection.register("ref_interventions", pa.table({
        "code": [c[0] for c in catalogue],
        "valid_from": pa.array([c[1] for c in catalogue], pa.date32()),
        "valid_to": pa.array([c[2] or datetime.date(9999, 12, 31) for c in catalogue], pa.date32()),
    }))
    for name, words in (("ref_status", STATUS_WORDS), ("ref_method", METHOD_WORDS), ("ref_boolean", BOOLEAN_WORDS)):
        connection.register(name, pa.table({"word": list(words), "value": list(words.values())}))
    rules = _year_rules(datetime.date.today().year + 2)
    connection.register("ref_years", pa.table({
        "year": [r.year for r in rules],
        "winter_minutes": [r.winter_minutes for r in rules],
        "summer_minutes": [r.summer_minutes for r in rules],
        "gap_from": pa.array([r.gap_from for r in rules], pa.timestamp("us")),
        "gap_to": pa.array([r.gap_to for r in rules], pa.timestamp("us")),
        "fold_from": pa.array([r.fold_from for r in rules], pa.timestamp("us")),
        "fold_to": pa.array([r.fold_to for r in rules], pa.timestamp("us")),
    }))


@functools.cache
def _year_rules(last_year: int) -> tuple:
    """The zone's rules from 1990 on: computing them takes about a second, so once per process."""
    return tuple(year_rules(TIME_ZONE, 1990, last_year))


def register_recipients(connection: duckdb.DuckDBPyConnection, *, create_unknown: bool = False) -> list[dict[str, Any]]:
    """Map each distinct delivered recipient id to its surrogate id, or to the reason it has none.

    Creates `ref_recipients(raw, recipient_id, shown, error, note)`, keyed by the delivered
    text; `shown` is the id as reports may show it (masked). Validating a file never changes
    the registry: with `create_unknown`, an unregistered personnummer or samordningsnummer
    gets a temporary negative id instead, and is returned (encrypted) so that accepting the
    delivery can register it in the same transaction that adds its visits.
    """
    # Keyed by the text as delivered (spaces and all), so that rows join it without trimming;
    # an empty id has no entry.
    raws = [row[0] for row in connection.execute(
        "SELECT text FROM (SELECT DISTINCT recipient_id AS text FROM raw_visits) WHERE trim(text) <> ''"
    ).fetchall()]
    known = dict(Recipient.objects.values_list("id_hash", "pk"))
    ids: list[int | None] = []
    shown: list[str] = []
    errors: list[str | None] = []
    notes: list[str | None] = []
    pending: dict[str, dict[str, Any]] = {}
    for raw in raws:
        note = None
        try:
            key = parse_recipient_id(raw.strip(), reference=True)
        except ApplicationError as error:
            ids.append(None)
            shown.append(str(error.context.get("value", "****")))  # already masked by the parser
            errors.append(error.message)
            notes.append(None)
            continue
        id_hash = lookup_hash(key)
        recipient_id = known.get(id_hash)
        error = None
        if recipient_id is None and create_unknown and key.birth_date is not None:
            if id_hash not in pending:
                _hash, encrypted = protect(key)
                pending[id_hash] = {"placeholder": -(len(pending) + 1), "id_hash": id_hash, "id_encrypted": encrypted,
                                    "id_kind": key.kind, "birth_date": key.birth_date.isoformat()}
            recipient_id = pending[id_hash]["placeholder"]
            note = _("The recipient %(id)s is not registered yet; it is registered when the delivery is loaded.") % {
                "id": key.masked
            }
        elif recipient_id is None:
            error = _("The recipient %(id)s is not registered; load the recipients file first.") % {"id": key.masked}
        ids.append(recipient_id)
        shown.append(key.masked)
        errors.append(error)
        notes.append(note)
    connection.register("ref_recipients", pa.table({
        "raw": pa.array(raws, pa.string()),
        "recipient_id": pa.array(ids, pa.int64()),
        "shown": pa.array(shown, pa.string()),
        "error": pa.array(errors, pa.string()),
        "note": pa.array(notes, pa.string()),
    }))
    return list(pending.values())


def register_new_recipients(pending: list[dict[str, Any]]) -> dict[int, int]:
    """Register the recipients a delivery introduced; return temporary id → surrogate id.

    Runs inside the accepting transaction. A recipient registered meanwhile (by a recipients
    file) is found by its hash and used as it is.
    """
    mapping = {}
    for item in pending:
        recipient, _new = Recipient.objects.get_or_create(
            id_hash=item["id_hash"],
            defaults={"id_kind": item["id_kind"], "id_encrypted": item["id_encrypted"],
                      "birth_date": datetime.date.fromisoformat(item["birth_date"])},
        )
        mapping[item["placeholder"]] = recipient.pk
    return mapping
