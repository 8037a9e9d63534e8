"""API: follow-up actions from walks."""

from typing import Literal

from fastapi import APIRouter, Depends, Query

from app.db import ReadSession, WriteSession
from app.deps import require_api_role
from app.models import ActionListed, ActionStatusChange, User
from app.models.api import ERROR_RESPONSES, ItemList
from app.services.actions import list_actions, set_action_status

router = APIRouter(prefix="/api/v1", tags=["actions"], responses=ERROR_RESPONSES)
Status = Literal["open", "in_progress", "done", "cant_do"]


@router.get("/actions", response_model=ItemList[ActionListed])
def get_actions(
    session: ReadSession,
    status: Status | None = None,
    owner: str | None = Query(None, max_length=254),
    user: User = Depends(require_api_role("leader", "analyst", "admin")),
) -> ItemList[ActionListed]:
    """Actions of the walks the caller may see, by due date; `owner` is an e-mail."""
    items = [
        ActionListed.model_validate(a)
        for a in list_actions(session, user=user, status=status, owner=owner)
    ]
    return ItemList[ActionListed](items=items, total=len(items))


@router.post("/actions/{action_id}/status", response_model=ActionListed)
def post_action_status(
    action_id: int,
    body: ActionStatusChange,
    session: WriteSession,
    user: User = Depends(require_api_role("leader", "admin")),
) -> ActionListed:
    """Move an action on (its owner, or an admin)."""
    return ActionListed.model_validate(
        set_action_status(session, user=user, action_id=action_id, status=body.status)
    )
