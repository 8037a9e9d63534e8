"""The bias report as one self-contained HTML page: the report page's own table, flag cards
and heatmap with the app's stylesheet inlined (no scripts, no network), ready to print."""

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from app.services.heatmaps import dashboard_heatmap

_ENV = Environment(loader=PackageLoader("app", "templates"), autoescape=select_autoescape(["html"]))
STYLESHEET = Path(__file__).parent.parent / "static" / "app.css"


def report_html(report: dict[str, Any]) -> str:
    """A page with the summary, the heatmap and every department's row and flags."""
    return _ENV.get_template("reports/export.html").render(
        report=report,
        hm=dashboard_heatmap(report, relative=True),
        styles=STYLESHEET.read_text(encoding="utf-8"),
    )
