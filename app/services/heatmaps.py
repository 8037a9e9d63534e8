"""Heatmap figures from a report, as plain JSON (no typed arrays) for the API and pages."""

import json
from datetime import date
from typing import Any

import pandas as pd

from analysis.heatmap import department_heatmap

HEATMAP_METRICS = ("gap", "survey_score", "observed_score", "response_rate")
INTERVAL_COLUMNS = {
    "survey_score": "survey_score_ci",
    "gap": "gap_ci",
    "response_rate": "response_rate_ci",
}
DASHBOARD_METRICS = ("survey_score", "observed_score", "gap", "response_rate", "days_since_visit")
COUNT_COLUMNS = {
    "survey_score": "responses",
    "observed_score": "conversations",
    "gap": "conversations",
    "response_rate": "headcount",
}


def heatmap_frame(report: dict[str, Any], as_of: date | None = None) -> pd.DataFrame:
    """Department rows indexed by name, with days since the last visit."""
    frame = pd.DataFrame(report["departments"])
    if frame.empty:
        return pd.DataFrame(columns=[*HEATMAP_METRICS, "days_since_visit"])
    frame = frame.set_index("department")
    when = pd.Timestamp(as_of or date.fromisoformat(report["as_of"]))
    frame["days_since_visit"] = (when - pd.to_datetime(frame["last_visit"])).dt.days
    return frame


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
    """The heatmap of a report's departments for the given metrics."""
    frame = heatmap_frame(report)
    overall = report["overall"]
    figure = department_heatmap(
        frame,
        metrics,
        organisation={
            "survey_score": overall.get("survey_score"),
            "observed_score": overall.get("observed_score"),
            "response_rate": overall.get("response_rate"),
            "gap": None,
            "days_since_visit": None,
        },
        relative=relative,
        counts=COUNT_COLUMNS,
        hidden_label=f"fewer than {report['min_group_size']}",
        intervals=INTERVAL_COLUMNS,
    )
    return figure_json(figure)


class ImageExportUnavailable(RuntimeError):
    """No browser to draw the picture with."""


def heatmap_png(report: dict[str, Any], *, relative: bool = True) -> bytes:
    """The dashboard heatmap as a PNG for a board pack (drawn by headless Chromium)."""
    import plotly.graph_objects as go

    figure = go.Figure(report_heatmap(report, metrics=list(DASHBOARD_METRICS), relative=relative))
    try:
        return bytes(figure.to_image(format="png", width=1100, scale=2))
    except Exception as exc:  # kaleido raises various errors when no browser can start
        raise ImageExportUnavailable(
            "PNG export needs Chromium on the server (Debian: apt-get install chromium)"
        ) from exc
