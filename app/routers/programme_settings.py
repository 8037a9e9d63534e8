"""Admin: the programme's settings (the minimum group size, the roles that sign in in two
steps) in the browser."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import MinGroupSize, require_page_role
from app.models import User
from app.models.programme_setting import MIN_GROUP_SIZE_CEILING, MIN_GROUP_SIZE_FLOOR
from app.pages import flash_redirect, render
from app.services.errors import ServiceError
from app.services.programme_settings import save_min_group_size, save_two_step_roles, two_step_roles
from app.settings import ROLES

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
admins = require_page_role("admin")


def _page(
    request: Request,
    value: object,
    error: str | None,
    roles: set[str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "programme_settings/index.html",
        {
            "min_group_size": value,
            "floor": MIN_GROUP_SIZE_FLOOR,
            "ceiling": MIN_GROUP_SIZE_CEILING,
            "default": request.app.state.settings.min_group_size,
            "error": error,
            "roles": ROLES,
            "two_step_roles": roles,
            "single_sign_on": request.app.state.settings.oidc_enabled,
        },
        status_code=status_code,
    )


@router.get("/admin/settings")
def settings_page(
    request: Request, k: MinGroupSize, session: ReadSession, _admin: User = Depends(admins)
) -> Response:
    return _page(request, k, None, two_step_roles(session))


@router.post("/admin/settings", dependencies=[Depends(require_csrf)])
def save_settings(
    request: Request,
    session: WriteSession,
    min_group_size: str = Form("", max_length=20),
    admin: User = Depends(admins),
) -> Response:
    try:
        save_min_group_size(session, value=min_group_size, actor_id=admin.id)
    except ServiceError as exc:
        return _page(request, min_group_size, str(exc), two_step_roles(session), status_code=422)
    return flash_redirect(request, "/admin/settings", "settings-saved")


@router.post("/admin/settings/two-step", dependencies=[Depends(require_csrf)])
def save_two_step(
    request: Request,
    session: WriteSession,
    roles: list[str] = Form([]),
    admin: User = Depends(admins),
) -> Response:
    """The roles whose local accounts must sign in in two steps, from their next sign-in."""
    save_two_step_roles(session, roles=roles, actor_id=admin.id)
    return flash_redirect(request, "/admin/settings", "settings-saved")
