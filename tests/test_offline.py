"""What the phone keeps: the service worker names this release, static files are versioned,
pages say whose they are, and the offline page carries nobody's data."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import User
from app.pages import STATIC_VERSION


def test_the_worker_and_the_pages_name_one_static_version(leader_client: TestClient) -> None:
    worker = leader_client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("application/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    assert f'var VERSION = "{STATIC_VERSION}";' in worker.text
    assert "__STATIC_VERSION__" not in worker.text
    page = leader_client.get("/visits/new").text
    for name in ("app.css", "htmx.min.js", "outbox.js", "visit.js"):
        assert f"/static/{name}?v={STATIC_VERSION}" in page


def test_a_versioned_file_is_kept_for_a_year_a_bare_one_is_not(leader_client: TestClient) -> None:
    versioned = leader_client.get(f"/static/outbox.js?v={STATIC_VERSION}")
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    bare = leader_client.get("/static/outbox.js")
    assert "cache-control" not in bare.headers


def test_pages_name_their_user_for_the_worker(
    leader_client: TestClient, client: TestClient, session: Session
) -> None:
    leader_id = session.exec(select(User.id).where(User.email == "leader@example.org")).one()
    assert leader_client.get("/visits").headers["x-walkabout-user"] == str(leader_id)
    assert client.get("/login").headers["x-walkabout-user"] == ""
    token = leader_client.get("/csrf-token").json()
    assert token["user"] == leader_id and token["token"]


def test_the_offline_page_shows_no_user_even_when_logged_in(leader_client: TestClient) -> None:
    page = leader_client.get("/offline")
    assert page.status_code == 200
    assert "No network" in page.text
    assert "leader@example.org" not in page.text
    assert "Log out" not in page.text and "outbox.js" not in page.text
    assert "x-walkabout-user" not in page.headers  # the worker leaves its pages as they are


def test_only_walkers_pages_carry_the_outbox(
    leader_client: TestClient, analyst_client: TestClient
) -> None:
    for path in ("/", "/visits", "/ideas", "/services"):
        assert 'id="outbox"' in leader_client.get(path).text, path
    assert 'id="outbox"' not in analyst_client.get("/reports").text
