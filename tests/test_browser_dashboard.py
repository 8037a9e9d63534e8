"""An executive reads the dashboard at tablet and desktop size and drills into a cell."""

import pytest
from sqlmodel import Session

from tests.browser import browser_page, live_server, needs_chromium
from tests.builders import QUALTRICS, load_sample
from tests.conftest import PASSWORD

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


@pytest.mark.parametrize("size", [{"width": 1024, "height": 768}, {"width": 1440, "height": 900}])
def test_dashboard_renders_and_drills_down(
    database_url: str, session: Session, make_user, size: dict[str, int], tmp_path
) -> None:
    load_sample(session, QUALTRICS, name="Autumn")
    session.commit()
    email = make_user("executive")
    errors: list[str] = []
    with live_server(database_url) as base, browser_page(viewport=size) as page:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/dashboard")
        page.wait_for_selector("#heatmap .hm")  # plotly drew the heatmap
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(tmp_path / f"dashboard-{size['width']}.png"), full_page=True)
        # Choose the Strategy row's first cell.
        box = page.evaluate("""() => {
            const gd = document.getElementById('heatmap');
            const y = gd._fullLayout.yaxis, x = gd._fullLayout.xaxis;
            const row = gd.data[0].y.indexOf('Strategy');
            window.scrollTo(0, gd.getBoundingClientRect().top + window.scrollY + y.l2p(row) - 200);
            const rect = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return {x: rect.left + x.l2p(0), y: rect.top + y.l2p(row)};
        }""")
        page.mouse.click(box["x"], box["y"])
        page.wait_for_selector("#drilldown h2")
        assert page.inner_text("#drilldown h2") == "Strategy"
        assert "corroborated complaints" in page.inner_text("#drilldown")
    assert errors == []
