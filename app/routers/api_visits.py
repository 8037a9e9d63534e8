"""API: walks (the phone's outbox posts here)."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from app.db import ReadSession, WriteSession
from app.deps import require_api_role
from app.models import User, VisitCreate
from app.services.visits import create_visit, list_visits

router = APIRouter(prefix="/api/v1", tags=["visits"])


@router.post("/visits", status_code=201, responses={200: {"description": "already stored"}})
def post_visit(
    body: VisitCreate,
    session: WriteSession,
    user: User = Depends(require_api_role("leader", "admin")),
) -> JSONResponse:
    """Log a walk; sending the same client_id again returns the stored walk with 200."""
    visit, created = create_visit(session, leader=user, data=body)
    return JSONResponse(visit, status_code=201 if created else 200)


@router.get("/visits")
def get_visits(
    session: ReadSession,
    department: str | None = Query(None, max_length=200),
    since: date | None = None,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    user: User = Depends(require_api_role("leader", "analyst", "admin")),
) -> dict[str, Any]:
    """Walks as the caller's role allows (analysts: coded data, no notes)."""
    items, total = list_visits(
        session, user=user, department=department, since=since, limit=limit, offset=offset
    )
    return {"items": items, "total": total}
