"""Login throttling slows a guesser without locking out the owner: per account and address,
waits that double with each failure, atomic under parallel attempts, old attempts purged,
and the address taken from a proxy only when it is trusted."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import pairwise

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.main import create_app
from app.models import LoginAttempt
from app.settings import Settings
from tests.browser import live_server
from tests.conftest import PASSWORD, csrf_from, log_in

WRONG = "wrong password!!"


def _client(app, address: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, follow_redirects=False, client=(address, 50000))


def _age_attempts(session: Session, seconds: float) -> None:
    """Move every recorded failure `seconds` into the past (instead of sleeping)."""
    session.rollback()
    for attempt in session.exec(select(LoginAttempt)).all():
        attempt.at = attempt.at - timedelta(seconds=seconds)
        session.add(attempt)
    session.commit()


def test_waits_double_with_each_failure_and_the_owner_gets_in_after_them(
    app, session: Session, make_user
) -> None:
    email = make_user("leader")
    with _client(app, "10.0.0.1") as phone:
        assert [log_in(phone, email, WRONG).status_code for _ in range(5)] == [401] * 5
        # Five typos are free; the sixth try, even with the right password, waits 1 s.
        refused = log_in(phone, email)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        assert "Try again in 1 seconds." in refused.text
        _age_attempts(session, 1.5)
        assert log_in(phone, email, WRONG).status_code == 401  # the sixth failure: wait 2 s
        assert log_in(phone, email).headers["retry-after"] == "2"
        _age_attempts(session, 2.5)
        assert log_in(phone, email, WRONG).status_code == 401
        assert log_in(phone, email).headers["retry-after"] == "4"
        _age_attempts(session, 4.5)
        assert log_in(phone, email).status_code == 303  # the owner, after the wait
    session.rollback()
    assert session.exec(select(func.count()).select_from(LoginAttempt)).one() == 0


def test_typos_behind_one_address_lock_no_one_else_out(app, make_user) -> None:
    alice, bob = make_user("leader", "alice@example.org"), make_user("leader", "bob@example.org")
    with _client(app, "192.0.2.7") as office, _client(app, "198.51.100.9") as home:
        assert [log_in(office, bob, WRONG).status_code for _ in range(5)] == [401] * 5
        assert log_in(office, bob).status_code == 429
        # Alice behind the same NAT, and Bob from home, are not slowed by Bob's typos.
        assert log_in(office, alice).status_code == 303
        assert log_in(home, bob).status_code == 303


def test_old_attempts_are_purged(app, session: Session, make_user) -> None:
    email = make_user("leader")
    with _client(app, "10.0.0.1") as phone:
        for _ in range(3):
            log_in(phone, email, WRONG)
        _age_attempts(session, 16 * 60)  # past the 15-minute window
        log_in(phone, "someone@example.org", WRONG)
    session.rollback()
    assert session.exec(select(LoginAttempt.email)).all() == ["someone@example.org"]


def test_the_address_comes_from_a_proxy_only_when_it_is_trusted(
    database_url: str, make_user
) -> None:
    email = make_user("leader")
    for trusted, expected in (("", 429), ("testclient", 303)):
        settings = Settings(database_url=database_url, trusted_proxies=trusted)
        with TestClient(create_app(settings), follow_redirects=False) as proxy:
            for i in range(5):
                token = csrf_from(proxy.get("/login").text)
                proxy.post(
                    "/login",
                    data={"email": email, "password": WRONG, "csrf_token": token},
                    headers={"X-Forwarded-For": f"203.0.113.{i}"},
                )
            token = csrf_from(proxy.get("/login").text)
            last = proxy.post(
                "/login",
                data={"email": email, "password": PASSWORD, "csrf_token": token},
                headers={"X-Forwarded-For": "203.0.113.99"},
            )
            # Untrusted: every attempt is the proxy's own address, one pair, throttled. Trusted:
            # six addresses, none past its free failures.
            assert last.status_code == expected, trusted


def test_thirty_parallel_attempts_check_five_passwords(
    database_url: str, session: Session, make_user
) -> None:
    email = make_user("leader")
    with live_server(database_url, process=True) as base:

        def attempt(_: int) -> int:
            with httpx.Client(base_url=base, timeout=30) as client:
                token = csrf_from(client.get("/login").text)
                return client.post(
                    "/login", data={"email": email, "password": WRONG, "csrf_token": token}
                ).status_code

        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(attempt, range(30)))
    # Each checked password is a recorded failure; the rest were refused unchecked. Past the
    # five free ones, each check came no sooner than its wait after the one before: no two
    # parallel attempts slipped through the same wait.
    session.rollback()
    times = sorted(session.exec(select(LoginAttempt.at)).all())
    assert set(statuses) == {401, 429} and statuses.count(401) == len(times) >= 5
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(times)]
    for n, gap in enumerate(gaps[4:]):
        assert gap >= 2.0**n, (n, gaps)
