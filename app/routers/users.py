"""Admin: the list of logins and their roles."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.db import ReadSession
from app.deps import require_page_role
from app.models import User
from app.pages import render
from app.services.users import list_users

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API


@router.get("/admin/users")
def users_page(
    request: Request,
    session: ReadSession,
    _admin: User = Depends(require_page_role("admin")),
) -> Response:
    return render(request, "users/index.html", {"users": list_users(session)})
