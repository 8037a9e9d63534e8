"""A leader logs walks on a phone, on any network: each walk reaches the server once, under
its leader, with what was typed. Every test checks the stored rows, not only the page."""

import pytest
from sqlmodel import Session, select

from app.models import Action, Conversation, Visit
from tests.browser import browser_page, live_server, needs_chromium
from tests.walk_pages import (
    back_online,
    conversation,
    fill_walk,
    open_form,
    outbox_count,
    ready_offline,
    row_count,
    save,
    save_offline,
    stored_walks,
    wait_outbox_count,
    wait_outbox_empty,
    wait_until,
)

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


def test_walk_with_two_conversations_and_an_action(
    database_url: str, session: Session, make_user, directory, tmp_path
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, email)
        page.fill("#department", "Finance")
        conversation(page, 0, "clerk", 4, 2)
        page.click("label[for='conversations-0-issue-1']")
        page.get_by_role("button", name="+ Add another conversation").click()
        conversation(page, 1, "manager", 4, 4)
        page.get_by_role("button", name="+ Add a follow-up action").click()
        page.fill("#actions-0-title", "Fix the printer")
        page.screenshot(path=str(tmp_path / "walk-form.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        assert "Walk saved." in page.inner_text("main")
        assert "Fix the printer" in page.content()
    assert (
        row_count(session, Visit),
        row_count(session, Conversation),
        row_count(session, Action),
    ) == (
        1,
        2,
        1,
    )


def test_three_walks_offline_across_two_reloads_arrive_once_each(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, email)
        ready_offline(page)
        page.context.set_offline(True)
        for n, department in enumerate(["Finance", "Warehouse", "Library"]):
            if n:
                page.reload()  # offline: the service worker's copy of the form
            fill_walk(page, department, f"role {n}", note=f"note {n}")
            save(page)
            page.wait_for_selector("#outbox:not([hidden])")
            wait_outbox_count(page, n + 1)
        assert outbox_count(page) == "3 walks waiting to send"
        assert row_count(session, Visit) == 0
        back_online(page)
    walks = stored_walks(session)
    assert [(w[0], w[1], w[2]) for w in walks] == [
        (email, "role 0", "note 0"),
        (email, "role 1", "note 1"),
        (email, "role 2", "note 2"),
    ]
    assert len({w[3] for w in walks}) == 3


def test_a_walk_deleted_on_the_phone_while_being_sent_stays_deleted(
    database_url: str, session: Session, make_user, directory
) -> None:
    """The leader deletes a waiting walk while a try to send it is on its way; the try then
    fails (the network drops). The walk must not come back to the phone, nor be sent."""
    email = make_user("leader")
    held: list = []
    with live_server(database_url) as base, browser_page() as page:
        save_offline(page, base, email, "Finance", "clerk", note="deleted by its leader")
        page.route("**/api/v1/visits", lambda route: held.append(route))
        page.context.set_offline(False)
        page.evaluate("() => { WalkaboutOutbox.sendAll(); }")
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(100)
        assert len(held) == 1
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Delete the walk of").click()
        wait_until(page, "WalkaboutOutbox.outbox.all().then(i => i.length === 0)")
        held.pop().abort()  # the try fails after the walk was deleted
        page.wait_for_timeout(500)
        assert page.evaluate("WalkaboutOutbox.outbox.all().then(i => i.length)") == 0
        page.unroute("**/api/v1/visits")
        page.evaluate("WalkaboutOutbox.sendAll()")
        page.reload()
        assert page.is_hidden("#outbox")
    assert stored_walks(session) == []


def test_online_walk_then_new_walk_offline_is_not_taken_for_a_resend(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, email)
        ready_offline(page)
        fill_walk(page, "Finance", "clerk")
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        page.context.set_offline(True)
        page.get_by_role("link", name="New walk").click()
        fill_walk(page, "Warehouse", "driver")
        save(page)
        page.wait_for_selector("#outbox:not([hidden])")
        assert "Saved on this phone" in page.inner_text("#walk-status")
        back_online(page)
    assert [w[1] for w in stored_walks(session)] == ["clerk", "driver"]


def test_refused_walk_is_fixed_at_its_field_and_sent_once(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        save_offline(page, base, email, "Atlantis", "clerk", note="kept through the fix")
        client_id = page.evaluate("WalkaboutOutbox.outbox.mine().then(i => i[0].client_id)")
        page.context.set_offline(False)
        page.evaluate("WalkaboutOutbox.sendAll()")  # unless the online event sent it first
        page.wait_for_selector("#outbox-items .field-error")
        assert outbox_count(page) == "1 walk refused: fix it"
        assert "Department: unknown department 'Atlantis'" in page.inner_text("#outbox-items")
        page.goto(f"{base}/visits")  # the banner is on every leader page
        page.get_by_role("button", name="Fix the walk").click()
        page.wait_for_url(f"{base}/visits/new#fix=*")
        page.wait_for_selector("#department-error")
        assert page.evaluate("document.activeElement.id") == "department"
        assert page.input_value("#conversations-0-notes") == "kept through the fix"
        page.fill("#department", "Finance")
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        wait_outbox_empty(page)
    assert stored_walks(session) == [(email, "clerk", "kept through the fix", client_id)]


def test_changes_made_while_fixing_a_refused_walk_come_back_with_it(
    database_url: str, session: Session, make_user, directory
) -> None:
    """The leader begins fixing a refused walk, leaves the page unsaved, and taps Fix again:
    their changes come back, not the walk as it was refused (the next keystroke would have
    written the refused walk over them)."""
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        save_offline(page, base, email, "Atlantis", "clerk", note="as refused")
        client_id = page.evaluate("WalkaboutOutbox.outbox.mine().then(i => i[0].client_id)")
        page.context.set_offline(False)
        page.evaluate("WalkaboutOutbox.sendAll()")
        page.wait_for_selector("#outbox-items .field-error")
        page.get_by_role("button", name="Fix the walk").click()
        page.wait_for_selector("#department-error")
        page.fill("#department", "Finance")
        page.fill("#conversations-0-notes", "changed while fixing")
        wait_until(
            page,
            "WalkaboutOutbox.drafts.all().then(d => d.some(x => x.body.department === 'Finance'))",
        )
        for path in ("/visits/new", "/visits"):  # Fix on the form itself, then from elsewhere
            page.goto(f"{base}{path}")
            page.wait_for_selector("#outbox-items .field-error")
            assert "Finance" not in page.inner_text("#outbox")  # one walk, listed once: refused
            page.get_by_role("button", name="Fix the walk").click()
            page.wait_for_selector("#department-error")
            assert page.input_value("#department") == "Finance"
            assert page.input_value("#conversations-0-notes") == "changed while fixing"
            wait_until(
                page, "document.getElementById('walk-status').textContent.includes('are back')"
            )
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        wait_outbox_empty(page)
        assert page.evaluate("WalkaboutOutbox.drafts.all().then(d => d.length)") == 0
    assert stored_walks(session) == [(email, "clerk", "changed while fixing", client_id)]


def test_double_tap_on_a_slow_network_saves_once_and_a_stalled_save_goes_to_the_outbox(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    held: list = []
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, email)
        page.route("**/api/v1/visits", lambda route: held.append(route))
        fill_walk(page, "Finance", "clerk")
        page.get_by_role("button", name="Save walk").dblclick()
        wait_until(page, "document.querySelector('button.primary').textContent === 'Saving…'")
        assert page.is_disabled("button.primary")
        page.wait_for_timeout(300)
        assert len(held) == 1
        held.pop().continue_()
        page.wait_for_url(f"{base}/visits?flash=*")
        assert [w[1] for w in stored_walks(session)] == ["clerk"]
        # A save the network never answers: after the timeout the walk waits in the outbox.
        page.goto(f"{base}/visits/new")
        fill_walk(page, "Warehouse", "driver")
        save(page)
        page.wait_for_selector("#outbox:not([hidden])", timeout=15000)
        assert "Saved on this phone" in page.inner_text("#walk-status")
        assert len(held) == 1  # held, never answered; the page gave up on it
        page.unroute("**/api/v1/visits")
        page.get_by_role("button", name="Send now").click()
        wait_outbox_empty(page)
    assert [w[1] for w in stored_walks(session)] == ["clerk", "driver"]


def test_mistakes_are_stopped_at_their_field_never_dropped_or_cut(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, email)
        fill_walk(page, "Finance", "clerk")
        page.get_by_role("button", name="+ Add a follow-up action").click()
        page.fill("#actions-0-due_date", "2026-12-24")
        long_note = "x" * 4010
        page.fill("#conversations-0-notes", long_note)
        assert "10 too many" in page.inner_text("#conversations-0-notes-counter")
        save(page)
        page.wait_for_selector("#actions-0-title-error")
        assert page.inner_text("#actions-0-title-error") == (
            "Say what will be done, or remove this action."
        )
        assert page.evaluate("document.activeElement.id") == "actions-0-title"
        assert "Too long by 10 characters" in page.inner_text("#conversations-0-notes-error")
        assert page.input_value("#conversations-0-notes") == long_note  # nothing cut
        assert row_count(session, Visit) == 0
        page.fill("#actions-0-title", "Order a new toner")
        page.fill("#conversations-0-notes", "x" * 4000)
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
    assert row_count(session, Action) == 1
    assert len(stored_walks(session)[0][2]) == 4000


def test_mark_done_by_mistake_is_undone_in_place(
    database_url: str, session: Session, make_user, directory, tmp_path
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, email)
        fill_walk(page, "Finance", "clerk")
        page.get_by_role("button", name="+ Add a follow-up action").click()
        page.fill("#actions-0-title", "Order toner")
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        page.get_by_role("button", name="Mark done: Order toner").click()
        page.get_by_role("button", name="Undo: Order toner is not done").wait_for()
        assert session.exec(select(Action.status)).one() == "done"
        page.get_by_role("button", name="Undo: Order toner is not done").click()
        page.get_by_role("button", name="Mark done: Order toner").wait_for()
        page.screenshot(path=str(tmp_path / "walks.png"), full_page=True)
    session.rollback()
    assert session.exec(select(Action.status)).one() == "open"
