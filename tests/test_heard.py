"""Who has not been heard: conversations per department against its share of the people,
the roles the department list names against those heard, and the walks' R-indicator."""

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import User
from app.services.departments import import_departments
from app.services.heard import listed_roles, who_was_heard
from app.services.users import create_api_token


@pytest.fixture
def departments(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text(
        "department,headcount,roles\n"
        'Finance,40,"Team lead; Accounts clerk; Payroll officer"\n'
        "Warehouse,25,Picker|Driver\n"
        "Library,12,\n"
    )
    import_departments(session, path=path)
    session.commit()


def test_roles_are_read_whatever_separates_them() -> None:
    assert listed_roles("Team lead; Accounts clerk ;;Payroll officer") == [
        "Team lead",
        "Accounts clerk",
        "Payroll officer",
    ]
    assert listed_roles("Picker|Driver, Picker") == ["Picker", "Driver"]
    assert listed_roles("") == [] and listed_roles(None) == []


def test_gaps_and_the_walks_r_indicator(
    client: TestClient, session: Session, make_user, departments
) -> None:  # type: ignore[no-untyped-def]
    make_user("leader")
    headers = {"Authorization": f"Bearer {create_api_token(session, email='leader@example.org')}"}
    session.commit()
    today = date.today()
    body = {
        "client_id": str(uuid.uuid4()),
        "department": "Finance",
        "visit_date": (today - timedelta(days=3)).isoformat(),
        "conversations": [
            {"person_role": "team lead", "observed_score": 3},
            {"person_role": "Team  Lead", "observed_score": 2},
            {"person_role": "Accounts clerk", "observed_score": 4},
            {"person_role": "Contractor", "observed_score": 4},
        ],
    }
    assert client.post("/api/v1/visits", json=body, headers=headers).status_code == 201
    admin = User(email="a@example.org", role="admin", password_hash="")
    heard = who_was_heard(session, user=admin, today=today)
    rows = {d.name: (d.conversations, d.unheard) for d in heard.departments}
    assert rows == {
        "Finance": (4, ["Payroll officer"]),
        "Library": (0, []),
        "Warehouse": (0, ["Picker", "Driver"]),
    }
    assert heard.gaps == [
        "Finance: no Payroll officer heard in this period.",
        "No one heard in Library in this period (12 people).",
        "No one heard in Warehouse in this period (25 people).",
    ]
    # By hand: rates 4/40, 0, 0 over 77 people; mean 4/77; S^2 = (40 (0.1 - 4/77)^2
    # + 37 (4/77)^2) / 76 = 0.0025291; R = 1 - 2 S = 0.89942; S / mean = 0.96808.
    assert heard.r_indicator == pytest.approx(0.89942, abs=1e-5)
    assert heard.variation == pytest.approx(0.96808, abs=1e-5)
    # Executives see the closed quarters their report stands on: a walk three days ago is
    # not in them yet.
    executive = User(email="e@example.org", role="executive", password_hash="")
    theirs = who_was_heard(session, user=executive, today=today)
    assert theirs.until < today - timedelta(days=21)
    assert sum(d.conversations for d in theirs.departments) == 0 and theirs.r_indicator is None


def test_a_department_list_without_roles_keeps_them_and_an_empty_cell_clears(
    session: Session, departments, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from app.models import Department

    def roles() -> dict[str, str | None]:
        session.expire_all()
        return {d.name: d.roles for d in session.exec(select(Department))}

    assert roles() == {
        "Finance": "Team lead; Accounts clerk; Payroll officer",
        "Warehouse": "Picker; Driver",
        "Library": None,
    }
    plain = tmp_path / "plain.csv"
    plain.write_text("department,headcount\nFinance,41\nWarehouse,25\nLibrary,12\n")
    import_departments(session, path=plain)
    session.commit()
    assert roles()["Finance"] == "Team lead; Accounts clerk; Payroll officer"
    cleared = tmp_path / "cleared.csv"
    cleared.write_text("department,headcount,roles\nFinance,41,\nWarehouse,25,Driver\n")
    import_departments(session, path=cleared)
    session.commit()
    assert roles() == {"Finance": None, "Warehouse": "Driver", "Library": None}
