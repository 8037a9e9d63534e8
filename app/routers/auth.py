"""Login and logout pages."""

import math

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.csrf import require_csrf
from app.db import WriteSession
from app.deps import SESSION_COOKIE, get_app_settings
from app.pages import app_base_url, flash_redirect, render
from app.services.audit import record_event
from app.services.auth import (
    LoginThrottled,
    PasswordLoginOff,
    finish_two_step,
    log_in,
    log_out,
)
from app.services.oidc import SignInRefused, end_session_url, finish_sign_in, start_sign_in
from app.settings import Settings

OIDC_STATE_COOKIE = "walkabout_oidc"
CHALLENGE_COOKIE = "walkabout_two_step"

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(
    request: Request,
    settings: Settings,
    *,
    next: str | None = None,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "auth/login.html",
        {
            "next": _safe_next(next),
            "email": email,
            "error": error,
            "oidc": settings.oidc_enabled,
            "oidc_name": settings.oidc_name,
            "password_login": settings.password_login,
        },
        status_code=status_code,
    )


def _session_cookie(request: Request, response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
        max_age=settings.session_absolute_hours * 3600,
    )


def _callback_url(request: Request, settings: Settings) -> str:
    return f"{app_base_url(request, settings)}/login/oidc/callback"


@router.get("/login")
def login_page(
    request: Request, next: str | None = None, settings: Settings = Depends(get_app_settings)
) -> Response:
    return _login_page(request, settings, next=next)


@router.post("/login", dependencies=[Depends(require_csrf)])
def login_submit(
    request: Request,
    session: WriteSession,
    email: str = Form("", max_length=254),
    password: str = Form("", max_length=256),
    next: str = Form("/", max_length=500),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    address = request.client.host if request.client else "unknown"
    try:
        result = log_in(session, settings=settings, email=email, password=password, address=address)
    except PasswordLoginOff:
        return _login_page(
            request,
            settings,
            next=next,
            error=f"Passwords are not used here: sign in with {settings.oidc_name}.",
            status_code=403,
        )
    except LoginThrottled as throttled:
        wait = throttled.wait_seconds
        words = f"{wait} seconds" if wait < 120 else f"{math.ceil(wait / 60)} minutes"
        response = render(
            request,
            "auth/login.html",
            {
                "next": _safe_next(next),
                "email": email,
                "error": f"Too many failed attempts from here. Try again in {words}.",
            },
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if result is None:
        return render(
            request,
            "auth/login.html",
            {"next": _safe_next(next), "email": email, "error": "E-mail or password is not right."},
            status_code=401,
        )
    if result.challenge_token:
        from urllib.parse import urlencode

        query = urlencode({"next": _safe_next(next)})
        response = RedirectResponse(f"/login/two-step?{query}", status_code=303)
        response.set_cookie(
            CHALLENGE_COOKIE,
            result.challenge_token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/login/two-step",
            max_age=300,
        )
        return response
    response = RedirectResponse(_safe_next(next), status_code=303)
    _session_cookie(request, response, result.session_token, settings)
    return response


@router.get("/login/two-step")
def two_step_page(request: Request, next: str | None = None) -> Response:
    if not request.cookies.get(CHALLENGE_COOKIE):
        return RedirectResponse("/login", status_code=303)
    return render(request, "auth/two_step.html", {"next": _safe_next(next)})


@router.post("/login/two-step", dependencies=[Depends(require_csrf)])
def two_step_submit(
    request: Request,
    session: WriteSession,
    code: str = Form("", max_length=40),
    next: str = Form("/", max_length=500),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    challenge = request.cookies.get(CHALLENGE_COOKIE, "")
    result = (
        finish_two_step(session, settings=settings, challenge=challenge, code=code)
        if challenge
        else None
    )
    if result is None:
        return render(
            request,
            "auth/two_step.html",
            {
                "next": _safe_next(next),
                "error": "That code is not right, or it has been used. Type the code your app "
                "shows now, or a recovery code; after a few wrong codes, sign in again.",
            },
            status_code=401,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.delete_cookie(CHALLENGE_COOKIE, path="/login/two-step")
    _session_cookie(request, response, result.session_token, settings)
    return response


@router.get("/login/oidc")
def oidc_start(
    request: Request,
    session: WriteSession,
    next: str | None = None,
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """Off to the organisation's identity provider."""
    if not settings.oidc_enabled:
        return _login_page(
            request, settings, error="Single sign-on is not set up here.", status_code=404
        )
    try:
        url, state = start_sign_in(
            session,
            settings=settings,
            redirect_uri=_callback_url(request, settings),
            next_path=_safe_next(next),
        )
    except SignInRefused as refused:
        record_event(session, action="login.refused", actor_id=None, detail=refused.reason)
        return _login_page(request, settings, next=next, error=refused.message)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        OIDC_STATE_COOKIE,
        state,
        httponly=True,
        samesite="lax",  # sent on the provider's redirect back, a top-level GET
        secure=request.url.scheme == "https",
        path="/login/oidc",
        max_age=600,
    )
    return response


@router.get("/login/oidc/callback")
def oidc_callback(
    request: Request,
    session: WriteSession,
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """The provider's answer: checked, then the user is in (or told plainly why not)."""
    if not settings.oidc_enabled:
        return _login_page(
            request, settings, error="Single sign-on is not set up here.", status_code=404
        )
    params = {k: v[:2000] for k, v in request.query_params.items()}
    try:
        signed_in = finish_sign_in(
            session,
            settings=settings,
            params=params,
            browser_state=request.cookies.get(OIDC_STATE_COOKIE, ""),
            redirect_uri=_callback_url(request, settings),
        )
    except SignInRefused as refused:
        detail = f"{refused.email}: {refused.reason}" if refused.email else refused.reason
        record_event(session, action="login.refused", actor_id=None, detail=detail)
        response = render(
            request,
            "auth/refused.html",
            {"message": refused.message, "oidc_name": settings.oidc_name},
            status_code=403,
        )
        response.delete_cookie(OIDC_STATE_COOKIE, path="/login/oidc")
        return response
    response = RedirectResponse(signed_in.next_path, status_code=303)
    response.delete_cookie(OIDC_STATE_COOKIE, path="/login/oidc")
    _session_cookie(request, response, signed_in.session_token, settings)
    return response


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(
    request: Request,
    session: WriteSession,
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """Ends the session here; a single sign-on session goes on to end at the provider, which
    sends the browser back to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    method = log_out(session, token=token) if token else None
    response: Response = flash_redirect(request, "/login", "logged-out")
    if method == "oidc" and settings.oidc_enabled:
        after = end_session_url(
            settings, after=f"{app_base_url(request, settings)}/login?flash=logged-out"
        )
        if after:
            response = RedirectResponse(after, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
