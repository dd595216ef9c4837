"""The Kolada v3 client against recorded v3 responses: paging, chunking, flags, errors, retries."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from django.utils import translation

from tests.benchmarks.kolada_mock import fixture
from tillit.benchmarks.client import KoladaError, KoladaUnavailable, chunks

YEARS = range(2012, 2020)
CITIES = ["0180", "1280", "1480"]



@pytest.fixture(autouse=True)
def _english():
    """The messages' English source text (the UI shows them in Swedish; test_pages checks that)."""
    with translation.override("en"):
        yield

def test_pages_are_followed_through_next_url(kolada):
    kolada.page_size = 10  # 24 rows: three pages
    records = list(kolada.client().values(kpis=["N03702"], municipalities=CITIES, years=YEARS))
    assert len(records) == 24
    assert len(kolada.requests) == 3
    first, second = kolada.requests[0].url, kolada.requests[1].url
    assert first.path == "/v3/data/kpi/N03702/municipality/0180,1280,1480/year/2012,2013,2014,2015,2016,2017,2018,2019"
    assert first.params["per_page"] == "5000"  # the largest page Kolada gives
    assert second.params["page"] == "2"
    stockholm_2012 = next(r for r in records if (r.municipality, r.year) == ("0180", 2012))
    assert stockholm_2012.value == Decimal("777.735791")  # exact, not float noise
    assert (stockholm_2012.kpi, stockholm_2012.gender, stockholm_2012.status) == ("N03702", "T", "")


def test_the_recorded_two_pages_link_with_next_url(kolada):
    """The recorded answer itself: page 1 names page 2 in next_url, page 2 names none."""
    pages = [fixture("v3_data_N03702_page1.json"), fixture("v3_data_N03702_page2.json")]
    kolada.script = [httpx.Response(200, json=pages[0]), httpx.Response(200, json=pages[1])]
    records = list(kolada.client().values(kpis=["N03702"], municipalities=CITIES, years=YEARS))
    assert len(records) == 24
    assert str(kolada.requests[1].url) == pages[0]["next_url"]


def test_id_lists_are_split_into_chunks_of_25(kolada):
    municipalities = [f"{n:04d}" for n in range(100, 130)] + CITIES  # 33 ids: 25 + 8
    kpis = [f"N{n:05d}" for n in range(26)] + ["N03702"]  # 27 ids: 25 + 2
    records = list(kolada.client().values(kpis=kpis, municipalities=municipalities, years=YEARS))
    assert len(kolada.requests) == 4  # 2 KPI chunks × 2 municipality chunks
    for request in kolada.requests:
        segments = request.url.path.split("/")
        assert len(segments[4].split(",")) <= 25 and len(segments[6].split(",")) <= 25
    assert len(records) == 24
    assert chunks(["a", "b", "a"]) == [["a", "b"]]  # duplicates asked once


def test_deleted_rows_are_dropped_and_status_is_kept(kolada):
    # Kolada's recorded rows carry no flags; set them here on two real rows.
    kolada.row("N03702", "0180", 2019)["values"][0]["isdeleted"] = True
    kolada.row("N03702", "1280", 2019)["values"][0]["status"] = "B"
    records = list(kolada.client().values(kpis=["N03702"], municipalities=CITIES, years=YEARS))
    keys = {(r.municipality, r.year) for r in records}
    assert ("0180", 2019) not in keys and len(records) == 23
    flagged = next(r for r in records if (r.municipality, r.year) == ("1280", 2019))
    assert flagged.status == "B" and flagged.uncertain and flagged.value is not None
    everything = list(kolada.client().values(kpis=["N03702"], municipalities=CITIES, years=YEARS, include_deleted=True))
    assert [r.deleted for r in everything].count(True) == 1


def test_a_value_without_a_number_is_kept_as_none(kolada):
    kolada.row("N03702", "1480", 2012)["values"][0].update(value=None, status="Sekretess")
    record = next(r for r in kolada.client().values(kpis=["N03702"], municipalities=["1480"], years=[2012]))
    assert record.value is None and record.status == "Sekretess"


def test_an_error_page_is_a_clear_error(kolada):
    kolada.script = [httpx.Response(200, text="<html><h1>Kolada är nere för underhåll</h1></html>",
                                    headers={"content-type": "text/html"})]
    with pytest.raises(KoladaError, match="instead of JSON"):
        kolada.client().kpis()


def test_a_refusal_is_not_retried(kolada):
    kolada.script = [httpx.Response(400, text="Bad request: unknown kpi")]
    client = kolada.client()
    with pytest.raises(KoladaError, match="HTTP 400"):
        client.kpis()
    assert len(kolada.requests) == 1 and kolada.sleeps == []


def test_a_time_out_is_retried_with_back_off(kolada):
    kolada.script = [httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow")]
    rows = kolada.client().kpis()
    assert {row["id"] for row in rows} >= {"N21006", "N03702"}
    assert kolada.sleeps == [1.0, 2.0]  # doubling back-off
    assert len(kolada.requests) == 3


def test_429_waits_as_long_as_retry_after_says(kolada):
    kolada.script = [httpx.Response(429, headers={"Retry-After": "7"}, text="Too many requests")]
    rows = kolada.client().municipalities()
    assert kolada.sleeps == [7.0]
    assert {row["id"] for row in rows} >= {"0180", "1280"}


def test_5xx_again_and_again_gives_up_with_an_actionable_message(kolada):
    kolada.script = [httpx.Response(503) for _ in range(5)]
    with pytest.raises(KoladaUnavailable) as error:
        kolada.client(attempts=5).kpis()
    assert "HTTP 503" in error.value.message and "tillit kolada load" in error.value.message
    assert kolada.sleeps == [1.0, 2.0, 4.0, 8.0]


def test_offline_fails_fast_and_says_what_to_do(kolada):
    kolada.script = [httpx.ConnectError("Name or service not known") for _ in range(5)]
    with pytest.raises(KoladaUnavailable) as error:
        kolada.client().kpis()
    assert len(kolada.requests) == 2  # one retry, not five: a cut line does not heal in seconds
    assert "network" in error.value.message and "tillit kolada load DIR" in error.value.message


def test_groups_come_with_their_members(kolada):
    groups = {g["id"]: g for g in kolada.client().municipality_groups()}
    assert groups["G92787"]["title"].startswith("Storstäder")
    assert {m["id"] for m in groups["G92787"]["members"]} == {"0180", "1280", "1480"}
    assert "0180" not in {m["id"] for m in groups["G176683"]["members"]}  # named after Stockholm, without it
