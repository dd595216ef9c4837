"""Reading delivery files: CSV in the encodings and delimiters Swedish Excel produces, xlsx,
and the files that must be refused with one clear sentence."""

from __future__ import annotations

import collections
import datetime
import io
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tillit.common import tabular
from tillit.common.tabular import EXTRA_KEY, Column, StructuralError, Table, open_table
from tillit.common.values import parse_date, parse_decimal

PROVIDERS = [
    Column("org_number", "organisationsnummer"),
    Column("name", "namn"),
    Column("regi", "regi"),
    Column("ivo_permit", "IVO-tillstånd", required=False),
]
DECISIONS = [
    Column("decision_id", "beslutsnummer"),
    Column("provider_org_number", "utförare orgnr"),
    Column("start_date", "startdatum"),
    Column("frequency", "frekvens"),
    Column("minutes", "minuter", required=False),
]


def read(data: bytes | Path, columns: list[Column] = PROVIDERS, name: str = "utforare.csv", **kw: str) -> Table:
    return open_table(data, file_name=name, columns=columns, **kw)


def rows(table: Table) -> list[tuple[int, dict[str, str]]]:
    return list(table.rows())


def refused(data: bytes | Path, columns: list[Column] = PROVIDERS, name: str = "utforare.csv") -> StructuralError:
    with pytest.raises(StructuralError) as caught:
        read(data, columns, name)
    assert name in caught.value.message
    return caught.value


# --- encodings ---------------------------------------------------------------------------


def test_plain_utf8() -> None:
    table = read(b"org_number;name;regi\n5560000001;Omsorg AB;privat\n")
    assert (table.format, table.encoding, table.delimiter) == ("csv", "utf-8", ";")
    assert table.columns == ["org_number", "name", "regi"]
    assert table.unknown_columns == []
    assert rows(table) == [(2, {"org_number": "5560000001", "name": "Omsorg AB", "regi": "privat", "ivo_permit": ""})]


def test_utf8_with_bom_and_crlf() -> None:
    data = "\ufefforganisationsnummer,namn,regi\r\n5560000001,Åkerö Vård,idéburen\r\n".encode()
    table = read(data)
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert table.columns == ["org_number", "name", "regi"]
    assert rows(table)[0][1]["name"] == "Åkerö Vård"


def test_windows_1252_with_swedish_letters() -> None:
    data = "Organisationsnummer;Namn;Regi;IVO-tillstånd\r\n5560000001;Åsa äldreomsorg öst;kommunal;IVO 1\r\n"
    table = read(data.encode("cp1252"))
    assert table.encoding == "cp1252"
    assert table.columns == ["org_number", "name", "regi", "ivo_permit"]
    assert rows(table)[0][1] == {
        "org_number": "5560000001", "name": "Åsa äldreomsorg öst", "regi": "kommunal", "ivo_permit": "IVO 1"
    }


def test_windows_1252_after_a_long_ascii_start_is_still_recognised() -> None:
    ascii_rows = "".join(f"{n};Provider {n};privat\n" for n in range(60_000))  # well past one scan chunk
    data = ("org_number;name;regi\n" + ascii_rows + "1;Vård Öst;privat\n").encode("cp1252")
    assert len(data) > 2 * tabular._SCAN_CHUNK
    table = read(data)
    assert table.encoding == "cp1252"
    assert collections.deque(table.rows(), maxlen=1)[0] == (60_002, {
        "org_number": "1", "name": "Vård Öst", "regi": "privat", "ivo_permit": ""
    })


def test_a_character_cut_by_the_scan_chunk_is_still_utf8() -> None:
    prefix = b"org_number;name;regi\n" + b"1;a;privat\n" * (tabular._SCAN_CHUNK // 11 - 10)
    padding = b"a" * (tabular._SCAN_CHUNK - 1 - len(prefix) - 2)  # so 'å' starts at the chunk's last byte
    data = prefix + b"2;" + padding + "å;privat\n".encode()
    assert data[tabular._SCAN_CHUNK - 1 : tabular._SCAN_CHUNK + 1] == "å".encode()
    table = read(data)
    assert table.encoding == "utf-8"
    assert rows(table)[-1][1]["name"].endswith("aå")


@pytest.mark.parametrize("ascii_rows", [0, 30_000])  # the bad row in the first scan chunk, or far beyond
def test_a_file_that_stops_being_utf8_names_the_row(ascii_rows: int) -> None:
    data = (
        "org_number;name;regi\n1;Åsa;privat\n".encode()
        + b"2;Bo;privat\n" * ascii_rows
        + "3;Öst;privat\n".encode("cp1252")
    )
    table = read(data)
    assert table.encoding == "utf-8"
    with pytest.raises(StructuralError) as caught:
        rows(table)
    assert caught.value.code == "file.encoding"
    assert f"Row {ascii_rows + 3} " in caught.value.message and "utforare.csv" in caught.value.message
    assert caught.value.context["row"] == ascii_rows + 3


def test_undefined_windows_1252_bytes_name_the_row() -> None:
    data = "org_number;name;regi\n1;Åsa;privat\n".encode("cp1252") + b"2;\x81;privat\n"
    table = read(data)
    assert table.encoding == "cp1252"
    with pytest.raises(StructuralError, match="Row 3 .*Windows-1252") as caught:
        rows(table)
    assert caught.value.code == "file.encoding"


# --- delimiters, quoting, rows -----------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiters(delimiter: str) -> None:
    data = delimiter.join(["org_number", "name", "regi"]) + "\n" + delimiter.join(["1", "A", "privat"]) + "\n"
    table = read(data.encode())
    assert table.delimiter == delimiter
    assert rows(table) == [(2, {"org_number": "1", "name": "A", "regi": "privat", "ivo_permit": ""})]


def test_the_delimiter_that_finds_known_headers_wins_over_the_one_with_more_fields() -> None:
    # Split by ',' this header has more fields, but only ';' finds the columns.
    table = read(b"org_number;name,with,commas;regi;name\n1;x;privat;A\n")
    assert table.delimiter == ";"
    assert table.columns == ["org_number", "regi", "name"]


def test_quoted_fields_with_delimiters_quotes_and_newlines() -> None:
    data = 'org_number,name,regi\r\n1,"Vård, omsorg ""Syd""\r\nandra raden",privat\r\n2,B,kommunal\r\n'
    table = read(data.encode())
    assert rows(table) == [
        (2, {"org_number": "1", "name": 'Vård, omsorg "Syd"\r\nandra raden', "regi": "privat", "ivo_permit": ""}),
        (3, {"org_number": "2", "name": "B", "regi": "kommunal", "ivo_permit": ""}),
    ]


def test_decimal_comma_survives_both_delimiters() -> None:
    header = "decision_id;utförare orgnr;startdatum;frekvens;minuter\n"
    semicolon = read((header + "D1;1;2024-01-01;2;12,5\n").encode(), DECISIONS)
    comma = read((header.replace(";", ",") + 'D1,1,2024-01-01,2,"12,5"\n').encode(), DECISIONS)
    for table in (semicolon, comma):
        (_, values), = rows(table)
        assert values["minutes"] == "12,5"
        assert parse_decimal(values["minutes"]) == Decimal("12.5")


def test_row_numbers_count_blank_and_delimiter_only_lines() -> None:
    data = b"\r\n;;\r\norg_number;name;regi\r\nA1;A;privat\r\n\r\n;;;\r\n  ; ;\r\nA2;B;privat\r\nA3;C;privat"
    assert [(number, values["org_number"]) for number, values in rows(read(data))] == [(4, "A1"), (8, "A2"), (9, "A3")]


def test_extra_and_missing_cells() -> None:
    data = b"org_number;name;regi;comment\n1;A;privat;c;extra 1; extra 2 \n2;B\n3;C;privat;c;;\n"
    first, second, third = (values for _, values in rows(read(data)))
    assert first[EXTRA_KEY] == "extra 1|extra 2"
    assert second == {"org_number": "2", "name": "B", "regi": "", "ivo_permit": ""}
    assert EXTRA_KEY not in third  # trailing empty cells are not extra data


def test_values_are_stripped_and_rows_can_be_read_twice() -> None:
    table = read(b"org_number;name;regi\n 1 ;\xc2\xa0A\xc2\xa0;  privat\n")
    assert rows(table) == rows(table) == [(2, {"org_number": "1", "name": "A", "regi": "privat", "ivo_permit": ""})]


def test_a_path_is_read_like_bytes(tmp_path: Path) -> None:
    path = tmp_path / "utforare.csv"
    path.write_bytes(b"org_number;name;regi\n1;A;privat\n")
    assert rows(read(path)) == rows(read(path.read_bytes()))


# --- headers -----------------------------------------------------------------------------


def test_swedish_headers_in_any_order_case_and_spacing() -> None:
    data = "  REGI ;ivo tillstand; Namn  ;ORGANISATIONSNUMMER\nprivat;IVO 9;A;1\n".encode()
    table = read(data)
    assert table.columns == ["regi", "ivo_permit", "name", "org_number"]
    assert rows(table)[0][1] == {"regi": "privat", "ivo_permit": "IVO 9", "name": "A", "org_number": "1"}


@pytest.mark.parametrize(
    "header",
    # The last one writes "ö" as "o" plus a combining diaeresis, as macOS does.
    ["utförare orgnr", "Utförare_Orgnr", "UTFORARE ORGNR", "utfoerare-orgnr", "provider org number", "utfo\u0308rare orgnr"],
)
def test_header_spellings(header: str) -> None:
    data = f"beslutsnummer;{header};startdatum;frekvens\nD1;1;2024-01-01;2\n".encode()
    assert read(data, DECISIONS).columns == ["decision_id", "provider_org_number", "start_date", "frequency"]


def test_unknown_columns_are_reported_once() -> None:
    table = read(b"org_number;Kommentar;name;regi;;Kommentar;Extra\n1;k;A;privat;;k;e\n")
    assert table.unknown_columns == ["Kommentar", "Extra"]
    assert set(rows(table)[0][1]) == {"org_number", "name", "regi", "ivo_permit"}


def test_missing_required_columns_are_named_in_both_languages() -> None:
    problem = refused("namn;IVO-tillstånd;Kommentar\nA;1;x\n".encode())
    assert problem.code == "file.missing_columns"
    assert "org_number (organisationsnummer)" in problem.message
    assert "regi (regi)" in problem.message
    assert '"namn", "IVO-tillstånd", "Kommentar"' in problem.message
    assert "name (namn)" not in problem.message and "ivo_permit" not in problem.message
    assert problem.context["missing"] == ["org_number", "regi"]


def test_a_data_row_taken_for_a_header_does_not_leak_a_personal_id() -> None:
    problem = refused(b"19121212-1212;Tolvan;privat\n")
    assert "19121212" not in problem.message and "########-1212" in problem.message


def test_duplicate_header() -> None:
    problem = refused(b"org_number;organisationsnummer;name;regi\n1;1;A;privat\n")
    assert problem.code == "file.duplicate_columns"
    assert "org_number" in problem.message and "organisationsnummer" in problem.message


def test_columns_that_share_a_spelling_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        read(b"a\n1\n", [Column("name", "namn"), Column("title", "Name")])


# --- empty and header-only files ---------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\n\t \n", b"\xef\xbb\xbf", b";;;\r\n;;\r\n"])
def test_empty_files(data: bytes) -> None:
    assert refused(data).code == "file.empty"


def test_a_header_without_rows_is_not_an_error() -> None:
    table = read(b"org_number;name;regi\r\n\r\n")
    assert table.columns == ["org_number", "name", "regi"]
    assert rows(table) == []


# --- files that are not tables -----------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (PNG, "image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"org_number\x00;name\n", "binary"),
        ("org_number;name".encode("utf-16"), "binary"),
        (b"<!DOCTYPE html><html><table><tr><td>org_number</td></tr></table></html>", "web page"),
    ],
)
def test_files_that_are_not_tables(data: bytes, looks_like: str) -> None:
    problem = refused(data)
    assert problem.code == "file.not_tabular"
    assert looks_like in problem.message
    assert "CSV (UTF-8)" in problem.message and ".xlsx" in problem.message


def test_a_png_renamed_csv_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "besok.csv"
    path.write_bytes(PNG + bytes(range(256)) * 10)
    assert refused(path, name="besok.csv").code == "file.not_tabular"


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(buffer.getvalue(), name="besok.xlsx").code == "file.not_tabular"


def test_a_zip_bomb_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "besok.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (16 * 1024 * 1024))
    assert path.stat().st_size < 100_000  # small on disk, 16 MiB unpacked
    problem = refused(path, name="besok.xlsx")
    assert problem.code == "file.too_large"
    assert "200 times" in problem.message


def test_a_workbook_that_unpacks_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    data = workbook_bytes([["org_number", "name", "regi"], [1, "A", "privat"]])
    assert read(data, name="stor.xlsx").columns == ["org_number", "name", "regi"]
    monkeypatch.setattr(tabular, "_MAX_UNPACKED", 1000)
    problem = refused(data, name="stor.xlsx")
    assert problem.code == "file.too_large" and "MiB" in problem.message


def test_a_damaged_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "not xml at all")
        archive.writestr("xl/workbook.xml", "<workbook")
    problem = refused(buffer.getvalue(), name="trasig.xlsx")
    assert problem.code == "file.structure" and "damaged" in problem.message


def test_a_stray_quote_is_a_structural_error_naming_the_row() -> None:
    data = b'org_number;name;regi\n1;A;privat\n2;"B;privat\n' + b"3;C;privat\n" * 20_000
    with pytest.raises(StructuralError) as caught:
        rows(read(data))
    assert caught.value.code == "file.structure" and "Row 3 " in caught.value.message


def test_old_mac_line_ends_are_a_structural_error_not_a_crash() -> None:
    assert refused(b"org_number;name;regi\r1;A;privat\r").code == "file.structure"


def test_an_endless_line_is_refused() -> None:
    data = b"org_number;name;regi\n" + b"x" * (2 * tabular._MAX_LINE_BYTES)
    with pytest.raises(StructuralError) as caught:
        rows(read(data))
    assert caught.value.code == "file.structure" and "Row 2 " in caught.value.message


# --- Excel -------------------------------------------------------------------------------


def workbook_bytes(*sheets: list[list[object]], titles: tuple[str, ...] = ("Blad1", "Blad2")) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, sheet_rows in zip(titles, sheets):
        worksheet = workbook.create_sheet(title)
        for row in sheet_rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DECISION_SHEET: list[list[object]] = [
    ["Beslutsnummer", "Utförare orgnr", "Startdatum", "Frekvens", "Minuter", "Anteckning"],
    ["D1", 5560000001, datetime.date(2024, 2, 29), 2, 12.5, "första"],
    [None, None, None, None, None, None],
    ["D2", "5560000002", datetime.datetime(2024, 3, 1, 0, 0), 0.1 + 0.2, 30, None],
    ["D3", 5560000003, "2024-03-02", 1, None, True],
]


def test_a_real_workbook(tmp_path: Path) -> None:
    path = tmp_path / "beslut.xlsx"
    path.write_bytes(workbook_bytes(DECISION_SHEET, [["annat"]]))
    table = read(path, DECISIONS, name="beslut.xlsx")
    assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert table.columns == ["decision_id", "provider_org_number", "start_date", "frequency", "minutes"]
    assert table.unknown_columns == ["Anteckning"]
    found = rows(table)
    assert [number for number, _ in found] == [2, 4, 5]
    assert found[0][1] == {
        "decision_id": "D1", "provider_org_number": "5560000001", "start_date": "2024-02-29 00:00:00",
        "frequency": "2", "minutes": "12.5",
    }
    assert found[1][1]["frequency"] == "0.3" and found[1][1]["minutes"] == "30"
    assert found[2][1]["minutes"] == ""
    assert [parse_date(values["start_date"]) for _, values in found] == [
        datetime.date(2024, 2, 29), datetime.date(2024, 3, 1), datetime.date(2024, 3, 2)
    ]


def test_a_named_sheet_and_a_missing_one() -> None:
    data = workbook_bytes([["något annat"]], DECISION_SHEET, titles=("Info", "Beslut"))
    assert read(data, DECISIONS, name="beslut.xlsx", sheet="beslut").columns[0] == "decision_id"
    with pytest.raises(StructuralError) as caught:
        read(data, DECISIONS, name="beslut.xlsx", sheet="Besök")
    assert caught.value.code == "file.sheet_not_found"
    assert '"Info", "Beslut"' in caught.value.message


def test_a_workbook_is_closed_after_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[bool] = []
    load = openpyxl.load_workbook

    def tracking_load(*args: object, **kwargs: object) -> object:
        workbook = load(*args, **kwargs)
        assert kwargs == {"read_only": True, "data_only": True}
        original_close = workbook.close
        workbook.close = lambda: (closed.append(True), original_close())  # type: ignore[method-assign]
        return workbook

    monkeypatch.setattr(openpyxl, "load_workbook", tracking_load)
    table = read(workbook_bytes(DECISION_SHEET), DECISIONS, name="beslut.xlsx")
    assert closed == [True]  # after the header look-up
    rows(table)
    assert closed == [True, True]
    stream = table.rows()
    next(stream)
    assert closed == [True, True]  # still reading
    stream.close()  # a caller that stops early
    assert closed == [True, True, True]


# --- streaming ---------------------------------------------------------------------------


def test_a_million_rows_stream_in_bounded_memory(tmp_path: Path) -> None:
    """Tracing every allocation of a million rows would take a minute, so memory is traced
    over the opening plus the first 50 000 rows and again over the last 50 000: loading
    the file shows in the first window, keeping rows as they go by shows in the last."""
    path = tmp_path / "besok.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("besöks-id;minuter;planerad start\r\n")
        out.writelines(f"V{n};{n % 90},5;2024-01-01 08:00\r\n" for n in range(1_000_000))
    columns = [Column("visit_id", "besöks-id"), Column("minutes", "minuter"), Column("planned_start", "planerad start")]
    limit = 4 * 1024 * 1024

    tracemalloc.start()
    try:
        table = open_table(path, file_name="besok.csv", columns=columns)
        stream = table.rows()
        for _ in range(50_000):
            next(stream)
        first_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        for _ in range(900_000):
            next(stream)
        tracemalloc.start()
        last = collections.deque(stream, maxlen=1)[0]
        last_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert last == (1_000_001, {"visit_id": "V999999", "minutes": "9,5", "planned_start": "2024-01-01 08:00"})
    assert first_peak < limit and last_peak < limit, (first_peak, last_peak)
