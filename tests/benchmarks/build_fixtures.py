"""Rebuild the recorded Kolada v3 responses in tests/benchmarks/fixtures/ from ../shared/data/kolada/.

The values, titles and groups are Kolada's own (as rKolada fetched them from v3 in March 2026),
put back into the documented v3 response shape: ``{"count", "values", "next_url"}`` with data
rows ``{"kpi", "municipality", "period", "values": [{"gender", "count", "status", "value",
"isdeleted"}]}``. Kolada's real answers carry no status flags or deleted rows for these values;
the tests that need them set them on a copy, in the test, where it can be seen.

    .venv/bin/python tests/benchmarks/build_fixtures.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "kolada"
OUT = Path(__file__).resolve().parent / "fixtures"
BASE = "https://api.kolada.se/v3/"
CITIES = ("0180", "1280", "1480")  # Stockholm, Malmö, Göteborg: the three storstäder
KPIS = ("N03702", "N03703", "N00945", "N21006", "N23009", "N20900")
GROUPS = ("G92787", "G176683")  # Storstäder (SKR); Liknande kommuner äldreomsorg, Stockholm, 2024


def _rows(name: str) -> list[dict[str, str]]:
    with (SHARED / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(name: str, body: dict) -> None:
    (OUT / name).write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _data_rows(kpi: str) -> list[dict]:
    rows = []
    for name in ("rkolada_v3_values_kld_data_2026-03.csv", "rkolada_v3_values_n00945_2026-03.csv"):
        for row in _rows(name):
            if row["kpi"] == kpi and row["municipality_id"] in CITIES:
                rows.append({
                    "kpi": kpi, "municipality": row["municipality_id"], "period": int(row["year"]),
                    "values": [{"gender": row["gender"], "count": int(row["count"]), "status": row["status"] or None,
                                "value": float(row["value"]), "isdeleted": False}],
                })
    return sorted(rows, key=lambda r: (r["period"], r["municipality"]))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    kpis = [row for row in _rows("rkolada_v3_kpi_metadata_2026-03.csv") if row["id"] in KPIS]
    for row in kpis:
        row["is_divided_by_gender"] = row["is_divided_by_gender"] == "True"
        row["has_ou_data"] = row["has_ou_data"] == "True"
    _write("v3_kpi.json", {"count": len(kpis), "values": kpis})
    municipalities = [row for row in _rows("rkolada_v3_municipalities_2026-03.csv")
                      if row["id"] in {"0000", "0123", "0126", "0181", "0182", "0380", *CITIES}]
    _write("v3_municipality.json", {"count": len(municipalities), "values": municipalities})
    groups: dict[str, dict] = {}
    for row in _rows("rkolada_v3_municipality_groups_2026-03.csv"):
        if row["group_id"] in GROUPS:
            group = groups.setdefault(row["group_id"], {"id": row["group_id"], "title": row["group_title"], "members": []})
            group["members"].append({"id": row["member_id"], "title": row["member_title"]})
    _write("v3_municipality_groups.json", {"count": len(groups), "values": list(groups.values())})
    # N03702 for the three cities 2012–2019 (24 rows), recorded as two pages of 12 linked by next_url.
    rows = _data_rows("N03702")
    path = "data/kpi/N03702/municipality/0180,1280,1480/year/2012,2013,2014,2015,2016,2017,2018,2019"
    _write("v3_data_N03702_page1.json", {"count": len(rows), "values": rows[:12],
                                         "next_url": f"{BASE}{path}?page=2&per_page=12"})
    _write("v3_data_N03702_page2.json", {"count": len(rows), "values": rows[12:],
                                         "previous_url": f"{BASE}{path}?page=1&per_page=12"})
    n00945 = _data_rows("N00945")
    _write("v3_data_N00945.json", {"count": len(n00945), "values": n00945})


if __name__ == "__main__":
    main()
