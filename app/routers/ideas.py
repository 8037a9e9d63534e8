"""Pages for the ideas heard on walks."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import require_page_role
from app.models import IdeaStatusChange, User
from app.pages import flash_redirect, render
from app.routers.downloads import download
from app.services.audit import record_export
from app.services.errors import NotFoundError, ServiceError
from app.services.ideas import change_idea_status, list_ideas
from app.services.reports import rows_csv

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
walkers = require_page_role("leader", "admin")


@router.get("/ideas")
def ideas_page(
    request: Request,
    session: ReadSession,
    department: str = "",
    status: str = "",
    user: User = Depends(walkers),
) -> Response:
    ideas = list_ideas(session, user=user, department=department or None, status=status or None)
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
            {
                "ideas": list_ideas(session, user=user),
                "department": "",
                "status": "",
                "error": message,
            },
            status_code=422,
        )
    return flash_redirect(request, "/ideas", "idea-updated")


IDEA_COLUMNS = ("id", "department", "what", "benefit", "who_else", "status", "reason", "created_at")


@router.get("/ideas/export.csv")
def ideas_csv(
    session: WriteSession,
    user: User = Depends(walkers),
) -> Response:
    record_export(session, actor_id=user.id, detail="ideas as CSV")
    return download(
        rows_csv(list_ideas(session, user=user), IDEA_COLUMNS),
        filename="ideas.csv",
        media_type="text/csv; charset=utf-8",
    )
