"""The bias report as one self-contained HTML page: the report page's own table, flag cards
and heatmap with the app's stylesheet inlined (no scripts, no network), ready to print."""

import shutil
import subprocess  # nosec B404  # Chromium prints the PDF
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from analysis.wording import flag_name
from app.services.heatmaps import dashboard_heatmap

_ENV = Environment(loader=PackageLoader("app", "templates"), autoescape=select_autoescape(["html"]))
_ENV.filters["flag_name"] = flag_name
STYLESHEET = Path(__file__).parent.parent / "static" / "app.css"


def report_html(report: dict[str, Any]) -> str:
    """A page with the summary, the heatmap and every department's row and flags."""
    return _ENV.get_template("reports/export.html").render(
        report=report,
        hm=dashboard_heatmap(report, relative=True),
        styles=STYLESHEET.read_text(encoding="utf-8"),
    )


class PdfUnavailable(RuntimeError):
    """No Chromium on the server to print the report with."""


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _chromium() -> str | None:
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def pdf_available() -> bool:
    """Whether this server can print a report to PDF (Chromium is installed)."""
    return _chromium() is not None


def report_pdf(report: dict[str, Any]) -> bytes:
    """The HTML export printed to an A4 PDF by headless Chromium (its print stylesheet)."""
    browser = _chromium()
    if browser is None:
        raise PdfUnavailable(
            "PDF export needs Chromium on the server (Debian: apt-get install chromium)"
        )
    with tempfile.TemporaryDirectory() as folder:
        page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(report_html(report), encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",  # servers often run it as root in a container
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={folder}/profile",  # parallel exports never share a profile
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=120, check=True)  # noqa: S603  # nosec B603
        except (subprocess.SubprocessError, OSError) as exc:
            raise PdfUnavailable(f"Chromium could not print the report: {exc}") from exc
        if not pdf.is_file():
            raise PdfUnavailable("Chromium could not print the report: it wrote no file")
        return pdf.read_bytes()
