"""Login and logout pages."""

import math

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.csrf import require_csrf
from app.db import WriteSession
from app.deps import SESSION_COOKIE, get_app_settings
from app.pages import flash_redirect, render
from app.services.auth import LoginThrottled, log_in, log_out
from app.settings import Settings

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "auth/login.html", {"next": _safe_next(next), "email": ""})


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
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.session_token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
        max_age=settings.session_absolute_hours * 3600,
    )
    return response


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(
    request: Request,
    session: WriteSession,
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        log_out(session, token=token)
    response = flash_redirect(request, "/login", "logged-out")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
