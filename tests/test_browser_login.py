"""A person logs in on a phone-sized screen and reaches their home page."""

import pytest

from tests.browser import browser_page, live_server, needs_chromium
from tests.conftest import PASSWORD

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


@pytest.mark.parametrize(
    "role,heading", [("leader", "Your walks"), ("executive", "How IT is really doing")]
)
def test_login_at_phone_size_reaches_home(
    database_url: str, make_user, tmp_path, role: str, heading: str
) -> None:
    email = make_user(role)
    with live_server(database_url) as base, browser_page() as page:
        page.goto(f"{base}/")
        assert page.url.endswith("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        assert page.locator("h1").inner_text() == heading
        # Phone first: nothing scrolls sideways at 390 px.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / f"home-{role}.png"))
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{base}/login?flash=*")
        assert "You are logged out." in page.inner_text("main")
