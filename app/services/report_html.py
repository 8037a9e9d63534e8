"""The bias report as one self-contained HTML page (plotly.js inlined, no network)."""

from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from analysis.heatmap import department_heatmap

_ENV = Environment(loader=PackageLoader("app", "templates"), autoescape=select_autoescape(["html"]))


def report_heatmap_frame(report: dict[str, Any]) -> pd.DataFrame:
    """The department rows as a frame indexed by department, for the heatmap."""
    frame = pd.DataFrame(report["departments"])
    if frame.empty:
        return pd.DataFrame(columns=["survey_score", "observed_score", "gap", "response_rate"])
    return frame.set_index("department")


def report_html(report: dict[str, Any]) -> str:
    """A page with the summary, the heatmap and every department's row and flags."""
    frame = report_heatmap_frame(report)
    overall = report["overall"]
    figure = department_heatmap(
        frame,
        ["survey_score", "observed_score", "gap", "response_rate"],
        organisation={
            "survey_score": overall.get("survey_score"),
            "observed_score": overall.get("observed_score"),
            "gap": None,
            "response_rate": overall.get("response_rate"),
        },
        counts={"survey_score": "responses", "observed_score": "conversations"},
        hidden_label=f"fewer than {report['min_group_size']}",
    )
    heatmap = figure.to_html(full_html=False, include_plotlyjs=True)
    return _ENV.get_template("reports/export.html").render(report=report, heatmap=heatmap)
