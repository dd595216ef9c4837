"""The demo generator writes consistent, deterministic delivery files (no database needed)."""

from __future__ import annotations

import csv
import re
import statistics
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from stdnum.se import orgnr

from tillit.demo.generator import GeneratorConfig, generate

# Covers the spring DST change (2025-03-30); `today` is placed after the period.
SMALL = GeneratorConfig(recipients=200, months=2, start=date(2025, 3, 1), today=date(2025, 5, 20), seed=7)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = ZoneInfo("UTC")

HEADERS = {  # DATA-FORMATS.md, and the extension formats of the generator's brief
    "municipality.csv": ["org_number", "name"],
    "providers.csv": ["org_number", "name", "regi", "service_types", "ivo_permit"],
    "recipients.csv": ["recipient_id", "birth_date", "name", "area", "alarm_customer"],
    "decisions.csv": ["decision_id", "recipient_id", "provider_org_number", "start_date", "end_date",
                      "intervention_code", "category", "frequency", "period", "minutes", "double_staffing"],
    "visits.csv": ["visit_id", "provider_org_number", "unit_code", "recipient_id", "staff_id",
                   "planned_start", "planned_end", "registered_start", "registered_end",
                   "intervention_codes", "double_staffing", "status", "registration_method"],
    "care_events.csv": ["event_type", "recipient_id", "provider_org_number", "date", "reference", "detail"],
    "interventions.csv": ["code", "name", "category", "minutes", "kind", "valid_from", "valid_to"],
    "areas.csv": ["code", "name", "zone"],
    "units.csv": ["provider_org_number", "code", "name", "service_type", "area"],
    "contracts.csv": ["provider_org_number", "reference", "kind", "service_types", "start_date", "end_date",
                      "extension_options", "notice_months"],
}


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def local(text: str) -> datetime:
    return datetime.fromisoformat(text)


def exists(wall: datetime) -> bool:
    """Whether a Stockholm wall-clock time exists (the spring hour does not)."""
    aware = wall.replace(tzinfo=STOCKHOLM)
    return aware.astimezone(UTC).astimezone(STOCKHOLM).replace(tzinfo=None) == wall


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, generate(folder, SMALL)


@pytest.fixture(scope="module")
def folder(out) -> Path:
    return out[0]


@pytest.fixture(scope="module")
def visits(folder: Path) -> list[dict[str, str]]:
    return rows(folder, "visits.csv")


def test_config_defaults_follow_today() -> None:
    config = GeneratorConfig(today=date(2026, 3, 15))
    assert config.start == date(2025, 3, 1)  # twelve full months, ending with February 2026
    assert config.staff == 400 and config.recipients == 2000 and config.visits


def test_the_same_config_gives_byte_identical_files(out, tmp_path: Path) -> None:
    folder, counts = out
    again = generate(tmp_path, SMALL)
    assert again == counts
    for name in counts:
        assert (folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_another_seed_gives_other_data(folder: Path, tmp_path: Path) -> None:
    generate(tmp_path, GeneratorConfig(recipients=200, months=2, start=SMALL.start, today=SMALL.today,
                                       seed=8, visits=False))
    for name in ("recipients.csv", "decisions.csv", "care_events.csv"):
        assert (folder / name).read_bytes() != (tmp_path / name).read_bytes(), name


def test_without_visits_the_other_files_are_unchanged(out, tmp_path: Path) -> None:
    folder, counts = out
    result = generate(tmp_path, GeneratorConfig(recipients=200, months=2, start=SMALL.start,
                                                today=SMALL.today, seed=7, visits=False))
    assert "visits.csv" not in result and not (tmp_path / "visits.csv").exists()
    for name in result:
        assert (folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_headers_and_row_counts(out) -> None:
    folder, counts = out
    assert set(counts) == set(HEADERS)
    for name, header in HEADERS.items():
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        assert lines[0].split(",") == header, name
        assert len(rows(folder, name)) == counts[name], name
    assert counts["providers.csv"] == 8 and counts["visits.csv"] > 5000


def test_org_numbers_are_valid(folder: Path) -> None:
    municipality = rows(folder, "municipality.csv")
    providers = rows(folder, "providers.csv")
    assert [m["name"] for m in municipality] == ["Tillby kommun"]
    assert municipality[0]["org_number"].startswith("212000-")
    for p in providers:
        assert orgnr.is_valid(p["org_number"]), p
        prefix = "212000" if p["regi"] == "municipal" else ("556", "559")
        assert p["org_number"].startswith(prefix), p
    assert Counter(p["regi"] for p in providers) == {"private": 6, "municipal": 1, "nonprofit": 1}
    assert len({p["org_number"] for p in providers}) == 8
    types = Counter(p["service_types"] for p in providers)
    assert types["home_care|nursing_home"] == 1 and types["home_care"] and types["nursing_home"]


def test_every_reference_resolves(folder: Path, visits) -> None:
    people = {r["recipient_id"] for r in rows(folder, "recipients.csv")}
    codes = {r["code"] for r in rows(folder, "interventions.csv")}
    areas = {r["code"] for r in rows(folder, "areas.csv")}
    orgs = {r["org_number"] for r in rows(folder, "providers.csv")}
    units = {(u["provider_org_number"], u["code"]) for u in rows(folder, "units.csv")}
    assert all(u[0] in orgs for u in units)
    assert {c["provider_org_number"] for c in rows(folder, "contracts.csv")} == orgs
    assert all(r["area"] in areas for r in rows(folder, "recipients.csv"))
    for name in ("decisions.csv", "care_events.csv"):
        for r in rows(folder, name):
            assert r["recipient_id"] in people and r["provider_org_number"] in orgs, (name, r)
    assert all(r["intervention_code"] in codes for r in rows(folder, "decisions.csv"))
    for v in visits:
        assert v["recipient_id"] in people and (v["provider_org_number"], v["unit_code"]) in units, v
        assert set(v["intervention_codes"].split("|")) <= codes, v


def test_recipients_are_pseudonymous_with_plausible_ages(folder: Path) -> None:
    people = rows(folder, "recipients.csv")
    assert len(people) == 200 + 12  # plus about 6 % nursing-home residents
    assert all(re.fullmatch(r"P:[0-9a-f]{8}", p["recipient_id"]) for p in people)
    today = SMALL.today
    ages = [today.year - b.year - ((today.month, today.day) < (b.month, b.day))
            for b in (date.fromisoformat(p["birth_date"]) for p in people)]
    assert sum(75 <= a <= 95 for a in ages) / len(ages) >= 0.7
    assert 40 <= min(ages) and max(ages) <= 102
    alarm = sum(p["alarm_customer"] == "1" for p in people) / len(people)
    assert 0.25 <= alarm <= 0.55


def test_decisions_are_well_formed(folder: Path) -> None:
    catalogue = {r["code"]: r for r in rows(folder, "interventions.csv")}
    decisions = rows(folder, "decisions.csv")
    for d in decisions:
        assert re.fullmatch(r"B-\d{4}-\d{6}", d["decision_id"])
        assert d["decision_id"][2:6] == d["start_date"][:4]
        assert d["category"] == catalogue[d["intervention_code"]]["category"]
        assert int(d["frequency"]) > 0 and d["period"] in ("day", "week", "month")
        assert not d["end_date"] or d["end_date"] >= d["start_date"]
    granted: dict[str, float] = defaultdict(float)
    per = {"day": 1, "week": 7, "month": 30}
    for d in decisions:
        factor = 2 if d["double_staffing"] == "1" else 1
        granted[d["decision_id"]] += int(d["minutes"]) * int(d["frequency"]) * 30 / per[d["period"]] * factor
    hours = [m / 60 for m in granted.values() if m > 0]
    assert 18 <= statistics.median(hours) <= 40 and max(hours) > 100


def test_catalogue_uses_the_public_schablons(folder: Path) -> None:
    minutes = {r["code"]: int(r["minutes"]) for r in rows(folder, "interventions.csv")}
    assert minutes | {"INK": 60, "APO": 45, "STAD": 96, "TVATT": 86, "SOP": 30, "MAT": 20, "TRYGG": 15,
                      "DUSCH": 40, "MORG": 15, "LUNCH": 15, "KVALL": 15, "NATT": 5} == minutes
    kinds = Counter(r["kind"] for r in rows(folder, "interventions.csv"))
    assert kinds["safety_alarm"] == kinds["meal_delivery"] == kinds["hsl"] == 1


@pytest.mark.parametrize("today", [date(2025, 5, 20), date(2026, 1, 1), date(2024, 8, 31)])
def test_exactly_one_contract_ends_soon_and_one_has_ended(tmp_path: Path, today: date) -> None:
    generate(tmp_path, GeneratorConfig(recipients=20, months=1, today=today, visits=False))
    ends = [date.fromisoformat(c["end_date"]) for c in rows(tmp_path, "contracts.csv") if c["end_date"]]
    soon = [e for e in ends if today <= e <= today + timedelta(days=183)]
    ended = [e for e in ends if today - timedelta(days=62) <= e < today]
    far = [e for e in ends if e > today + timedelta(days=365)]
    assert len(soon) == 1 and len(ended) == 1 and len(soon) + len(ended) + len(far) == len(ends)


def test_visits_are_valid_local_times_outside_the_spring_gap(visits) -> None:
    on_change_night = 0
    for v in visits:
        for column in ("planned_start", "planned_end", "registered_start", "registered_end"):
            if v[column]:
                assert exists(local(v[column])), (column, v)
        on_change_night += v["planned_start"].startswith("2025-03-30 0")
    assert on_change_night > 0  # the test is not vacuous: there are night visits that morning


def test_visit_ids_are_unique_per_provider(visits) -> None:
    index = {}
    for v in visits:
        index.setdefault(v["provider_org_number"], v["visit_id"].split("-")[0])
        assert v["visit_id"].split("-")[0] == index[v["provider_org_number"]]
    assert len({(v["provider_org_number"], v["visit_id"]) for v in visits}) == len(visits)


def test_performed_time_statuses_and_methods(visits) -> None:
    planned: dict[str, float] = defaultdict(float)
    performed: dict[str, float] = defaultdict(float)
    for v in visits:
        if v["status"] == "performed" and v["registered_end"]:
            planned[v["provider_org_number"]] += (local(v["planned_end"]) - local(v["planned_start"])).seconds
            performed[v["provider_org_number"]] += (
                local(v["registered_end"]) - local(v["registered_start"])).seconds
        if v["status"] == "performed":
            assert v["staff_id"] and v["registered_start"] and v["registration_method"]
        else:
            assert not v["registered_start"] and not v["registered_end"]
    ratios = [performed[p] / planned[p] for p in planned]
    assert len(ratios) == 6 and all(0.55 <= r <= 0.90 for r in ratios)
    assert max(ratios) - min(ratios) > 0.1
    status = Counter(v["status"] for v in visits)
    assert 0.02 <= status["declined"] / len(visits) <= 0.04
    assert status["missed"] and status["cancelled"]
    method = Counter(v["registration_method"] for v in visits if v["status"] == "performed")
    assert method["nfc"] > method["app"] > method["manual"] > 0
    assert 0.02 <= sum(v["double_staffing"] == "1" for v in visits) / len(visits) <= 0.09


def test_visits_only_while_the_decision_runs_and_not_in_hospital(folder: Path, visits) -> None:
    active = defaultdict(list)
    for d in rows(folder, "decisions.csv"):
        if d["intervention_code"] != "BOENDE":
            active[(d["recipient_id"], d["provider_org_number"])].append(
                (d["start_date"], d["end_date"] or "9999-12-31"))
    stays, away = {}, defaultdict(list)
    for e in rows(folder, "care_events.csv"):
        if e["event_type"] == "absence_started":
            stays[e["reference"]] = e
            away[e["recipient_id"]].append([e["date"], "9999-12-31"])
        elif e["event_type"] == "absence_ended":
            for stay in away[e["recipient_id"]]:
                if stay[0] == stays[e["reference"]]["date"]:
                    stay[1] = e["date"]
    assert stays
    for v in visits:
        day = v["planned_start"][:10]
        assert any(a <= day <= b for a, b in active[(v["recipient_id"], v["provider_org_number"])]), v
        assert not any(a <= day < b for a, b in away[v["recipient_id"]]), v


def test_staff_are_never_in_two_places(visits) -> None:
    by_staff = defaultdict(list)
    for v in visits:
        if v["status"] == "performed" and v["registered_end"]:
            for staff in v["staff_id"].split("|"):  # a double-staffed visit names both
                by_staff[staff].append((local(v["registered_start"]), local(v["registered_end"])))
    assert all(re.fullmatch(r"S-\d-\d{4}", s) for s in by_staff)
    assert any("|" in v["staff_id"] for v in visits if v["double_staffing"] == "1")
    for spans in by_staff.values():
        spans.sort()
        assert all(b[0] >= a[1] for a, b in zip(spans, spans[1:]))


def test_care_events_pair_up(folder: Path) -> None:
    events = rows(folder, "care_events.csv")
    kinds = Counter(e["event_type"] for e in events)
    assert set(kinds) == {"care_contact_assigned", "welcome_call", "plan_established", "plan_followed_up",
                          "complaint_received", "complaint_answered", "absence_started", "absence_ended"}
    opened = {e["reference"]: e["date"] for e in events
              if e["event_type"] in ("complaint_received", "absence_started")}
    for e in events:
        if e["event_type"].endswith(("_answered", "_ended")):
            assert opened[e["reference"]] <= e["date"]
        if e["event_type"].startswith("absence"):
            assert e["reference"].startswith("F-") and e["detail"] == "sjukhus"
        if e["event_type"].startswith("complaint"):
            assert e["reference"].startswith("K-")
    assert max(e["date"] for e in events) <= SMALL.today.isoformat()


def test_the_generator_does_not_use_django() -> None:
    source = Path(sys.modules["tillit.demo.generator"].__file__).parent
    for module in source.glob("*.py"):
        imports = re.findall(r"^\s*(?:from|import)\s+([\w.]+)", module.read_text(encoding="utf-8"), re.M)
        assert imports and not [i for i in imports if i.split(".")[0] == "django"], module.name
