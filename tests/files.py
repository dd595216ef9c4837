"""Building delivery files in tests: CSV and xlsx bytes, and Skatteverket's test numbers.

Only Skatteverket's test personnummer (and the personnummer/meta cases) may appear in tests;
they are read from ../shared/data/personnummer/, and a test that needs them skips with a
reason when that folder is absent.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl

from tests.conftest import shared_file

# The organisation numbers of the `world` fixture's providers.
ORG_A = "556036-0793"
ORG_B = "556074-7569"


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]] = (),
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    line_end: str = "\r\n",
) -> bytes:
    """A CSV file as Swedish Excel saves it by default: semicolons, BOM, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]] = (), *, title: str = "Blad1") -> bytes:
    """An Excel workbook with one sheet; cells keep their Python types (dates, numbers)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Skatteverket's test personnummer -------------------------------------------------------


@functools.cache
def _old_numbers_cached() -> tuple[str, ...]:
    path = shared_file("personnummer", "skatteverket_testpersonnummer_born_1890-1959.csv")
    with path.open(newline="", encoding="ascii") as handle:
        numbers = tuple(row["Testpersonnummer"].strip() for row in csv.DictReader(handle))
    return tuple(n for n in numbers if n)


def old_numbers() -> tuple[str, ...]:
    """Skatteverket's test numbers born 1890–1959 (12 digits); skips the test when absent."""
    shared_file("personnummer", "skatteverket_testpersonnummer_born_1890-1959.csv")
    return _old_numbers_cached()


def numbers_born(prefix: str, count: int = 1) -> list[str]:
    """The first `count` test numbers whose 12 digits start with `prefix` (e.g. "1945")."""
    found = [n for n in old_numbers() if n.startswith(prefix)][:count]
    assert len(found) == count, f"the test data has fewer than {count} numbers starting {prefix}"
    return found


def meta_cases() -> list[dict[str, Any]]:
    """The personnummer/meta validator cases (valid and invalid, ssn and con)."""
    path = shared_file("personnummer", "personnummer-meta_testcases_list.json")
    return json.loads(path.read_text(encoding="utf-8"))


def birth_date_of(number: str) -> datetime.date:
    """The birth date a 12-digit number stands for (samordningsnummer: day − 60)."""
    day = int(number[6:8])
    return datetime.date(int(number[:4]), int(number[4:6]), day - 60 if day > 60 else day)


def separated(number: str) -> str:
    """YYYYMMDD-NNNN."""
    return f"{number[:8]}-{number[8:]}"


def short(number: str, separator: str = "-") -> str:
    """YYMMDD-NNNN (or + for someone 100 or older)."""
    return f"{number[2:8]}{separator}{number[8:]}"


def wrong_check_digit(number: str) -> str:
    """The same number with its Luhn digit off by one: invalid, never a real person's."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)
