"""An admin adds a leader in the browser; the leader signs in with the one-time password,
chooses their own, and reaches their walks."""

import pytest

from tests.browser import browser_page, live_server, needs_chromium
from tests.walk_pages import login

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_admin_adds_a_leader_who_then_signs_in(
    database_url: str, make_user, size: dict[str, int], tmp_path
) -> None:
    admin = make_user("admin")
    with live_server(database_url) as base, browser_page(viewport=size) as page:
        login(page, base, admin)
        page.get_by_role("link", name="Users").click()
        page.get_by_label("E-mail").fill("ward.lead@example.org")
        page.get_by_label("Role", exact=True).select_option("leader")
        page.get_by_role("button", name="Add user").click()
        page.wait_for_selector(".secret code")
        password = page.inner_text(".secret code")
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(tmp_path / f"users-{size['width']}.png"), full_page=True)
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{base}/login?flash=logged-out")
        page.get_by_label("E-mail").fill("ward.lead@example.org")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/account/password")
        page.get_by_label("One-time password").fill(password)
        page.get_by_label("New password (at least 12 characters)").fill("my own long password")
        page.get_by_label("New password again").fill("my own long password")
        page.get_by_role("button", name="Save password").click()
        page.wait_for_url(f"{base}/?flash=password-changed")
        page.get_by_role("link", name="Walks", exact=True).click()
        page.wait_for_url(f"{base}/visits")
        assert "ward.lead@example.org" in page.inner_text("header")
