"""A walk typed and not yet saved stays on the phone, its own draft, whatever the phone does
with the page (reloaded, closed, put away, opened twice, slow to read its storage), until the
leader saves it or lets it go."""

import pytest
from sqlmodel import Session

from app.models import Conversation
from tests.browser import browser_page, live_server, needs_chromium
from tests.walk_pages import (
    another_form,
    back_online,
    conversation,
    fill_walk,
    login,
    logout,
    open_form,
    row_count,
    save,
    save_offline,
    stored_walks,
    type_draft,
    wait_outbox_count,
    wait_until,
    walks_apart,
)

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


# The phone's storage answering late (an old phone, a busy one): each open of IndexedDB
# reports success `window.slowStorage` ms after it happened.
SLOW_STORAGE = """
(() => {
  const open = indexedDB.open.bind(indexedDB);
  indexedDB.open = (name, version) => {
    const request = open(name, version);
    const late = {};
    request.onupgradeneeded = (e) => {
      late.result = request.result; late.onupgradeneeded && late.onupgradeneeded(e);
    };
    request.onerror = (e) => { late.error = request.error; late.onerror && late.onerror(e); };
    request.onsuccess = (e) => setTimeout(() => {
      late.result = request.result; late.onsuccess && late.onsuccess(e);
    }, window.slowStorage || 0);
    return late;
  };
})();
"""


def test_typing_while_the_phone_reads_the_draft_is_kept(
    database_url: str, session: Session, make_user, directory
) -> None:
    """The form asks the phone for a draft when it opens; on a slow phone the answer can
    come after the leader started typing. What they typed is what is saved, not the empty
    draft the previous page left."""
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        save_offline(page, base, email, "Finance", "role 0", note="note 0")
        page.add_init_script("window.slowStorage = 1500;" + SLOW_STORAGE)
        page.reload()  # leaving the emptied form keeps it as the draft
        fill_walk(page, "Warehouse", "role 1", note="note 1")
        page.wait_for_timeout(2000)  # the draft has come back meanwhile
        assert page.input_value("#department") == "Warehouse"
        page.evaluate("window.slowStorage = 0")  # the rest of the test at the usual pace
        save(page)
        wait_outbox_count(page, 2)
        back_online(page)
    walks = stored_walks(session)
    assert [(w[0], w[1], w[2]) for w in walks] == [
        (email, "role 0", "note 0"),
        (email, "role 1", "note 1"),
    ]
    assert len({w[3] for w in walks}) == 2


def test_a_phone_whose_storage_does_not_answer_still_takes_a_walk(
    database_url: str, session: Session, make_user, directory
) -> None:
    """The fields wait for the phone's storage only so long: then the form is the leader's,
    and a draft answering later does not overwrite what they typed."""
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        type_draft(page, base, email, "Library", "old draft")
        page.add_init_script("window.slowStorage = 4000;" + SLOW_STORAGE)
        page.reload()
        assert page.is_disabled("#department")
        fill_walk(page, "Finance", "clerk")  # waits until the fields are the leader's
        page.wait_for_timeout(2000)  # the old draft has come back meanwhile (at 4 s)
        assert page.input_value("#department") == "Finance"
        page.evaluate("window.slowStorage = 0")
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
    assert [w[:2] for w in stored_walks(session)] == [(email, "clerk")]


def test_a_second_page_of_the_form_does_not_take_up_the_first_ones_walk(
    database_url: str, session: Session, make_user, directory
) -> None:
    """Two pages of the new-walk form on one phone (a link opened twice, the home-screen
    app beside a browser tab). The second must not restore the first one's draft: both
    would save one client_id, the server would keep the first, and the second walk would
    be lost."""
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as first:
        type_draft(first, base, email, "Finance", "clerk")
        second = another_form(first, base)
        wait_until(second, "!!document.querySelector('[name=client_id]').value")
        assert second.input_value("#department") == ""
        fill_walk(second, "Warehouse", "driver")
        save(second)
        second.wait_for_url(f"{base}/visits?flash=*")
        save(first)
        first.wait_for_url(f"{base}/visits?flash=*")
    assert walks_apart(session) == ([(email, "clerk"), (email, "driver")], 2)


def test_two_pages_left_unsaved_each_keep_their_walk(
    database_url: str, session: Session, make_user, directory
) -> None:
    """Two pages of the form, each with a walk typed, both closed unsaved (a phone drops
    background tabs). Each walk stays on the phone: the next form restores the newest, the
    other waits in the list of walks on this phone until the leader continues it."""
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as first:
        type_draft(first, base, email, "Finance", "clerk")
        second = another_form(first, base)
        fill_walk(second, "Warehouse", "driver")
        wait_until(second, "WalkaboutOutbox.drafts.all().then(d => d.length === 2)")
        first.close()
        second.fill("#conversations-0-notes", "forklift tablet")  # typed after the first closed
        wait_until(
            second,
            "WalkaboutOutbox.drafts.all().then(d => d[0].body.conversations[0].notes"
            " === 'forklift tablet')",
        )
        second.close()
        page = first.context.new_page()
        page.goto(f"{base}/visits/new")
        wait_until(page, "document.getElementById('walk-status').textContent.includes('is back')")
        assert page.input_value("#department") == "Warehouse"
        assert page.input_value("#conversations-0-notes") == "forklift tablet"
        # The banner is drawn again once the page holds its walk, which it leaves out.
        wait_until(
            page,
            "document.getElementById('outbox-unsaved').textContent"
            " === '1 walk you began is not saved yet:'",
        )
        assert "Finance" in page.inner_text("#outbox-drafts")
        assert "Warehouse" not in page.inner_text("#outbox-drafts")  # open on this page
        page.get_by_role("link", name="Continue the walk of").click()
        wait_until(page, "document.querySelector('#department').value === 'Finance'")
        assert page.input_value("#conversations-0-person_role") == "clerk"
        wait_until(page, "document.getElementById('outbox-drafts').innerText.includes('Warehouse')")
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        page.goto(f"{base}/visits/new")
        wait_until(page, "document.getElementById('walk-status').textContent.includes('is back')")
        assert page.input_value("#department") == "Warehouse"
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        assert page.evaluate("WalkaboutOutbox.drafts.all().then(d => d.length)") == 0
    assert walks_apart(session) == ([(email, "clerk"), (email, "driver")], 2)


def test_the_draft_an_earlier_version_kept_comes_back(
    database_url: str, session: Session, make_user, directory
) -> None:
    """A phone upgraded while it held a draft in the earlier layout (one per user)."""
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        type_draft(page, base, email, "Library", "librarian")
        page.goto(f"{base}/visits")  # a page that writes no draft of its own
        page.evaluate(
            """WalkaboutOutbox.drafts.all().then(kept => new Promise((resolve, reject) => {
                 const open = indexedDB.open("walkabout-outbox");
                 open.onsuccess = () => {
                   const tx = open.result.transaction("drafts", "readwrite");
                   tx.objectStore("drafts").put({ owner: WalkaboutOutbox.user,
                                                  body: kept[0].body, saved: Date.now() });
                   tx.oncomplete = () => { open.result.close(); resolve(); };
                   tx.onerror = () => reject(tx.error);
                 };
               }))"""
        )
        page.reload()
        wait_until(page, "document.getElementById('outbox-drafts').innerText.includes('Library')")
        page.goto(f"{base}/visits/new")
        wait_until(page, "document.getElementById('walk-status').textContent.includes('is back')")
        assert page.input_value("#department") == "Library"
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
    assert [w[:2] for w in stored_walks(session)] == [(email, "librarian")]


# A phone that stops a page put away before its timers run (iOS suspends a page's scripts
# soon after another app comes to the front): the form's pause before keeping a draft never
# ends.
TIMERS_STOPPED = """
(() => {
  const later = window.setTimeout;
  window.setTimeout = (fn, ms, ...rest) => ms === 300 ? 0 : later(fn, ms, ...rest);
})();
"""


def test_a_walk_typed_is_kept_when_the_phone_puts_the_page_away(
    database_url: str, session: Session, make_user, directory
) -> None:
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, make_user("leader"), before=TIMERS_STOPPED)
        fill_walk(page, "Finance", "clerk")
        page.evaluate(
            "Object.defineProperty(document, 'visibilityState', {value: 'hidden'});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
        wait_until(
            page,
            "WalkaboutOutbox.drafts.all().then(d => d.length === 1"
            " && d[0].body.department === 'Finance'"
            " && d[0].body.conversations[0].person_role === 'clerk')",
        )


def test_an_unsaved_walk_is_deleted_from_the_list_and_an_emptied_form_keeps_none(
    database_url: str, session: Session, make_user, directory
) -> None:
    """A shared phone: the walk one leader began is theirs alone, listed for them only."""
    email, other = make_user("leader"), make_user("leader", "bea@example.org")
    with live_server(database_url) as base, browser_page() as page:
        type_draft(page, base, email, "Library", "librarian")
        assert "You began 1 walk here and did not save it." in logout(page, base)
        login(page, base, other)
        page.goto(f"{base}/visits/new")
        page.wait_for_selector("#department:enabled")
        assert page.input_value("#department") == ""
        assert page.is_hidden("#outbox")
        assert logout(page, base) == ""  # nothing of theirs on the phone: no question
        login(page, base, email)
        page.goto(f"{base}/visits")
        wait_until(page, "document.getElementById('outbox-drafts').innerText.includes('Library')")
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Delete the unsaved walk of").click()
        wait_until(page, "document.getElementById('outbox').hidden")
        assert page.evaluate("WalkaboutOutbox.drafts.all().then(d => d.length)") == 0
        page.goto(f"{base}/visits/new")
        page.wait_for_selector("#department:enabled")
        assert page.input_value("#department") == ""
        page.fill("#department", "Finance")
        wait_until(page, "WalkaboutOutbox.drafts.all().then(d => d.length === 1)")
        page.fill("#department", "")  # typed by mistake, taken back
        wait_until(page, "WalkaboutOutbox.drafts.all().then(d => d.length === 0)")
    assert stored_walks(session) == []


def test_a_half_filled_walk_survives_a_reload_and_is_cleared_by_saving(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        open_form(page, base, email)
        fill_walk(page, "Library", "librarian", note="the scanner jams daily")
        page.get_by_role("button", name="+ Add another conversation").click()
        conversation(page, 1, "added by mistake", 3, 3)
        wait_until(
            page,
            "WalkaboutOutbox.drafts.all().then(d => d.length === 1"
            " && d[0].body.conversations.length === 2"
            " && d[0].body.conversations[1].observed_score === 3)",
        )
        page.reload()
        # The draft comes back from the phone's storage once the script has read it.
        wait_until(page, "document.getElementById('walk-status').textContent.includes('is back')")
        assert "Your unsaved walk is back" in page.inner_text("#walk-status")
        assert page.input_value("#department") == "Library"
        assert page.input_value("#conversations-0-notes") == "the scanner jams daily"
        assert page.input_value("#conversations-1-person_role") == "added by mistake"
        page.get_by_role("button", name="Remove this conversation").nth(1).click()
        assert page.locator("fieldset.conversation").count() == 1
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        page.goto(f"{base}/visits/new")
        wait_until(
            page, "!!window.WalkaboutOutbox && WalkaboutOutbox.drafts.all().then(d => !d.length)"
        )
        assert page.input_value("#department") == ""
    assert stored_walks(session)[0][1:3] == ("librarian", "the scanner jams daily")
    assert row_count(session, Conversation) == 1


def test_a_walk_that_came_back_can_be_deleted_to_start_afresh(
    database_url: str, session: Session, make_user, directory
) -> None:
    with live_server(database_url) as base, browser_page() as page:
        type_draft(page, base, make_user("leader"), "Library", "librarian")
        page.reload()
        wait_until(page, "document.getElementById('walk-status').textContent.includes('is back')")
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Delete this unsaved walk and start afresh").click()
        wait_until(page, "WalkaboutOutbox.drafts.all().then(d => d.length === 0)")
        assert page.input_value("#department") == ""
        assert "this is a new walk" in page.inner_text("#walk-status")
        fill_walk(page, "Finance", "clerk")
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
    assert [w[1] for w in stored_walks(session)] == ["clerk"]
