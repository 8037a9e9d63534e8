"""The browser's mapping step for a ticket export: the upload kept (without its text and
people), what each choice of columns would import, and the import itself."""

import csv
import hashlib
import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.ingest.row_errors import ErrorGroup, RowErrors
from app.ingest.tabular import FileFormatError
from app.ingest.ticket_plan import (
    TicketLayout,
    TicketOptions,
    detect_columns,
    missing_fields,
    offered_columns,
)
from app.ingest.tickets import open_tickets, read_tickets
from app.models import Department, TicketUpload, User
from app.models.department import department_key
from app.services.tickets import TicketImportResult, import_tickets
from app.services.uploads import on_disk, own_upload, purge_expired_uploads


def _emptied(cell: str) -> str:
    """Nothing of the cell but its line breaks, so every row keeps its line number."""
    return "\n" * (cell.count("\n") + cell.count("\r") - cell.count("\r\n"))


def store_ticket_upload(session: Session, *, user: User, file_name: str, content: bytes) -> str:
    """Keep an uploaded export for the mapping step with only the columns a mapping may use
    (never a description, a caller or an agent); returns its id. A file that cannot be read
    as a table is refused here."""
    purge_expired_uploads(session)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with on_disk(content) as raw:
        file = open_tickets(raw, file_name)
        header = file.header
        kept = set(offered_columns(header.cells, file.sample))
        for _ in range(header.sheet_row - 1):
            writer.writerow([])
        writer.writerow(header.cells)
        for row in file.rows:
            writer.writerow([c if i in kept else _emptied(c) for i, c in enumerate(row.cells)])
    dropped = [h for i, h in enumerate(header.cells) if h.strip() and i not in kept]
    upload_id = secrets.token_urlsafe(24)
    assert user.id is not None
    session.add(
        TicketUpload(
            id=upload_id,
            user_id=user.id,
            file_name=file_name[:255],
            content=out.getvalue().encode("utf-8"),
            content_hash=hashlib.sha256(content).hexdigest(),
            dropped=json.dumps(dropped),
        )
    )
    session.flush()
    return upload_id


def get_ticket_upload(session: Session, *, user: User, upload_id: str) -> TicketUpload:
    """The user's own upload (admins: any)."""
    return own_upload(session, TicketUpload, user=user, upload_id=upload_id, step="its mapping")


@dataclass
class TicketPreview:
    file_name: str
    columns: list[str] = field(default_factory=list)  # the columns a mapping may use
    dropped: list[str] = field(default_factory=list)  # the columns not kept
    layout: TicketLayout | None = None
    error: str | None = None
    tickets: int = 0
    repeated: int = 0
    period: tuple[date, date] | None = None
    by_department: dict[str, int] = field(default_factory=dict)
    problems: list[ErrorGroup] = field(default_factory=list)
    bad_rows: int = 0
    ready: bool = False  # every needed field has its column: the file can be imported


def preview_tickets(
    session: Session, *, upload: TicketUpload, options: TicketOptions
) -> TicketPreview:
    """What importing the upload with `options` would do; nothing is written."""
    preview = TicketPreview(upload.file_name, dropped=json.loads(upload.dropped))
    with on_disk(upload.content) as path:
        file = open_tickets(path, upload.file_name)
        header = file.header
        preview.columns = [header.cells[i] for i in offered_columns(header.cells, file.sample)]
        try:
            layout = detect_columns(header.cells, options, upload.file_name)
        except FileFormatError as exc:
            preview.error = str(exc)
            return preview
        preview.layout = layout
        missing = missing_fields(layout)
        if missing:
            preview.error = (
                f"No column is named like the {' or the '.join(missing)}: choose it below, "
                "then check again."
            )
            return preview
        departments = {d.name_key: d for d in session.exec(select(Department))}
        names = {d.id: d.name for d in departments.values()}

        def department_id(raw: str) -> int | None:
            found = departments.get(department_key(raw))
            return found.id if found else None

        errors = RowErrors(upload.file_name)
        read = read_tickets(file, layout, department_id=department_id, errors=errors)
    preview.tickets, preview.repeated = len(read.tickets), read.repeated
    if read.first_opened and read.last_opened:
        preview.period = (read.first_opened.date(), read.last_opened.date())
    for ticket in read.tickets:
        name = names[ticket.department_id]
        preview.by_department[name] = preview.by_department.get(name, 0) + 1
    preview.by_department = dict(sorted(preview.by_department.items()))
    preview.problems, preview.bad_rows = errors.groups(), errors.row_count
    preview.ready = True
    return preview


def import_ticket_upload(
    session: Session, *, upload: TicketUpload, name: str, options: TicketOptions, user: User
) -> TicketImportResult:
    """Import the upload as mapped; the upload goes once imported."""
    with on_disk(upload.content) as path:
        result = import_tickets(
            session,
            path=path,
            name=name,
            options=options,
            display_name=upload.file_name,
            content_hash=upload.content_hash,
            actor_id=user.id,
        )
    # A query, not session.delete: a purge elsewhere may have removed the row meanwhile.
    session.execute(delete(TicketUpload).where(col(TicketUpload.id) == upload.id))
    return result
