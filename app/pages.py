"""Rendering pages and htmx fragments from one place."""

import hashlib
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks

from analysis.wording import flag_name
from app.csrf import csrf_token_for, set_csrf_cookie
from app.settings import Settings

TEMPLATES = Jinja2Blocks(directory=str(Path(__file__).parent / "templates"))
# Templates ship with the code: no look at each file's modification time on every render.
TEMPLATES.env.auto_reload = False
STATIC_DIR = Path(__file__).parent / "static"


def _static_version() -> str:
    """A digest of the static files: it changes with every release that changes one, so a
    phone's service worker and browser cache take the new scripts, and every worker of one
    release computes the same value."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_VERSION = _static_version()


def static_url(name: str) -> str:
    """The versioned address of a static file (`app.css` -> `/static/app.css?v=...`)."""
    return f"/static/{name}?v={STATIC_VERSION}"


TEMPLATES.env.globals["static_url"] = static_url


def counted(number: int, one: str, many: str | None = None) -> str:
    """`1 idea`, `2 ideas`: a count with its noun in the right number."""
    return f"{number} {one if number == 1 else (many or one + 's')}"


TEMPLATES.env.filters["counted"] = counted

# An action's status as a leader reads it (the stored values are the API's).
ACTION_STATUS_WORDS = {"in_progress": "in progress", "cant_do": "can't do"}
TEMPLATES.env.filters["action_status"] = lambda status: ACTION_STATUS_WORDS.get(status, status)
TEMPLATES.env.filters["flag_name"] = flag_name

NAV_BY_ROLE: dict[str, list[tuple[str, str]]] = {
    "leader": [
        ("/", "Home"),
        ("/visits", "Walks"),
        ("/visits/new", "New walk"),
        ("/programme", "Programme"),
        ("/ideas", "Ideas"),
        ("/decisions", "Decisions"),
        ("/services", "Services"),
    ],
    "analyst": [
        ("/", "Home"),
        ("/reports", "Reports"),
        ("/dashboard", "Dashboard"),
        ("/imports/survey", "Import"),
        ("/tickets", "Tickets"),
    ],
    "executive": [
        ("/", "Home"),
        ("/dashboard", "Dashboard"),
        ("/programme", "Programme"),
        ("/decisions", "Decisions"),
    ],
    "admin": [
        ("/", "Home"),
        ("/visits", "Walks"),
        ("/dashboard", "Dashboard"),
        ("/programme", "Programme"),
        ("/admin/users", "Users"),
        ("/admin/themes", "Themes"),
        ("/admin/settings", "Settings"),
        ("/tickets", "Tickets"),
    ],
}


def is_fragment_request(request: Request) -> bool:
    """True for an htmx request that is not a history restore."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _base_context(request: Request) -> dict[str, Any]:
    user = getattr(request.state, "user", None)
    return {
        "user": user,
        "nav": NAV_BY_ROLE.get(user.role, []) if user is not None else [],
        # Leaders and admins log walks: their pages carry the phone's outbox.
        "walker": user is not None and user.role in ("leader", "admin"),
        "flash": _flash_message(request),
    }


# The messages a page may show after a redirect, by the code the redirect carries: a link made
# elsewhere can choose one of these, never write its own words.
FLASH_MESSAGES = {
    "walk-saved": "Walk saved.",
    "walk-updated": "Walk updated.",
    "action-updated": "Action updated.",
    "logged-out": "You are logged out.",
    "idea-updated": "Idea updated.",
    "decision-recorded": "Decision recorded.",
    "service-saved": "Service saved.",
    "theme-added": "Theme added.",
    "theme-restored": "That theme was switched off; it is switched back on.",
    "survey-imported": "Survey imported.",
    "survey-unchanged": "This file was already imported; nothing changed.",
    "departments-imported": "Department list imported.",
    "user-updated": "Role changed: it applies from the user's next page.",
    "user-deactivated": "Deactivated: their sessions and API tokens have ended.",
    "user-activated": "Reactivated: they can sign in again.",
    "password-changed": "Password changed. Your other sessions have ended.",
    "settings-saved": "Settings saved.",
    "schedule-added": "Schedule added.",
    "schedule-removed": "Schedule removed; walks already logged stay.",
    "calendar-revoked": "Calendar link turned off: calendars that used it get nothing more.",
    "reminders-on": "Reminder e-mails are on.",
    "reminders-off": "Reminder e-mails are off.",
    "two-step-off": "Two-step sign-in is off: your password alone signs you in.",
    "two-step-reset": "Two-step sign-in reset: they sign in with their password, and set it "
    "up again where their role needs it.",
    "tickets-imported": "Tickets imported.",
    "tickets-unchanged": "This ticket export was already imported; nothing changed.",
    "tickets-removed": "Ticket export removed.",
    "categories-saved": "Ticket categories saved.",
    "survey-published": "Published: executives now see this round.",
    "survey-withdrawn": "Withdrawn: this round is a draft again; executives no longer see it.",
}


def _flash_message(request: Request) -> str | None:
    """The message for the code the request carries, if it is one of the app's own."""
    return FLASH_MESSAGES.get(request.query_params.get("flash", ""))


def app_base_url(request: Request, settings: Settings) -> str:
    """The address users reach the app at: WALKABOUT_BASE_URL behind a proxy, else the
    request's own (for links that leave the page: callbacks, calendar feeds)."""
    return settings.base_url.rstrip("/") or str(request.base_url).rstrip("/")


def flash_redirect(request: Request, path: str, code: str) -> RedirectResponse:
    """Post/redirect/get with one of the app's own messages for the next page."""
    if code not in FLASH_MESSAGES:
        raise ValueError(f"no flash message {code!r}")
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}flash={code}", status_code=303)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """The whole page, or only `block` when htmx asked for a fragment."""
    token, signed = csrf_token_for(request)
    ctx: dict[str, Any] = {"csrf_token": token, **_base_context(request), **(context or {})}
    kwargs: dict[str, Any] = {"status_code": status_code}
    if block is not None and is_fragment_request(request):
        kwargs["block_name"] = block
    response = TEMPLATES.TemplateResponse(request, template, ctx, **kwargs)
    if block is not None:
        response.headers["Vary"] = "HX-Request"
    if signed is not None:
        set_csrf_cookie(response, signed)
    user = ctx.get("user")
    # The phone's service worker keeps leader pages per user: this says whose page it is.
    response.headers["X-Walkabout-User"] = str(user.id) if user is not None else ""
    return response
