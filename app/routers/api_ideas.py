"""API: ideas heard on walks."""

from fastapi import APIRouter, Depends, Query

from app.db import ReadSession, WriteSession
from app.deps import require_api_role
from app.models import IdeaPublic, IdeaStatusChange, IdeaStatusPublic, User
from app.models.api import ERROR_RESPONSES, ItemList
from app.services.ideas import change_idea_status, list_ideas

router = APIRouter(prefix="/api/v1", tags=["ideas"], responses=ERROR_RESPONSES)
FREE_TEXT = ("benefit", "who_else", "reason")


@router.get("/ideas", response_model=ItemList[IdeaPublic], response_model_exclude_unset=True)
def get_ideas(
    session: ReadSession,
    department: str | None = Query(None, max_length=200),
    status: str | None = Query(None, max_length=20),
    user: User = Depends(require_api_role("leader", "analyst", "executive", "admin")),
) -> ItemList[IdeaPublic]:
    """Ideas; executives see what, where and status, never the people's own words."""
    items = list_ideas(session, user=user, department=department, status=status)
    if user.role == "executive":
        items = [{k: v for k, v in i.items() if k not in FREE_TEXT} for i in items]
    return ItemList[IdeaPublic](
        items=[IdeaPublic.model_validate(i) for i in items], total=len(items)
    )


@router.post("/ideas/{idea_id}/status", response_model=IdeaStatusPublic)
def post_idea_status(
    idea_id: int,
    body: IdeaStatusChange,
    session: WriteSession,
    user: User = Depends(require_api_role("leader", "admin")),
) -> IdeaStatusPublic:
    """Move an idea on its way; an illegal step (delivered -> new) answers 409."""
    idea = change_idea_status(session, user=user, idea_id=idea_id, change=body)
    return IdeaStatusPublic(id=idea.id or 0, status=idea.status, reason=idea.reason)
