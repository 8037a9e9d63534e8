"""Sessions end after idle and absolute timeouts; tokens in the session table are hashed."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import UserSession
from app.models.types import utcnow
from tests.conftest import log_in


def _age(session: Session, **changes: timedelta) -> None:
    session.rollback()
    row = session.exec(select(UserSession)).one()
    for field, delta in changes.items():
        setattr(row, field, utcnow() - delta)
    session.add(row)
    session.commit()


def test_idle_session_ends(leader_client: TestClient, session: Session) -> None:
    assert leader_client.get("/").status_code == 200
    _age(session, last_seen_at=timedelta(minutes=121))
    assert leader_client.get("/").status_code == 303
    # A read writes nothing: the ended session is cleared out by the next login.
    session.rollback()
    ended = session.exec(select(UserSession)).one().id_hash
    assert log_in(leader_client, "leader@example.org").status_code == 303
    session.rollback()
    assert [s.id_hash for s in session.exec(select(UserSession))] != [ended]
    assert len(session.exec(select(UserSession)).all()) == 1


def test_a_page_moves_the_idle_clock_on(leader_client: TestClient, session: Session) -> None:
    _age(session, last_seen_at=timedelta(minutes=100))
    assert leader_client.get("/visits").status_code == 200
    session.rollback()
    seen = session.exec(select(UserSession)).one().last_seen_at
    assert utcnow() - seen < timedelta(minutes=1)
    _age(session, last_seen_at=timedelta(minutes=100))
    assert leader_client.get("/visits").status_code == 200  # 100 + 100 > 120: still in


def test_absolute_timeout_ends_even_an_active_session(
    leader_client: TestClient, session: Session
) -> None:
    _age(session, created_at=timedelta(hours=13))
    assert leader_client.get("/").status_code == 303


def test_session_id_is_stored_hashed(leader_client: TestClient, session: Session) -> None:
    cookie = leader_client.cookies.get("walkabout_session")
    stored = session.exec(select(UserSession)).one()
    assert cookie and cookie != stored.id_hash and len(stored.id_hash) == 64


def test_secure_cookie_over_https(app, make_user) -> None:
    from tests.conftest import csrf_from

    email = make_user("leader")
    with TestClient(app, base_url="https://walkabout.example", follow_redirects=False) as c:
        page = c.get("/login")
        response = c.post(
            "/login",
            data={
                "email": email,
                "password": "correct horse battery staple",
                "csrf_token": csrf_from(page.text),
            },
        )
        cookie = [
            h for h in response.headers.get_list("set-cookie") if h.startswith("walkabout_session=")
        ][0]
        assert "Secure" in cookie and "HttpOnly" in cookie
