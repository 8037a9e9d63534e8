"""What the phone needs to work without a network: the service worker and the offline page."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.pages import STATIC_DIR, STATIC_VERSION, TEMPLATES

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
# The release's static version is written into the worker, so that an upgrade changes its
# bytes and phones install it (and with it the new scripts).
SERVICE_WORKER = (STATIC_DIR / "sw.js").read_text().replace("__STATIC_VERSION__", STATIC_VERSION)


@router.get("/sw.js", include_in_schema=False)
def service_worker() -> Response:
    return Response(
        SERVICE_WORKER,
        media_type="application/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/offline", include_in_schema=False)
def offline_page(request: Request) -> Response:
    """The page the phone shows for a page it has no copy of: nobody's data, no user."""
    return TEMPLATES.TemplateResponse(request, "offline.html", {"user": None, "nav": []})
