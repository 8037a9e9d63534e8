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


def test_a_theme_already_listed_is_refused_by_name_and_a_retired_one_restored(
    admin_client: TestClient, session: Session
) -> None:
    page = admin_client.get("/admin/themes")
    assert 'href="/admin/themes"' in page.text  # in the admin's navigation
    token = csrf_from(page.text)
    again = admin_client.post("/admin/themes", data={"csrf_token": token, "name": "DEVICES "})
    assert again.status_code == 422
    assert "The list already has the theme “Devices”; nothing was added." in again.text
    session.rollback()
    devices = session.exec(select(Theme).where(Theme.name_key == "devices")).one()
    admin_client.post(f"/admin/themes/{devices.id}", data={"csrf_token": token, "active": "false"})
    restored = admin_client.post("/admin/themes", data={"csrf_token": token, "name": "devices"})
    assert restored.status_code == 303
    assert "switched back on" in admin_client.get(restored.headers["location"]).text
    session.rollback()
    assert session.exec(select(Theme).where(Theme.name_key == "devices")).one().is_active


def test_text_answers_are_compressed(admin_client: TestClient) -> None:
    page = admin_client.get("/admin/themes", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip" and "Vary" in page.headers
    with admin_client.stream(
        "GET", "/static/plotly-basic.min.js", headers={"Accept-Encoding": "gzip"}
    ) as bundle:
        assert bundle.headers["content-encoding"] == "gzip"
        sent = sum(len(part) for part in bundle.iter_raw())
    whole = len(
        admin_client.get(
            "/static/plotly-basic.min.js", headers={"Accept-Encoding": "identity"}
        ).content
    )
    assert sent < whole / 3
