"""API: the service catalogue leaders open on a walk."""

from fastapi import APIRouter, Depends

from app.db import ReadSession
from app.deps import api_user
from app.models import CatalogueEntryPublic, User
from app.models.api import ERROR_RESPONSES, ItemList
from app.services.catalogue import list_catalogue

router = APIRouter(prefix="/api/v1", tags=["catalogue"], responses=ERROR_RESPONSES)


@router.get("/services", response_model=ItemList[CatalogueEntryPublic])
def get_catalogue(
    session: ReadSession, _user: User = Depends(api_user)
) -> ItemList[CatalogueEntryPublic]:
    """The service catalogue: emergencies, response and resolution times, how to ask."""
    items = [CatalogueEntryPublic.model_validate(e) for e in list_catalogue(session)]
    return ItemList[CatalogueEntryPublic](items=items, total=len(items))
