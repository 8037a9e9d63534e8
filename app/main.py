"""The FastAPI application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import swagger_ui
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.csrf import CsrfRejected, configure_csrf
from app.db import DatabaseBusy, get_engine, is_busy
from app.deps import (
    PASSWORD_PAGE,
    TWO_STEP_PAGE,
    LoginRequired,
    PageForbidden,
    PasswordChangeRequired,
    TwoStepSetupRequired,
)
from app.ingest.row_errors import ImportRefused
from app.ingest.tabular import FileFormatError
from app.logs import RequestLogMiddleware, configure_logging
from app.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from app.pages import TEMPLATES, render
from app.routers import (
    api_actions,
    api_catalogue,
    api_decisions,
    api_departments,
    api_ideas,
    api_reports,
    api_schedules,
    api_surveys,
    api_themes,
    api_tickets,
    api_visits,
    auth,
    catalogue,
    dashboard,
    decisions,
    health,
    home,
    ideas,
    import_preview,
    imports,
    offline,
    programme,
    programme_settings,
    reports,
    themes,
    tickets,
    users,
    visits,
)
from app.services.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceError,
    plain_message,
)
from app.services.visits import VisitInputError
from app.settings import Settings, get_settings

log = logging.getLogger("walkabout")
STATIC_DIR = Path(__file__).parent / "static"
SWAGGER_UI_DIR = Path(swagger_ui.__file__).parent / "static"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
    )


def _origin(url: str) -> str:
    """scheme://host[:port] of an address, or nothing."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def create_app(settings: Settings | None = None, *, database_url: str | None = None) -> FastAPI:
    """Build the app for one database (the engine is made here, not at import)."""
    settings = settings or get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    configure_csrf(settings)
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Limiters belong to an event loop: made when the process starts serving.
        sqlite = app.state.engine.dialect.name == "sqlite"
        app.state.write_limiter = anyio.CapacityLimiter(1 if sqlite else settings.write_slots)
        app.state.session_limiter = anyio.CapacityLimiter(settings.database_slots)
        yield

    app = FastAPI(
        title="Walkabout",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = get_engine(settings.database_url, wait_seconds=settings.write_wait_seconds)
    app.state.read_engine = get_engine(settings.database_url, read_only=True)

    app.add_middleware(
        BodyLimitMiddleware,
        max_body=settings.max_body_bytes,
        max_upload=settings.max_upload_bytes,
        upload_paths=("/api/v1/surveys/", "/imports/survey"),
    )
    app.add_middleware(SecurityHeadersMiddleware, form_origin=_origin(settings.oidc_issuer))
    # Every text answer compressed (pages, JSON, the 4.8 MB plotly bundle): a phone on poor
    # Wi-Fi downloads a fifth of it. Tiny answers are not worth it.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(RequestLogMiddleware)
    if settings.trusted_proxies.strip():
        # Outermost: every part of the app sees the client's address, not the proxy's.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/vendor/swagger-ui", StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")

    @app.get("/api/docs", include_in_schema=False)
    async def api_docs(request: Request) -> Response:
        """The API's documentation page (Swagger UI from the installed package)."""
        return TEMPLATES.TemplateResponse(request, "api/docs.html", {})

    for router in (
        health.router,
        auth.router,
        home.router,
        users.router,
        api_departments.router,
        api_visits.router,
        api_actions.router,
        api_themes.router,
        api_surveys.router,
        api_reports.router,
        api_tickets.router,
        visits.router,
        offline.router,
        dashboard.router,
        reports.router,
        imports.router,
        import_preview.router,
        themes.router,
        programme_settings.router,
        api_ideas.router,
        api_decisions.router,
        api_catalogue.router,
        ideas.router,
        decisions.router,
        catalogue.router,
        api_schedules.router,
        programme.router,
        tickets.router,
    ):
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: LoginRequired) -> Response:
        target = "/login"
        if request.method == "GET" and request.url.path not in ("/", "/login"):
            from urllib.parse import quote

            target += "?next=" + quote(request.url.path)
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def _password_change(request: Request, _exc: PasswordChangeRequired) -> Response:
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": PASSWORD_PAGE})
        return RedirectResponse(PASSWORD_PAGE, status_code=303)

    @app.exception_handler(TwoStepSetupRequired)
    async def _two_step_setup(request: Request, _exc: TwoStepSetupRequired) -> Response:
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": TWO_STEP_PAGE})
        return RedirectResponse(TWO_STEP_PAGE, status_code=303)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, _exc: PageForbidden) -> Response:
        return _error_page(
            request,
            403,
            "Not for your role",
            "This page belongs to another role. Your home page has what is yours.",
        )

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, _exc: CsrfRejected) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "CSRF token missing or invalid"}, status_code=403)
        return _error_page(
            request,
            403,
            "Form expired",
            "This form was out of date or not sent from Walkabout. "
            "Go back, reload the page and try again.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request) or exc.status_code not in (403, 404, 405):
            return JSONResponse(
                {"detail": exc.detail},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        titles = {403: "Not allowed", 404: "Not found", 405: "Not allowed"}
        return _error_page(
            request,
            exc.status_code,
            titles[exc.status_code],
            "There is nothing here. Check the address, or start from your home page.",
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": plain_message(e["msg"]),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    def _refusal(request: Request, status: int, message: str, field: str | None = None) -> Response:
        if _wants_json(request):
            detail: object = [{"field": field, "message": message}] if field else message
            return JSONResponse({"detail": detail}, status_code=status)
        titles = {403: "Not allowed", 404: "Not found", 409: "Already done", 422: "Cannot do that"}
        return _error_page(request, status, titles[status], message[:1].upper() + message[1:])

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> Response:
        if isinstance(exc, NotFoundError):
            return _refusal(request, 404, str(exc))
        if isinstance(exc, ForbiddenError):
            return _refusal(request, 403, str(exc))
        if isinstance(exc, ConflictError):
            return _refusal(request, 409, str(exc))
        field = exc.field if isinstance(exc, VisitInputError) else None
        return _refusal(request, 422, str(exc), field)

    def _busy(request: Request) -> Response:
        headers = {"Retry-After": "2"}
        message = "the database is busy; try again in a moment"
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=503, headers=headers)
        response = _error_page(
            request, 503, "Busy", "Walkabout is busy. Nothing was saved; try again in a moment."
        )
        response.headers.update(headers)
        return response

    @app.exception_handler(ImportRefused)
    async def _refused_file(request: Request, exc: ImportRefused) -> Response:
        # Pages show a refused file on their own form; this answers the API.
        errors = exc.errors
        rows = [
            {"line": e.line, "row": e.sheet_row, "field": e.field, "message": e.message}
            for e in errors.errors
        ]
        problems = [
            {"field": g.field, "message": g.message, "rows": len(g.rows), "where": str(g)}
            for g in errors.groups()
        ]
        return JSONResponse(
            {"detail": rows, "bad_rows": errors.row_count, "problems": problems},
            status_code=422,
        )

    @app.exception_handler(FileFormatError)
    async def _unreadable_file(request: Request, exc: FileFormatError) -> Response:
        return _refusal(request, 422, str(exc))

    @app.exception_handler(DatabaseBusy)
    async def _database_busy(request: Request, _exc: DatabaseBusy) -> Response:
        return _busy(request)

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        if is_busy(exc):
            return _busy(request)
        return await _crash(request, exc)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _unstorable(request: Request, _exc: Exception) -> Response:
        # e.g. a NUL character, which PostgreSQL text cannot hold: bad input, not a crash.
        message = "the input holds a value the database cannot store (a NUL, a huge number)"
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=422)
        return _error_page(request, 422, "Cannot store that", message.capitalize() + ".")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return _error_page(
            request,
            500,
            "Something went wrong",
            "Walkabout hit an error. Nothing you entered was saved twice; "
            "try again, and tell your administrator if it keeps happening.",
        )

    return app
