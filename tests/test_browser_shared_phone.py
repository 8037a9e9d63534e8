"""One phone, two leaders: a walk waits for the leader who saved it, is never sent or shown
under another login, and nothing of a leader's is served after they log out."""

import threading
from typing import Any

import anyio
import pytest
from sqlmodel import Session

from tests.browser import browser_page, live_server, needs_chromium
from tests.walk_pages import (
    back_online,
    fill_walk,
    login,
    logout,
    ready_offline,
    save,
    save_offline,
    stored_walks,
    wait_outbox_empty,
    wait_until,
)

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


def test_a_walk_waits_for_its_own_leader_on_a_shared_phone(
    database_url: str, session: Session, make_user, directory
) -> None:
    alice = make_user("leader", "alice@example.org")
    bob = make_user("leader", "bob@example.org")
    with live_server(database_url) as base, browser_page() as page:
        login(page, base, alice)
        page.goto(f"{base}/visits/new")
        ready_offline(page)
        # The server cannot be reached for the walks (a captive portal, a dead access point).
        page.route("**/api/v1/visits", lambda route: route.abort())
        fill_walk(page, "Finance", "clerk", note="alice's note about payroll")
        save(page)
        page.wait_for_selector("#outbox:not([hidden])")
        said = logout(page, base)
        assert "1 walk of yours is still on this phone" in said

        login(page, base, bob)
        page.unroute("**/api/v1/visits")
        page.goto(f"{base}/visits")
        page.wait_for_selector("#outbox:not([hidden])")
        assert page.inner_text("#outbox-others") == (
            "1 walk of another person waits on this phone, to be sent when they log in."
        )
        assert "payroll" not in page.inner_text("body")
        assert "Finance" not in page.inner_text("#outbox")
        assert page.locator("#outbox-items li").count() == 0
        page.evaluate("WalkaboutOutbox.sendAll()")
        page.wait_for_timeout(500)
        assert stored_walks(session) == []  # never sent under bob's session
        logout(page, base)

        login(page, base, alice)
        page.goto(f"{base}/visits")
        wait_outbox_empty(page)
    assert [w[:3] for w in stored_walks(session)] == [
        (alice, "clerk", "alice's note about payroll")
    ]


def test_after_logout_the_phone_serves_no_page_of_the_leader(
    database_url: str, session: Session, make_user, directory
) -> None:
    alice = make_user("leader", "alice@example.org")
    with live_server(database_url) as base, browser_page() as page:
        login(page, base, alice)
        page.goto(f"{base}/visits/new")
        ready_offline(page)
        fill_walk(page, "Finance", "clerk", note="seen by alice only")
        save(page)
        page.wait_for_url(f"{base}/visits?flash=*")
        page.goto(f"{base}/visits")
        assert alice in page.inner_text("body")
        logout(page, base)
        page.context.set_offline(True)
        for path in ("/visits", "/visits/new", "/"):
            page.goto(f"{base}{path}")
            text = page.inner_text("body")
            assert "No network" in text, path
            assert alice not in text and "Finance" not in text, path
        kept = page.evaluate(
            "caches.keys().then(k => k.filter(n => n.startsWith('walkabout-pages-')))"
        )
        assert kept == []


class SlowWorkerFetches:
    """An ASGI layer that, once `slow` is set, holds the answers to the service worker's own
    fetches of the walk pages (not the page's navigations) for `seconds` after the app built
    them: a phone on poor Wi-Fi."""

    def __init__(self, seconds: float = 1.5) -> None:
        self.app: Any = None
        self.seconds, self.slow, self.held = seconds, threading.Event(), 0

    def around(self, app: Any) -> "SlowWorkerFetches":
        """Put this layer around the app (`live_server`'s `wrap`)."""
        self.app = app
        return self

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.slow.is_set() and scope["method"] == "GET":
            headers = dict(scope["headers"])
            if scope["path"] in ("/", "/visits", "/visits/new") and (
                headers.get(b"sec-fetch-mode") != b"navigate"
            ):
                self.held += 1

                async def late(message: Any) -> None:
                    if message["type"] == "http.response.start":
                        await anyio.sleep(self.seconds)  # the page is built: its answer is late
                    await send(message)

                await self.app(scope, receive, late)
                return
        await self.app(scope, receive, send)


def test_a_page_fetched_before_logout_is_not_kept_after_it(
    database_url: str, session: Session, make_user, directory
) -> None:
    """Each leader page asks the worker to keep the walk pages; on poor Wi-Fi those fetches
    can still be on their way when the leader logs out. Their answers, named for the leader
    who left, must not be kept nor make the phone theirs again."""
    alice = make_user("leader", "alice@example.org")
    network = SlowWorkerFetches()
    with live_server(database_url, wrap=network.around) as base, browser_page() as page:
        login(page, base, alice)
        page.goto(f"{base}/visits/new")
        ready_offline(page)
        network.slow.set()
        page.goto(f"{base}/visits")  # asks the worker to keep the pages again: held
        page.wait_for_timeout(300)
        logout(page, base)
        page.wait_for_timeout(2500)  # the held fetches answer, alice's pages inside
        assert network.held >= 1
        page.context.set_offline(True)
        for path in ("/visits", "/visits/new", "/"):
            page.goto(f"{base}{path}")
            text = page.inner_text("body")
            assert "No network" in text, path
            assert alice not in text, path
        kept = page.evaluate(
            "caches.keys().then(k => k.filter(n => n.startsWith('walkabout-pages-')))"
        )
        assert kept == []


def test_logout_offline_is_refused_and_keeps_the_walks(
    database_url: str, session: Session, make_user, directory
) -> None:
    alice = make_user("leader", "alice@example.org")
    with live_server(database_url) as base, browser_page() as page:
        save_offline(page, base, alice, "Warehouse", "driver")
        said: list[str] = []
        page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.accept()))
        page.get_by_role("button", name="Log out").click()
        page.wait_for_timeout(300)
        assert said == [
            "You are offline. Logging out needs the network; your walks stay on this phone."
        ]
        assert page.url.startswith(f"{base}/visits/new")
        back_online(page)
    assert [w[:2] for w in stored_walks(session)] == [(alice, "driver")]


def test_a_walk_kept_before_walks_had_owners_is_sent_by_the_first_leader(
    database_url: str, session: Session, make_user, directory
) -> None:
    """A phone upgraded from the version whose outbox kept no owner: the walk waiting there
    is taken up by the first leader who opens a page, and sent once."""
    email = make_user("leader")
    with live_server(database_url) as base, browser_page() as page:
        save_offline(page, base, email, "Finance", "clerk")
        page.evaluate(
            """WalkaboutOutbox.outbox.all().then(items => {
                 const item = items[0]; delete item.owner;
                 return WalkaboutOutbox.outbox.put(item);
               })"""
        )
        assert page.evaluate("WalkaboutOutbox.outbox.all().then(i => i[0].owner)") is None
        page.context.set_offline(False)
        page.reload()
        wait_until(page, "WalkaboutOutbox.outbox.all().then(items => items.length === 0)")
    assert [w[:2] for w in stored_walks(session)] == [(email, "clerk")]
