"""POST/GET /api/v1/visits: idempotent by client_id, validated, per-role visibility."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import Visit
from app.services.users import create_api_token


def _body(**changes: object) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "department": "finance",
        "visit_date": "2026-11-20",
        "conversations": [
            {
                "person_role": "analyst",
                "stated_score": 4,
                "observed_score": 2,
                "issues": ["network and vpn", "Printing"],
                "unreported": 1,
                "end_run": False,
                "notes": "VPN drops twice a day; never logged it",
            }
        ],
        "actions": [
            {
                "title": "Check VPN concentrator logs",
                "owner": "leader@example.org",
                "due_date": "2026-12-01",
            }
        ],
    }
    body.update(changes)
    return body


def _auth(session: Session, email: str) -> dict[str, str]:
    token = create_api_token(session, email=email)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_post_then_resend_creates_one_walk(
    client: TestClient, session: Session, make_user, directory
) -> None:
    headers = _auth(session, make_user("leader"))
    body = _body()
    first = client.post("/api/v1/visits", json=body, headers=headers)
    assert first.status_code == 201, first.text
    stored = first.json()
    assert stored["department"] == "Finance" and stored["leader"] == "leader@example.org"
    assert stored["conversations"][0]["issues"] == ["Network and VPN", "Printing"]
    assert stored["actions"][0]["status"] == "open"
    again = client.post("/api/v1/visits", json=body, headers=headers)
    assert again.status_code == 200 and again.json() == stored
    assert session.exec(select(func.count()).select_from(Visit)).one() == 1


@pytest.mark.parametrize(
    "change,field",
    [
        ({"department": "Atlantis"}, "department"),
        ({"visit_date": (date.today() + timedelta(days=30)).isoformat()}, "visit_date"),
        (
            {"conversations": [{"person_role": "x", "observed_score": 6}]},
            "conversations.0.observed_score",
        ),
        (
            {
                "conversations": [
                    {"person_role": "x", "observed_score": 3, "issues": ["Teleportation"]}
                ]
            },
            "conversations.0.issues",
        ),
        (
            {"conversations": [{"person_role": "x", "observed_score": 3, "notes": "n" * 4001}]},
            "conversations.0.notes",
        ),
        ({"id": 7}, "id"),
    ],
)
def test_bad_walks_are_422_with_the_field(
    client: TestClient, session: Session, make_user, directory, change, field
) -> None:
    headers = _auth(session, make_user("leader"))
    response = client.post("/api/v1/visits", json=_body(**change), headers=headers)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["detail"]]
    assert session.exec(select(func.count()).select_from(Visit)).one() == 0


def test_refusals_are_in_plain_words(
    client: TestClient, session: Session, make_user, directory
) -> None:
    headers = _auth(session, make_user("leader"))
    long_note = {"person_role": "x", "observed_score": 6, "notes": "n" * 4001}
    response = client.post(
        "/api/v1/visits", json=_body(conversations=[long_note], department=""), headers=headers
    )
    assert response.status_code == 422
    assert sorted((e["field"], e["message"]) for e in response.json()["detail"]) == [
        ("conversations.0.notes", "too long: at most 4000 characters"),
        ("conversations.0.observed_score", "should be 5 or less"),
        ("department", "required"),
    ]


def test_roles_and_visibility(client: TestClient, session: Session, make_user, directory) -> None:
    leader = _auth(session, make_user("leader"))
    other = _auth(session, make_user("leader", "other@example.org"))
    analyst = _auth(session, make_user("analyst"))
    executive = _auth(session, make_user("executive"))
    assert client.post("/api/v1/visits", json=_body(), headers=leader).status_code == 201
    assert client.post("/api/v1/visits", json=_body(), headers=analyst).status_code == 403
    assert client.post("/api/v1/visits", json=_body(), headers=executive).status_code == 403
    own = client.get("/api/v1/visits", headers=leader).json()
    assert own["total"] == 1 and own["items"][0]["conversations"][0]["notes"]
    assert client.get("/api/v1/visits", headers=other).json() == {"items": [], "total": 0}
    coded = client.get("/api/v1/visits?department=Finance", headers=analyst).json()
    assert coded["total"] == 1 and "notes" not in coded["items"][0]["conversations"][0]
    assert client.get("/api/v1/visits", headers=executive).status_code == 403


def test_parallel_posts_and_resends_leave_exactly_51(
    app, session: Session, make_user, directory
) -> None:
    headers = _auth(session, make_user("leader"))
    repeated = _body()
    bodies = [_body() for _ in range(50)] + [repeated] * 50

    # One app process serving eight phones at once.
    with TestClient(app) as c, ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(
                lambda b: c.post("/api/v1/visits", json=b, headers=headers).status_code, bodies
            )
        )
    assert statuses.count(201) == 51 and statuses.count(200) == 49
    assert session.exec(select(func.count()).select_from(Visit)).one() == 51


def test_nul_characters_are_refused_not_crashed(
    client: TestClient, session: Session, make_user, directory
) -> None:
    headers = _auth(session, make_user("leader"))
    response = client.get("/api/v1/visits?department=%00", headers=headers)
    assert response.status_code == 422
    body = _body(department="Fin\x00ance")
    assert client.post("/api/v1/visits", json=body, headers=headers).status_code == 422


def test_huge_numbers_are_refused_not_crashed(
    client: TestClient, session: Session, make_user, directory
) -> None:
    headers = _auth(session, make_user("leader"))
    assert (
        client.get("/api/v1/visits?offset=99999999999999999999", headers=headers).status_code == 422
    )


def test_a_resent_client_id_of_someone_elses_walk_answers_409_with_nothing_of_it(
    client: TestClient, session: Session, make_user, directory
) -> None:
    owner = _auth(session, make_user("leader"))
    other = _auth(session, make_user("leader", "other@example.org"))
    body = _body()
    assert client.post("/api/v1/visits", json=body, headers=owner).status_code == 201
    stolen = client.post("/api/v1/visits", json=body, headers=other)
    assert stolen.status_code == 409
    assert "VPN" not in stolen.text and "Finance" not in stolen.text
    assert session.exec(select(func.count()).select_from(Visit)).one() == 1


def test_a_writer_that_cannot_get_the_lock_gets_503_and_nothing_is_stored(
    app, session: Session, make_user, directory, database_url: str
) -> None:
    from sqlalchemy import text

    from app.db import get_engine

    headers = _auth(session, make_user("leader"))
    app.state.settings = app.state.settings.model_copy(update={"write_wait_seconds": 0.3})
    from app.main import create_app

    impatient = create_app(app.state.settings)
    blocker = get_engine(database_url).connect()
    try:
        blocker.begin()  # another process holds the write lock (SQLite: BEGIN IMMEDIATE)
        if blocker.dialect.name == "sqlite":
            blocker.execute(text("SELECT 1"))
        else:
            blocker.execute(text("LOCK TABLE visits IN EXCLUSIVE MODE"))
        with TestClient(impatient) as c:
            response = c.post("/api/v1/visits", json=_body(), headers=headers)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert "busy" in response.json()["detail"]
    finally:
        blocker.rollback()
        blocker.close()
    session.rollback()
    assert session.exec(select(func.count()).select_from(Visit)).one() == 0


def test_one_walk_by_id_as_each_role_may_see_it(
    client: TestClient, session: Session, make_user, directory
) -> None:
    leader = _auth(session, make_user("leader"))
    other = _auth(session, make_user("leader", "other@example.org"))
    analyst = _auth(session, make_user("analyst"))
    executive = _auth(session, make_user("executive"))
    stored = client.post("/api/v1/visits", json=_body(), headers=leader).json()
    url = f"/api/v1/visits/{stored['id']}"
    own = client.get(url, headers=leader).json()
    assert own == stored
    assert own["conversations"][0]["notes"] == "VPN drops twice a day; never logged it"
    assert own["actions"][0]["title"] == "Check VPN concentrator logs"
    coded = client.get(url, headers=analyst).json()
    assert coded["conversations"][0]["issues"] == ["Network and VPN", "Printing"]
    assert "notes" not in coded["conversations"][0]
    assert client.get(url, headers=other).status_code == 404
    assert client.get(url, headers=executive).status_code == 403
    assert client.get("/api/v1/visits/999999", headers=leader).status_code == 404
