"""A leader logs walks on a phone: online, offline through the outbox, and a refused one."""

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from app.models import Action, Conversation, Visit
from app.services.departments import import_departments
from tests.browser import browser_page, live_server, needs_chromium
from tests.conftest import PASSWORD

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


@pytest.fixture
def directory(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,40\nWarehouse,25\n")
    import_departments(session, path=path)
    session.commit()


def _count(session: Session, model: type) -> int:
    session.rollback()
    return int(session.exec(select(func.count()).select_from(model)).one())


def _login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def _conversation(page, index: int, role: str, stated: int, observed: int) -> None:  # type: ignore[no-untyped-def]
    p = f"conversations-{index}-"
    page.fill(f"#{p}person_role", role)
    page.click(f"label[for='{p}stated-{stated}']")
    page.click(f"label[for='{p}observed-{observed}']")


def test_walk_with_two_conversations_and_an_action(
    database_url: str, session: Session, make_user, directory, tmp_path
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        _login(page, base, email)
        page.goto(f"{base}/visits/new")
        page.fill("#department", "Finance")
        _conversation(page, 0, "clerk", 4, 2)
        page.click("label[for='conversations-0-issue-1']")
        page.get_by_role("button", name="+ Add another conversation").click()
        _conversation(page, 1, "manager", 4, 4)
        page.get_by_role("button", name="+ Add a follow-up action").click()
        page.fill("#actions-0-title", "Fix the printer")
        page.screenshot(path=str(tmp_path / "walk-form.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="Save walk").click()
        page.wait_for_url(f"{base}/visits?flash=*")
        assert "Walk saved." in page.inner_text("main")
        assert "Fix the printer" in page.content()
    assert (_count(session, Visit), _count(session, Conversation), _count(session, Action)) == (
        1,
        2,
        1,
    )


def test_offline_walk_waits_then_sends_once(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        _login(page, base, email)
        page.goto(f"{base}/visits/new")
        page.wait_for_function(
            "navigator.serviceWorker && navigator.serviceWorker.controller "
            "|| document.readyState === 'complete'"
        )
        page.context.set_offline(True)
        page.fill("#department", "Warehouse")
        _conversation(page, 0, "driver", 4, 1)
        page.get_by_role("button", name="Save walk").click()
        page.wait_for_selector("#outbox:not([hidden])")
        assert page.inner_text("#outbox-count") == "1 waiting to send"
        assert _count(session, Visit) == 0
        page.context.set_offline(False)
        page.wait_for_selector("#outbox[hidden]", state="attached", timeout=15000)
        assert _count(session, Visit) == 1
        # A later automatic resend finds nothing left to send.
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(500)
    assert _count(session, Visit) == 1


def test_refused_walk_stays_and_can_be_deleted(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        _login(page, base, email)
        page.goto(f"{base}/visits/new")
        page.context.set_offline(True)
        page.fill("#department", "Atlantis")
        _conversation(page, 0, "clerk", 3, 3)
        page.get_by_role("button", name="Save walk").click()
        page.wait_for_selector("#outbox:not([hidden])")
        page.context.set_offline(False)
        page.get_by_role("button", name="Send now").click()
        page.wait_for_selector("#outbox-items .field-error")
        assert "unknown department 'Atlantis'" in page.inner_text("#outbox-items")
        assert page.inner_text("#outbox-count") == "1 waiting to send"
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Delete the walk").click()
        page.wait_for_selector("#outbox[hidden]", state="attached")
    assert _count(session, Visit) == 0
