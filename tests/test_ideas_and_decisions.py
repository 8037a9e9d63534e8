"""Ideas, priority decisions, the service catalogue and teaching moments."""

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import CatalogueEntryCreate, Idea, PriorityDecision
from app.services.assignments import assign_departments
from app.services.catalogue import save_catalogue_entry
from app.services.departments import import_departments
from app.services.users import create_api_token
from tests.conftest import csrf_from


@pytest.fixture
def setup(session: Session, make_user, tmp_path: Path) -> dict[str, dict[str, str]]:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,40\n")
    import_departments(session, path=path)
    session.commit()
    save_catalogue_entry(
        session,
        data=CatalogueEntryCreate(
            name="Laptops",
            emergency="A team cannot work",
            response_time="30 minutes",
            resolution_time="1 day",
            how_to_ask="Portal",
        ),
        actor_id=None,
    )
    session.commit()
    auth = {}
    for role in ("leader", "analyst", "executive"):
        token = create_api_token(session, email=make_user(role, f"api-{role}@example.org"))
        session.commit()
        auth[role] = {"Authorization": f"Bearer {token}"}
    return auth


def _walk(**conversation: object) -> dict[str, object]:
    return {
        "client_id": str(uuid.uuid4()),
        "department": "Finance",
        "visit_date": "2026-11-02",
        "conversations": [{"person_role": "clerk", "observed_score": 3, **conversation}],
    }


def _idea() -> dict[str, str]:
    return {
        "client_id": str(uuid.uuid4()),
        "what": "Share the month-end checklist online",
        "benefit": "Fewer late nights",
        "who_else": "Payroll",
    }


def test_walk_carries_ideas_decisions_mismatch_and_teaching(
    client: TestClient, session: Session, setup
) -> None:
    decision = {
        "client_id": str(uuid.uuid4()),
        "title": "Invoice scanning",
        "owner_role": "Finance director",
        "owner_email": "FD@example.org",
        "capacity": "10 days",
        "competes_with": "Audit support",
    }
    body = _walk(
        expectation_mismatch=True,
        expected="Same-day laptop swap",
        service="laptops",
        teaching="Pinned the portal",
        taught_people=4,
        ideas=[_idea()],
    )
    body["priority_decisions"] = [decision]
    first = client.post("/api/v1/visits", json=body, headers=setup["leader"])
    assert first.status_code == 201, first.text
    conversation = first.json()["conversations"][0]
    assert (
        conversation["expectation_mismatch"],
        conversation["service"],
        conversation["taught_people"],
    ) == (True, "Laptops", 4)
    # The resend of the same outbox item doubles nothing.
    assert client.post("/api/v1/visits", json=body, headers=setup["leader"]).status_code == 200
    assert session.exec(select(func.count()).select_from(Idea)).one() == 1
    assert session.exec(select(func.count()).select_from(PriorityDecision)).one() == 1
    ideas = client.get("/api/v1/ideas", headers=setup["executive"]).json()["items"]
    assert ideas[0]["status"] == "new" and "benefit" not in ideas[0]
    decisions = client.get("/api/v1/priority-decisions", headers=setup["executive"]).json()
    assert decisions["items"][0]["owner_email"] == "fd@example.org"


def test_unknown_service_is_a_field_error(client: TestClient, setup) -> None:
    response = client.post(
        "/api/v1/visits", json=_walk(service="Teleporters"), headers=setup["leader"]
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "conversations.0.service"


@pytest.mark.parametrize(
    "path,final",
    [
        (["exploring", "awaiting_priority", "planned", "delivered"], "delivered"),
        (["exploring", "planned", "declined"], "declined"),
        (["declined"], "declined"),
        (["exploring", "awaiting_priority", "exploring", "declined"], "declined"),
    ],
)
def test_every_legal_idea_step(
    client: TestClient, session: Session, setup, path: list[str], final: str
) -> None:
    client.post("/api/v1/visits", json=_walk(ideas=[_idea()]), headers=setup["leader"])
    idea_id = session.exec(select(Idea.id)).one()
    for status in path:
        reason = "No budget this year; we will ask again in April" if status == "declined" else ""
        response = client.post(
            f"/api/v1/ideas/{idea_id}/status",
            headers=setup["leader"],
            json={"status": status, "reason": reason},
        )
        assert response.status_code == 200, response.text
    assert response.json()["status"] == final


def test_illegal_idea_steps_are_refused_with_a_clear_message(
    client: TestClient, session: Session, setup
) -> None:
    client.post("/api/v1/visits", json=_walk(ideas=[_idea()]), headers=setup["leader"])
    idea_id = session.exec(select(Idea.id)).one()
    jump = client.post(
        f"/api/v1/ideas/{idea_id}/status", headers=setup["leader"], json={"status": "delivered"}
    )
    assert jump.status_code == 409
    assert jump.json()["detail"] == (
        "an idea that is new cannot become delivered; it can become exploring, declined"
    )
    no_reason = client.post(
        f"/api/v1/ideas/{idea_id}/status", headers=setup["leader"], json={"status": "declined"}
    )
    assert no_reason.status_code == 409 and "say why" in no_reason.json()["detail"]
    for status in ("exploring", "planned", "delivered"):
        client.post(
            f"/api/v1/ideas/{idea_id}/status", headers=setup["leader"], json={"status": status}
        )
    back = client.post(
        f"/api/v1/ideas/{idea_id}/status", headers=setup["leader"], json={"status": "new"}
    )
    assert back.status_code == 409
    assert (
        "delivered cannot become new; it can become nothing (it is final)" in back.json()["detail"]
    )
    assert (
        client.post(
            f"/api/v1/ideas/{idea_id}/status",
            headers=setup["analyst"],
            json={"status": "exploring"},
        ).status_code
        == 403
    )


def test_decision_steps(client: TestClient, session: Session, setup) -> None:
    body = _walk()
    body["priority_decisions"] = [
        {
            "client_id": str(uuid.uuid4()),
            "title": "New report",
            "owner_role": "Head",
            "owner_email": "head@example.org",
            "status": "with_it",
        }
    ]
    client.post("/api/v1/visits", json=body, headers=setup["leader"])
    decision_id = session.exec(select(PriorityDecision.id)).one()

    def step(status: str) -> int:
        return client.post(
            f"/api/v1/priority-decisions/{decision_id}/status",
            headers=setup["leader"],
            json={"status": status},
        ).status_code

    assert step("decided_go") == 409  # IT has not sized it yet
    assert [
        step(s) for s in ("awaiting_business", "deferred", "awaiting_business", "decided_no")
    ] == [200, 200, 200, 200]
    assert step("awaiting_business") == 409  # decided is final


def test_pages_forms_and_csv(
    leader_client: TestClient, executive_client: TestClient, session: Session, setup
) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    client_id = str(uuid.uuid4())
    form = {
        "csrf_token": token,
        "client_id": client_id,
        "department": "Finance",
        "visit_date": "2026-11-02",
        "conversations-0-person_role": "clerk",
        "conversations-0-observed_score": "3",
        "conversations-0-idea_what": "=cmd idea",
        "conversations-0-teaching": "Showed shortcuts",
        "conversations-0-taught_people": "2",
        "decision_title": "Dashboards for sales",
        "decision_owner_role": "Sales head",
        "decision_owner_email": "sales@example.org",
    }
    assert leader_client.post("/visits", data=form).status_code == 303
    assert leader_client.post("/visits", data=form).status_code == 303  # resubmitted
    assert session.exec(select(func.count()).select_from(Idea)).one() == 1
    ideas = leader_client.get("/ideas")
    assert "=cmd idea" in ideas.text and "exploring" in ideas.text
    idea_id = session.exec(select(Idea.id)).one()
    illegal = leader_client.post(
        f"/ideas/{idea_id}/status", data={"csrf_token": token, "status": "planned"}
    )
    assert illegal.status_code == 422 and "cannot become planned" in illegal.text
    csv_text = leader_client.get("/ideas/export.csv").text
    assert ",'=cmd idea," in csv_text
    assert "Dashboards for sales" in executive_client.get("/decisions").text
    assert "Laptops" in leader_client.get("/services").text
    assert executive_client.get("/ideas").status_code == 403


def test_ideas_and_decisions_are_for_their_leader_assigned_leaders_and_admins(
    client: TestClient, session: Session, setup, make_user
) -> None:
    body = _walk(ideas=[_idea()])
    body["priority_decisions"] = [
        {
            "client_id": str(uuid.uuid4()),
            "title": "New report",
            "owner_role": "Head",
            "owner_email": "head@example.org",
        }
    ]
    assert client.post("/api/v1/visits", json=body, headers=setup["leader"]).status_code == 201
    idea_id = session.exec(select(Idea.id)).one()
    decision_id = session.exec(select(PriorityDecision.id)).one()
    headers = {}
    for email in ("other@example.org", "assigned@example.org", "admin@example.org"):
        role = "admin" if email.startswith("admin") else "leader"
        token = create_api_token(session, email=make_user(role, email))
        session.commit()
        headers[email] = {"Authorization": f"Bearer {token}"}
    assign_departments(session, email="assigned@example.org", departments=["Finance"])
    session.commit()

    def seen(who: str) -> list[str]:
        return [
            i["what"] for i in client.get("/api/v1/ideas", headers=headers[who]).json()["items"]
        ]

    def moves(who: str, path: str, status: str) -> int:
        return client.post(path, headers=headers[who], json={"status": status}).status_code

    idea = f"/api/v1/ideas/{idea_id}/status"
    decision = f"/api/v1/priority-decisions/{decision_id}/status"
    # Another leader neither reads the idea nor moves either; nothing changes.
    assert seen("other@example.org") == []
    assert moves("other@example.org", idea, "exploring") == 404
    assert moves("other@example.org", decision, "deferred") == 404
    session.rollback()
    assert session.exec(select(Idea.status)).one() == "new"
    assert session.exec(select(PriorityDecision.status)).one() == "awaiting_business"
    # The leader assigned to Finance and an admin may.
    assert seen("assigned@example.org") == ["Share the month-end checklist online"]
    assert moves("assigned@example.org", idea, "exploring") == 200
    assert moves("admin@example.org", decision, "deferred") == 200
    assert len(client.get("/api/v1/ideas", headers=setup["executive"]).json()["items"]) == 1
