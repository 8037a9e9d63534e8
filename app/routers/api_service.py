"""API: ideas, priority decisions and the service catalogue."""

from typing import Any

from fastapi import APIRouter, Depends, Query

from app.db import ReadSession, WriteSession
from app.deps import api_user, require_api_role
from app.models import IdeaStatusChange, PriorityDecisionStatusChange, User
from app.services.ideas import change_idea_status, list_ideas
from app.services.priority_decisions import change_decision_status, list_decisions
from app.services.service_catalogue import list_services

router = APIRouter(prefix="/api/v1", tags=["ideas, decisions, services"])
FREE_TEXT = ("benefit", "who_else", "reason")


@router.get("/ideas")
def get_ideas(
    session: ReadSession,
    department: str | None = Query(None, max_length=200),
    status: str | None = Query(None, max_length=20),
    user: User = Depends(require_api_role("leader", "analyst", "executive", "admin")),
) -> dict[str, Any]:
    """Ideas; executives see what, where and status, never the people's own words."""
    items = list_ideas(session, department=department, status=status)
    if user.role == "executive":
        items = [{k: v for k, v in i.items() if k not in FREE_TEXT} for i in items]
    return {"items": items, "total": len(items)}


@router.post("/ideas/{idea_id}/status")
def post_idea_status(
    idea_id: int,
    body: IdeaStatusChange,
    session: WriteSession,
    user: User = Depends(require_api_role("leader", "admin")),
) -> dict[str, Any]:
    """Move an idea on its way; an illegal step (delivered -> new) answers 409."""
    idea = change_idea_status(session, user=user, idea_id=idea_id, change=body)
    return {"id": idea.id, "status": idea.status, "reason": idea.reason}


@router.get("/priority-decisions")
def get_decisions(
    session: ReadSession,
    open_only: bool = True,
    _user: User = Depends(require_api_role("leader", "analyst", "executive", "admin")),
) -> dict[str, Any]:
    """Decisions waiting on the business (or IT), by owner and age."""
    items = list_decisions(session, open_only=open_only)
    return {"items": items, "total": len(items)}


@router.post("/priority-decisions/{decision_id}/status")
def post_decision_status(
    decision_id: int,
    body: PriorityDecisionStatusChange,
    session: WriteSession,
    user: User = Depends(require_api_role("leader", "admin")),
) -> dict[str, Any]:
    """Record the business owner's decision."""
    decision = change_decision_status(
        session, user=user, decision_id=decision_id, status=body.status, note=body.note
    )
    return {"id": decision.id, "status": decision.status}


@router.get("/services")
def get_services(
    session: ReadSession,
    _user: User = Depends(api_user),
) -> dict[str, Any]:
    """The service catalogue: emergencies, response and resolution times, how to ask."""
    items = [s.model_dump(exclude={"name_key"}) for s in list_services(session)]
    return {"items": items, "total": len(items)}
