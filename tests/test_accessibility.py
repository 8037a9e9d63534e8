"""WCAG 2.2 AA: axe-core finds no violation on the pages people use every day."""

import gzip
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.browser import browser_page, live_server, needs_chromium
from tests.builders import QUALTRICS, load_sample
from tests.conftest import PASSWORD
from tests.walk_pages import fill_walk, wait_until

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = {
    "leader": ["/visits/new", "/visits", "/", "/ideas", "/decisions", "/services"],
    "analyst": ["/reports", "/reports/Autumn", "/imports/survey", "/dashboard"],
    "executive": ["/dashboard", "/dashboard/department?survey=Autumn&name=Strategy"],
    "admin": ["/admin/users", "/admin/themes", "/admin/settings", "/account/password"],
}
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
        f"{json.dumps([n['target'] for n in v['nodes'][:3]])})"
        for v in results.response["violations"]
    ]


KEPT_CHANGES = """(() => {
  const walk = location => JSON.stringify({
    blocks: {conversation: ["0"], action: []},
    fields: [["department", "Finance"], ["visit_date", "2026-12-01"], ["location", location]],
  });
  return WalkaboutOutbox.edits.put("edit:/visits/1/edit", {
    base: walk(""), form: walk("Stores"), sent: false, saved: Date.now(),
    until: "2026-01-01T00:00:00+00:00",
  });
})()"""


@needs_chromium
@pytest.mark.sqlite_only
@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_have_no_axe_violations(
    database_url: str, session: Session, make_user, role: str, size: str
) -> None:
    load_sample(session, QUALTRICS, name="Autumn")
    session.commit()
    email = make_user(role)
    found = {}
    with live_server(database_url) as base, browser_page(viewport=SIZES[size]) as page:
        page.goto(f"{base}/login")
        found["/login"] = _violations(page)
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        begun = False
        for path in PAGES[role]:
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            if begun:
                page.wait_for_selector("#outbox-drafts li")
                page.wait_for_selector("#outbox-edits li dl")
            found[path] = _violations(page)
            if path == "/visits/new":
                begun = True
                # A walk begun and left unsaved: the banner of the pages after lists it.
                fill_walk(page, "Finance", "clerk")
                wait_until(page, "WalkaboutOutbox.drafts.all().then(d => d.length === 1)")
                # And changes to a saved walk, kept past its edit window: listed, shown open.
                page.evaluate(KEPT_CHANGES)
    assert {path: v for path, v in found.items() if v} == {}


@pytest.mark.parametrize("path", ["/visits/new", "/visits"])
def test_walk_pages_weigh_under_80kb_gzipped(leader_client: TestClient, path: str) -> None:
    page = leader_client.get(path).text
    assert "plotly" not in page
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert {a.split("?")[0] for a in assets} >= {
        "/static/app.css",
        "/static/htmx.min.js",
        "/static/outbox.js",
    }
    total = len(gzip.compress(page.encode()))
    for asset in assets:
        total += len(gzip.compress(leader_client.get(asset).content))
    assert total < 80_000, f"{total} bytes gzipped"
