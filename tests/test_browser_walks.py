"""A leader logs walks on a phone, on any network: each walk reaches the server once, under
its leader, with what was typed. Every test checks the stored rows, not only the page."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, func, select

from app.models import Action, Conversation, Department, Visit
from tests.browser import browser_page, live_server, needs_chromium
from tests.walk_pages import (
    another_form,
    back_online,
    conversation,
    fill_walk,
    login,
    logout,
    open_form,
    outbox_count,
    ready_offline,
    save,
    save_offline,
    stored_walks,
    type_draft,
    wait_outbox_count,
    wait_outbox_empty,
    wait_until,
    walks_apart,
)

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


def _count(session: Session, model: type) -> int:
    session.rollback()
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_walk_with_two_conversations_and_an_action(
    database_url: str, session: Session, make_user, directory, tmp_path
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        login(page, base, email)
        page.goto(f"{base}/visits/new")
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
    assert (_count(session, Visit), _count(session, Conversation), _count(session, Action)) == (
        1,
        2,
        1,
    )


def test_three_walks_offline_across_two_reloads_arrive_once_each(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        login(page, base, email)
        page.goto(f"{base}/visits/new")
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
        assert _count(session, Visit) == 0
        back_online(page)
    walks = stored_walks(session)
    assert [(w[0], w[1], w[2]) for w in walks] == [
        (email, "role 0", "note 0"),
        (email, "role 1", "note 1"),
        (email, "role 2", "note 2"),
    ]
    assert len({w[3] for w in walks}) == 3


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
        login(page, base, email)
        page.goto(f"{base}/visits/new")
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
        login(page, base, email)
        page.goto(f"{base}/visits/new")
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


def test_a_half_filled_walk_survives_a_reload_and_is_cleared_by_saving(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        login(page, base, email)
        page.goto(f"{base}/visits/new")
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
    assert _count(session, Conversation) == 1


def test_mistakes_are_stopped_at_their_field_never_dropped_or_cut(
    database_url: str, session: Session, make_user, directory
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        login(page, base, email)
        page.goto(f"{base}/visits/new")
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
        assert _count(session, Visit) == 0
        page.fill("#actions-0-title", "Order a new toner")
        page.fill("#conversations-0-notes", "x" * 4000)
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
    assert _count(session, Action) == 1
    assert len(stored_walks(session)[0][2]) == 4000


def test_mark_done_by_mistake_is_undone_in_place(
    database_url: str, session: Session, make_user, directory, tmp_path
) -> None:
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        login(page, base, email)
        page.goto(f"{base}/visits/new")
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
        f"WalkaboutOutbox.edits.get('{key}').then(e => !!e && e.form.includes('{text}'))",
    )


def _stored_location(session: Session, visit_id: int) -> str | None:
    session.rollback()
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
    assert _count(session, Conversation) == 2


def test_changes_never_come_back_over_a_walk_saved_since(
    editing: Editing, session: Session
) -> None:
    page, base, visit_id, key = editing
    page.fill("#location", "typed on this phone")
    _changes_kept(page, key, "typed on this phone")
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
    page.fill("#location", "not wanted")
    _changes_kept(page, key, "not wanted")
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
    page.fill("#location", "first walk's place")
    _changes_kept(page, key, "first walk")
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
