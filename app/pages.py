"""Rendering pages and htmx fragments from one place."""

from collections.abc import Callable, Hashable
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks

from app.csrf import csrf_token_for, set_csrf_cookie
from app.page_cache import PageCache, fill, placeholder

TEMPLATES = Jinja2Blocks(directory=str(Path(__file__).parent / "templates"))
# Templates ship with the code: no look at each file's modification time on every render.
TEMPLATES.env.auto_reload = False

NAV_BY_ROLE: dict[str, list[tuple[str, str]]] = {
    "leader": [
        ("/", "Home"),
        ("/visits", "Walks"),
        ("/visits/new", "New walk"),
        ("/ideas", "Ideas"),
        ("/decisions", "Decisions"),
        ("/services", "Services"),
    ],
    "analyst": [("/", "Home"), ("/reports", "Reports"), ("/dashboard", "Dashboard")],
    "executive": [("/", "Home"), ("/dashboard", "Dashboard"), ("/decisions", "Decisions")],
    "admin": [
        ("/", "Home"),
        ("/visits", "Walks"),
        ("/dashboard", "Dashboard"),
        ("/admin/users", "Users"),
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
        "flash": request.query_params.get("flash"),
    }


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
    return response


def render_cached(
    request: Request,
    template: str,
    build: Callable[[], dict[str, Any]],
    *,
    key: tuple[Hashable, ...] = (),
    fresh: dict[str, str] | None = None,
    block: str | None = None,
) -> Response:
    """`render`, kept per user, day and data version, for pages built only from the database.

    `build` makes the context (it runs only when the page is not kept); `key` holds anything
    else the page depends on (query parameters); `fresh` the values every request gets anew,
    which the context holds as `app.page_cache.placeholder(name)`.
    """
    version = getattr(request.state, "data_version", None)
    user = getattr(request.state, "user", None)
    cache: PageCache | None = getattr(request.app.state, "page_cache", None)
    fresh = dict(fresh or {})
    if version is None or user is None or cache is None or "flash" in request.query_params:
        context = build()
        response = render(request, template, context, block=block)
        response.body = fill(bytes(response.body).decode(), fresh).encode()
        response.headers["content-length"] = str(len(response.body))
        return response
    fragment = block if block is not None and is_fragment_request(request) else None
    page_key = (template, fragment, request.url.path, user.id, date.today().isoformat(), *key)
    token, signed = csrf_token_for(request)
    fresh["csrf_token"] = token
    page = cache.get(page_key, version)
    if page is None:
        context = {**build(), "csrf_token": placeholder("csrf_token")}
        kwargs: dict[str, Any] = {"block_name": fragment} if fragment else {}
        rendered = TEMPLATES.TemplateResponse(
            request, template, {**_base_context(request), **context}, **kwargs
        )
        page = bytes(rendered.body).decode()
        cache.put(page_key, version, page)
    response = HTMLResponse(fill(page, fresh))
    if block is not None:
        response.headers["Vary"] = "HX-Request"
    if signed is not None:
        set_csrf_cookie(response, signed)
    return response
