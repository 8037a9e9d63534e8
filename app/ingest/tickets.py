"""Reading a service desk's ticket export row by row: each ticket's department, dates,
category, priority and SLA outcome (the columns are found by app.ingest.ticket_plan).

Value formats follow what the tools write (see tests/data/tickets/README.md): ServiceNow's
dd-mm-yyyy or ISO times, "?" for empty and TRUE/FALSE, Jira's 11/May/24 03:26 PM,
Freshservice's "Within SLA" / "SLA Violated". Nothing is kept of a ticket's text or people.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import NamedTuple

from app.ingest import timestamps
from app.ingest.row_errors import RowErrors
from app.ingest.tabular import FileFormatError, Row, is_blank, iter_rows
from app.ingest.ticket_plan import FIELDS, TicketLayout, cell

SLA_MET = {"true", "yes", "y", "1", "met", "within sla", "achieved", "made", "ok"}
SLA_MISSED = {"false", "no", "n", "0", "breached", "sla violated", "violated", "missed", "not met"}
MAX_CATEGORY_CHARS = 200


SAMPLE_ROWS = 2000  # data rows read for the time formats and the columns to offer


@dataclass
class TicketFile:
    """A ticket export opened once: its header, its first rows, and every data row (the
    first ones again) read as they are needed, so a file of any length is never held whole."""

    header: Row
    sample: list[Row]
    rows: Iterator[Row]


def open_tickets(path: Path, file_name: str) -> TicketFile:
    """The export's header row (after any blank lines) and its data rows."""
    records = iter_rows(path, display_name=file_name)
    header = next(records, None)
    while header is not None and is_blank(header.cells):
        header = next(records, None)
    if header is None:
        raise FileFormatError(f"{file_name}: the file is empty")
    sample = list(islice(records, SAMPLE_ROWS))
    return TicketFile(header, sample, chain(sample, records))


class TicketRow(NamedTuple):
    """One ticket as the tickets table keeps it."""

    department_id: int
    opened_at: datetime
    resolved_at: datetime | None
    category: str
    priority: str
    sla_met: bool | None


@dataclass
class ReadTickets:
    tickets: list[TicketRow] = field(default_factory=list)
    repeated: int = 0  # rows that repeated a ticket number (an export of every update)
    skipped: int = 0
    first_opened: datetime | None = None
    last_opened: datetime | None = None


def _time_format(rows: list[Row], index: int | None) -> str | None:
    if index is None:
        return None
    sample = [v for r in rows if (v := cell(r.cells, index))][:500]
    found = timestamps.detect_format(sample, timestamps.TICKET_FORMATS)
    if found is None and sample:
        # A short file with a bad value or two: the format most of it is written in, so
        # the others are named as bad rows.
        reads = {
            f: sum(timestamps.parse_with(v, f) is not None for v in sample)
            for f in timestamps.TICKET_FORMATS
        }
        best = max(reads, key=lambda f: reads[f])
        found = best if reads[best] * 2 > len(sample) else None
    return found


def _time_formats(
    rows: list[Row], opened: int | None, resolved: int | None
) -> dict[str, str | None]:
    """A tool writes all its times one way: a form that reads both columns whole is theirs,
    so a day past the 12th among the opening times settles the order of days and months in
    the resolution times too (alone, `11/12/2026` would be read as 12 November, a
    resolution 29 days early). Columns no one form reads are each read their own way."""
    both = [
        v for r in rows for i in (opened, resolved) if i is not None and (v := cell(r.cells, i))
    ]
    shared = timestamps.detect_format(both[:1000], timestamps.TICKET_FORMATS)
    if shared is not None and all(timestamps.parse_with(v, shared) for v in both[:1000]):
        return {"opened": shared, "resolved": shared}
    return {"opened": _time_format(rows, opened), "resolved": _time_format(rows, resolved)}


def read_tickets(
    file: TicketFile,
    layout: TicketLayout,
    *,
    department_id: Callable[[str], int | None],
    errors: RowErrors,
    now: datetime | None = None,
) -> ReadTickets:
    """Each ticket as the tickets table keeps it; bad rows go to `errors`. A ticket number
    that comes again (an export of every update) counts once, as its last row has it."""
    now = now or datetime.now(UTC)
    at = layout.columns.get
    formats = _time_formats(file.sample, at("opened"), at("resolved"))
    read = ReadTickets()
    by_number: dict[str, int] = {}
    words: dict[str, str] = {}
    for row in file.rows:
        cells = row.cells
        if is_blank(cells):
            continue
        problems: list[tuple[str, str]] = []
        raw_department = cell(cells, at("department"))
        department = department_id(raw_department) if raw_department else None
        if not raw_department:
            problems.append(("department", "no department"))
        elif department is None:
            problems.append(("department", f"unknown department {raw_department!r}"))
        times: dict[str, datetime | None] = {}
        for name in ("opened", "resolved"):
            text = cell(cells, at(name))
            fmt = formats[name]
            value = timestamps.parse_with(text, fmt) if text and fmt else None
            if text and value is None:
                problems.append((FIELDS[name], f"{text!r} is not a date and time"))
            times[name] = value
        opened, resolved = times["opened"], times["resolved"]
        if opened is None and not cell(cells, at("opened")):
            problems.append(("opened", "no date opened"))
        if opened is not None and opened > now:
            problems.append(("opened", f"{opened:%Y-%m-%d %H:%M} is in the future"))
        if opened is not None and resolved is not None and resolved < opened:
            problems.append(("resolved", "resolved before it was opened"))
        sla_text = cell(cells, at("sla")).casefold()
        sla: bool | None = None
        if sla_text in SLA_MET:
            sla = True
        elif sla_text in SLA_MISSED:
            sla = False
        elif sla_text:
            problems.append(("SLA met", f"{sla_text!r} is not met or missed (true or false)"))
        category = " ".join(cell(cells, at("category")).split())
        if len(category) > MAX_CATEGORY_CHARS:
            problems.append(("category", f"over {MAX_CATEGORY_CHARS} characters: not a category"))
        priority = " ".join(cell(cells, at("priority")).split())[:100]
        if problems:
            for name, message in problems:
                errors.add(row.line, name, message, row.sheet_row)
            read.skipped += 1
            continue
        assert opened is not None and department is not None
        # Categories and priorities repeat: one string each, however many tickets hold it.
        ticket = TicketRow(
            department,
            opened,
            resolved,
            words.setdefault(category, category),
            words.setdefault(priority, priority),
            sla,
        )
        if read.first_opened is None or opened < read.first_opened:
            read.first_opened = opened
        if read.last_opened is None or opened > read.last_opened:
            read.last_opened = opened
        number = cell(cells, at("number"))
        if number and number in by_number:
            read.tickets[by_number[number]] = ticket
            read.repeated += 1
            continue
        if number:
            by_number[number] = len(read.tickets)
        read.tickets.append(ticket)
    return read
