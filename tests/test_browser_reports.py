"""An analyst reads the report on a tablet and a phone: every flag's evidence sentence is
fully visible, never cut to a sliver."""

import pytest
from sqlmodel import Session

from tests.browser import browser_page, live_server, needs_chromium
from tests.builders import QUALTRICS, load_sample
from tests.walk_pages import login

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1024, "height": 768}])
def test_every_flag_and_its_evidence_is_fully_visible(
    database_url: str, session: Session, make_user, size: dict[str, int], tmp_path
) -> None:
    load_sample(session, QUALTRICS, name="Autumn")
    email = make_user("analyst")
    with live_server(database_url) as base, browser_page(viewport=size) as page:
        login(page, base, email)
        page.goto(f"{base}/reports/Autumn")
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        flags = page.evaluate("""() => [...document.querySelectorAll('.flag-card .flag')].map(p => {
            const r = p.getBoundingClientRect();
            return {text: p.innerText, left: r.left, right: r.right, width: r.width,
                    clipped: p.scrollWidth > p.clientWidth || p.scrollHeight > p.clientHeight};
        })""")
        # Every flag the figures table names has its card line: 13 in this sample (the ten
        # planted departments' own, and corroborated complaints on the three biased ones,
        # whose late answerers rate poorly and whose conversations agree).
        assert len(flags) == page.locator("table.report .badge").count() == 13
        for flag in flags:
            assert not flag["clipped"] and flag["left"] >= 0 and flag["right"] <= size["width"]
            assert flag["width"] >= 300  # a sentence per line, not a word per line
        assert any("corroborated complaints" in f["text"] for f in flags)
        page.screenshot(path=str(tmp_path / f"report-{size['width']}.png"), full_page=True)
