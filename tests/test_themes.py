"""Admins keep the theme list; leaders assigned to a department see its walks."""

import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Theme
from app.services.assignments import assign_departments
from app.services.departments import import_departments
from app.services.users import create_api_token
from tests.conftest import csrf_from


def test_seeded_themes_and_admin_changes(
    admin_client: TestClient, leader_client: TestClient, session: Session
) -> None:
    page = admin_client.get("/admin/themes")
    assert page.status_code == 200
    for seeded in ("Devices", "Access and passwords", "Network and VPN", "Phones"):
        assert seeded in page.text
    token = csrf_from(page.text)
    assert (
        admin_client.post(
            "/admin/themes", data={"csrf_token": token, "name": "  Badge   readers "}
        ).status_code
        == 303
    )
    theme = session.exec(select(Theme).where(Theme.name_key == "badge readers")).one()
    assert theme.name == "Badge readers"
    admin_client.post(f"/admin/themes/{theme.id}", data={"csrf_token": token, "active": "false"})
    session.rollback()
    assert "Badge readers" not in leader_client.get("/visits/new").text
    blank = admin_client.post("/admin/themes", data={"csrf_token": token, "name": " "})
    assert blank.status_code == 422
    assert leader_client.get("/admin/themes").status_code == 403


def test_assigned_leader_sees_walks_in_the_department(
    client: TestClient, session: Session, make_user, tmp_path
) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,40\n")
    import_departments(session, path=path)
    session.commit()
    walker = make_user("leader", "walker@example.org")
    colleague = make_user("leader", "colleague@example.org")
    body = {
        "client_id": str(uuid.uuid4()),
        "department": "Finance",
        "visit_date": "2026-11-02",
        "conversations": [{"person_role": "clerk", "observed_score": 3, "notes": "hello"}],
    }
    walker_auth = {"Authorization": f"Bearer {create_api_token(session, email=walker)}"}
    colleague_auth = {"Authorization": f"Bearer {create_api_token(session, email=colleague)}"}
    session.commit()
    assert client.post("/api/v1/visits", json=body, headers=walker_auth).status_code == 201
    assert client.get("/api/v1/visits", headers=colleague_auth).json()["total"] == 0
    assert assign_departments(session, email=colleague, departments=["finance"]) == ["Finance"]
    session.commit()
    seen = client.get("/api/v1/visits", headers=colleague_auth).json()
    assert seen["total"] == 1 and seen["items"][0]["conversations"][0]["notes"] == "hello"
