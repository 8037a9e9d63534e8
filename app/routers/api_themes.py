"""API: the theme list conversations are coded against."""

from fastapi import APIRouter, Depends

from app.db import ReadSession
from app.deps import api_user
from app.models import ThemePublic, User
from app.models.api import ERROR_RESPONSES, ItemList
from app.services.themes import list_themes

router = APIRouter(prefix="/api/v1", tags=["themes"], responses=ERROR_RESPONSES)


@router.get("/themes", response_model=ItemList[ThemePublic])
def get_themes(
    session: ReadSession, include_retired: bool = False, _user: User = Depends(api_user)
) -> ItemList[ThemePublic]:
    """The themes, by name (retired ones too when asked: past conversations keep them)."""
    items = [
        ThemePublic.model_validate(t) for t in list_themes(session, active_only=not include_retired)
    ]
    return ItemList[ThemePublic](items=items, total=len(items))
