"""Kolada data from files, for machines without internet and for tests.

Two shapes are read, recognised by their content rather than their names:

* CSV as rKolada flattens Kolada (the files in ../shared/data/kolada/ as they are): the KPI
  catalogue (id, title, description, …), municipalities (id, title, type), groups one row per
  member (group_id, group_title, member_id, member_title) and values (kpi, municipality_id,
  year, gender, value, count, status).
* JSON in the v3 response shape: ``{"values": [...], "next_url": …}`` (or a list of such
  pages, or a bare list of rows), whatever the endpoint: /kpi, /municipality,
  /municipality_groups or /data.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from tillit.benchmarks.client import KoladaError, ValueRecord, flatten, to_decimal


@dataclass
class Bundle:
    """Everything read from a directory (or fetched from Kolada), ready to be stored."""

    kpis: list[dict[str, Any]] = field(default_factory=list)
    municipalities: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)  # {"id", "title", "members": [{"id", "title"}]}
    values: list[ValueRecord] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_directory(directory: Path) -> Bundle:
    """Read every .csv and .json file of a directory (not its sub-folders)."""
    if not directory.is_dir():
        raise KoladaError(
            _("%(path)s is not a folder. Give the folder that holds the Kolada files (CSV or JSON).")
            % {"path": directory}
        )
    bundle = Bundle()
    for path in sorted(directory.iterdir()):
        suffix = path.suffix.lower()
        if suffix == ".csv":
            _read_csv(path, bundle)
        elif suffix == ".json":
            _read_json(path, bundle)
        else:
            continue
    if not bundle.files:
        raise KoladaError(
            _("%(path)s holds no Kolada files: expected CSV files as rKolada writes them or JSON in the v3 "
              "response shape.") % {"path": directory}
        )
    return bundle


def _read_csv(path: Path, bundle: Bundle) -> None:
    # utf-8-sig: a file saved from Excel starts with a byte-order mark.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        rows = list(reader)
    if {"group_id", "member_id"} <= columns:
        bundle.groups.extend(_groups_from_flat(rows))
    elif {"kpi", "municipality_id", "year", "value"} <= columns:
        bundle.values.extend(_values_from_flat(rows, path))
    elif {"id", "title", "operating_area"} <= columns:
        bundle.kpis.extend(rows)
    elif {"id", "title", "type"} <= columns:
        bundle.municipalities.extend(rows)
    else:
        bundle.skipped.append(path.name)
        return
    bundle.files.append(path.name)


def _groups_from_flat(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(row["group_id"], {"id": row["group_id"], "title": row["group_title"], "members": []})
        group["members"].append({"id": row["member_id"], "title": row.get("member_title", "")})
    return list(groups.values())


def _values_from_flat(rows: list[dict[str, str]], path: Path) -> list[ValueRecord]:
    records = []
    for number, row in enumerate(rows, start=2):
        try:
            year = int(row["year"])
        except (TypeError, ValueError):
            raise KoladaError(
                _("%(file)s, row %(row)s: the year %(value)r is not a year.")
                % {"file": path.name, "row": number, "value": row.get("year")}
            ) from None
        count = (row.get("count") or "").strip()
        records.append(
            ValueRecord(
                kpi=row["kpi"].strip(),
                municipality=row["municipality_id"].strip(),
                year=year,
                gender=(row.get("gender") or "T").strip() or "T",
                value=to_decimal(row.get("value")),
                count=int(float(count)) if count else None,
                status=(row.get("status") or "").strip(),
                deleted=(row.get("isdeleted") or "").strip().lower() in ("true", "1"),
            )
        )
    return records


def _read_json(path: Path, bundle: Bundle) -> None:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise KoladaError(_("%(file)s is not JSON: %(error)s.") % {"file": path.name, "error": error}) from None
    rows: list[dict[str, Any]] = []
    for page in _pages(document):
        rows.extend(page.get("values") or [])
    if not rows:
        bundle.skipped.append(path.name)
        return
    first = rows[0]
    if "period" in first and "municipality" in first:
        for row in rows:
            bundle.values.extend(flatten(row))
    elif "members" in first:
        bundle.groups.extend(rows)
    elif "operating_area" in first or "is_divided_by_gender" in first:
        bundle.kpis.extend(rows)
    elif "type" in first and "title" in first:
        bundle.municipalities.extend(rows)
    else:
        bundle.skipped.append(path.name)
        return
    bundle.files.append(path.name)


def _pages(document: Any) -> list[dict[str, Any]]:
    """One response, a list of responses (pages), or a bare list of rows, as a list of pages.

    A data row has "values" too (its genders), so a page is told apart by having no "period".
    """
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list) and all(isinstance(item, dict) for item in document):
        if all("values" in item and "period" not in item for item in document):
            return document
        return [{"values": document}]
    return []
