"""Pages for the priority decisions waiting on the business."""

from typing import Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import require_page_role
from app.models import User
from app.pages import flash_redirect, render
from app.routers.downloads import download
from app.services.audit import record_export
from app.services.errors import NotFoundError, ServiceError
from app.services.priority_decisions import change_decision_status, list_decisions
from app.services.reports import rows_csv

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
walkers = require_page_role("leader", "admin")
readers = require_page_role("leader", "analyst", "executive", "admin")


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
    return flash_redirect(request, "/decisions", "decision-recorded")


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
