"""Steps a leader takes on the walk pages in headless Chromium, shared by the browser tests."""

import time
from typing import Any

from sqlmodel import Session, col, func, select

from app.models import Conversation, User, Visit
from tests.conftest import PASSWORD

Page = Any  # playwright's sync Page


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def logout(page: Page, base: str) -> str:
    """Log out, accepting the question about walks on the phone; returns its words."""
    said: list[str] = []

    def answer(dialog: Any) -> None:
        said.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/login*")
    page.remove_listener("dialog", answer)
    return " ".join(said)


def wait_until(page: Page, expression: str, timeout: float = 10) -> None:
    """Poll a page expression (page.evaluate, which the app's CSP allows, unlike
    wait_for_function's eval) until it is true."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)


def ready_offline(page: Page) -> None:
    """Wait until the service worker controls the page and keeps the walk pages."""
    wait_until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    wait_until(
        page,
        "caches.open('walkabout-pages-' + document.body.dataset.user)"
        ".then(c => Promise.all([c.match('/visits/new'), c.match('/visits')]))"
        ".then(hits => hits.every(Boolean))",
    )


def wait_outbox_empty(page: Page, timeout: float = 15) -> None:
    """Wait until none of this user's walks is left on the phone (the banner starts hidden,
    so its attribute says nothing until the outbox was read)."""
    wait_until(
        page,
        "!!window.WalkaboutOutbox && WalkaboutOutbox.outbox.mine().then(i => i.length === 0)",
        timeout,
    )


def wait_outbox_count(page: Page, count: int) -> None:
    """Wait until the banner counts `count` of this user's walks on the phone."""
    wait_until(
        page, f"document.getElementById('outbox-count').textContent.startsWith('{count} walk')"
    )


def back_online(page: Page) -> None:
    """The network comes back (and the page hears of it): every walk waiting is sent."""
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_outbox_empty(page)


def conversation(page: Page, index: int, role: str, stated: int, observed: int) -> None:
    p = f"conversations-{index}-"
    page.fill(f"#{p}person_role", role)
    page.click(f"label[for='{p}stated-{stated}']")
    page.click(f"label[for='{p}observed-{observed}']")


def fill_walk(page: Page, department: str, role: str, note: str = "") -> None:
    page.fill("#department", department)
    conversation(page, 0, role, 4, 2)
    if note:
        page.fill("#conversations-0-notes", note)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save walk").click()


def type_draft(page: Page, base: str, email: str, department: str, role: str) -> None:
    """Log in and type a walk without saving it, until the phone keeps it as the draft,
    all of it (on a loaded machine the form's pause may end between two of the fields)."""
    login(page, base, email)
    page.goto(f"{base}/visits/new")
    fill_walk(page, department, role)
    wait_until(
        page,
        "WalkaboutOutbox.drafts.all().then(d => d.some(x =>"
        f" x.body.department === '{department}' && x.body.conversations.length === 1"
        " && String(x.body.conversations[0].observed_score) === '2'))",
    )


def save_offline(
    page: Page, base: str, email: str, department: str, role: str, note: str = ""
) -> None:
    """Log in, open the walk form while the network is there (so the phone keeps the walk
    pages), go offline and save one walk: it waits in the outbox."""
    login(page, base, email)
    page.goto(f"{base}/visits/new")
    ready_offline(page)
    page.context.set_offline(True)
    fill_walk(page, department, role, note=note)
    save(page)
    wait_outbox_count(page, 1)


def open_form(page: Page, base: str, email: str, *, before: str = "") -> None:
    """Log in and open the new-walk form, its fields the leader's; `before`: a script the
    page runs before its own (how a phone behaves)."""
    login(page, base, email)
    if before:
        page.add_init_script(before)
    page.goto(f"{base}/visits/new")
    page.wait_for_selector("#department:enabled")


def another_form(page: Page, base: str) -> Page:
    """A second page of the new-walk form on the same phone, its fields the leader's."""
    other = page.context.new_page()
    other.goto(f"{base}/visits/new")
    other.wait_for_selector("#department:enabled")
    return other


def outbox_count(page: Page) -> str:
    return str(page.inner_text("#outbox-count"))


def stored_walks(session: Session) -> list[tuple[str, str, str, str]]:
    """(leader e-mail, department role, note, client_id) of every stored conversation."""
    session.rollback()  # a fresh snapshot: the app committed in another process
    rows = session.exec(
        select(User.email, Conversation.person_role, Conversation.notes, Visit.client_id)
        .join(Visit, col(Visit.id) == Conversation.visit_id)
        .join(User, col(User.id) == Visit.leader_id)
        .order_by(col(Conversation.person_role))
    ).all()
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def walks_apart(session: Session) -> tuple[list[tuple[str, str]], int]:
    """(leader e-mail, role) of every stored conversation, and how many client_ids they
    came under: each walk saved once, under its own."""
    walks = stored_walks(session)
    return [(w[0], w[1]) for w in walks], len({w[3] for w in walks})


def row_count(session: Session, model: type) -> int:
    """How many rows the app has stored in `model`'s table (a fresh snapshot)."""
    session.rollback()
    return int(session.exec(select(func.count()).select_from(model)).one())
