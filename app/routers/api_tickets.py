"""API: service desk ticket exports, and importing one."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile

from app.db import ReadSession, WriteSession
from app.deps import require_api_role
from app.ingest.ticket_plan import TicketOptions
from app.models import TicketExportPublic, User
from app.models.api import ERROR_RESPONSES, ItemList
from app.models.report import TicketImportPublic
from app.services.tickets import import_tickets, list_ticket_exports
from app.services.uploads import on_disk, shown_name

router = APIRouter(prefix="/api/v1", tags=["tickets"], responses=ERROR_RESPONSES)


@router.get("/tickets", response_model=ItemList[TicketExportPublic])
def get_ticket_exports(
    session: ReadSession, user: User = Depends(require_api_role("analyst", "admin"))
) -> ItemList[TicketExportPublic]:
    """The ticket exports imported, the latest period first, with their ticket counts."""
    items = [TicketExportPublic.model_validate(e) for e in list_ticket_exports(session)]
    return ItemList[TicketExportPublic](items=items, total=len(items))


# `:path`: an export's name may hold a slash ("Incidents 09/2026"), sent as %2F or not.
@router.post("/tickets/{name:path}/import", response_model=TicketImportPublic)
def post_ticket_import(
    name: str,
    file: Annotated[UploadFile, File()],
    session: WriteSession,
    format: Annotated[str, Form(max_length=20)] = "auto",
    department_column: Annotated[str | None, Form(max_length=500)] = None,
    opened_column: Annotated[str | None, Form(max_length=500)] = None,
    resolved_column: Annotated[str | None, Form(max_length=500)] = None,
    category_column: Annotated[str | None, Form(max_length=500)] = None,
    priority_column: Annotated[str | None, Form(max_length=500)] = None,
    sla_column: Annotated[str | None, Form(max_length=500)] = None,
    replace: Annotated[bool, Form()] = False,
    skip_bad_rows: Annotated[bool, Form()] = False,
    user: User = Depends(require_api_role("analyst", "admin")),
) -> TicketImportPublic:
    """Import one ticket export (multipart), with the command line's rules; only counts,
    categories, dates, priorities and SLA outcomes are kept."""
    options = TicketOptions.from_inputs(
        format=format,
        columns={
            "department": department_column,
            "opened": opened_column,
            "resolved": resolved_column,
            "category": category_column,
            "priority": priority_column,
            "sla": sla_column,
        },
        replace=replace,
        skip_bad_rows=skip_bad_rows,
    )
    display = shown_name(file)
    with on_disk(file.file) as path:
        result = import_tickets(
            session, path=path, name=name, options=options, display_name=display, actor_id=user.id
        )
    return TicketImportPublic(
        name=result.name,
        status=result.status,
        format=result.format,
        tickets=result.tickets,
        period_start=result.period_start.isoformat() if result.period_start else None,
        period_end=result.period_end.isoformat() if result.period_end else None,
        repeated=result.repeated,
        columns=result.columns,
        departments=result.by_department,
        new_categories=list(result.new_categories),
        skipped=[
            {"line": e.line, "row": e.sheet_row, "field": e.field, "message": e.message}
            for e in result.skipped
        ],
    )
