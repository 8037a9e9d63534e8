"""Service desk ticket exports: importing one (all or nothing, idempotent), listing them,
and the mapping of ticket categories to the shared theme list."""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from app.db import all_or_nothing
from app.ingest.row_errors import ImportRefused, RowError, RowErrors, group_lines
from app.ingest.tabular import FileFormatError
from app.ingest.ticket_plan import FIELDS, TicketOptions, plan_columns
from app.ingest.tickets import open_tickets, read_tickets
from app.models import Department, Theme, Ticket, TicketCategory, TicketExport
from app.models.department import department_key
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.errors import ConflictError, NotFoundError
from app.services.surveys import file_digest

INSERT_BATCH = 10_000  # tickets per insert: a big export is never held twice over as rows


@dataclass(frozen=True)
class TicketImportResult:
    name: str
    status: str  # imported | replaced | unchanged
    format: str
    tickets: int = 0
    period_start: date | None = None
    period_end: date | None = None
    repeated: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field -> column used
    by_department: dict[str, int] = field(default_factory=dict)
    new_categories: tuple[str, ...] = ()
    skipped: tuple[RowError, ...] = ()

    def summary(self) -> str:
        if self.status == "unchanged":
            return f"tickets {self.name!r}: this file is already imported; nothing changed"
        lines = [
            f"tickets {self.name!r} {self.status} ({self.format}): {self.tickets} tickets "
            f"opened {self.period_start} to {self.period_end}"
        ]
        lines += [f"  {FIELDS[k]} column: {v}" for k, v in self.columns.items()]
        if self.repeated:
            lines.append(
                f"  {self.repeated} rows repeated a ticket number (an export of every update): "
                "each ticket counted once, as its last row has it"
            )
        if self.new_categories:
            lines.append(
                f"  new categories (map them to themes on the tickets page): "
                f"{', '.join(self.new_categories)}"
            )
        if self.skipped:
            skipped = RowErrors(self.name, list(self.skipped))
            lines.append(f"  {skipped.row_count} bad row(s) skipped:")
            lines += [f"  {line}" for line in group_lines(skipped.groups())]
        return "\n".join(lines)


def list_ticket_exports(session: Session) -> list[TicketExport]:
    """Every ticket export, the latest period first."""
    query = select(TicketExport).order_by(
        col(TicketExport.period_end).desc(), col(TicketExport.id).desc()
    )
    return list(session.exec(query))


def find_ticket_export(session: Session, *, name: str) -> TicketExport | None:
    return session.exec(select(TicketExport).where(TicketExport.name == name)).first()


@all_or_nothing
def import_tickets(
    session: Session,
    *,
    path: Path,
    name: str,
    options: TicketOptions,
    display_name: str | None = None,
    content_hash: str | None = None,
    actor_id: int | None = None,
) -> TicketImportResult:
    """Import one ticket export in a single transaction; refuse it whole on any bad row
    (unless skipping them), and refuse a period that overlaps another export's, where the
    same tickets would count twice. `content_hash`: of the file as uploaded, where `path`
    holds what was kept of it."""
    file_name = display_name or path.name
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise FileFormatError("the ticket export needs a name of 1 to 200 characters")
    digest = content_hash or file_digest(path)
    read_with = options.digest()
    existing = find_ticket_export(session, name=name)
    if existing is not None and existing.content_hash == digest:
        if existing.options_hash == read_with and not options.replace:
            return TicketImportResult(name=name, status="unchanged", format=existing.format)
    elif existing is not None and not options.replace:
        raise ConflictError(
            f"tickets {name!r} already holds a different file ({existing.file_name}); "
            "replace it to swap its tickets for this one"
        )
    file = open_tickets(path, file_name)
    layout = plan_columns(file.header.cells, options, file_name)
    locked = select(Department).with_for_update(key_share=True)
    departments = {d.name_key: d for d in session.exec(locked)}

    def department_id(raw: str) -> int | None:
        found = departments.get(department_key(raw))
        return found.id if found else None

    errors = RowErrors(file_name)
    read = read_tickets(file, layout, department_id=department_id, errors=errors)
    if errors and not options.skip_bad_rows:
        raise ImportRefused(errors)
    if not read.tickets:
        raise FileFormatError(f"{file_name}: no tickets to import")
    assert read.first_opened is not None and read.last_opened is not None
    start, end = read.first_opened.date(), read.last_opened.date()
    _refuse_overlap(session, name=name, tool=layout.format, start=start, end=end)
    export = existing or TicketExport(
        name=name,
        format=layout.format,
        period_start=start,
        period_end=end,
        file_name=file_name[:255],
        content_hash=digest,
        options_hash=read_with,
    )
    export.format, export.file_name, export.content_hash = layout.format, file_name[:255], digest
    export.options_hash, export.period_start, export.period_end = read_with, start, end
    export.tickets, export.imported_at, export.imported_by = len(read.tickets), utcnow(), actor_id
    columns = {k: v for k in FIELDS if (v := layout.column_name(k)) is not None}
    export.columns = json.dumps(columns)
    session.add(export)
    session.flush()
    if existing is not None:
        session.execute(delete(Ticket).where(col(Ticket.export_id) == export.id))
    for offset in range(0, len(read.tickets), INSERT_BATCH):
        batch = read.tickets[offset : offset + INSERT_BATCH]
        session.execute(insert(Ticket), [{"export_id": export.id, **t._asdict()} for t in batch])
    added = add_categories(session, names=sorted({t.category for t in read.tickets}))
    names = {d.id: d.name for d in departments.values()}
    counts: dict[str, int] = {}
    for ticket in read.tickets:
        department = names[ticket.department_id]
        counts[department] = counts.get(department, 0) + 1
    status = "replaced" if existing is not None else "imported"
    record_event(
        session,
        action="import.tickets",
        actor_id=actor_id,
        detail=f"{name}: {file_name}, {len(read.tickets)} tickets ({status})",
    )
    session.flush()
    return TicketImportResult(
        name=name,
        status=status,
        format=layout.format,
        tickets=len(read.tickets),
        period_start=start,
        period_end=end,
        repeated=read.repeated,
        columns=columns,
        by_department=dict(sorted(counts.items())),
        new_categories=tuple(added),
        skipped=tuple(errors.errors),
    )


def _refuse_overlap(session: Session, *, name: str, tool: str, start: date, end: date) -> None:
    """Two exports from one tool over overlapping days would count the same tickets twice
    (exports from two tools hold different tickets: incidents in one, requests in another)."""
    others = session.exec(
        select(TicketExport).where(
            TicketExport.name != name,
            TicketExport.format == tool,
            col(TicketExport.period_start) <= end,
            col(TicketExport.period_end) >= start,
        )
    ).first()
    if others is not None:
        raise ConflictError(
            f"these tickets were opened {start} to {end}, which overlaps {others.name!r} "
            f"({others.period_start} to {others.period_end}), from the same tool: the same "
            "tickets would count twice. Import a period that does not overlap, or replace "
            "that export"
        )


def delete_ticket_export(session: Session, *, export_id: int, actor_id: int | None) -> None:
    """Remove an export and its tickets."""
    export = session.get(TicketExport, export_id)
    if export is None:
        raise NotFoundError("that ticket export is gone; reload the page")
    session.execute(delete(Ticket).where(col(Ticket.export_id) == export_id))
    session.delete(export)
    record_event(session, action="tickets.delete", actor_id=actor_id, detail=export.name)
    session.flush()


# Words a desk files things under, and the theme word each means (a theme's own words mean
# themselves).
_MEANINGS = {
    "devices": "hardware laptop desktop computer monitor device",
    "network": "network wifi wi-fi connectivity",
    "applications": "software application app",
    "email": "email e-mail outlook mail",
    "calendars": "calendar",
    "passwords": "password",
    "access": "account login access permissions",
    "printing": "printer print",
    "phones": "phone telephony mobile",
    "rooms": "room av",
}
_SYNONYMS = {word: meaning for meaning, words in _MEANINGS.items() for word in words.split()}


def _words(text: str) -> set[str]:
    words = set()
    for word in re.findall(r"[\w-]+", text.casefold()):
        word = _SYNONYMS.get(word, _SYNONYMS.get(word.rstrip("s"), word))
        if len(word) >= 3:
            words.add(word.rstrip("s"))
    return words


def suggest_theme(category: str, themes: list[Theme]) -> Theme | None:
    """The theme of the category's own name, else the one whose name shares most words with
    it (synonyms counted) if one stands out; None when none or several tie."""
    exact = [t for t in themes if t.is_active and t.name_key == department_key(category)]
    if exact:
        return exact[0]
    wanted = _words(category)
    scores = [(len(wanted & _words(t.name)), t) for t in themes if t.is_active]
    best = max((s for s, _ in scores), default=0)
    top = [t for s, t in scores if s == best]
    return top[0] if best > 0 and len(top) == 1 else None


def add_categories(session: Session, *, names: list[str]) -> list[str]:
    """Put the categories not yet known on the mapping, each with its suggested theme."""
    known = set(session.exec(select(TicketCategory.name_key)))
    themes = list(session.exec(select(Theme)))
    added = []
    for name in sorted({n for n in names if n}):
        key = department_key(name)
        if key in known:
            continue
        known.add(key)
        theme = suggest_theme(name, themes)
        session.add(TicketCategory(name=name, name_key=key, theme_id=theme.id if theme else None))
        added.append(name)
    session.flush()
    return added


def list_categories(session: Session) -> list[tuple[TicketCategory, int]]:
    """Every ticket category with how many tickets it holds, the busiest first."""
    counts = dict(
        session.exec(select(Ticket.category, func.count()).group_by(col(Ticket.category))).all()
    )
    categories = list(session.exec(select(TicketCategory).order_by(col(TicketCategory.name))))
    return sorted(((c, int(counts.get(c.name, 0))) for c in categories), key=lambda pair: -pair[1])


def set_category_themes(
    session: Session, *, choices: dict[int, int | None], actor_id: int | None
) -> int:
    """Map categories (by id) to themes (by id, or none); returns how many changed."""
    themes = {t.id for t in session.exec(select(Theme))}
    changed = 0
    for category_id, theme_id in choices.items():
        category = session.get(TicketCategory, category_id)
        if category is None:
            raise NotFoundError("that ticket category is gone; reload the page")
        if theme_id is not None and theme_id not in themes:
            raise NotFoundError("that theme is gone; reload the page")
        if category.theme_id != theme_id or category.suggested:
            changed += category.theme_id != theme_id
            category.theme_id, category.suggested = theme_id, False
            session.add(category)
    if changed:
        record_event(
            session,
            action="tickets.categories",
            actor_id=actor_id,
            detail=f"{changed} ticket categories mapped to themes",
        )
    session.flush()
    return changed
