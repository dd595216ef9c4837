"""From a delivered visit file to a DuckDB table of the cells as delivered, one row per record.

The common reader checks the file (format, encoding, delimiter, header) exactly as for every
other delivery; DuckDB then reads the records in bulk. Windows-1252 files are transcoded to
UTF-8 first and Excel files written out as CSV, so DuckDB always reads one kind of file.
Records DuckDB cannot split into the header's columns are kept as row issues, never dropped.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from django.utils.translation import gettext as _

from tillit.common.duck import one
from tillit.common.tabular import EXTRA_KEY, Table, open_table
from tillit.ledger.columns import NAMES, VISIT_COLUMNS

_CHUNK = 4 * 1024 * 1024


@dataclass
class RawVisits:
    """What reading found; the records themselves are in DuckDB (see read_raw_visits)."""

    table: Table
    malformed: list[tuple[int, str, str]]  # (row, reason, line as delivered)


def _transcode(source: Path, encoding: str, target: Path) -> None:
    """Re-encode a Windows-1252 file as UTF-8, streaming (an Excel-in-Sweden export)."""
    with source.open("r", encoding=encoding, newline="") as reader, target.open("w", encoding="utf-8", newline="") as writer:
        while chunk := reader.read(_CHUNK):
            writer.write(chunk)


def _xlsx_to_csv(table: Table, target: Path) -> list[tuple[int, str, str]]:
    """Write an Excel sheet's rows as a CSV with our column names and the sheet's row numbers.

    Returns the rows with cells beyond the header, which are reported, not loaded (as in CSV).
    """
    malformed = []
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["__row", *NAMES])
        for row, values in table.rows():
            extra = values.pop(EXTRA_KEY, "")
            if extra:
                malformed.append((row, _malformed_reason("TOO MANY COLUMNS"), extra[:255]))
                continue
            writer.writerow([row, *(values.get(name, "") for name in NAMES)])
    return malformed


def _temporary_csv(workdir: Path) -> Path:
    handle, name = tempfile.mkstemp(suffix=".csv", dir=workdir)
    os.close(handle)
    return Path(name)


def read_raw_visits(connection: duckdb.DuckDBPyConnection, source: Path, file_name: str, workdir: Path) -> RawVisits:
    """Read the delivered file into DuckDB as two relations:

    `raw_visits`  a table of the cells exactly as delivered (NULL when empty), one row per
                  record, blank records included: what validation builds its dictionaries of
                  distinct texts from (trimming and reading happen there, once per text);
    `raw_rows`    a view of it with each record's row number in the file, blank records left
                  out: the rows that are checked and loaded;
    `raw_rows_at(rows)`  a table macro: the records with these row numbers, fetched directly
                  (reports need the delivered text of a few rows; scanning all would cost).

    Raises StructuralError (from the common reader) when the file is not a visit file at all.
    """
    table = open_table(source, file_name=file_name, columns=VISIT_COLUMNS)
    workdir.mkdir(parents=True, exist_ok=True)
    excel_malformed: list[tuple[int, str, str]] = []
    # A converted copy holds the delivered identity numbers in clear: it lives only while
    # DuckDB reads it, never beside the ledger's files.
    temporary: Path | None = None
    try:
        if table.format == "xlsx":
            temporary = path = _temporary_csv(workdir)
            excel_malformed = _xlsx_to_csv(table, path)
            columns = ["__row", *NAMES]
            positions = {name: index + 1 for index, name in enumerate(NAMES)}
            delimiter, header_row, numbered = ";", 1, True
        else:
            path = source
            if table.encoding == "cp1252":
                temporary = path = _temporary_csv(workdir)
                _transcode(source, "cp1252", path)
            columns = [f"c{index}" for index in range(table.width)]
            positions = table.positions
            delimiter, header_row, numbered = table.delimiter or ";", table.header_row, False

        connection.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        picks = ", ".join(
            f"{columns[positions[name]]} AS {name}" if name in positions else f"NULL::VARCHAR AS {name}"
            for name in NAMES
        )
        spec = "{" + ", ".join(f"'{column}': 'VARCHAR'" for column in columns) + "}"
        # A bare scan, so that DuckDB reads with both threads (a row_number() here would halve
        # its speed): the table keeps the file's order, so a record's rowid is its place.
        connection.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE raw_visits AS
            SELECT {'__row::INTEGER AS given_row, ' if numbered else ''}{picks}
            FROM read_csv(?, delim = ?, header = true, skip = ?, quote = '"', escape = '"',
                          auto_detect = false, columns = {spec}, store_rejects = true)
            """,
            [str(path), delimiter, header_row - 1],
        )
        # DuckDB records one reject per missing or extra field; a line is one malformed record.
        malformed = [
            (int(line), _malformed_reason(error_type), (csv_line or "").strip()[:255])
            for line, error_type, csv_line in connection.execute(
                "SELECT line, min(error_type), min(csv_line) FROM reject_errors GROUP BY line ORDER BY line"
            ).fetchall()
        ]
        # DuckDB skips empty lines without counting them: the rows after one are numbered past it
        skipped = ([] if numbered or _every_line_a_record(path, header_row, connection, malformed)
                   else _empty_lines(path, header_row))
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    _number_rows(connection, header_row, sorted([line for line, _reason, _text in malformed] + skipped), numbered)
    malformed += excel_malformed
    return RawVisits(table=table, malformed=malformed)


def _every_line_a_record(path: Path, header_row: int, connection: duckdb.DuckDBPyConnection,
                         malformed: list[tuple[int, str, str]]) -> bool:
    """Whether each line after the header became a record of `raw_visits`: then none was empty
    (nor did a record span lines). Counting newlines costs a third of looking for empty lines."""
    if malformed:
        return False
    records = one(connection, "SELECT count(*) FROM raw_visits")[0]
    return _line_count(path) - header_row == records


def _empty_lines(path: Path, header_row: int) -> list[int]:
    """The numbers of the empty lines after the header (DuckDB skips them without a trace),
    looked for as bytes, in chunks."""
    found: list[int] = []
    newlines, carry = 0, b""  # newlines before `data`; the last bytes of the chunk before
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            data = carry + chunk
            for pattern in (b"\n\n", b"\n\r\n"):
                at = data.find(pattern)
                while at != -1:
                    if at + len(pattern) > len(carry):  # not already found within the carried bytes
                        line = newlines + data.count(b"\n", 0, at) + 2  # the line after the first \n
                        if line > header_row:
                            found.append(line)
                    at = data.find(pattern, at + 1)
            carry = data[-2:]
            newlines += data.count(b"\n", 0, len(data) - len(carry))
    return sorted(set(found))


def _line_count(path: Path) -> int:
    """Lines in the file: its newlines, and one more for a last line without one."""
    lines, last = 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last not in (b"", b"\n"))


def _number_rows(connection: duckdb.DuckDBPyConnection, header_row: int, rejected: list[int], numbered: bool) -> None:
    """Create the view `raw_rows`: `raw_visits` with each record's row number, blank records left
    out. `rejected`: the lines DuckDB did not read as records (malformed or empty)."""
    # A record of only delimiters (";;;;", as Excel saves formatted empty rows) is blank, as in
    # every other reader: skipped, not reported. It keeps its place in the numbering. The
    # visit id comes first: it is rarely empty, so the other cells are seldom looked at.
    not_blank = "NOT (" + " AND ".join(f"coalesce(trim({name}), '') = ''" for name in NAMES) + ")"
    if not numbered and not rejected:  # the usual case: the record's place after the header is its row
        first = int(header_row) + 1
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW raw_rows AS SELECT (rowid + {first})::INTEGER AS row, * "
            f"FROM raw_visits WHERE {not_blank}"
        )
        # A filter on rowid itself is a direct look-up, not a scan.
        connection.execute(
            f"CREATE OR REPLACE TEMP MACRO raw_rows_at(rows) AS TABLE SELECT (rowid + {first})::INTEGER AS row, * "
            f"FROM raw_visits WHERE rowid IN (SELECT unnest(rows) - {first})"
        )
        return
    if not numbered:
        _number_past_rejected(connection, header_row, rejected)
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW raw_rows AS SELECT given_row AS row, * EXCLUDE (given_row) "
        f"FROM raw_visits WHERE {not_blank}"
    )
    connection.execute(
        "CREATE OR REPLACE TEMP MACRO raw_rows_at(rows) AS TABLE SELECT given_row AS row, * EXCLUDE (given_row) "
        "FROM raw_visits WHERE given_row IN (SELECT unnest(rows))"
    )


def _number_past_rejected(connection: duckdb.DuckDBPyConnection, header_row: int, rejected: list[int]) -> None:
    """Give `raw_visits` the records' row numbers (`given_row`), shifted past the lines DuckDB
    rejected, so that they match the file when no record spans lines. Rare: a copy is fine."""
    # The i-th rejected line (0-based) at line x shifts every accepted record from k = x - header_row - i
    # on (k counts the accepted records from 1).
    shifts = [(line - header_row - index, index + 1) for index, line in enumerate(rejected)]
    connection.execute("CREATE OR REPLACE TEMP TABLE row_shifts (k_from BIGINT, shift INTEGER)")
    connection.executemany("INSERT INTO row_shifts VALUES (?, ?)", shifts)
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE raw_numbered AS
        SELECT (r.rowid + 1 + ? + coalesce(s.shift, 0))::INTEGER AS given_row, r.*
        FROM raw_visits r
        -- Consecutive rejected lines share a k_from: the largest shift is the one that counts.
        ASOF LEFT JOIN (SELECT k_from, max(shift) AS shift FROM row_shifts GROUP BY k_from) s ON r.rowid + 1 >= s.k_from
        """,
        [header_row],
    )
    connection.execute("DROP TABLE raw_visits; ALTER TABLE raw_numbered RENAME TO raw_visits")


def drop_raw_visits(connection: duckdb.DuckDBPyConnection) -> None:
    """Free the delivered text as soon as nothing needs it: it is most of the engine's memory."""
    connection.execute("DROP VIEW IF EXISTS raw_rows; DROP TABLE IF EXISTS raw_visits")


def _malformed_reason(error_type: str) -> str:
    if error_type == "TOO MANY COLUMNS":
        return _("The row has more fields than the header has columns.")
    if error_type == "MISSING COLUMNS":
        return _("The row has fewer fields than the header has columns.")
    if error_type == "UNQUOTED VALUE":
        return _("The row has a quotation mark inside a field that is not quoted.")
    return _("The row cannot be read as CSV (%(error)s).") % {"error": error_type.lower()}
