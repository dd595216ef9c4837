"""A stand-in for Kolada's v3 API on httpx.MockTransport, answering from the recorded responses.

It serves /kpi, /municipality, /municipality_groups and /data/kpi/…/municipality/…/year/…
the way Kolada does: filtered by the ids in the path, in pages linked by ``next_url``.
Tests change `rows`, `page_size` or `script` to make it page, revise, flag or fail.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tillit.benchmarks.client import KoladaClient

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE = "https://api.kolada.se/v3/"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded_rows() -> list[dict[str, Any]]:
    """The recorded data rows: N03702 (both pages) and N00945 for Stockholm, Malmö and Göteborg."""
    rows = []
    for name in ("v3_data_N03702_page1.json", "v3_data_N03702_page2.json", "v3_data_N00945.json"):
        rows.extend(fixture(name)["values"])
    return rows


class KoladaMock:
    def __init__(self) -> None:
        self.rows = recorded_rows()
        self.kpis = fixture("v3_kpi.json")["values"]
        self.municipalities = fixture("v3_municipality.json")["values"]
        self.groups = fixture("v3_municipality_groups.json")["values"]
        self.page_size: int | None = None  # None: as the client asks (per_page)
        self.requests: list[httpx.Request] = []
        # Answers to give first, one per request, before the normal ones: a Response or an exception.
        self.script: list[httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]] = []

    # -- what tests change ------------------------------------------------------------------

    def row(self, kpi: str, municipality: str, year: int) -> dict[str, Any]:
        for row in self.rows:
            if (row["kpi"], row["municipality"], row["period"]) == (kpi, municipality, year):
                return row
        raise KeyError((kpi, municipality, year))

    def copy(self) -> KoladaMock:
        return copy.deepcopy(self)

    # -- the transport ----------------------------------------------------------------------

    def client(self, **kwargs: Any) -> KoladaClient:
        self.sleeps: list[float] = []
        return KoladaClient(http=httpx.Client(transport=httpx.MockTransport(self.handle)), sleep=self.sleeps.append,
                            **kwargs)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            answer = self.script.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer(request) if callable(answer) else answer
        path = request.url.path.removeprefix("/v3/").strip("/")
        parts = path.split("/")
        if parts[0] == "kpi":
            return self._page(request, self._by_id(self.kpis, parts))
        if parts[0] == "municipality":
            return self._page(request, self._by_id(self.municipalities, parts))
        if parts[0] == "municipality_groups":
            return self._page(request, self._by_id(self.groups, parts))
        if parts[0] == "data" and len(parts) == 7 and parts[1] == "kpi" and parts[3] == "municipality" and parts[5] == "year":
            kpis, municipalities, years = (set(parts[i].split(",")) for i in (2, 4, 6))
            assert all(len(parts[i].split(",")) <= 25 for i in (2, 4, 6)), "Kolada takes at most 25 ids a segment"
            rows = [r for r in self.rows if r["kpi"] in kpis and r["municipality"] in municipalities
                    and str(r["period"]) in years]
            return self._page(request, rows)
        return httpx.Response(404, json={"error": f"unknown path {path}"})

    @staticmethod
    def _by_id(rows: list[dict[str, Any]], parts: list[str]) -> list[dict[str, Any]]:
        if len(parts) > 1:
            wanted = set(parts[1].split(","))
            return [r for r in rows if r["id"] in wanted]
        return rows

    def _page(self, request: httpx.Request, rows: list[dict[str, Any]]) -> httpx.Response:
        size = self.page_size or int(request.url.params.get("per_page", 5000))
        assert size <= 5000, "Kolada's pages hold at most 5,000 rows"
        page = int(request.url.params.get("page", 1))
        chunk = rows[(page - 1) * size : page * size]
        body: dict[str, Any] = {"count": len(rows), "values": chunk}
        if page * size < len(rows):
            body["next_url"] = str(request.url.copy_set_param("page", page + 1).copy_set_param("per_page", size))
        return httpx.Response(200, json=body)
