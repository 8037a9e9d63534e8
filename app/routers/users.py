"""Admin: logins and their roles in the browser (add, change role, deactivate, reset a
password); everyone: choosing their own password."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import SESSION_COOKIE, page_user, require_page_role
from app.models import Role, User
from app.pages import flash_redirect, render
from app.services.errors import NotFoundError, ServiceError
from app.services.users import (
    change_password,
    change_role,
    create_user,
    get_user,
    list_users,
    one_time_password,
    reset_password,
    set_user_active,
)

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
admins = require_page_role("admin")
ROLES = [r.value for r in Role]


def _users_page(
    request: Request,
    session: ReadSession | WriteSession,
    *,
    status_code: int = 200,
    **context: object,
) -> Response:
    values = {"users": list_users(session), "roles": ROLES, "error": None, "handover": None}
    values.update({"email": "", "role": "leader"} | context)
    return render(request, "users/index.html", values, status_code=status_code)


@router.get("/admin/users")
def users_page(request: Request, session: ReadSession, _admin: User = Depends(admins)) -> Response:
    return _users_page(request, session)


@router.post("/admin/users", dependencies=[Depends(require_csrf)])
def add_user(
    request: Request,
    session: WriteSession,
    email: str = Form("", max_length=254),
    role: str = Form("leader", max_length=20),
    admin: User = Depends(admins),
) -> Response:
    password = one_time_password()
    try:
        user = create_user(
            session,
            email=email,
            role=role,
            password=password,
            actor_id=admin.id,
            must_change_password=True,
        )
    except ServiceError as exc:
        message = str(exc).replace("a user with e-mail", "A user with the e-mail")
        return _users_page(request, session, status_code=422, error=message, email=email, role=role)
    # Shown once, in this answer only (never stored, never in an address): the admin hands
    # it over and the user replaces it at first sign-in.
    return _users_page(request, session, handover={"email": user.email, "password": password})


@router.post("/admin/users/{user_id}/role", dependencies=[Depends(require_csrf)])
def set_role(
    request: Request,
    user_id: int,
    session: WriteSession,
    role: str = Form(..., max_length=20),
    admin: User = Depends(admins),
) -> Response:
    try:
        change_role(session, user_id=user_id, role=role, actor_id=admin.id)
    except NotFoundError:
        raise
    except ServiceError as exc:
        return _users_page(request, session, status_code=409, error=str(exc))
    return flash_redirect(request, "/admin/users", "user-updated")


@router.post("/admin/users/{user_id}/active", dependencies=[Depends(require_csrf)])
def set_active(
    request: Request,
    user_id: int,
    session: WriteSession,
    active: bool = Form(...),
    admin: User = Depends(admins),
) -> Response:
    try:
        set_user_active(session, user_id=user_id, active=active, actor_id=admin.id)
    except NotFoundError:
        raise
    except ServiceError as exc:
        return _users_page(request, session, status_code=409, error=str(exc))
    return flash_redirect(
        request, "/admin/users", "user-activated" if active else "user-deactivated"
    )


@router.post("/admin/users/{user_id}/password", dependencies=[Depends(require_csrf)])
def reset_user_password(
    request: Request,
    user_id: int,
    session: WriteSession,
    admin: User = Depends(admins),
) -> Response:
    password = reset_password(session, user_id=user_id, actor_id=admin.id)
    user = get_user(session, user_id=user_id)
    return _users_page(request, session, handover={"email": user.email, "password": password})


@router.get("/account/password")
def password_page(request: Request, user: User = Depends(page_user)) -> Response:
    return render(
        request, "users/password.html", {"problems": {}, "forced": user.must_change_password}
    )


@router.post("/account/password", dependencies=[Depends(require_csrf)])
def password_submit(
    request: Request,
    session: WriteSession,
    current: str = Form("", max_length=256),
    new: str = Form("", max_length=256),
    confirm: str = Form("", max_length=256),
    user: User = Depends(page_user),
) -> Response:
    assert user.id is not None
    problems = change_password(
        session,
        user_id=user.id,
        current=current,
        new=new,
        confirm=confirm,
        keep_token=request.cookies.get(SESSION_COOKIE, ""),
    )
    if problems:
        return render(
            request,
            "users/password.html",
            {"problems": problems, "forced": user.must_change_password},
            status_code=422,
        )
    return flash_redirect(request, "/", "password-changed")
