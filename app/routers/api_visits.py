"""API: walks (the phone's outbox posts here)."""

from datetime import date

from fastapi import APIRouter, Depends, Query, Response

from app.db import ReadSession, WriteSession
from app.deps import require_api_role
from app.models import User, VisitCreate, VisitPublic
from app.models.api import ERROR_RESPONSES, ItemList
from app.services.visits import create_visit, get_visit_for, list_visits

router = APIRouter(prefix="/api/v1", tags=["visits"], responses=ERROR_RESPONSES)
readers = require_api_role("leader", "analyst", "admin")


@router.post(
    "/visits",
    status_code=201,
    response_model=VisitPublic,
    response_model_exclude_unset=True,
    responses={
        200: {"model": VisitPublic, "description": "already stored: the walk as it was"},
        201: {"model": VisitPublic, "description": "stored"},
    },
)
def post_visit(
    body: VisitCreate,
    session: WriteSession,
    response: Response,
    user: User = Depends(require_api_role("leader", "admin")),
) -> VisitPublic:
    """Log a walk; sending the same client_id again returns the stored walk with 200."""
    visit, created = create_visit(session, leader=user, data=body)
    response.status_code = 201 if created else 200
    return VisitPublic.model_validate(visit)


@router.get("/visits", response_model=ItemList[VisitPublic], response_model_exclude_unset=True)
def get_visits(
    session: ReadSession,
    department: str | None = Query(None, max_length=200),
    since: date | None = None,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    user: User = Depends(readers),
) -> ItemList[VisitPublic]:
    """Walks as the caller's role allows (analysts: coded data, no notes)."""
    items, total = list_visits(
        session, user=user, department=department, since=since, limit=limit, offset=offset
    )
    return ItemList[VisitPublic](items=[VisitPublic.model_validate(v) for v in items], total=total)


@router.get("/visits/{visit_id}", response_model=VisitPublic, response_model_exclude_unset=True)
def get_visit(visit_id: int, session: ReadSession, user: User = Depends(readers)) -> VisitPublic:
    """One walk, if the caller may see it (analysts: coded data, no notes); 404 otherwise."""
    return VisitPublic.model_validate(get_visit_for(session, user=user, visit_id=visit_id))
