"""Pages for the service catalogue."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import require_page_role
from app.models import CatalogueEntryCreate, User
from app.pages import flash_redirect, render
from app.services.catalogue import list_catalogue, save_catalogue_entry
from app.services.errors import ServiceError

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
readers = require_page_role("leader", "analyst", "executive", "admin")


@router.get("/services")
def services_page(
    request: Request,
    session: ReadSession,
    user: User = Depends(readers),
) -> Response:
    return render(
        request,
        "catalogue/index.html",
        {"services": list_catalogue(session), "can_edit": user.role == "admin", "error": None},
    )


@router.post("/services", dependencies=[Depends(require_csrf)])
def services_save(
    request: Request,
    session: WriteSession,
    name: str = Form("", max_length=100),
    emergency: str = Form("", max_length=1000),
    response_time: str = Form("", max_length=100),
    resolution_time: str = Form("", max_length=100),
    how_to_ask: str = Form("", max_length=500),
    admin: User = Depends(require_page_role("admin")),
) -> Response:
    try:
        save_catalogue_entry(
            session,
            data=CatalogueEntryCreate(
                name=name,
                emergency=emergency,
                response_time=response_time,
                resolution_time=resolution_time,
                how_to_ask=how_to_ask,
            ),
            actor_id=admin.id,
        )
    except ServiceError as exc:
        return render(
            request,
            "catalogue/index.html",
            {"services": list_catalogue(session), "can_edit": True, "error": str(exc)},
            status_code=422,
        )
    return flash_redirect(request, "/services", "service-saved")
