"""Read delivery files (CSV or Excel .xlsx) the way Swedish municipalities save them.

`open_table` decides the format from the content (never the file name), finds the encoding,
delimiter and header row, maps English or Swedish headers onto canonical column names and
rejects a file it cannot read with one `StructuralError` sentence. The `Table` it returns
streams its rows, so a million-row visit file never sits in memory.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import pathlib
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext

from tillit.common.errors import ApplicationError
from tillit.common.values import cell_text

EXTRA_KEY = "__extra__"  # values key for cells beyond the header, '|'-joined

_SNIFF_BYTES = 8 * 1024
_SCAN_CHUNK = 256 * 1024
_MAX_LINE_BYTES = 1024 * 1024  # a longer physical line means the file is not really CSV
_MAX_UNPACKED = 512 * 1024 * 1024  # xlsx: total uncompressed size of all zip members
_MAX_RATIO = 200  # xlsx: uncompressed / compressed size of any one member...
_RATIO_FLOOR = 1024 * 1024  # ...that unpacks to more than this (small members are harmless)
_DELIMITERS = (";", ",", "\t")  # this order breaks ties: Swedish Excel saves with ';'
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}


def _(message: str) -> str:
    """Translate when Django is set up; plain English in scripts and bare unit tests."""
    return gettext(message) if settings.configured else message


@dataclass(frozen=True)
class Column:
    """One column a reader expects, known by its English and its Swedish header."""

    name: str
    swedish: str
    required: bool = True


class StructuralError(ApplicationError):
    """The file as a whole cannot be read; it is rejected with this one sentence."""

    code = "file.structure"


class _BadLine(Exception):
    """A physical line that cannot be decoded ("encoding") or is absurdly long ("long")."""


@dataclass
class Table:
    """An opened delivery file: what was detected, and a stream of its data rows."""

    file_name: str
    format: str
    encoding: str | None
    delimiter: str | None
    columns: list[str]
    unknown_columns: list[str]
    # Every record of the file from the top (blank ones too, so numbering matches Excel).
    _records: Callable[[], Iterator[Sequence[str]]] = field(repr=False, compare=False)
    _header_row: int = field(default=1, repr=False, compare=False)
    _positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _absent: tuple[str, ...] = field(default=(), repr=False, compare=False)
    _width: int = field(default=0, repr=False, compare=False)

    @property
    def header_row(self) -> int:
        """The row (as in Excel) that holds the header."""
        return self._header_row

    @property
    def positions(self) -> dict[str, int]:
        """Each found column's 0-based position in the file's rows."""
        return dict(self._positions)

    @property
    def width(self) -> int:
        """How many cells the header has."""
        return self._width

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (row number as in Excel, canonical name -> stripped text) for non-blank rows.

        Every expected column is a key ('' when empty or absent from the file); cells beyond
        the header come '|'-joined under EXTRA_KEY so the caller can report the row. Each call
        reads the file again from the start.
        """
        picks, width = list(self._positions.items()), self._width
        absent = dict.fromkeys(self._absent, "")
        with contextlib.closing(self._records()) as records:
            number = 0
            for number, _cells in enumerate(records, start=1):
                if number == self._header_row:
                    break
            for number, cells in enumerate(records, start=number + 1):
                # The first cell usually settles it without building a joined string.
                if not (cells and cells[0] and not cells[0].isspace()) and not "".join(cells).strip():
                    continue  # blank, or only delimiters
                count = len(cells)
                if count >= width:
                    values = {name: cells[i].strip() for name, i in picks}
                else:
                    values = {name: cells[i].strip() if i < count else "" for name, i in picks}
                if absent:
                    values.update(absent)
                if count > width:
                    extra = [cell.strip() for cell in cells[width:]]
                    while extra and not extra[-1]:
                        extra.pop()  # trailing delimiters are noise, not data
                    if extra:
                        values[EXTRA_KEY] = "|".join(extra)
                yield number, values


def open_table(
    source: pathlib.Path | bytes, *, file_name: str, columns: Sequence[Column], sheet: str | None = None
) -> Table:
    """Open a CSV or xlsx delivery, check its header and return a streaming `Table`."""
    encoding = delimiter = None
    with _open_binary(source) as stream:
        head = stream.read(_SNIFF_BYTES)
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            _check_xlsx(stream, file_name)
            records = functools.partial(_xlsx_records, source, file_name, sheet)
        else:
            _refuse_binary(head, file_name)
            stream.seek(0)
            encoding = _detect_encoding(stream)
    if encoding is not None:
        delimiter = _detect_delimiter(source, encoding, file_name, columns)
        records = functools.partial(_csv_records, source, encoding, delimiter, file_name)

    with contextlib.closing(records()) as all_records:
        found = ((n, list(c)) for n, c in enumerate(all_records, start=1) if "".join(c).strip())
        header_row, header = next(found, (0, []))
    if not header:
        raise StructuralError(
            _('The file "%(file)s" is empty. Check that you chose the right file and that it was '
              "saved with its contents.") % {"file": file_name},
            code="file.empty", file=file_name,
        )
    positions, unknown = _match_header(header, columns, file_name)
    return Table(
        file_name=file_name, format="csv" if encoding else "xlsx", encoding=encoding,
        delimiter=delimiter, columns=sorted(positions, key=positions.__getitem__),
        unknown_columns=unknown, _records=records, _header_row=header_row, _positions=positions,
        _absent=tuple(c.name for c in columns if c.name not in positions), _width=len(header),
    )


def _header_key(text: str) -> str:
    """Fold a header for matching: case, BOM, accents (å→a), '_'/'-' vs space, extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", "").casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("_", " ").replace("-", " ").split())


def _column_keys(columns: Sequence[Column]) -> dict[str, str]:
    """Map every accepted header spelling to its canonical column name."""
    keys: dict[str, str] = {}
    # "aa/ae/oe" is how å/ä/ö get typed on keyboards without them.
    transliterate = str.maketrans({"å": "aa", "ä": "ae", "ö": "oe"})
    for column in columns:
        for spelling in (column.name, column.swedish, column.swedish.casefold().translate(transliterate)):
            key = _header_key(spelling)
            if keys.setdefault(key, column.name) != column.name:
                raise ValueError(f"columns {keys[key]!r} and {column.name!r} share the header {key!r}")
    return keys


def _shown_header(text: str) -> str:
    """A found header as a message may show it: a data row taken for a header can hold a
    personnummer, so long digit runs are masked, and long cells are cut."""
    text = re.sub(r"[0-9]{6,}", lambda m: "#" * len(m[0]), text)
    return f'"{text}"' if len(text) <= 40 else f'"{text[:39]}…"'


def _match_header(
    header: list[str], columns: Sequence[Column], file_name: str
) -> tuple[dict[str, int], list[str]]:
    """Find each expected column's position; report unknown, duplicate and missing headers."""
    keys = _column_keys(columns)
    positions: dict[str, int] = {}
    originals: dict[str, str] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        original = cell.replace("\ufeff", "").strip()
        name = keys.get(_header_key(original))
        if name is None:
            if original and original not in unknown:
                unknown.append(original)
        elif name in positions:
            raise StructuralError(
                _('The file "%(file)s" has the column %(column)s twice ("%(first)s" and "%(second)s"). '
                  "Remove one of them and load the file again.")
                % {"file": file_name, "column": name, "first": originals[name], "second": original},
                code="file.duplicate_columns", file=file_name, column=name,
            )
        else:
            positions[name], originals[name] = index, original
    missing = [c for c in columns if c.required and c.name not in positions]
    if missing:
        found = [_shown_header(h.replace("\ufeff", "").strip()) for h in header if h.strip()]
        raise StructuralError(
            _('The file "%(file)s" lacks the required columns %(missing)s. Its header row has: '
              "%(found)s. Add the missing columns (with the English or the Swedish name) and load "
              "the file again.")
            % {
                "file": file_name,
                "missing": ", ".join(f"{c.name} ({c.swedish})" for c in missing),
                "found": ", ".join(found[:30]) + (", …" if len(found) > 30 else ""),
            },
            code="file.missing_columns", file=file_name, missing=[c.name for c in missing],
        )
    return positions, unknown


@contextlib.contextmanager
def _open_binary(source: pathlib.Path | bytes) -> Iterator[BinaryIO]:
    """Open a path or in-memory bytes as one binary stream."""
    if isinstance(source, (bytes, bytearray)):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as stream:
            yield stream


def _not_tabular(file_name: str, kind: str) -> StructuralError:
    """The one sentence for every file that is not CSV or xlsx."""
    return StructuralError(
        _('The file "%(file)s" is not a CSV or Excel file (it looks like %(kind)s). Save it as CSV '
          "(UTF-8) or as an Excel workbook (.xlsx) and load it again.") % {"file": file_name, "kind": kind},
        code="file.not_tabular", file=file_name,
    )


def _refuse_binary(head: bytes, file_name: str) -> None:
    """Reject legacy Excel, PDF, images, web pages and other binaries before reading CSV."""
    signatures = (
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _("an old Excel .xls file or a password-protected workbook")),
        (b"%PDF", _("a PDF document")),
        ((b"\x89PNG", b"\xff\xd8\xff", b"GIF8"), _("an image")),
    )
    for signature, kind in signatures:
        if head.startswith(signature):
            raise _not_tabular(file_name, kind)
    if b"\x00" in head:  # also UTF-16 text, which Excel calls "Unicode text"
        raise _not_tabular(file_name, _("a binary file"))
    if head.removeprefix(codecs.BOM_UTF8).lstrip().lower().startswith((b"<?xml", b"<html", b"<!doctype")):
        raise _not_tabular(file_name, _("a web page or XML document"))


def _check_xlsx(stream: BinaryIO, file_name: str) -> None:
    """Refuse zip bombs and zips that are not workbooks before openpyxl unpacks anything."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_tabular(file_name, _("a damaged ZIP archive")) from None
    # The sizes come from the zip's directory; zipfile stops (and fails) at the declared size
    # when unpacking, so a directory that lies cannot get past these limits.
    for member in members:
        if member.file_size > max(_RATIO_FLOOR, _MAX_RATIO * member.compress_size):
            raise StructuralError(
                _('The file "%(file)s" contains a part that unpacks to more than %(ratio)s times its '
                  "size, which is not safe to read. Save the data again as CSV (UTF-8) or as a new "
                  "Excel workbook.") % {"file": file_name, "ratio": _MAX_RATIO},
                code="file.too_large", file=file_name,
            )
    if sum(m.file_size for m in members) > _MAX_UNPACKED:
        raise StructuralError(
            _('The file "%(file)s" unpacks to more than %(limit)s MiB, which is too large to read. '
              "Save the data as CSV (UTF-8) or split it into smaller files.")
            % {"file": file_name, "limit": _MAX_UNPACKED // (1024 * 1024)},
            code="file.too_large", file=file_name,
        )
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= {m.filename for m in members}:
        raise _not_tabular(file_name, _("a ZIP archive or a document that is not an Excel workbook"))


def _detect_encoding(stream: BinaryIO) -> str:
    """Say "utf-8-sig", "utf-8" or "cp1252" from the first stretch of non-ASCII text.

    Pure-ASCII chunks prove nothing, so reading goes on to the first chunk with other bytes
    (a file whose first 10 000 rows are ASCII still gets the right answer). The incremental
    decoder keeps a character cut at a chunk boundary for the next chunk instead of failing.
    Valid UTF-8 letters before the first invalid byte mean a damaged UTF-8 file, not cp1252:
    reading it as cp1252 would silently turn "å" into "Ã¥", so its bad row is reported instead.
    """
    if stream.read(3) == codecs.BOM_UTF8:
        return "utf-8-sig"
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    while chunk := stream.read(_SCAN_CHUNK):
        pending = decoder.getstate()[0]
        if chunk.isascii() and not pending:
            continue
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as problem:
            return "cp1252" if (pending + chunk)[: problem.start].isascii() else "utf-8"
        if not decoder.getstate()[0]:  # decoded cleanly up to a character boundary
            return "utf-8"
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _decoded_lines(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """Decode one physical line at a time, so that a bad byte can be tied to its row."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    readline, first = stream.readline, True
    while raw := readline(_MAX_LINE_BYTES):
        if len(raw) == _MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise _BadLine("long")
        try:
            line = raw.decode(codec)
        except UnicodeDecodeError:
            raise _BadLine("encoding") from None
        if first:
            line, first = line.removeprefix("\ufeff"), False
        yield line


def _detect_delimiter(source: pathlib.Path | bytes, encoding: str, file_name: str, columns: Sequence[Column]) -> str:
    """Pick the delimiter that splits the first non-blank line into the most known headers."""
    keys = _column_keys(columns)
    with _open_binary(source) as stream:
        try:
            line = next((x for x in _decoded_lines(stream, encoding) if x.strip(" \t;,\r\n\"'")), "")
        except _BadLine as problem:
            raise _line_error(problem, 1, encoding, file_name) from None

    def score(delimiter: str) -> tuple[int, int]:
        """(known headers, fields) when the line is split by `delimiter`; ties go by order."""
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:  # e.g. old Mac line ends; reading the header reports it with its row
            return (-1, -1)
        return sum(_header_key(c) in keys for c in cells), len(cells)

    return max(_DELIMITERS, key=score)


def _line_error(problem: _BadLine, row: int, encoding: str, file_name: str) -> StructuralError:
    """Explain a line that could not be decoded, or is too long, naming its row."""
    if str(problem) == "encoding":
        return StructuralError(
            _('Row %(row)s of "%(file)s" contains characters that are not valid %(encoding)s, '
              "although the start of the file is. Save the file as CSV UTF-8 and load it again.")
            % {"row": row, "file": file_name, "encoding": _ENCODING_NAMES.get(encoding, encoding)},
            code="file.encoding", file=file_name, row=row,
        )
    return StructuralError(
        _('Row %(row)s of "%(file)s" is longer than %(limit)s MiB, so the file is probably not CSV. '
          "Save it as CSV (UTF-8) or as an Excel workbook (.xlsx) and load it again.")
        % {"row": row, "file": file_name, "limit": _MAX_LINE_BYTES // (1024 * 1024)},
        code="file.structure", file=file_name, row=row,
    )


def _csv_records(source: pathlib.Path | bytes, encoding: str, delimiter: str, file_name: str) -> Iterator[list[str]]:
    """Yield every CSV record from the top; the csv module handles quotes and newlines in them."""
    number = 0  # records so far: the row that fails is number + 1
    with _open_binary(source) as stream:
        try:
            for cells in csv.reader(_decoded_lines(stream, encoding), delimiter=delimiter):
                number += 1
                yield cells
        except _BadLine as problem:
            raise _line_error(problem, number + 1, encoding, file_name) from None
        except csv.Error as problem:  # e.g. a stray quote that swallows more than 128 KiB
            raise StructuralError(
                _('Row %(row)s of "%(file)s" could not be read as CSV. Check the quotation marks in '
                  "that row, or save the file from Excel again.") % {"row": number + 1, "file": file_name},
                code="file.structure", file=file_name, row=number + 1, reason=str(problem),
            ) from None


def _xlsx_records(source: pathlib.Path | bytes, file_name: str, sheet: str | None) -> Iterator[list[str]]:
    """Yield every row of the chosen sheet as text, closing the workbook however we stop."""
    import openpyxl  # here, not at the top: every command imports this module, few read workbooks

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source, read_only=True, data_only=True
        )
    except Exception:  # a damaged workbook fails in many ways inside openpyxl
        raise _damaged(file_name) from None
    try:
        worksheet = _pick_sheet(workbook, file_name, sheet)
        worksheet.reset_dimensions()  # trust the cells, not a declared (possibly huge) range
        rows = worksheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows, None)
            except Exception:  # broken XML inside the sheet
                raise _damaged(file_name) from None
            if values is None:
                return
            yield [cell_text(v) for v in values]
    finally:
        workbook.close()


def _damaged(file_name: str) -> StructuralError:
    """The sentence for a workbook that openpyxl cannot read."""
    return StructuralError(
        _('The Excel file "%(file)s" could not be read; it may be damaged. Open it in Excel, save it '
          "again as .xlsx and load it again.") % {"file": file_name},
        code="file.structure", file=file_name,
    )


def _pick_sheet(workbook: Any, file_name: str, sheet: str | None) -> Any:
    """Return the named worksheet (exact name, else ignoring case), or the first one."""
    worksheets = workbook.worksheets
    if sheet is None:
        if not worksheets:
            raise _not_tabular(file_name, _("an Excel workbook without worksheets"))
        return worksheets[0]
    wanted = sheet.strip().casefold()
    found = [w for w in worksheets if w.title == sheet] or [w for w in worksheets if w.title.strip().casefold() == wanted]
    if not found:
        raise StructuralError(
            _('The Excel file "%(file)s" has no sheet named "%(sheet)s". Its sheets are: %(sheets)s.')
            % {"file": file_name, "sheet": sheet, "sheets": ", ".join(f'"{w.title}"' for w in worksheets)},
            code="file.sheet_not_found", file=file_name,
        )
    return found[0]
