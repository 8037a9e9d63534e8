"""An analyst uploads an export in the browser, watches it go up, and sees the preview."""

import pytest
from sqlmodel import Session

from app.services.departments import import_departments
from tests.browser import browser_page, live_server, needs_chromium
from tests.builders import QUALTRICS
from tests.conftest import PASSWORD

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
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/imports/survey")
        page.get_by_label("Survey round name").fill("Autumn")
        page.set_input_files("#file", str(QUALTRICS / "survey.csv"))
        page.get_by_role("button", name="Upload and preview").click()
        page.wait_for_url(f"{base}/imports/survey/*")
        text = page.inner_text("main")
        assert "1510" in text and "complete responses" in text
