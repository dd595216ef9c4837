"""Every row rule of DATA-FORMATS.md (visits) and PRODUCT.md ("Local time", "Performed time"):
each bad row is reported with its row number, column and value, and the good rows are kept."""

from __future__ import annotations

import datetime

import pytest

from tests.files import ORG_B, numbers_born, wrong_check_digit
from tests.ledger.conftest import UNIT_A, UNIT_B
from tests.ledger.helpers import by_id, errors, issue_reasons, load, utc, visit, warnings
from tillit.deliveries.models import Delivery


def only_error(delivery: Delivery) -> tuple[int, str, str]:
    found = errors(delivery)
    assert len(found) == 1, found
    return found[0]


def test_a_clean_file_loads_at_once(ledger) -> None:
    delivery = load(ledger.world, [visit("V1"), visit("V2", staff_id="S2", unit_code=UNIT_A)])
    assert delivery.status == Delivery.Status.LOADED
    assert (delivery.rows_read, delivery.rows_accepted, delivery.rows_rejected, delivery.warnings) == (2, 2, 0, 0)
    rows = by_id()
    assert set(rows) == {"V1", "V2"}
    assert rows["V2"]["unit_id"] == ledger.unit_a.pk and rows["V1"]["unit_id"] is None
    assert rows["V1"]["provider_id"] == ledger.provider_a.pk
    assert rows["V1"]["recipient_id"] == ledger.recipients["P:r1"]
    assert rows["V1"]["intervention_codes"] == ["MORG"]
    assert rows["V1"]["source_row"] == 2


REQUIRED = [  # (column, needed for every visit or only for performed ones)
    ("visit_id", "always"),
    ("provider_org_number", "always"),
    ("recipient_id", "always"),
    ("planned_start", "always"),
    ("planned_end", "always"),
    ("intervention_codes", "always"),
    ("staff_id", "performed"),
    ("registered_start", "performed"),
]


def test_required_fields(ledger) -> None:
    rows = [visit("V0")]
    for index, (column, _needed) in enumerate(REQUIRED):
        day = f"2024-05-{index + 2:02d}"
        rows.append(visit(f"P{index}", f"{day} 08:00", f"{day} 08:30", **{column: ""}))
        rows.append(visit(f"D{index}", f"{day} 10:00", f"{day} 10:30", status="declined", **{column: ""}))
    delivery = load(ledger.world, rows)

    found = errors(delivery)
    rejected = {row for row, _column, _value in found}
    for index, (column, needed) in enumerate(REQUIRED):
        performed_row, declined_row = 3 + 2 * index, 4 + 2 * index
        assert (performed_row, column, "") in found, column
        assert (declined_row in rejected) is (needed == "always"), column
    assert 2 not in rejected
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.rows_read == 1 + 2 * len(REQUIRED)


def test_a_declined_visit_needs_no_staff_nor_registered_times(ledger) -> None:
    row = visit("V1", status="declined", staff_id="", registered_start="", registered_end="", registration_method="")
    delivery = load(ledger.world, [row])
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    stored = by_id()["V1"]
    assert (stored["status"], stored["staff_id"], stored["registered_start"], stored["no_end"]) == ("declined", None, None, False)


def test_unknown_provider_unit_and_intervention_codes_are_rejected(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", intervention_codes="MORG|DUSCH"),        # fine: two codes
        visit("V2", intervention_codes="MORG|NOPE"),         # one unknown code
        visit("V3", provider_org_number="556677-8899"),      # no such provider
        visit("V4", unit_code=UNIT_B),                       # B's unit on A's visit
        visit("V5", unit_code="HT-INGEN"),
        visit("V6", provider_org_number=ORG_B, unit_code=UNIT_B, staff_id="B1"),  # fine
    ])
    assert sorted(errors(delivery)) == [
        (3, "intervention_codes", "NOPE"),
        (4, "provider_org_number", "556677-8899"),
        (5, "unit_code", UNIT_B),
        (6, "unit_code", "HT-INGEN"),
    ]
    assert delivery.rows_rejected == 4


def test_an_intervention_code_must_be_valid_on_the_visits_date(ledger) -> None:
    # STAD is in the catalogue until 2024-06-30 (local date of the planned start).
    delivery = load(ledger.world, [
        visit("V1", "2024-06-30 23:30", "2024-07-01 00:30", intervention_codes="STAD"),
        visit("V2", "2024-07-01 00:10", "2024-07-01 01:00", intervention_codes="STAD", staff_id="S2"),
    ])
    assert errors(delivery) == [(3, "intervention_codes", "STAD")]


def test_unknown_recipients_are_rejected_and_the_id_is_masked(ledger) -> None:
    unregistered = numbers_born("1945")[0]
    invalid = wrong_check_digit(numbers_born("1950")[0])
    delivery = load(ledger.world, [
        visit("V1"),
        visit("V2", recipient_id="P:nobody"),
        visit("V3", recipient_id=unregistered, staff_id="S2"),
        visit("V4", recipient_id=invalid, staff_id="S3"),
    ])
    assert [(row, column) for row, column, _value in errors(delivery)] == [
        (3, "recipient_id"), (4, "recipient_id"), (5, "recipient_id"),
    ]
    report = " ".join(issue_reasons(delivery) + [value for _r, _c, value in errors(delivery)])
    for number in (unregistered, invalid):
        assert number not in report and number[2:] not in report and number[-4:] not in report
    assert f"{unregistered[:8]}-****" in report
    assert any("not registered" in reason for reason in issue_reasons(delivery))
    assert set(by_id()) == set()  # pending: nothing in the ledger yet


def test_end_before_start_is_rejected(ledger) -> None:
    rows = [visit("V1")]
    for index, pair in enumerate(("planned", "registered")):
        day = f"2024-05-{10 + index}"
        rows.append(visit(f"B{pair}", **{f"{pair}_start": f"{day} 10:00", f"{pair}_end": f"{day} 09:59"}, staff_id=f"S{pair}"))
        rows.append(visit(f"S{pair}", **{f"{pair}_start": f"{day} 11:00", f"{pair}_end": f"{day} 11:00"}, staff_id=f"T{pair}"))
    delivery = load(ledger.world, rows)
    assert errors(delivery) == [(3, "planned_end", "2024-05-10 09:59"), (5, "registered_end", "2024-05-11 09:59")]
    reasons = issue_reasons(delivery)
    assert "The planned end is before the planned start." in reasons
    assert "The registered end is before the registered start." in reasons


def test_a_visit_longer_than_16_hours_is_rejected(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", registered_start="2024-05-06 06:00", registered_end="2024-05-06 22:00"),  # exactly 16 h
        visit("V2", registered_start="2024-05-07 06:00", registered_end="2024-05-07 22:01", staff_id="S2"),
    ])
    assert errors(delivery) == [(3, "registered_end", "2024-05-07 22:01")]
    assert "16" in issue_reasons(delivery)[0]


def test_16_hours_is_measured_in_utc_across_the_autumn_change(ledger) -> None:
    # 2024-10-27 00:00 → 15:30 local is 16 h 30 min of real time (the clocks go back an hour).
    delivery = load(ledger.world, [
        visit("V1", "2024-10-27 00:00", "2024-10-27 15:30", registered_start="2024-10-27 00:00",
              registered_end="2024-10-27 15:30"),
    ])
    assert errors(delivery) == [(2, "registered_end", "2024-10-27 15:30")]


def test_a_local_time_in_the_spring_gap_rejects_the_row(ledger) -> None:
    rows, expected = [visit("V0")], []
    moments = ["2024-03-31 02:30", "2025-03-30 02:30", "2024-03-31 02:00", "2025-03-30 02:59"]
    for column in ("planned_start", "registered_start", "registered_end"):
        for moment in moments:
            day = moment[:10]
            times = {"planned_start": f"{day} 01:50", "planned_end": f"{day} 03:40",
                     "registered_start": f"{day} 01:50", "registered_end": f"{day} 03:40", column: moment}
            rows.append(visit(f"G{len(rows)}", staff_id=f"S{len(rows)}", **times))
            expected.append((len(rows) + 1, column, moment))
    delivery = load(ledger.world, rows)
    assert sorted(errors(delivery)) == expected
    assert delivery.rows_rejected == len(expected)
    assert all("does not exist" in reason for reason in issue_reasons(delivery))


def test_the_hours_around_the_spring_gap_exist(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", "2024-03-31 01:59", "2024-03-31 03:00"),
        visit("V2", "2025-03-30 01:00", "2025-03-30 03:30"),
    ])
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    rows = by_id()
    assert rows["V1"]["registered_end"] - rows["V1"]["registered_start"] == datetime.timedelta(minutes=1)
    assert rows["V2"]["registered_end"] - rows["V2"]["registered_start"] == datetime.timedelta(minutes=90)


def test_an_autumn_time_that_exists_twice_is_settled_by_start_and_end(ledger) -> None:
    # Start 02:50 and end 02:10 can only be the first 02:50 (summer time, UTC+2) and the
    # second 02:10 (winter time, UTC+1): 20 minutes.
    days = ["2024-10-27", "2025-10-26"]
    delivery = load(ledger.world, [
        visit(day, f"{day} 02:50", f"{day} 02:10", registered_start=f"{day} 02:50", registered_end=f"{day} 02:10")
        for day in days
    ])
    assert delivery.status == Delivery.Status.LOADED, (errors(delivery), issue_reasons(delivery))
    assert warnings(delivery) == []
    for day in days:
        _settled(by_id()[day], day)


def _settled(stored, day: str) -> None:
    assert stored["registered_start"] == utc(f"{day} 00:50")
    assert stored["registered_end"] == utc(f"{day} 01:10")
    assert stored["planned_start"] == utc(f"{day} 00:50")
    assert stored["planned_end"] == utc(f"{day} 01:10")
    assert stored["registered_end"] - stored["registered_start"] == datetime.timedelta(minutes=20)
    assert stored["ambiguous_time"] is False


def test_an_autumn_time_that_start_and_end_do_not_settle_is_a_warning(ledger) -> None:
    # 02:10 → 02:50 fits both within one reading (40 min) and across the change (1 h 40 min).
    delivery = load(ledger.world, [
        visit("A24", "2024-10-27 02:10", "2024-10-27 02:50"),
        visit("V2", staff_id="S2"),
        visit("A25", "2025-10-26 02:10", "2025-10-26 02:50"),
    ])
    assert delivery.status == Delivery.Status.LOADED
    assert delivery.warnings == 2
    assert [row for row, _c, _v in warnings(delivery)] == [2, 4]
    assert all("twice" in reason for reason in issue_reasons(delivery))
    stored = by_id()
    for key in ("A24", "A25"):
        assert stored[key]["ambiguous_time"] is True
        assert stored[key]["registered_end"] - stored[key]["registered_start"] == datetime.timedelta(minutes=40)
    assert stored["A24"]["registered_start"] == utc("2024-10-27 00:10")  # the earlier reading
    assert stored["V2"]["ambiguous_time"] is False


def test_overlapping_visits_of_one_staff_member_by_more_than_five_minutes_warn(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", "2024-05-06 08:00", "2024-05-06 08:30"),
        visit("V2", "2024-05-06 08:25", "2024-05-06 08:50", recipient_id="P:r2"),  # 5 min: hand-over slack
        visit("V3", "2024-05-06 08:44", "2024-05-06 09:10", recipient_id="P:r3"),  # 6 min into V2
        visit("V4", "2024-05-06 08:00", "2024-05-06 09:00", recipient_id="P:r4", staff_id="S2"),  # other staff
        visit("V5", "2024-05-06 08:40", "2024-05-06 09:00", recipient_id="P:r5", staff_id="S3",
              status="declined", registered_start="", registered_end=""),
    ])
    assert delivery.status == Delivery.Status.LOADED
    assert [(row, column) for row, column, _v in warnings(delivery)] == [(4, "registered_start")]
    assert "row 3" in issue_reasons(delivery)[0]
    overlap = {visit_id: row["overlap"] for visit_id, row in by_id().items()}
    assert overlap == {"V1": False, "V2": False, "V3": True, "V4": False, "V5": False}


def test_a_long_visit_overlaps_every_visit_that_starts_inside_it(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", "2024-05-06 08:00", "2024-05-06 10:00"),
        visit("V2", "2024-05-06 08:10", "2024-05-06 08:20", recipient_id="P:r2"),
        visit("V3", "2024-05-06 08:30", "2024-05-06 08:40", recipient_id="P:r3"),  # inside V1, after V2
        visit("V4", "2024-05-06 09:56", "2024-05-06 10:30", recipient_id="P:r4"),  # 4 min before V1 ends
    ])
    assert [row for row, _column, _value in warnings(delivery)] == [3, 4]
    assert all("row 2" in reason for reason in issue_reasons(delivery))


def test_each_staff_member_of_a_double_staffed_visit_is_checked(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", "2024-05-06 08:00", "2024-05-06 09:00", staff_id="S1|S2", double_staffing="1"),
        visit("V2", "2024-05-06 08:30", "2024-05-06 09:00", recipient_id="P:r2", staff_id="S2"),  # S2 in two places
        visit("V3", "2024-05-06 08:10", "2024-05-06 08:40", recipient_id="P:r3", staff_id="S3"),
    ])
    assert [(row, value) for row, _column, value in warnings(delivery)] == [(3, "S2")]
    assert {visit_id: row["overlap"] for visit_id, row in by_id().items()} == {"V1": False, "V2": True, "V3": False}


def test_the_same_staff_id_at_two_providers_is_two_people(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", "2024-05-06 08:00", "2024-05-06 09:00"),
        visit("V2", "2024-05-06 08:00", "2024-05-06 09:00", provider_org_number=ORG_B, recipient_id="P:r2"),
    ])
    assert warnings(delivery) == []


def test_a_performed_visit_without_registered_end_is_kept_with_a_warning(ledger) -> None:
    delivery = load(ledger.world, [visit("V1", registered_end=""), visit("V2", staff_id="S2")])

    assert delivery.status == Delivery.Status.LOADED
    assert warnings(delivery) == [(2, "registered_end", "")]
    assert (delivery.rows_accepted, delivery.warnings) == (2, 1)
    rows = by_id()
    assert rows["V1"]["no_end"] is True and rows["V1"]["registered_end"] is None
    assert rows["V1"]["registered_start"] == utc("2024-05-06 06:00")
    assert rows["V2"]["no_end"] is False


def test_unknown_words_are_rejected(ledger) -> None:
    cases = [("status", "done"), ("status", "utförd?"), ("registration_method", "fax"),
             ("double_staffing", "kanske"), ("double_staffing", "2")]
    rows = [visit("V0")] + [visit(f"V{index + 1}", staff_id=f"S{index + 1}", **{column: value})
                            for index, (column, value) in enumerate(cases)]
    delivery = load(ledger.world, rows)
    assert errors(delivery) == [(index + 3, column, value) for index, (column, value) in enumerate(cases)]


def test_swedish_and_english_words_are_accepted(ledger) -> None:
    words = [
        ("utförd", "manuell", "ja"), ("Avböjd", "app", "nej"), ("INSTÄLLD", "NFC", "x"), ("missad", "", ""),
        ("performed", "manual", "1"), ("declined", "nfc", "0"), ("cancelled", "app", "yes"), ("missed", "", "no"),
        ("", "", "true"), ("Utförd", "Manuell", "JA"),
    ]
    rows = [
        visit(f"V{index}", f"2024-05-{index + 1:02d} 08:00", f"2024-05-{index + 1:02d} 08:30",
              status=status, registration_method=method, double_staffing=double)
        for index, (status, method, double) in enumerate(words)
    ]
    delivery = load(ledger.world, rows)
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    stored = by_id()
    got = [(stored[f"V{i}"]["status"], stored[f"V{i}"]["registration_method"], stored[f"V{i}"]["double_staffing"])
           for i in range(len(words))]
    assert got == [
        ("performed", "manual", True), ("declined", "app", False), ("cancelled", "nfc", True), ("missed", None, False),
        ("performed", "manual", True), ("declined", "nfc", False), ("cancelled", "app", True), ("missed", None, False),
        ("performed", None, True), ("performed", "manual", True),
    ]


def test_a_time_that_is_not_a_time_is_rejected(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", registered_start="igår"),
        visit("V2", planned_end="2024-02-30 08:00", staff_id="S2"),
        visit("V3", staff_id="S3"),
    ])
    assert sorted(errors(delivery)) == [(2, "registered_start", "igår"), (3, "planned_end", "2024-02-30 08:00")]


def test_every_problem_of_a_row_is_reported_not_just_the_first(ledger) -> None:
    row = visit("V1", recipient_id="P:nobody", status="klar", intervention_codes="NOPE")
    delivery = load(ledger.world, [row])
    assert {column for _row, column, _value in errors(delivery)} == {"recipient_id", "status", "intervention_codes"}
    assert delivery.rows_rejected == 1


def test_a_visit_overlapping_one_delivered_earlier_warns_too(ledger) -> None:
    """Daily deliveries: the second day's file names a visit of S1 that overlaps S1's visit of
    the first file by 30 minutes. A re-delivered V1 is not compared with its own earlier
    version; a complete delivery is not compared with the visits it retires."""
    load(ledger.world, [visit("V1", "2024-05-06 08:00", "2024-05-06 09:00"),
                        visit("V2", "2024-05-06 12:00", "2024-05-06 13:00", recipient_id="P:r2")])
    second = load(ledger.world, [visit("V3", "2024-05-06 08:30", "2024-05-06 09:15", recipient_id="P:r3")], "dag2.csv")
    assert [(row, column, value) for row, column, value in warnings(second)] == [(2, "registered_start", "S1")]
    assert "visit V1, delivered earlier" in issue_reasons(second)[0]
    assert {visit_id: row["overlap"] for visit_id, row in by_id().items()}["V3"] is True
    again = load(ledger.world, [visit("V1", "2024-05-06 07:00", "2024-05-06 08:20")], "igen.csv")
    assert warnings(again) == []  # not compared with its own earlier version (08:00–09:00), which it replaces
    complete = load(ledger.world, [visit("V4", "2024-05-06 12:30", "2024-05-06 13:00", recipient_id="P:r4")],
                    "hel.csv", complete=True)
    assert warnings(complete) == []  # V2 is retired by this complete delivery, not overlapped


def test_an_earlier_visit_of_another_provider_is_never_compared_or_named(ledger) -> None:
    """The same staff id at provider B is another person: provider B's report must not warn
    about, or name, provider A's visit."""
    load(ledger.world, [visit("A-1", "2024-05-06 08:00", "2024-05-06 09:00")])
    other = load(ledger.world, [visit("B-1", "2024-05-06 08:10", "2024-05-06 08:50", provider_org_number=ORG_B,
                                      recipient_id="P:r2")], "b.csv")
    assert warnings(other) == []
    assert not any("A-1" in reason for reason in issue_reasons(other))
