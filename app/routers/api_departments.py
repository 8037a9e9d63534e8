"""API: the department directory."""

from typing import Any

from fastapi import APIRouter, Depends

from app.db import ReadSession
from app.deps import api_user
from app.models import DepartmentPublic, User
from app.services.departments import list_departments

router = APIRouter(prefix="/api/v1", tags=["departments"])


@router.get("/departments")
def get_departments(
    session: ReadSession,
    _user: User = Depends(api_user),
) -> dict[str, Any]:
    """Every department with its headcount and division (all roles)."""
    items = [DepartmentPublic.model_validate(d).model_dump() for d in list_departments(session)]
    return {"items": items, "total": len(items)}
