"""Heatmaps from a report: the dashboard's table of cells, the API's plotly figure (plain
JSON, no typed arrays) and the PNG for a board pack."""

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from analysis.heatmap import METRIC_LABELS, HeatmapCell, department_heatmap, heatmap_cells

HEATMAP_METRICS = ("gap", "survey_score", "observed_score", "response_rate")
INTERVAL_COLUMNS = {
    "survey_score": "survey_score_ci",
    "gap": "gap_ci",
    "response_rate": "response_rate_ci",
}
DASHBOARD_METRICS = ("survey_score", "observed_score", "gap", "response_rate", "days_since_visit")
COUNT_COLUMNS = {
    "survey_score": "rated",
    "observed_score": "conversations",
    "gap": "conversations",
    "response_rate": "headcount",
}


@dataclass(frozen=True)
class HeatmapRow:
    department: str
    division: str | None
    cells: list[HeatmapCell]


@dataclass(frozen=True)
class Heatmap:
    """The dashboard's heatmap: one row per department, one cell per measure."""

    metrics: list[str]
    labels: list[str]
    rows: list[HeatmapRow]


def heatmap_frame(report: dict[str, Any], as_of: date | None = None) -> pd.DataFrame:
    """Department rows indexed by name, with days since the last visit."""
    frame = pd.DataFrame(report["departments"])
    if frame.empty:
        return pd.DataFrame(columns=[*HEATMAP_METRICS, "days_since_visit"])
    frame = frame.set_index("department")
    when = pd.Timestamp(as_of or date.fromisoformat(report["as_of"]))
    frame["days_since_visit"] = (when - pd.to_datetime(frame["last_visit"])).dt.days
    return frame


def _why_survey_hidden(row: dict[str, Any], k: int) -> str:
    if row.get("suppressed_reason") == "complementary":
        return "hidden to protect a smaller group"
    if row.get("suppressed_reason") == "small":
        return f"fewer than {k} answered"
    return "no ratings"


def _why_observed_hidden(row: dict[str, Any], k: int) -> str:
    reason = row.get("observed_suppressed_reason")
    if reason == "complementary":
        return "hidden to protect a smaller group"
    if reason == "thin quarter":
        return f"a quarter with fewer than {k} conversations"
    if not row.get("conversations"):
        return "not walked"
    return f"fewer than {k} conversations"


def hidden_reasons(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Why each department's figure would be hidden, per measure, in the dashboard's words."""
    k = report["min_group_size"]
    reasons = {}
    for row in report["departments"]:
        name = row["department"]
        survey = _why_survey_hidden(row, k)
        observed = _why_observed_hidden(row, k)
        reasons[(name, "survey_score")] = survey
        reasons[(name, "observed_score")] = observed
        survey_shown = row.get("survey_score") is not None
        reasons[(name, "gap")] = observed if survey_shown else survey
        reasons[(name, "response_rate")] = "no headcount"
        reasons[(name, "days_since_visit")] = "never walked"
    return reasons


def _organisation(report: dict[str, Any]) -> dict[str, float | None]:
    overall = report["overall"]
    return {
        "survey_score": overall.get("survey_score"),
        "observed_score": overall.get("observed_score"),
        "response_rate": overall.get("response_rate"),
        "gap": None,
        "days_since_visit": None,
    }


def _arguments(report: dict[str, Any], relative: bool) -> dict[str, Any]:
    return {
        "organisation": _organisation(report),
        "relative": relative,
        "counts": COUNT_COLUMNS,
        "intervals": INTERVAL_COLUMNS,
        "hidden_reasons": hidden_reasons(report),
    }


def dashboard_heatmap(report: dict[str, Any], *, relative: bool = True) -> Heatmap:
    """The dashboard's heatmap of a report's departments, in the report's row order."""
    metrics = list(DASHBOARD_METRICS)
    frame = heatmap_frame(report)
    cells = heatmap_cells(frame, metrics, **_arguments(report, relative))
    rows = [
        HeatmapRow(d["department"], d.get("division"), row)
        for d, row in zip(report["departments"], cells, strict=True)
    ]
    return Heatmap(metrics, [METRIC_LABELS[m] for m in metrics], rows)


def figure_json(figure: Any) -> dict[str, Any]:
    """A figure as plain JSON: lists, not plotly's base64 typed arrays."""
    data = json.loads(figure.to_json(engine="json"))
    for trace in data.get("data", []):
        for key in ("z", "x", "y", "text"):
            value = trace.get(key)
            if isinstance(value, dict) and "bdata" in value:
                raise ValueError(f"typed array left in {key}")
    return data  # type: ignore[no-any-return]


def report_heatmap(
    report: dict[str, Any], *, metrics: list[str], relative: bool = True
) -> dict[str, Any]:
    """The heatmap of a report's departments for the given metrics, as plotly JSON."""
    figure = department_heatmap(heatmap_frame(report), metrics, **_arguments(report, relative))
    return figure_json(figure)


logger = logging.getLogger("walkabout.heatmaps")


class ImageExportUnavailable(RuntimeError):
    """No browser to draw the picture with."""


def heatmap_png(report: dict[str, Any], *, relative: bool = True) -> bytes:
    """The dashboard heatmap as a PNG for a board pack (drawn by headless Chromium)."""
    import plotly.graph_objects as go

    figure = go.Figure(report_heatmap(report, metrics=list(DASHBOARD_METRICS), relative=relative))
    # A browser that fails to start on a loaded machine (seen once in a full test run on two
    # busy cores) usually starts on a second try; a machine without one fails both.
    for attempt in (1, 2):
        try:
            return bytes(figure.to_image(format="png", width=1100, scale=2))
        except Exception as exc:  # kaleido raises various errors when no browser can start
            logger.warning("heatmap PNG: the browser failed (attempt %d): %r", attempt, exc)
            failure = exc
    raise ImageExportUnavailable(
        "PNG export needs Chromium on the server (Debian: apt-get install chromium)"
    ) from failure
