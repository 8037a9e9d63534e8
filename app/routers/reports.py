"""The analyst's pages: survey rounds, the bias report with filters, exports."""

from datetime import date
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import MinGroupSize, require_page_role
from app.models import User
from app.pages import flash_redirect, render
from app.routers.downloads import download
from app.services.audit import record_export
from app.services.heatmaps import ImageExportUnavailable, heatmap_png
from app.services.report_html import PdfUnavailable, pdf_available, report_html, report_pdf
from app.services.reports import filter_rows, report_csv, report_for
from app.services.survey_publishing import publish_survey, withdraw_survey
from app.services.surveys import get_survey, list_surveys

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
analysts = require_page_role("analyst", "admin")
readers = require_page_role("analyst", "executive", "admin")
SORTS = Literal["department", "division", "response_rate", "survey_score", "gap", "flags"]


@router.get("/reports")
def reports_page(
    request: Request,
    session: ReadSession,
    user: User = Depends(analysts),
) -> Response:
    return render(request, "reports/index.html", {"surveys": list_surveys(session)})


# `:path` (here and below): a round's name may hold a slash ("Pulse 09/2026"), sent as %2F or not.
@router.get("/reports/{survey:path}/export.csv")
def export_csv(
    request: Request,
    survey: str,
    session: WriteSession,
    k: MinGroupSize,
    as_of: date | None = None,
    user: User = Depends(readers),
) -> Response:
    report = report_for(session, user=user, survey=survey, as_of=as_of, min_group_size=k)
    record_export(session, actor_id=user.id, detail=f"{survey} as CSV")
    return download(
        report_csv(report), filename="walkabout-report.csv", media_type="text/csv; charset=utf-8"
    )


@router.get("/reports/{survey:path}/export.html")
def export_html(
    request: Request,
    survey: str,
    session: WriteSession,
    k: MinGroupSize,
    as_of: date | None = None,
    user: User = Depends(readers),
) -> Response:
    report = report_for(session, user=user, survey=survey, as_of=as_of, min_group_size=k)
    record_export(session, actor_id=user.id, detail=f"{survey} as HTML")
    # A standalone file to download: its inline plotly script runs where it is opened.
    return download(
        report_html(report),
        filename="walkabout-report.html",
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": "sandbox; default-src 'none'"},
    )


@router.get("/reports/{survey:path}/export.pdf")
def export_pdf(
    survey: str,
    session: WriteSession,
    k: MinGroupSize,
    as_of: date | None = None,
    user: User = Depends(readers),
) -> Response:
    report = report_for(session, user=user, survey=survey, as_of=as_of, min_group_size=k)
    try:
        pdf = report_pdf(report)
    except PdfUnavailable as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    record_export(session, actor_id=user.id, detail=f"{survey} as PDF")
    return download(pdf, filename="walkabout-report.pdf", media_type="application/pdf")


@router.get("/reports/{survey:path}/heatmap.png")
def export_png(
    request: Request,
    survey: str,
    session: WriteSession,
    k: MinGroupSize,
    as_of: date | None = None,
    colouring: Literal["relative", "absolute"] = "relative",
    user: User = Depends(readers),
) -> Response:
    report = report_for(session, user=user, survey=survey, as_of=as_of, min_group_size=k)
    try:
        image = heatmap_png(report, relative=colouring == "relative")
    except ImageExportUnavailable as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    record_export(session, actor_id=user.id, detail=f"{survey} heatmap as PNG")
    return download(image, filename="walkabout-heatmap.png", media_type="image/png")


@router.post("/reports/{survey:path}/publish", dependencies=[Depends(require_csrf)])
def publish_report(
    request: Request, survey: str, session: WriteSession, user: User = Depends(analysts)
) -> Response:
    found = publish_survey(session, name=survey, actor_id=user.id)
    return flash_redirect(request, f"/reports/{quote(found.name)}", "survey-published")


@router.post("/reports/{survey:path}/withdraw", dependencies=[Depends(require_csrf)])
def withdraw_report(
    request: Request, survey: str, session: WriteSession, user: User = Depends(analysts)
) -> Response:
    found = withdraw_survey(session, name=survey, actor_id=user.id)
    return flash_redirect(request, f"/reports/{quote(found.name)}", "survey-withdrawn")


# Last: `{survey:path}` would otherwise take "/export.csv" and the others as part of a name.
@router.get("/reports/{survey:path}")
def report_page(
    request: Request,
    survey: str,
    session: WriteSession,
    k: MinGroupSize,
    flag: str | None = Query(None, max_length=40),
    division: str | None = Query(None, max_length=200),
    q: str | None = Query(None, max_length=200),
    sort: SORTS = "department",
    as_of: date | None = None,
    user: User = Depends(analysts),
) -> Response:
    report = report_for(session, user=user, survey=survey, as_of=as_of, min_group_size=k)
    rows = filter_rows(report["departments"], flag=flag, division=division, text=q, sort=sort)
    divisions = sorted({d["division"] for d in report["departments"] if d["division"]})
    return render(
        request,
        "reports/show.html",
        {
            "report": report,
            "round": get_survey(session, name=survey),
            "pdf": pdf_available(),
            "departments": rows,
            "min_group_size": report["min_group_size"],
            "divisions": divisions,
            "flag": flag or "",
            "division": division or "",
            "q": q or "",
            "sort": sort,
        },
        block="report_table",
    )
