"""Admin: the shared theme list that conversations are coded against."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import require_page_role
from app.models import User
from app.pages import flash_redirect, render
from app.services.errors import ServiceError
from app.services.themes import add_theme, find_theme, list_themes, set_theme_active

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
admins = require_page_role("admin")


@router.get("/admin/themes")
def themes_page(
    request: Request,
    session: ReadSession,
    _admin: User = Depends(admins),
) -> Response:
    return render(
        request,
        "themes/index.html",
        {"themes": list_themes(session, active_only=False), "error": None},
    )


@router.post("/admin/themes", dependencies=[Depends(require_csrf)])
def create_theme(
    request: Request,
    session: WriteSession,
    name: str = Form("", max_length=200),
    admin: User = Depends(admins),
) -> Response:
    try:
        existing = find_theme(session, name=name)
        add_theme(session, name=name, actor_id=admin.id)
    except ServiceError as exc:
        return render(
            request,
            "themes/index.html",
            {"themes": list_themes(session, active_only=False), "error": str(exc)},
            status_code=422,
        )
    code = "theme-restored" if existing is not None else "theme-added"
    return flash_redirect(request, "/admin/themes", code)


@router.post("/admin/themes/{theme_id}", dependencies=[Depends(require_csrf)])
def toggle_theme(
    theme_id: int,
    session: WriteSession,
    active: bool = Form(...),
    admin: User = Depends(admins),
) -> Response:
    set_theme_active(session, theme_id=theme_id, active=active, actor_id=admin.id)
    return RedirectResponse("/admin/themes", status_code=303)
