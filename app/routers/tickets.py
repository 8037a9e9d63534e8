"""The service desk's tickets: upload an export, map its columns, import; ticket categories
mapped to themes."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import require_page_role
from app.ingest.row_errors import ImportRefused
from app.ingest.tabular import FileFormatError
from app.ingest.ticket_plan import FIELDS, FORMATS, TicketOptions
from app.models import User
from app.pages import flash_redirect, render
from app.services.errors import ConflictError
from app.services.themes import list_themes
from app.services.ticket_uploads import (
    get_ticket_upload,
    import_ticket_upload,
    preview_tickets,
    store_ticket_upload,
)
from app.services.tickets import (
    delete_ticket_export,
    list_categories,
    list_ticket_exports,
    set_category_themes,
)
from app.services.uploads import shown_name

router = APIRouter(include_in_schema=False)
analysts = require_page_role("analyst", "admin")
MAPPED = ("department", "opened", "resolved", "category", "priority", "sla")


def _tickets_page(
    request: Request, session: Session, *, error: str | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "tickets/index.html",
        {
            "error": error,
            "exports": list_ticket_exports(session),
            "categories": list_categories(session),
            "themes": list_themes(session),
        },
        status_code=status_code,
    )


@router.get("/tickets")
def tickets_page(
    request: Request, session: ReadSession, user: User = Depends(analysts)
) -> Response:
    return _tickets_page(request, session)


@router.post("/tickets/upload", dependencies=[Depends(require_csrf)])
def upload_tickets(
    request: Request,
    file: Annotated[UploadFile, File()],
    session: WriteSession,
    name: Annotated[str, Form(max_length=200)] = "",
    user: User = Depends(analysts),
) -> Response:
    """Keep the export (without its text and people) for the mapping step."""
    content = file.file.read()
    if not content:
        return _tickets_page(request, session, error="The file is empty.", status_code=422)
    file_name = shown_name(file, "tickets.csv")
    try:
        upload_id = store_ticket_upload(session, user=user, file_name=file_name, content=content)
    except FileFormatError as exc:
        return _tickets_page(request, session, error=str(exc), status_code=422)
    query = urlencode({"name": " ".join(name.split())})
    return RedirectResponse(f"/tickets/uploads/{upload_id}?{query}", status_code=303)


def _options(values: dict[str, str]) -> TicketOptions:
    return TicketOptions.from_inputs(
        format=values.get("format") or "auto",
        columns={f: values.get(f"{f}_column") or None for f in MAPPED},
        replace=values.get("replace") == "on",
        skip_bad_rows=values.get("skip_bad_rows") == "on",
    )


def _preview_page(
    request: Request,
    session: Session,
    *,
    upload_id: str,
    user: User,
    values: dict[str, str],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    upload = get_ticket_upload(session, user=user, upload_id=upload_id)
    try:
        options = _options(values)
    except FileFormatError as exc:
        options, error = TicketOptions(), str(exc)
    preview = preview_tickets(session, upload=upload, options=options)
    return render(
        request,
        "tickets/preview.html",
        {
            "upload_id": upload_id,
            "preview": preview,
            "values": values,
            "fields": {f: FIELDS[f] for f in MAPPED},
            "formats": FORMATS,
            "error": error or preview.error,
        },
        status_code=status_code,
    )


@router.get("/tickets/uploads/{upload_id}")
def ticket_preview(
    upload_id: str, request: Request, session: ReadSession, user: User = Depends(analysts)
) -> Response:
    """What the upload would import with the columns chosen (the query string)."""
    values = {k: v for k, v in request.query_params.items() if len(v) <= 500}
    return _preview_page(request, session, upload_id=upload_id, user=user, values=values)


@router.post("/tickets/uploads/{upload_id}/import", dependencies=[Depends(require_csrf)])
async def import_tickets_page(
    upload_id: str, request: Request, session: WriteSession, user: User = Depends(analysts)
) -> Response:
    form = await request.form()
    values = {k: str(v)[:500] for k, v in form.items() if k != "csrf_token"}

    def work() -> Response:
        upload = get_ticket_upload(session, user=user, upload_id=upload_id)
        try:
            result = import_ticket_upload(
                session,
                upload=upload,
                name=values.get("name", ""),
                options=_options(values),
                user=user,
            )
        except (ImportRefused, FileFormatError, ConflictError) as exc:  # nothing was written
            return _preview_page(
                request,
                session,
                upload_id=upload_id,
                user=user,
                values=values,
                error=str(exc),
                status_code=422,
            )
        code = "tickets-unchanged" if result.status == "unchanged" else "tickets-imported"
        return flash_redirect(request, "/tickets", code)

    return await run_in_threadpool(work)


@router.post("/tickets/categories", dependencies=[Depends(require_csrf)])
async def save_categories(
    request: Request, session: WriteSession, user: User = Depends(analysts)
) -> Response:
    """Each category's theme, as chosen on the page (none: it counts under no theme)."""
    form = await request.form()
    choices: dict[int, int | None] = {}
    for key, value in form.items():
        if key.startswith("category_") and key[9:].isdigit():
            text = str(value)
            choices[int(key[9:])] = int(text) if text.isdigit() else None
    await run_in_threadpool(set_category_themes, session, choices=choices, actor_id=user.id)
    return flash_redirect(request, "/tickets", "categories-saved")


@router.post("/tickets/exports/{export_id}/delete", dependencies=[Depends(require_csrf)])
def remove_ticket_export(
    export_id: int, request: Request, session: WriteSession, user: User = Depends(analysts)
) -> Response:
    # By id: an export's name may hold a slash ("Incidents 09/2026"), which no path keeps.
    delete_ticket_export(session, export_id=export_id, actor_id=user.id)
    return flash_redirect(request, "/tickets", "tickets-removed")
