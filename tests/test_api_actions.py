"""GET /api/v1/actions and POST /api/v1/actions/{id}/status; themes and survey rounds."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Action
from app.services.departments import import_departments
from tests.test_api_visits import _auth, _body


def _directory(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,40\nWarehouse,25\n")
    import_departments(session, path=path)
    session.commit()


def test_actions_listed_filtered_and_moved_on(
    client: TestClient, session: Session, make_user, tmp_path: Path
) -> None:
    _directory(session, tmp_path)
    leader = _auth(session, make_user("leader"))
    other = _auth(session, make_user("leader", "other@example.org"))
    analyst = _auth(session, make_user("analyst"))
    walk = client.post("/api/v1/visits", json=_body(), headers=leader).json()
    listed = client.get("/api/v1/actions", headers=leader).json()
    assert listed == {
        "items": [
            {
                "id": walk["actions"][0]["id"],
                "visit_id": walk["id"],
                "department": "Finance",
                "title": "Check VPN concentrator logs",
                "owner": "leader@example.org",
                "due_date": "2026-12-01",
                "status": "open",
            }
        ],
        "total": 1,
    }
    assert client.get("/api/v1/actions?status=done", headers=leader).json()["total"] == 0
    assert client.get("/api/v1/actions?owner=nobody@x.org", headers=leader).json()["total"] == 0
    assert client.get("/api/v1/actions", headers=other).json()["total"] == 0  # not their walk
    assert client.get("/api/v1/actions", headers=analyst).json()["total"] == 1
    action_id = walk["actions"][0]["id"]
    url = f"/api/v1/actions/{action_id}/status"
    assert client.post(url, json={"status": "done"}, headers=other).status_code == 404
    assert client.post(url, json={"status": "sideways"}, headers=leader).status_code == 422
    done = client.post(url, json={"status": "done"}, headers=leader)
    assert done.status_code == 200 and done.json()["status"] == "done"
    session.rollback()
    stored = session.exec(select(Action)).one()
    assert stored.status == "done" and stored.completed_at is not None
    assert client.get("/api/v1/actions?status=done", headers=leader).json()["total"] == 1


def test_themes_and_survey_rounds(client: TestClient, session: Session, make_user) -> None:
    leader = _auth(session, make_user("leader"))
    analyst = _auth(session, make_user("analyst"))
    themes = client.get("/api/v1/themes", headers=leader).json()
    names = [t["name"] for t in themes["items"]]
    assert themes["total"] == len(names) > 0 and names == sorted(names)
    assert client.get("/api/v1/surveys", headers=leader).status_code == 403
    assert client.get("/api/v1/surveys", headers=analyst).json() == {"items": [], "total": 0}


def test_an_action_logged_already_finished_has_its_finishing_time(
    client: TestClient, session: Session, make_user, tmp_path: Path
) -> None:
    """A leader who fixed it on the spot logs the action done: it is finished as the walk is
    logged, so the walk list orders it among the finished like any other."""
    _directory(session, tmp_path)
    leader = _auth(session, make_user("leader"))
    owner = "leader@example.org"
    actions = [
        {"title": "Reset the printer", "owner": owner, "status": "done"},
        {"title": "Order a new dock", "owner": owner, "status": "cant_do"},
        {"title": "Check the VPN", "owner": owner},
    ]
    assert client.post("/api/v1/visits", json=_body(actions=actions), headers=leader).is_success
    session.rollback()
    stored = {a.title: a.completed_at for a in session.exec(select(Action)).all()}
    assert stored["Reset the printer"] is not None and stored["Order a new dock"] is not None
    assert stored["Check the VPN"] is None
