"""Pages for ideas, priority decisions and the service catalogue."""

from typing import Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import require_page_role
from app.models import IdeaStatusChange, ServiceEntryCreate, User
from app.pages import render
from app.routers.downloads import download
from app.services.audit import record_export
from app.services.errors import NotFoundError, ServiceError
from app.services.ideas import change_idea_status, list_ideas
from app.services.priority_decisions import change_decision_status, list_decisions
from app.services.reports import rows_csv
from app.services.service_catalogue import list_services, save_service

router = APIRouter()
walkers = require_page_role("leader", "admin")
readers = require_page_role("leader", "analyst", "executive", "admin")


@router.get("/ideas")
def ideas_page(
    request: Request,
    session: ReadSession,
    department: str = "",
    status: str = "",
    _user: User = Depends(walkers),
) -> Response:
    ideas = list_ideas(session, department=department or None, status=status or None)
    return render(
        request,
        "ideas/index.html",
        {"ideas": ideas, "department": department, "status": status, "error": None},
        block="idea_list",
    )


@router.post("/ideas/{idea_id}/status", dependencies=[Depends(require_csrf)])
def idea_status(
    request: Request,
    idea_id: int,
    session: WriteSession,
    status: str = Form(..., max_length=20),
    reason: str = Form("", max_length=1000),
    user: User = Depends(walkers),
) -> Response:
    try:
        change = IdeaStatusChange(status=status, reason=reason)  # type: ignore[arg-type]
        change_idea_status(session, user=user, idea_id=idea_id, change=change)
    except (ServiceError, ValidationError) as exc:
        if isinstance(exc, NotFoundError):
            raise
        message = str(exc) if isinstance(exc, ServiceError) else f"unknown status {status!r}"
        return render(
            request,
            "ideas/index.html",
            {"ideas": list_ideas(session), "department": "", "status": "", "error": message},
            status_code=422,
        )
    return RedirectResponse("/ideas?flash=Idea+updated.", status_code=303)


@router.get("/decisions")
def decisions_page(
    request: Request,
    session: ReadSession,
    _user: User = Depends(readers),
) -> Response:
    return render(
        request, "decisions/index.html", {"decisions": list_decisions(session), "error": None}
    )


@router.post("/decisions/{decision_id}/status", dependencies=[Depends(require_csrf)])
def decision_status(
    request: Request,
    decision_id: int,
    session: WriteSession,
    status: Literal["with_it", "awaiting_business", "decided_go", "decided_no", "deferred"] = Form(
        ...
    ),
    note: str = Form("", max_length=1000),
    user: User = Depends(walkers),
) -> Response:
    try:
        change_decision_status(
            session, user=user, decision_id=decision_id, status=status, note=note
        )
    except ServiceError as exc:
        if isinstance(exc, NotFoundError):
            raise
        return render(
            request,
            "decisions/index.html",
            {"decisions": list_decisions(session), "error": str(exc)},
            status_code=422,
        )
    return RedirectResponse("/decisions?flash=Decision+recorded.", status_code=303)


@router.get("/services")
def services_page(
    request: Request,
    session: ReadSession,
    user: User = Depends(readers),
) -> Response:
    return render(
        request,
        "services/index.html",
        {"services": list_services(session), "can_edit": user.role == "admin", "error": None},
    )


@router.post("/services", dependencies=[Depends(require_csrf)])
def services_save(
    request: Request,
    session: WriteSession,
    name: str = Form("", max_length=100),
    emergency: str = Form("", max_length=1000),
    response_time: str = Form("", max_length=100),
    resolution_time: str = Form("", max_length=100),
    how_to_ask: str = Form("", max_length=500),
    admin: User = Depends(require_page_role("admin")),
) -> Response:
    try:
        save_service(
            session,
            data=ServiceEntryCreate(
                name=name,
                emergency=emergency,
                response_time=response_time,
                resolution_time=resolution_time,
                how_to_ask=how_to_ask,
            ),
            actor_id=admin.id,
        )
    except ServiceError as exc:
        return render(
            request,
            "services/index.html",
            {"services": list_services(session), "can_edit": True, "error": str(exc)},
            status_code=422,
        )
    return RedirectResponse("/services?flash=Service+saved.", status_code=303)


IDEA_COLUMNS = ("id", "department", "what", "benefit", "who_else", "status", "reason", "created_at")
DECISION_COLUMNS = (
    "id",
    "department",
    "title",
    "owner_role",
    "owner_email",
    "capacity",
    "competes_with",
    "status",
    "age_days",
)


@router.get("/ideas/export.csv")
def ideas_csv(
    session: WriteSession,
    user: User = Depends(walkers),
) -> Response:
    record_export(session, actor_id=user.id, detail="ideas as CSV")
    return download(
        rows_csv(list_ideas(session), IDEA_COLUMNS),
        filename="ideas.csv",
        media_type="text/csv; charset=utf-8",
    )


@router.get("/decisions/export.csv")
def decisions_csv(
    session: WriteSession,
    user: User = Depends(readers),
) -> Response:
    record_export(session, actor_id=user.id, detail="priority decisions as CSV")
    return download(
        rows_csv(list_decisions(session, open_only=False), DECISION_COLUMNS),
        filename="decisions.csv",
        media_type="text/csv; charset=utf-8",
    )
