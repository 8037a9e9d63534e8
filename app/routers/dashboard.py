"""The executive dashboard and its drill-down."""

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from app.db import WriteSession
from app.deps import MinGroupSize, require_page_role
from app.models import User
from app.pages import render
from app.services.dashboard import build_dashboard
from app.services.drilldown import department_drilldown
from app.services.report_html import pdf_available
from app.services.reports import sees_closed_quarters
from app.services.survey_publishing import sees_drafts

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
viewers = require_page_role("executive", "analyst", "admin")


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    session: WriteSession,
    k: MinGroupSize,
    survey: str | None = Query(None, max_length=200),
    colouring: Literal["relative", "absolute"] = "relative",
    sort: Literal["division", "gap", "size"] = "division",
    user: User = Depends(viewers),
) -> Response:
    dashboard = build_dashboard(
        session,
        survey=survey,
        min_group_size=k,
        relative=colouring == "relative",
        sort=sort,
        closed_quarters=sees_closed_quarters(user),
        published_only=not sees_drafts(user.role),
    )
    return render(
        request,
        "dashboard/index.html",
        {
            "dash": dashboard,
            "colouring": colouring,
            "sort": sort,
            "k": k,
            "pdf": pdf_available(),
        },
        block="dashboard_body",
    )


@router.get("/dashboard/department")
def drilldown(
    request: Request,
    session: WriteSession,
    k: MinGroupSize,
    survey: str = Query(..., max_length=200),
    name: str = Query(..., max_length=200),
    user: User = Depends(viewers),
) -> Response:
    detail = department_drilldown(
        session,
        survey=survey,
        department=name,
        min_group_size=k,
        closed_quarters=sees_closed_quarters(user),
        published_only=not sees_drafts(user.role),
    )
    if detail is None:
        raise HTTPException(404, detail="no such department in this survey")
    return render(
        request,
        "dashboard/department.html",
        {"d": detail, "k": k, "survey": survey},
        block="drilldown",
    )
