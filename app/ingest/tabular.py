"""Turn an uploaded CSV or XLSX file into rows of strings, with their line numbers."""

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path

SAMPLE_BYTES = 1 << 20
MAX_FIELD_CHARS = 1_000_000
MAX_COLUMNS = 2000
CHUNK_ROWS = 20_000


class FileFormatError(ValueError):
    """The file cannot be read as a table; the message names the file and why."""


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line (CSV) or sheet row (XLSX) where the record starts
    cells: list[str]
    number: int = 0  # the spreadsheet row: 1-based record number, header records counted

    @property
    def sheet_row(self) -> int:
        return self.number or self.line


@dataclass(frozen=True)
class RowChunk:
    """Consecutive records read together: the line each starts on, their spreadsheet rows
    (record numbers; the same as the lines unless cells hold line breaks), and their cells."""

    lines: Sequence[int]
    cells: list[list[str]]
    numbers: Sequence[int] | None = None

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def sheet_rows(self) -> Sequence[int]:
        return self.lines if self.numbers is None else self.numbers

    def rows(self) -> Iterator[Row]:
        return map(Row, self.lines, self.cells, self.sheet_rows)

    def row(self, position: int) -> Row:
        return Row(self.lines[position], self.cells[position], self.sheet_rows[position])

    def without_first(self, count: int) -> "RowChunk":
        numbers = None if self.numbers is None else self.numbers[count:]
        return RowChunk(self.lines[count:], self.cells[count:], numbers)


def is_blank(cells: Sequence[str]) -> bool:
    """A record that holds nothing: a blank line, a sheet's empty row."""
    return not any(c.strip() for c in cells)


def normalise_header(name: str) -> str:
    """Header matching key: case- and space-insensitive."""
    return "".join(name.split()).casefold()


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern) or Windows-1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(text_sample: str) -> str:
    """Comma, semicolon or tab, as csv.Sniffer finds them in the first lines."""
    lines = text_sample.splitlines()[:20]
    head = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        counts = {d: first.count(d) for d in ",;\t"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def is_xlsx(head: bytes) -> bool:
    """By content, not by name: a zip holding an Excel workbook."""
    return head.startswith(b"PK\x03\x04")


def iter_rows(path: Path, *, display_name: str | None = None) -> Iterator[Row]:
    """Every record of the file, header lines included, as strings."""
    for chunk in iter_chunks(path, display_name=display_name):
        yield from chunk.rows()


def iter_chunks(
    path: Path,
    *,
    display_name: str | None = None,
    size: int = CHUNK_ROWS,
    dialect: "CsvDialect | None" = None,
) -> Iterator[RowChunk]:
    """Every record of the file, header lines included, `size` records at a time. A dialect
    found before (`file_dialect`) is used as it is; otherwise the file's head is read for it."""
    name = display_name or path.name
    if dialect is None:
        dialect = file_dialect(path, name)
    if dialect.encoding == XLSX:
        rows = _iter_xlsx(path, name)
        while chunk := list(islice(rows, size)):
            yield RowChunk([r.line for r in chunk], [r.cells for r in chunk])
        return
    yield from _iter_csv(path, name, dialect, size)


XLSX = "xlsx"  # the dialect of a workbook


def file_dialect(path: Path, name: str) -> "CsvDialect":
    """How the file is written: a workbook, or a CSV's encoding and delimiter."""
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES)
    if not head.strip():
        raise FileFormatError(f"{name}: the file is empty")
    if is_xlsx(head):
        return CsvDialect(XLSX, "")
    dialect = _dialect(head)
    if dialect is None:
        raise FileFormatError(f"{name}: this is not a text (CSV) or Excel file")
    return dialect


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    delimiter: str
    preamble: int = 0  # lines before the first record: Excel's `sep=;` hint


# The first line Excel reads as the delimiter to use, and does not show as a row.
_SEP_LINE = re.compile(r"sep=([^\r\n])\r?\n")


def _dialect(head: bytes) -> CsvDialect | None:
    """Encoding and delimiter from the file's first bytes; None when it is not text."""
    encoding = detect_encoding(head)
    if b"\x00" in head and not encoding.startswith("utf-16"):
        return None
    sample = head.decode(encoding, errors="replace").lstrip("\ufeff")
    if hint := _SEP_LINE.match(sample):
        return CsvDialect(encoding, hint.group(1), preamble=1)
    return CsvDialect(encoding, sniff_delimiter(sample))


def _line_breaks(cells: list[str]) -> int:
    """Line breaks inside a record's quoted cells (CR LF counts once, as the reader does)."""
    return sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in cells)


def _iter_csv(path: Path, name: str, dialect: CsvDialect, size: int) -> Iterator[RowChunk]:
    encoding, delimiter = dialect.encoding, dialect.delimiter
    csv.field_size_limit(MAX_FIELD_CHARS)
    with path.open("r", encoding=encoding, newline="") as handle:
        # utf-8-sig and utf-16 drop the byte-order mark themselves.
        for _ in range(dialect.preamble):
            handle.readline()
        reader = csv.reader(handle, delimiter=delimiter)
        record = 1
        while True:
            first = reader.line_num + 1 + dialect.preamble
            records: list[list[str]] = []
            append = records.append
            try:
                # A plain loop: the width check stops a hostile row before the next is read.
                for cells in reader:
                    if len(cells) > MAX_COLUMNS:
                        raise FileFormatError(
                            f"{name}: line {reader.line_num}: more than {MAX_COLUMNS} columns"
                        )
                    append(cells)
                    if len(records) >= size:
                        break
            except UnicodeDecodeError as exc:
                raise FileFormatError(
                    f"{name}: line {reader.line_num + 1}: bytes that are not {encoding} text"
                ) from exc
            except csv.Error as exc:
                raise FileFormatError(f"{name}: line {reader.line_num}: {exc}") from exc
            if not records:
                return
            lines: Sequence[int] = range(first, first + len(records))
            numbers = range(record, record + len(records))
            record += len(records)
            if reader.line_num - first + 1 != len(records):
                # Some records span lines (quoted line breaks): number them one by one.
                starts = []
                line = first
                for cells in records:
                    starts.append(line)
                    line += 1 + _line_breaks(cells)
                lines = starts
            yield RowChunk(lines, records, None if lines == numbers else numbers)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


MAX_XLSX_UNCOMPRESSED = 500 * 1024 * 1024


def _iter_xlsx(path: Path, name: str) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileFormatError(f"{name}: a damaged Excel (.xlsx) file") from exc
    if total > MAX_XLSX_UNCOMPRESSED:
        raise FileFormatError(f"{name}: the workbook unpacks to over 500 MB; refused")
    # A file object, not the path: openpyxl refuses a path that does not end in .xlsx, and an
    # upload is stored under a name of its own.
    handle = path.open("rb")
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        handle.close()
        raise FileFormatError(f"{name}: not a readable Excel (.xlsx) workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        filled = False
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > MAX_COLUMNS:
                raise FileFormatError(f"{name}: row {number}: more than {MAX_COLUMNS} columns")
            cells = [_cell_text(v) for v in values]
            filled = filled or not is_blank(cells)
            yield Row(line=number, cells=cells)
        if not filled and len(workbook.sheetnames) > 1:
            # Only the first sheet is read: say so, rather than call the workbook empty.
            raise FileFormatError(
                f"{name}: the workbook's first sheet ({sheet.title!r}) is empty, and only "
                f"the first sheet is read (its sheets: {', '.join(workbook.sheetnames)})"
            )
    finally:
        workbook.close()
        handle.close()
