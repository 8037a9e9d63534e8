"""Changes to a walk already saved (its edit page) stay on the phone until they are saved,
and never come back over what was saved since."""

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.models import Conversation, Department, Visit
from app.models.types import utcnow
from app.services.visit_edits import EDIT_WINDOW
from tests.browser import browser_page, live_server, needs_chromium
from tests.walk_pages import (
    conversation,
    fill_walk,
    login,
    logout,
    open_form,
    row_count,
    save,
    wait_until,
)

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


Editing = tuple[Any, str, int, str]  # page, base, visit id, where the changes are kept


@pytest.fixture
def editing(database_url: str, session: Session, make_user, directory) -> Iterator[Editing]:
    """A walk saved online and its edit page open: (page, base, visit id, the key its
    changes are kept under on the phone: the edit page's address)."""
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, make_user("leader"))
        fill_walk(page, "Finance", "clerk")
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        session.rollback()
        visit = session.exec(select(Visit)).one()
        assert visit.id is not None
        page.goto(f"{base}/visits/{visit.id}/edit")
        page.wait_for_selector("#department:enabled")
        yield page, base, visit.id, f"edit:/visits/{visit.id}/edit"


def _changes_kept(page: Any, key: str, text: str) -> None:
    wait_until(
        page,
        f"WalkaboutOutbox.edits.get('{key}').then(e => !!e && e.form.includes({json.dumps(text)}))",
    )


def _type_place(page: Any, key: str, place: str) -> None:
    """Type where the walk was, and wait until the phone keeps the change."""
    page.fill("#location", place)
    _changes_kept(page, key, place)


def _stored_location(session: Session, visit_id: int) -> str | None:
    session.rollback()
    session.expire_all()  # a walk this test changed itself is read again too
    visit = session.get(Visit, visit_id)
    return None if visit is None else visit.location


def test_changes_to_a_saved_walk_come_back_until_they_are_saved(
    editing: Editing, session: Session
) -> None:
    """The leader changes a walk saved earlier (a place, one more conversation) and leaves
    the page unsaved, as a phone may make them: the edit page brings the changes back."""
    page, base, visit_id, key = editing
    page.fill("#location", "Stores, 2nd floor")
    page.get_by_role("button", name="+ Add another conversation").click()
    conversation(page, 1, "driver", 3, 3)
    _changes_kept(page, key, "driver")
    page.goto(f"{base}/visits")
    page.goto(f"{base}/visits/{visit_id}/edit")
    wait_until(page, "document.getElementById('walk-status').textContent.includes('are back')")
    assert page.input_value("#location") == "Stores, 2nd floor"
    assert page.input_value("#conversations-1-person_role") == "driver"
    assert page.is_checked("#conversations-1-observed-3")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"{base}/visits/{visit_id}?flash=*")
    page.goto(f"{base}/visits/{visit_id}/edit")
    page.wait_for_selector("#department:enabled")
    assert page.inner_text("#walk-status") == ""
    assert page.evaluate(f"WalkaboutOutbox.edits.get('{key}')") is None
    assert _stored_location(session, visit_id) == "Stores, 2nd floor"
    assert row_count(session, Conversation) == 2


def test_changes_never_come_back_over_a_walk_saved_since(
    editing: Editing, session: Session
) -> None:
    page, base, visit_id, key = editing
    _type_place(page, key, "typed on this phone")
    page.goto(f"{base}/visits")
    said = logout(page, base)
    assert "Your changes to 1 saved walk are not saved yet." in said
    login(page, base, "leader@example.org")
    # Meanwhile the walk is saved with other changes (another device of the leader's).
    session.rollback()  # a fresh snapshot, after the app's own writes
    visit = session.get(Visit, visit_id)
    assert visit is not None
    visit.location = "saved elsewhere"
    session.add(visit)
    session.commit()
    page.goto(f"{base}/visits/{visit_id}/edit")
    wait_until(page, "document.getElementById('walk-status').textContent.includes('other')")
    assert page.input_value("#location") == "saved elsewhere"
    assert page.evaluate(f"WalkaboutOutbox.edits.get('{key}')") is None
    # What was typed is not lost: set aside, listed above the form to be copied.
    wait_until(page, "!document.getElementById('outbox-changed').hidden")
    assert "yours are not in it" in page.inner_text("#outbox-edits li span")
    assert page.get_by_role("link", name="Continue your changes").count() == 0
    assert _listed_changes(page) == [["Where", "typed on this phone"]]
    _type_place(page, key, "a new change")  # changes begun now are kept on their own
    page.goto(f"{base}/visits")
    wait_until(page, "document.querySelectorAll('#outbox-edits li').length === 2")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#outbox-edits li", has_text="yours are not in it").get_by_role(
        "button", name="Discard your changes"
    ).click()
    wait_until(page, "document.querySelectorAll('#outbox-edits li').length === 1")
    kept = page.evaluate(f"WalkaboutOutbox.edits.get('{key}').then(e => e.form)")
    assert "a new change" in kept


def test_changes_whose_save_never_reached_the_server_come_back(
    editing: Editing, session: Session
) -> None:
    page, base, visit_id, _key = editing
    page.fill("#location", "Stores")
    # The Wi-Fi drops as the changes are sent (the context's route: the page's service
    # worker sends the page's form on).
    dropped = f"**/visits/{visit_id}/edit"
    page.context.route(
        dropped,
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_selector("#edit-form", state="detached")  # the browser's error page
    page.context.unroute(dropped)
    page.goto(f"{base}/visits/{visit_id}/edit")
    wait_until(page, "document.getElementById('walk-status').textContent.includes('did not reach')")
    assert page.input_value("#location") == "Stores"
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"{base}/visits/{visit_id}?flash=*")
    assert _stored_location(session, visit_id) == "Stores"


def test_changes_that_came_back_can_be_discarded(editing: Editing, session: Session) -> None:
    page, base, visit_id, key = editing
    _type_place(page, key, "not wanted")
    page.goto(f"{base}/visits")
    page.goto(f"{base}/visits/{visit_id}/edit")
    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():  # the edit page afresh
        page.get_by_role("button", name="Discard these changes").click()
    page.wait_for_selector("#department:enabled")
    assert page.evaluate(f"WalkaboutOutbox.edits.get('{key}')") is None
    assert page.input_value("#location") == ""
    assert page.is_hidden("#walk-discard")
    assert _stored_location(session, visit_id) is None


def test_changes_to_one_backfilled_walk_stay_with_it(editing: Editing, session: Session) -> None:
    """Walks backfilled from a spreadsheet have no client_id: the changes begun on one are
    never put back on, or dropped by, another's edit page."""
    page, base, first, key = editing
    page.goto(f"{base}/visits/new")  # a second walk
    page.wait_for_selector("#department:enabled")
    fill_walk(page, "Library", "librarian")
    save(page)
    page.wait_for_url(f"{base}/visits?flash=*")
    session.rollback()
    for visit in session.exec(select(Visit)).all():
        visit.client_id = None
        session.add(visit)
    session.commit()
    second = max(v for v in session.exec(select(Visit.id)).all() if v is not None)
    page.goto(f"{base}/visits/{first}/edit")
    page.wait_for_selector("#department:enabled")
    _type_place(page, key, "first walk's place")
    page.goto(f"{base}/visits/{second}/edit")
    page.wait_for_selector("#department:enabled")
    assert page.input_value("#location") == ""
    assert page.inner_text("#walk-status") == ""
    page.goto(f"{base}/visits/{first}/edit")
    wait_until(page, "document.getElementById('walk-status').textContent.includes('are back')")
    assert page.input_value("#location") == "first walk's place"


def test_changes_the_server_refused_stay_on_the_phone(editing: Editing, session: Session) -> None:
    page, base, visit_id, key = editing
    page.fill("#department", "Atlantis")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_selector("p.field-error")  # the server's answer: an unknown department
    _changes_kept(page, key, "Atlantis")
    page.goto(f"{base}/visits")
    page.goto(f"{base}/visits/{visit_id}/edit")
    wait_until(page, "document.getElementById('walk-status').textContent.includes('are back')")
    assert page.input_value("#department") == "Atlantis"
    session.rollback()
    stored = session.get(Visit, visit_id)
    assert stored is not None
    assert session.get(Department, stored.department_id).name == "Finance"  # type: ignore[union-attr]


def _listed_changes(page: Any) -> list[list[str]]:
    """The banner's "What you changed" of its one walk, as [words, value] pairs."""
    return page.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('#outbox-edits dt'))"
        ".map(dt => [dt.textContent, dt.nextElementSibling.textContent])"
    )


def test_changes_begun_are_listed_on_the_other_walk_pages(
    editing: Editing, session: Session
) -> None:
    """A leader who left changes unsaved is told on every walk page, and taken back to them."""
    page, base, visit_id, key = editing
    _type_place(page, key, "Stores, 2nd floor")
    assert page.is_hidden("#outbox-changed")  # not on the page that holds them
    page.goto(f"{base}/visits")
    wait_until(page, "!document.getElementById('outbox-changed').hidden")
    assert page.inner_text("#outbox-changed") == "Your changes to 1 saved walk are not saved yet:"
    visit = session.get(Visit, visit_id)
    assert visit is not None
    row = page.inner_text("#outbox-edits li span")
    assert row == f"The walk of {visit.visit_date.isoformat()} · Finance"
    assert _listed_changes(page) == [["Where", "Stores, 2nd floor"]]
    page.get_by_role("link", name="Continue your changes").click()
    wait_until(page, "document.getElementById('walk-status').textContent.includes('are back')")
    assert page.input_value("#location") == "Stores, 2nd floor"
    page.goto(f"{base}/visits")
    wait_until(page, "!document.getElementById('outbox-changed').hidden")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard your changes").click()
    wait_until(page, "document.getElementById('outbox').hidden")
    assert page.evaluate(f"WalkaboutOutbox.edits.get('{key}')") is None
    assert _stored_location(session, visit_id) is None


def test_changes_the_edit_window_closed_on_stay_readable(
    editing: Editing, session: Session
) -> None:
    """The seven days pass before the changes are saved: the server will not take them, and
    the banner shows what was written, to be copied, instead of keeping it out of sight."""
    page, base, visit_id, key = editing
    session.rollback()
    visit = session.get(Visit, visit_id)
    assert visit is not None
    visit.created_at = utcnow() - EDIT_WINDOW + timedelta(seconds=3)
    session.add(visit)
    session.commit()
    closes = visit.created_at + EDIT_WINDOW
    page.goto(f"{base}/visits/{visit_id}/edit")
    page.wait_for_selector("#department:enabled")
    assert page.get_attribute("#edit-form", "data-edit-until") == closes.isoformat(
        timespec="seconds"
    )
    page.fill("#location", "Stores, 2nd floor")
    page.click("label[for='conversations-0-observed-1']")
    page.click("label[for='conversations-0-issue-1']")
    theme = page.get_attribute("#conversations-0-issue-1", "value")
    page.fill("#conversations-0-unreported", "3")
    page.click("label[for='conversations-0-end_run']")
    page.fill("#conversations-0-notes", "The printer jams daily.\nThey print at home.")
    _changes_kept(page, key, "print at home")
    time.sleep(max(0.0, (closes - utcnow()).total_seconds()) + 1)
    page.goto(f"{base}/visits")
    wait_until(page, "!document.getElementById('outbox-changed').hidden")
    assert "Can no longer be saved" in page.inner_text("#outbox-edits li span")
    assert page.get_by_role("link", name="Continue your changes").count() == 0
    assert page.is_visible("#outbox-edits dl")  # open, not behind a tap
    assert _listed_changes(page) == [
        ["Where", "Stores, 2nd floor"],
        ["Conversation 1, What you observed", "1"],
        ["Conversation 1, Themes raised", theme],
        ["Conversation 1, Never reached the service desk", "3"],
        ["Conversation 1, Goes around the desk", "yes"],
        ["Conversation 1, Note", "The printer jams daily.\nThey print at home."],
    ]
    assert page.get_by_role("button", name="Discard your changes").count() == 1


def test_a_save_over_a_change_made_meanwhile_is_held_back_until_seen(
    editing: Editing, session: Session
) -> None:
    page, base, visit_id, key = editing
    _type_place(page, key, "Canteen")
    # Meanwhile the walk is changed elsewhere (an admin's edit, stored as such).
    session.rollback()
    visit = session.get(Visit, visit_id)
    assert visit is not None
    visit.location, visit.updated_at = "Stores", utcnow()
    session.add(visit)
    session.commit()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_selector("p.error")
    assert "This walk was changed by someone" in page.inner_text("p.error")
    assert page.input_value("#location") == "Canteen"
    assert _stored_location(session, visit_id) == "Stores"
    page.wait_for_selector("#department:enabled")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"{base}/visits/{visit_id}?flash=*")
    assert _stored_location(session, visit_id) == "Canteen"
