"""Visit files as they really arrive: encodings, delimiters, BOMs, Swedish and shuffled
headers, Excel, and files that are not visit files at all (DATA-FORMATS.md, "What every
file reader accepts"). A structural problem fails the file with one message; a bad row is
reported with its row number and never lost."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
import zlib

import pytest

from tests.files import csv_bytes, xlsx_bytes
from tests.ledger.conftest import UNIT_A, UNIT_B
from tests.ledger.helpers import HEADER, SWEDISH, by_id, errors, load, visit, visits_csv
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_accept
from tillit.ledger.models import LedgerMonth, VisitBatch


def assert_failed(delivery: Delivery, *words: str) -> None:
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.message
    for word in words:
        assert word in delivery.message, delivery.message
    assert not VisitBatch.objects.filter(delivery=delivery).exists()
    assert delivery.issues.count() == 0
    assert LedgerMonth.objects.count() == 0


def two_visits() -> list[dict[str, str]]:
    return [visit("V1", unit_code=UNIT_A), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30", unit_code=UNIT_A)]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_encodings_read_unit_codes_with_swedish_letters_right(ledger, encoding: str) -> None:
    content = visits_csv(two_visits(), encoding=encoding)
    assert ("Å".encode("cp1252") in content) is (encoding == "cp1252")
    delivery = load(ledger.world, content)

    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    assert delivery.encoding == encoding
    assert {row["unit_id"] for row in by_id().values()} == {ledger.unit_a.pk}


def test_a_windows_1252_file_with_swedish_headers_and_words(ledger) -> None:
    header = [SWEDISH[name] for name in HEADER]
    rows = [visit("V1", unit_code=UNIT_A, status="utförd", registration_method="manuell", double_staffing="ja"),
            visit("V2", provider_org_number="556074-7569", unit_code=UNIT_B, status="avböjd", staff_id="B1")]
    delivery = load(ledger.world, visits_csv(rows, header=HEADER, encoding="cp1252").replace(
        ";".join(HEADER).encode(), ";".join(header).encode("cp1252")))
    assert delivery.status == Delivery.Status.LOADED, (errors(delivery), delivery.message)
    stored = by_id()
    assert (stored["V1"]["unit_id"], stored["V1"]["registration_method"], stored["V1"]["double_staffing"]) == (
        ledger.unit_a.pk, "manual", True)
    assert (stored["V2"]["unit_id"], stored["V2"]["status"]) == (ledger.unit_b.pk, "declined")


@pytest.mark.parametrize(("delimiter", "line_end"), [(";", "\r\n"), (",", "\n"), ("\t", "\r\n")])
def test_delimiters_are_detected(ledger, delimiter: str, line_end: str) -> None:
    # A comma file quotes its multi-code cell; the codes' '|' is not a delimiter.
    rows = [visit("V1", intervention_codes="MORG|DUSCH"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30")]
    delivery = load(ledger.world, visits_csv(rows, delimiter=delimiter, line_end=line_end))
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    assert delivery.delimiter == delimiter
    assert by_id()["V1"]["intervention_codes"] == ["MORG", "DUSCH"]


def test_quoted_fields_may_hold_the_delimiter(ledger) -> None:
    content = visits_csv([visit("V1", staff_id="S;1"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30", staff_id='S"2')])
    assert b'"S;1"' in content
    delivery = load(ledger.world, content)
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    assert {v["staff_id"] for v in by_id().values()} == {"S;1", 'S"2'}


def test_shuffled_columns_any_case_spaces_and_unknown_columns(ledger) -> None:
    order = list(reversed(HEADER)) + ["Kommentar"]
    header = [f"  {name.upper()} " if index % 2 else SWEDISH[name].lower() for index, name in enumerate(reversed(HEADER))]
    header.append("Kommentar")
    rows = [[*[row[name] for name in order[:-1]], "fri text"] for row in two_visits()]
    delivery = load(ledger.world, csv_bytes(header, rows))

    assert delivery.status == Delivery.Status.LOADED, (errors(delivery), delivery.message)
    assert delivery.unknown_columns == ["Kommentar"]
    stored = by_id()
    assert sorted(stored) == ["V1", "V2"]
    assert stored["V1"]["unit_id"] == ledger.unit_a.pk
    assert stored["V1"]["recipient_id"] == ledger.recipients["P:r1"]


def test_optional_columns_may_be_left_out(ledger) -> None:
    needed = ["visit_id", "provider_org_number", "recipient_id", "staff_id", "planned_start", "planned_end",
              "registered_start", "registered_end", "intervention_codes"]
    delivery = load(ledger.world, visits_csv(two_visits(), header=needed))
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    stored = by_id()["V1"]
    assert (stored["status"], stored["double_staffing"], stored["unit_id"], stored["registration_method"]) == (
        "performed", False, None, None)


def test_the_provider_column_may_be_left_out_when_the_delivery_names_the_provider(ledger) -> None:
    header = [name for name in HEADER if name != "provider_org_number"]
    content = visits_csv(two_visits(), header=header)
    without = load(ledger.world, content, "utan-provider.csv")
    assert without.status == Delivery.Status.PENDING
    assert errors(without) == [(2, "provider_org_number", ""), (3, "provider_org_number", "")]

    for_a = load(ledger.world, content, "for-a.csv", provider=ledger.provider_a)  # another deliverer
    assert for_a.status == Delivery.Status.LOADED, errors(for_a)
    assert for_a.organisation == ledger.provider_a.organisation
    assert {row["provider_id"] for row in by_id().values()} == {ledger.provider_a.pk}


@pytest.mark.parametrize("missing", ["visit_id", "planned_start"])
def test_a_missing_required_column_fails_the_file_with_one_message(ledger, missing: str) -> None:
    header = [name for name in HEADER if name != missing]
    delivery = load(ledger.world, visits_csv(two_visits(), header=header), "saknar.csv")
    assert_failed(delivery, missing, "saknar.csv")
    assert delivery.rows_read == 0


def test_an_empty_file_fails(ledger) -> None:
    for content in (b"", b"\xef\xbb\xbf", b"\r\n\r\n  \r\n"):
        delivery = load(ledger.world, content, "tom.csv")
        assert_failed(delivery, "empty")


def test_a_header_only_file_loads_nothing(ledger) -> None:
    delivery = load(ledger.world, visits_csv([]), "bara-rubriker.csv")
    assert delivery.status == Delivery.Status.LOADED
    assert (delivery.rows_read, delivery.rows_accepted, delivery.rows_rejected) == (0, 0, 0)
    assert LedgerMonth.objects.count() == 0
    assert delivery.issues.count() == 0
    assert "bara-rubriker.csv" in delivery.message  # and it says so


def test_duplicate_visit_ids_in_one_file_reject_the_later_row_naming_the_first(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1"),
        visit("V2", "2024-05-07 08:00", "2024-05-07 08:30"),
        visit("V1", "2024-05-08 08:00", "2024-05-08 08:30"),
        visit("V1", "2024-05-09 08:00", "2024-05-09 08:30"),
        visit("V1", "2024-05-09 08:00", "2024-05-09 08:30", provider_org_number="556074-7569", staff_id="B1"),  # B's own V1
    ])
    assert errors(delivery) == [(4, "visit_id", "V1"), (5, "visit_id", "V1")]
    reasons = [i.reason for i in delivery.issues.filter(severity="error")]
    assert all("row 2" in reason for reason in reasons), reasons
    delivery_rows = delivery.rows_read, delivery.rows_rejected
    assert delivery_rows == (5, 2)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def test_a_png_renamed_csv_fails(ledger) -> None:
    delivery = load(ledger.world, _png(), "besok.csv")
    assert_failed(delivery, "not a CSV or Excel file", "image")


def test_a_zip_bomb_renamed_xlsx_fails_without_unpacking(ledger) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 1024 * 1024
    started = datetime.datetime.now()
    delivery = load(ledger.world, content, "besok.xlsx")
    assert_failed(delivery, "unpacks")
    assert datetime.datetime.now() - started < datetime.timedelta(seconds=10)


def test_a_text_file_that_is_no_csv_fails(ledger) -> None:
    delivery = load(ledger.world, "Hej!\nHär kommer besöken för maj.\n".encode(), "besok.csv")
    assert_failed(delivery, "lacks the required columns")


def test_an_xlsx_visit_file(ledger) -> None:
    header = [SWEDISH[name] for name in HEADER]
    rows = [
        [visit("V1", unit_code=UNIT_A)[name] for name in HEADER],
        # Excel keeps times as datetimes and the double-staffing flag as a number.
        ["V2", "556036-0793", UNIT_A, "P:r2", "S2", datetime.datetime(2024, 5, 7, 8, 0), datetime.datetime(2024, 5, 7, 8, 30),
         datetime.datetime(2024, 5, 7, 8, 2), datetime.datetime(2024, 5, 7, 8, 31), "MORG|DUSCH", 1, "utförd", "app"],
        [visit("V3", status="okänd")[name] for name in HEADER],
    ]
    delivery = load(ledger.world, xlsx_bytes(header, rows), "besok.xlsx")

    assert delivery.status == Delivery.Status.PENDING
    assert errors(delivery) == [(4, "status", "okänd")]  # Excel's row number
    assert delivery.rows_read == 3
    delivery_accept(actor=ledger.world.controller, delivery=delivery)
    stored = by_id()
    assert sorted(stored) == ["V1", "V2"]
    v2 = stored["V2"]
    assert (v2["registered_start"], v2["registered_end"]) == (datetime.datetime(2024, 5, 7, 6, 2), datetime.datetime(2024, 5, 7, 6, 31))
    assert (v2["double_staffing"], v2["intervention_codes"], v2["unit_id"]) == (True, ["MORG", "DUSCH"], ledger.unit_a.pk)


def test_an_xlsx_row_with_cells_beyond_the_header_is_reported(ledger) -> None:
    rows = [[visit("V1")[name] for name in HEADER],
            [visit("V2", "2024-05-07 08:00", "2024-05-07 08:30")[name] for name in HEADER] + ["", "extra"],
            [visit("V3", "2024-05-08 08:00", "2024-05-08 08:30")[name] for name in HEADER] + [None, None]]
    delivery = load(ledger.world, xlsx_bytes(HEADER, rows), "besok.xlsx")
    assert [(i.row, i.column, i.value) for i in delivery.issues.all()] == [(3, "", "|extra")]
    assert "more fields" in delivery.issues.get().reason
    assert (delivery.rows_read, delivery.rows_rejected) == (3, 1)


def test_rows_with_too_many_or_too_few_fields_are_reported_with_their_row_number(ledger) -> None:
    good = visits_csv([visit("V1")]).decode("utf-8-sig").splitlines()
    line = lambda row: ";".join(row[name] for name in HEADER)  # noqa: E731
    lines = [
        good[0],
        line(visit("V1")),                                                   # row 2
        line(visit("V2", "2024-05-07 08:00", "2024-05-07 08:30")) + ";extra;more",  # row 3: too many
        "V3;556036-0793;;P:r1",                                               # row 4: too few
        line(visit("V4", "2024-05-08 08:00", "2024-05-08 08:30", status="fel")),   # row 5: a bad value
        line(visit("V5", "2024-05-09 08:00", "2024-05-09 08:30")),           # row 6
        line(visit("V6", "2024-05-10 08:00", "2024-05-10 08:30")) + ";",       # row 7: one empty extra cell
    ]
    delivery = load(ledger.world, ("\r\n".join(lines) + "\r\n").encode())

    issues = [(i.row, i.column, i.severity) for i in delivery.issues.all()]
    assert (3, "", "error") in issues and (4, "", "error") in issues and (5, "status", "error") in issues
    assert {row for row, _c, _s in issues} <= {3, 4, 5, 7}
    reasons = {i.row: i.reason for i in delivery.issues.all()}
    assert "more fields" in reasons[3] and "fewer fields" in reasons[4]
    assert "V3;556036-0793" in delivery.issues.get(row=4).value
    assert delivery.rows_read == 6
    assert delivery.status == Delivery.Status.PENDING
    delivery_accept(actor=ledger.world.controller, delivery=delivery)
    assert set(by_id()) >= {"V1", "V5"}
    assert {"V2", "V3", "V4"}.isdisjoint(by_id())


def test_rows_of_only_delimiters_are_blank_and_skipped(ledger) -> None:
    lines = visits_csv([visit("V1"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30", status="fel")]).split(b"\r\n")
    content = b"\r\n".join([lines[0], lines[1], b";;;;;;;;;;;;", lines[2], b";;;;;;;;;;;;", b";;;;;;;;;;;;"]) + b"\r\n"
    delivery = load(ledger.world, content)
    assert errors(delivery) == [(4, "status", "fel")]
    assert delivery.rows_read == 2


def test_empty_lines_do_not_shift_row_numbers(ledger) -> None:
    lines = visits_csv([visit("V1"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30", status="fel")]).split(b"\r\n")
    content = b"\r\n".join([lines[0], lines[1], b"", lines[2]]) + b"\r\n\r\n"
    delivery = load(ledger.world, content)
    assert delivery.rows_read == 2
    assert errors(delivery) == [(4, "status", "fel")]


def test_empty_lines_and_a_malformed_line_together_keep_the_numbering(ledger) -> None:
    """Line 3 empty, line 4 malformed, line 6 empty (LF only): V3 on line 7 is reported as row 7."""
    lines = visits_csv([visit("V1"), visit("V2"), visit("V3", "2024-05-07 08:00", "2024-05-07 08:30", status="fel")]
                       ).split(b"\r\n")
    content = b"\n".join([lines[0], lines[1], b"", b"trasig;rad", lines[2], b"", lines[3]]) + b"\n"
    delivery = load(ledger.world, content)
    issues = sorted((i.row, i.column) for i in delivery.issues.filter(severity="error"))
    assert issues == [(4, ""), (7, "status")]


def test_a_damaged_utf8_file_reports_the_bad_row(ledger) -> None:
    content = visits_csv([visit("V1", unit_code=UNIT_A), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30")], encoding="utf-8")
    content = content.replace(b"V2;", b"V\xe52;")  # a cp1252 'å' inside a UTF-8 file
    delivery = load(ledger.world, content)
    assert delivery.status == Delivery.Status.PENDING
    assert [(i.row, i.column) for i in delivery.issues.filter(severity="error")] == [(3, "")]
    assert "encoding" in delivery.issues.get().reason
    assert delivery.rows_read == 2


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 4096])
def test_empty_lines_are_found_across_chunk_borders(tmp_path, monkeypatch, chunk) -> None:
    from tillit.ledger import reading

    monkeypatch.setattr(reading, "_CHUNK", chunk)
    path = tmp_path / "f.csv"
    path.write_bytes(b"h\r\na\r\n\r\nb\n\nc\r\n\r\n\r\nd\n")
    # lines: 1 h, 2 a, 3 empty, 4 b, 5 empty, 6 c, 7 empty, 8 empty, 9 d
    assert reading._empty_lines(path, header_row=1) == [3, 5, 7, 8]
    assert reading._empty_lines(path, header_row=5) == [7, 8]


@pytest.mark.parametrize(("content", "proved"), [
    (b"h;i\na;1\nb;2\n", True),
    (b"h;i\na;1\nb;2", True),  # no newline after the last line
    (b"h;i\na;1\n\nb;2\n", False),  # an empty line
    (b"h;i\na;1\nb;2\n\n", False),  # an empty last line
    (b'h;i\n"a\nstill a";1\nb;2\n', False),  # a record over two lines: counted lines and records differ
])
def test_counting_lines_proves_there_are_no_empty_ones_only_when_it_can(tmp_path, content, proved) -> None:
    """The quick proof (newlines against records) must never hide an empty line; when it
    cannot prove, the lines are looked for one by one."""
    import duckdb

    from tillit.ledger import reading

    path = tmp_path / "f.csv"
    path.write_bytes(content)
    connection = duckdb.connect()
    connection.execute(  # read as read_raw_visits reads
        "CREATE TABLE raw_visits AS SELECT * FROM read_csv(?, delim = ';', header = true, quote = '\"', "
        "escape = '\"', auto_detect = false, columns = {'h': 'VARCHAR', 'i': 'VARCHAR'})", [str(path)])
    assert reading._every_line_a_record(path, 1, connection, []) is proved
    assert reading._every_line_a_record(path, 1, connection, [(2, "", "")]) is False
