"""API: the department directory."""

from fastapi import APIRouter, Depends

from app.db import ReadSession
from app.deps import api_user
from app.models import DepartmentPublic, User
from app.models.api import ERROR_RESPONSES, ItemList
from app.services.departments import list_departments

router = APIRouter(prefix="/api/v1", tags=["departments"], responses=ERROR_RESPONSES)


@router.get("/departments", response_model=ItemList[DepartmentPublic])
def get_departments(
    session: ReadSession,
    _user: User = Depends(api_user),
) -> ItemList[DepartmentPublic]:
    """Every department with its headcount and division (all roles)."""
    items = [DepartmentPublic.model_validate(d) for d in list_departments(session)]
    return ItemList[DepartmentPublic](items=items, total=len(items))
