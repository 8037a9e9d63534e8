"""Who is asking: session users for pages, bearer tokens for the API, one role check."""

from collections.abc import Awaitable, Callable

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from app.csrf import csrf_header_valid
from app.db import get_session
from app.models import User
from app.services.auth import lookup_session, user_for_session
from app.services.users import user_for_api_token
from app.settings import Settings

SESSION_COOKIE = "walkabout_session"


class LoginRequired(Exception):
    """A page was asked for without a valid session."""


class PageForbidden(Exception):
    """A logged-in user asked for a page their role may not see."""


# Dependencies that touch no database are coroutines: FastAPI runs a plain function in the
# thread pool, and each hand-off there costs more than the check itself under load.


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was made with."""
    settings: Settings = request.app.state.settings
    return settings


def page_user(
    request: Request,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_app_settings),
) -> User:
    """The logged-in user of a page, or a redirect to /login."""
    token = request.cookies.get(SESSION_COOKIE)
    found = lookup_session(session, settings=settings, token=token) if token else None
    if found is None:
        raise LoginRequired
    request.state.user = found.user
    # Read before the page's own data: what a page kept under it shows is at least this new.
    request.state.data_version = found.data_version
    return found.user


def require_page_role(*roles: str) -> Callable[..., Awaitable[User]]:
    """Dependency: a page only these roles may see (others get a friendly 403)."""

    async def _check(user: User = Depends(page_user)) -> User:
        if user.role not in roles:
            raise PageForbidden
        return user

    return _check


def api_user(request: Request, session: Session = Depends(get_session)) -> User:
    """The user behind `Authorization: Bearer TOKEN` (or a page session), or 401.

    A plain function on purpose: it queries the database, so it runs in the thread pool and
    never blocks the event loop while SQLite's write lock is held elsewhere.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_api_token(session, token=token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        # A page session also works for the API (the phone's outbox posts with its cookie).
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            user = user_for_session(session, settings=request.app.state.settings, token=cookie)
            # Cookies ride along on forged cross-site requests; bearer tokens do not.
            unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
            if user is not None and unsafe and not csrf_header_valid(request):
                raise HTTPException(status_code=403, detail="CSRF token missing or invalid")
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="missing or invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def require_api_role(*roles: str) -> Callable[..., Awaitable[User]]:
    """Dependency: an API route only these roles may call (others get 403)."""

    async def _check(user: User = Depends(api_user)) -> User:
        if user.role not in roles:
            raise HTTPException(status_code=403, detail=f"the {user.role} role may not do this")
        return user

    return _check
