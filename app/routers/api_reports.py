"""API: the bias report and its heatmap."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query

from app.db import WriteSession
from app.deps import MinGroupSize, require_api_role
from app.models import User
from app.models.api import ERROR_RESPONSES
from app.models.report import ReportPublic
from app.services.heatmaps import HEATMAP_METRICS, report_heatmap
from app.services.reports import report_for

router = APIRouter(prefix="/api/v1", tags=["reports"], responses=ERROR_RESPONSES)


# `:path`: a round's name may hold a slash ("Pulse 09/2026"), sent as %2F or not. The heatmap
# route comes first, or the report's would take ".../heatmap" as part of a name.
@router.get(
    "/reports/{survey:path}/heatmap",
    response_model=dict[str, Any],
    responses={200: {"description": "a plotly figure: data (traces) and layout"}},
)
def get_heatmap(
    survey: str,
    session: WriteSession,
    k: MinGroupSize,
    metric: str = Query("gap", pattern="^(" + "|".join(HEATMAP_METRICS) + ")$"),
    relative: bool = True,
    as_of: date | None = None,
    user: User = Depends(require_api_role("analyst", "executive", "admin")),
) -> dict[str, Any]:
    """One metric per department as a plotly figure (plain JSON arrays; hidden cells null)."""
    report = report_for(session, user=user, survey=survey, as_of=as_of, min_group_size=k)
    return report_heatmap(report, metrics=[metric], relative=relative)


@router.get("/reports/{survey:path}", response_model=ReportPublic)
def get_report(
    survey: str,
    session: WriteSession,
    k: MinGroupSize,
    as_of: date | None = None,
    user: User = Depends(require_api_role("analyst", "executive", "admin")),
) -> dict[str, Any]:
    """The bias report (contract section 4); small groups already hidden."""
    return report_for(session, user=user, survey=survey, as_of=as_of, min_group_size=k)
