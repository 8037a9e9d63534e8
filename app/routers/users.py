"""Admin: logins and their roles in the browser (add, change role, deactivate, reset a
password); everyone: choosing their own password."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import SESSION_COOKIE, get_app_settings, page_user, require_page_role
from app.models import Role, User
from app.pages import flash_redirect, render
from app.services.auth import set_session_method
from app.services.errors import NotFoundError, ServiceError
from app.services.programme_settings import two_step_roles
from app.services.two_step import (
    accept_code,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    qr_svg,
    recovery_codes_left,
    seal,
    turn_off,
    turn_on,
    unseal,
)
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
from app.settings import Settings

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


def _two_step_page(
    request: Request,
    session: Session,
    user: User,
    settings: Settings,
    *,
    codes: list[str] | None = None,
    error: str | None = None,
    sealed: str = "",
    status_code: int = 200,
) -> Response:
    """Two-step sign-in: its state, or a fresh secret to set it up with (the secret rides
    in the form sealed with the app's key, so no server keeps a half-made one)."""
    context: dict[str, object] = {
        "on": bool(user.totp_secret),
        "codes": codes,
        "error": error,
        "required": user.role in two_step_roles(session),
        "single_sign_on": getattr(request.state, "session_method", "") == "oidc",
    }
    if user.totp_secret and user.id is not None:
        context["left"] = recovery_codes_left(session, user_id=user.id)
    elif not codes:
        secret = unseal(sealed, settings) if sealed else None
        secret = secret or new_secret()
        uri = provisioning_uri(secret, user.email)
        context |= {
            "sealed": seal(secret, settings),
            "qr": qr_svg(uri),
            "uri": uri,
            "key": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        }
    return render(request, "users/two_step.html", context, status_code=status_code)


@router.get("/account/two-step")
def two_step_page(
    request: Request,
    session: ReadSession,
    user: User = Depends(page_user),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    return _two_step_page(request, session, user, settings)


@router.post("/account/two-step", dependencies=[Depends(require_csrf)])
def two_step_on(
    request: Request,
    session: WriteSession,
    sealed: str = Form("", max_length=500),
    code: str = Form("", max_length=20),
    user: User = Depends(page_user),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """Turn two-step on once a code from the app matches; the recovery codes are shown in
    this answer only."""
    if user.totp_secret:
        return _two_step_page(request, session, user, settings)
    codes = turn_on(session, user=user, sealed_secret=sealed, code=code, settings=settings)
    if codes is None:
        return _two_step_page(
            request,
            session,
            user,
            settings,
            sealed=sealed,
            error="That code does not match. Check the app shows Walkabout with your e-mail, "
            "and type the code it shows now.",
            status_code=422,
        )
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and getattr(request.state, "session_method", "") == "setup-two-step":
        set_session_method(session, token=token, method="two-step")
    return _two_step_page(request, session, user, settings, codes=codes)


@router.post("/account/two-step/recovery-codes", dependencies=[Depends(require_csrf)])
def two_step_new_codes(
    request: Request,
    session: WriteSession,
    code: str = Form("", max_length=20),
    user: User = Depends(page_user),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """Ten new recovery codes (the old ones stop working), for a current code."""
    assert user.id is not None
    if not user.totp_secret or not accept_code(session, user=user, code=code, settings=settings):
        return _two_step_page(
            request, session, user, settings, error="That code is not right.", status_code=422
        )
    codes = new_recovery_codes(session, user_id=user.id)
    return _two_step_page(request, session, user, settings, codes=codes)


@router.post("/account/two-step/off", dependencies=[Depends(require_csrf)])
def two_step_off(
    request: Request,
    session: WriteSession,
    code: str = Form("", max_length=20),
    user: User = Depends(page_user),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """Two-step off, for a current code; not where the admin requires it for the role."""
    if user.role in two_step_roles(session):
        return _two_step_page(
            request,
            session,
            user,
            settings,
            error=f"Two-step sign-in is required for the {user.role} role here.",
            status_code=409,
        )
    if not user.totp_secret or not accept_code(session, user=user, code=code, settings=settings):
        return _two_step_page(
            request, session, user, settings, error="That code is not right.", status_code=422
        )
    turn_off(session, user=user, actor_id=user.id)
    return flash_redirect(request, "/account/two-step", "two-step-off")


@router.post("/admin/users/{user_id}/two-step-off", dependencies=[Depends(require_csrf)])
def admin_two_step_off(
    request: Request,
    user_id: int,
    session: WriteSession,
    admin: User = Depends(admins),
) -> Response:
    """For someone who lost their phone and their recovery codes: they sign in with their
    password and, where their role requires it, set two-step up again."""
    turn_off(session, user=get_user(session, user_id=user_id), actor_id=admin.id)
    return flash_redirect(request, "/admin/users", "two-step-reset")
