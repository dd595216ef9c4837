"""A compensation model as a readable TOML file, so a municipality can review a change in a diff.

    name = "Stockholm hemtjänst"

    [[versions]]
    valid_from = 2024-01-01
    basis = "performed"
    time_bands.day = { from = "07:00", to = "22:00" }
    ...

One file holds the model's versions, oldest first; each version takes effect on its
`valid_from` (e.g. the yearly indexation on 1 April) and holds every rule (rules.py).
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from typing import Any

import tomli_w

from tillit.compensation.rules import Rules, RulesInvalid, parse_rules, rules_as_data


@dataclass(frozen=True)
class VersionDocument:
    valid_from: datetime.date
    rules: Rules


@dataclass(frozen=True)
class ModelDocument:
    name: str
    description: str
    versions: tuple[VersionDocument, ...]


def read_model(text: str, file_name: str = "model.toml") -> ModelDocument:
    """Parse and validate a model file; errors name the file, the version and the rule."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesInvalid(f"{file_name} is not TOML: {error}") from None
    unknown = set(data) - {"name", "description", "versions"}
    if unknown:
        raise RulesInvalid(f"{file_name}: unknown field(s) {', '.join(sorted(unknown))}")
    name = str(data.get("name", "")).strip()
    if not name:
        raise RulesInvalid(f"{file_name}: the model needs a name (name = \"...\")")
    versions = []
    for number, raw in enumerate(data.get("versions", []), start=1):
        where = f"{file_name}, version {number}"
        valid_from = raw.get("valid_from")
        if not isinstance(valid_from, datetime.date) or isinstance(valid_from, datetime.datetime):
            raise RulesInvalid(f"{where}: valid_from must be a date, e.g. valid_from = 2024-04-01")
        versions.append(VersionDocument(valid_from, parse_rules(raw, where)))
    if not versions:
        raise RulesInvalid(f"{file_name}: the model has no [[versions]]")
    dates = [v.valid_from for v in versions]
    if len(set(dates)) != len(dates):
        raise RulesInvalid(f"{file_name}: two versions take effect on the same day")
    return ModelDocument(name, str(data.get("description", "")), tuple(sorted(versions, key=lambda v: v.valid_from)))


def write_model(document: ModelDocument) -> str:
    """The TOML text of a model (the inverse of `read_model`)."""
    data: dict[str, Any] = {"name": document.name}
    if document.description:
        data["description"] = document.description
    data["versions"] = [{"valid_from": v.valid_from, **rules_as_data(v.rules)} for v in document.versions]
    return tomli_w.dumps(data, multiline_strings=True)
