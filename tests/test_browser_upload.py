"""An analyst uploads an export in the browser, watches it go up, and sees the preview."""

import pytest
from sqlmodel import Session

from app.services.departments import import_departments
from tests.browser import browser_page, live_server, needs_chromium
from tests.builders import GENERIC, QUALTRICS
from tests.walk_pages import login, wait_until

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


def test_upload_shows_progress_then_the_preview(
    database_url: str, session: Session, make_user
) -> None:
    import_departments(session, path=QUALTRICS / "departments.csv")
    session.commit()
    email = make_user("analyst")
    with (
        live_server(database_url) as base,
        browser_page(viewport={"width": 1024, "height": 768}) as page,
    ):
        login(page, base, email)
        page.goto(f"{base}/imports/survey")
        page.get_by_label("Survey round name").fill("Autumn")
        page.set_input_files("#file", str(QUALTRICS / "survey.csv"))
        page.get_by_role("button", name="Upload and preview").click()
        page.wait_for_url(f"{base}/imports/survey/*")
        text = page.inner_text("main")
        assert "1510" in text and "complete responses" in text


def test_the_whole_web_import_from_department_list_to_report(
    database_url: str, session: Session, make_user, tmp_path
) -> None:
    # The directory misses Quality; the file holds 120 Quality rows (counted in the sample).
    full = (GENERIC / "departments.csv").read_text().splitlines()
    directory = tmp_path / "departments.csv"
    directory.write_text("\n".join(line for line in full if not line.startswith("Quality,")))
    email = make_user("analyst")
    with (
        live_server(database_url) as base,
        browser_page(viewport={"width": 390, "height": 844}) as page,
    ):
        login(page, base, email)
        page.goto(f"{base}/imports/survey")
        page.set_input_files("#departments-file", str(directory))
        page.get_by_role("button", name="Load the department list").click()
        page.wait_for_url(f"{base}/imports/survey?flash=departments-imported")
        assert "The directory holds 23 departments" in page.inner_text("main")
        page.get_by_label("Survey round name").fill("Web round")
        page.set_input_files("#file", str(GENERIC / "survey.csv"))
        page.get_by_role("button", name="Upload and preview").click()
        page.wait_for_url(f"{base}/imports/survey/*")
        assert "“Quality” (120 rows)" in page.inner_text("main")
        page.select_option("#alias-1", "__new__")
        page.fill("#alias-headcount-1", "204")
        # A choice not yet previewed holds Import back, saying why: nothing on the screen is
        # left out of an import unseen.
        assert page.get_by_role("button", name="Import").is_disabled()
        assert "refresh the preview" in page.inner_text("#mapping-changed")
        page.get_by_role("button", name="Refresh preview").click()
        # The refreshed preview's Import form carries the new department and its headcount.
        wait_until(
            page,
            "!!document.querySelector('input[type=hidden][name=alias_headcount][value=\"204\"]')",
        )
        assert page.get_by_role("button", name="Import").is_enabled()
        page.get_by_role("button", name="Import").click()
        page.wait_for_url(f"{base}/imports/jobs/*")
        # The page refreshes itself until the import has ended.
        page.get_by_role("link", name="Open the report").wait_for(timeout=20_000)
        page.get_by_role("link", name="Open the report").click()
        page.wait_for_url(f"{base}/reports/Web%20round")
        assert "Quality" in page.inner_text("main")


def test_a_ticket_export_through_the_mapping_step_on_a_phone(
    database_url: str, session: Session, make_user, tmp_path
) -> None:
    """The UCI ServiceNow log names no department: the analyst chooses the location column,
    checks again, and imports; the page never scrolls sideways."""
    from pathlib import Path

    directory = tmp_path / "departments.csv"
    directory.write_text("department,headcount\nLocation 143,9\nLocation 165,9\nLocation 204,9\n"
                         "Location 93,9\n")  # fmt: skip
    import_departments(session, path=directory)
    session.commit()
    export = (
        Path(__file__).parent
        / "data"
        / "tickets"
        / "servicenow-uci-incident-event-log-first-32.csv"
    )
    email = make_user("analyst")
    with (
        live_server(database_url) as base,
        browser_page(viewport={"width": 390, "height": 844}) as page,
    ):
        login(page, base, email)
        page.goto(f"{base}/tickets")
        page.get_by_label("Name of the export").fill("February 2016")
        page.set_input_files("#ticket-file", str(export))
        page.get_by_role("button", name="Upload and check the columns").click()
        page.wait_for_url(f"{base}/tickets/uploads/*")
        assert "No column is named like the department" in page.inner_text("main")
        page.select_option("#department-column", "location")
        page.get_by_role("button", name="Check again").click()
        page.wait_for_url("**department_column=location**")
        assert "27 rows repeated a ticket number" in page.inner_text("main")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        page.get_by_role("button", name="Import 5 tickets").click()
        page.wait_for_url(f"{base}/tickets?flash=tickets-imported")
        assert "5 tickets opened 2016-02-29 to 2016-02-29" in page.inner_text("main")
