"""An executive reads the dashboard on a phone and a desktop: every heatmap cell legible,
its drill-down opened by keyboard alone, the trend drawn as a chart."""

import pytest
from sqlmodel import Session

from tests.browser import browser_page, live_server, needs_chromium
from tests.builders import QUALTRICS, load_sample
from tests.walk_pages import login, wait_until

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_dashboard_is_legible_and_drills_down_by_keyboard(
    database_url: str, session: Session, make_user, size: dict[str, int], tmp_path
) -> None:
    load_sample(session, QUALTRICS, name="Autumn")
    session.commit()
    email = make_user("executive")
    errors: list[str] = []
    with live_server(database_url) as base, browser_page(viewport=size) as page:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, base, email)
        page.goto(f"{base}/dashboard")
        # The page itself never scrolls sideways; the heatmap's measures do, inside it.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        # Every shown value is legible: its text at least 10 px high, inside the viewport's
        # width once scrolled to, never a dot.
        heights = page.evaluate("""() => [...document.querySelectorAll('table.heatmap .v')]
            .map(v => v.getBoundingClientRect().height)""")
        assert len(heights) == 23 * 5 and min(heights) >= 10
        # The department names stay in view while the measures scroll.
        page.evaluate("document.querySelector('.heatmap-wrap').scrollLeft = 10000")
        offset = page.evaluate("""() => document.querySelector('table.heatmap th[scope=row]')
            .getBoundingClientRect().left - document.querySelector('.heatmap-wrap')
            .getBoundingClientRect().left""")
        assert 0 <= offset < 10
        # Keyboard only: focus Strategy's survey-score cell and press Enter.
        cell = page.get_by_role("link", name="Strategy, Survey score: 30", exact=False)
        cell.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#drilldown h2")
        assert page.inner_text("#drilldown h2") == "Strategy"
        assert "corroborated complaints" in page.inner_text("#drilldown")
        wait_until(page, "document.activeElement === document.querySelector('#drilldown h2')")
        # The trend chart is drawn (plotly's basic bundle, fetched when the chart comes near
        # the screen), with no toolbar to share it.
        page.locator("#trend-organisation").scroll_into_view_if_needed()
        page.wait_for_selector("#trend-organisation .main-svg")
        assert page.locator(".modebar").count() == 0
        page.screenshot(path=str(tmp_path / f"dashboard-{size['width']}.png"), full_page=True)
    assert errors == []


def test_a_draft_round_is_invisible_to_an_executive_until_published(
    database_url: str, session: Session, make_user
) -> None:
    load_sample(session, QUALTRICS, name="Autumn", published=False)
    analyst, executive = make_user("analyst"), make_user("executive")
    viewport = {"width": 390, "height": 844}
    with live_server(database_url) as base, browser_page(viewport=viewport) as page:
        login(page, base, executive)
        page.goto(f"{base}/dashboard")
        assert "No survey has been imported yet" in page.inner_text("main")
        page.get_by_role("button", name="Log out").click()
        login(page, base, analyst)
        page.goto(f"{base}/reports/Autumn")
        assert "draft" in page.inner_text("h1")
        page.get_by_role("button", name="Publish to executives").click()
        page.wait_for_url(f"{base}/reports/Autumn?flash=survey-published")
        page.get_by_role("button", name="Log out").click()
        login(page, base, executive)
        page.goto(f"{base}/dashboard")
        assert page.locator("table.heatmap").count() == 1
        assert page.locator("#survey").input_value() == "Autumn"
