"""API: priority decisions waiting on the business (or on IT)."""

from fastapi import APIRouter, Depends

from app.db import ReadSession, WriteSession
from app.deps import require_api_role
from app.models import (
    PriorityDecisionPublic,
    PriorityDecisionStatusChange,
    PriorityDecisionStatusPublic,
    User,
)
from app.models.api import ERROR_RESPONSES, ItemList
from app.services.priority_decisions import change_decision_status, list_decisions

router = APIRouter(prefix="/api/v1", tags=["priority decisions"], responses=ERROR_RESPONSES)


@router.get("/priority-decisions", response_model=ItemList[PriorityDecisionPublic])
def get_decisions(
    session: ReadSession,
    open_only: bool = True,
    _user: User = Depends(require_api_role("leader", "analyst", "executive", "admin")),
) -> ItemList[PriorityDecisionPublic]:
    """Decisions waiting on the business (or IT), by owner and age."""
    items = [
        PriorityDecisionPublic.model_validate(d)
        for d in list_decisions(session, open_only=open_only)
    ]
    return ItemList[PriorityDecisionPublic](items=items, total=len(items))


@router.post(
    "/priority-decisions/{decision_id}/status", response_model=PriorityDecisionStatusPublic
)
def post_decision_status(
    decision_id: int,
    body: PriorityDecisionStatusChange,
    session: WriteSession,
    user: User = Depends(require_api_role("leader", "admin")),
) -> PriorityDecisionStatusPublic:
    """Record the business owner's decision."""
    decision = change_decision_status(
        session, user=user, decision_id=decision_id, status=body.status, note=body.note
    )
    return PriorityDecisionStatusPublic(id=decision.id or 0, status=decision.status)
