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


def test_single_sign_on_in_the_browser_and_out_again(database_url: str, tmp_path) -> None:
    import json

    from tests.browser import _free_port
    from tests.openid_provider import CLIENT_ID, CLIENT_SECRET, openid_provider

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"lee@example.org": {"groups": ["it-leaders"]}}))
    with openid_provider(base, accounts) as issuer:
        settings = {
            "WALKABOUT_OIDC_ISSUER": issuer,
            "WALKABOUT_OIDC_CLIENT_ID": CLIENT_ID,
            "WALKABOUT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "WALKABOUT_OIDC_NAME": "Contoso ID",
            "WALKABOUT_OIDC_SCOPES": "openid email groups",
            "WALKABOUT_OIDC_ROLE_MAP": "it-leaders=leader",
        }
        with live_server(database_url, port=port, settings=settings), browser_page() as page:
            page.goto(f"{base}/visits/new")
            page.get_by_role("link", name="Sign in with Contoso ID").click()
            page.wait_for_url(f"{issuer}/interaction/*")  # the provider's own login page
            page.locator("input[name=login]").fill("lee@example.org")
            page.locator("input[name=password]").fill("whatever the directory asks")
            page.locator("button[type=submit]").click()
            page.wait_for_url(f"{base}/visits/new")
            assert page.locator("h1").inner_text() == "New walk"
            page.screenshot(path=str(tmp_path / "signed-in.png"))
            page.get_by_role("button", name="Log out").click()
            page.wait_for_url(f"{issuer}/session/end*")  # the provider asks to sign out too
            page.locator("button[autofocus], button[type=submit]").first.click()
            page.wait_for_url(f"{base}/login?flash=*")
            assert "You are logged out." in page.inner_text("main")
