"""Who is asking: session users for pages, bearer tokens for the API, one role check."""

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request

from app.csrf import csrf_header_valid
from app.db import ReadSession, unit_of_work
from app.models import User
from app.services.auth import SessionLookup, lookup_session, touch_session
from app.services.programme_settings import min_group_size
from app.services.users import user_for_api_token
from app.settings import Settings

SESSION_COOKIE = "walkabout_session"


class LoginRequired(Exception):
    """A page was asked for without a valid session."""


class PageForbidden(Exception):
    """A logged-in user asked for a page their role may not see."""


class PasswordChangeRequired(Exception):
    """The user signed in with a password an admin chose: they pick their own first."""


class TwoStepSetupRequired(Exception):
    """The user's role signs in in two steps, and they have not set it up yet."""


PASSWORD_PAGE = "/account/password"  # noqa: S105  # nosec B105  # an address, not a secret
TWO_STEP_PAGE = "/account/two-step"


# Dependencies that touch no database are coroutines: FastAPI runs a plain function in the
# thread pool, and each hand-off there costs more than the check itself under load.


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was made with."""
    settings: Settings = request.app.state.settings
    return settings


async def _session_user(request: Request, session: ReadSession, token: str) -> User | None:
    """The user of a session cookie; the session's idle clock is moved on through a write of
    its own once a minute (a read request's session cannot write)."""
    settings: Settings = request.app.state.settings
    found: SessionLookup | None = await anyio.to_thread.run_sync(
        partial(lookup_session, session, settings=settings, token=token)
    )
    if found is None:
        return None
    if found.touch_due:
        # A busy database raises OperationalError, which the app answers with 503.

        def touch() -> None:
            with unit_of_work(request.app.state.engine) as writer:
                touch_session(writer, token=token)

        await anyio.to_thread.run_sync(touch)
    request.state.session_method = found.method
    return found.user


async def page_user(request: Request, session: ReadSession) -> User:
    """The logged-in user of a page, or a redirect to /login."""
    token = request.cookies.get(SESSION_COOKIE)
    user = await _session_user(request, session, token) if token else None
    if user is None:
        raise LoginRequired
    request.state.user = user  # for the page's navigation
    if user.must_change_password and request.url.path != PASSWORD_PAGE:
        raise PasswordChangeRequired
    setting_up = request.url.path in (TWO_STEP_PAGE, PASSWORD_PAGE)
    if request.state.session_method == "setup-two-step" and not setting_up:
        raise TwoStepSetupRequired
    return user


async def group_size(request: Request, session: ReadSession) -> int:
    """The minimum group size for this request's figures (the admin's, else the setting)."""
    settings: Settings = request.app.state.settings
    return await anyio.to_thread.run_sync(partial(min_group_size, session, settings=settings))


MinGroupSize = Annotated[int, Depends(group_size)]


def require_page_role(*roles: str) -> Callable[..., Awaitable[User]]:
    """Dependency: a page only these roles may see (others get a friendly 403)."""

    async def _check(user: User = Depends(page_user)) -> User:
        if user.role not in roles:
            raise PageForbidden
        return user

    return _check


async def api_user(request: Request, session: ReadSession) -> User:
    """The user behind `Authorization: Bearer TOKEN` (or a page session), or 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer":
        user = await anyio.to_thread.run_sync(
            partial(user_for_api_token, session, token=token.strip())
        )
    if user is None:
        # A page session also works for the API (the phone's outbox posts with its cookie).
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            user = await _session_user(request, session, cookie)
            # Cookies ride along on forged cross-site requests; bearer tokens do not.
            unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
            if user is not None and unsafe and not csrf_header_valid(request):
                raise HTTPException(status_code=403, detail="CSRF token missing or invalid")
            if user is not None and user.must_change_password:
                raise HTTPException(status_code=403, detail="choose your own password first")
            if user is not None and request.state.session_method == "setup-two-step":
                raise HTTPException(status_code=403, detail="set up two-step sign-in first")
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
