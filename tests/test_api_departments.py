"""Bearer-token access to /api/v1/departments."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services.departments import import_departments
from app.services.users import create_api_token, revoke_api_tokens


def _departments(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount,division\nFinance,40,Corporate\nWarehouse,25,Ops\n")
    import_departments(session, path=path)
    session.commit()


def test_token_reads_departments(client: TestClient, session: Session, make_user, tmp_path) -> None:
    _departments(session, tmp_path)
    token = create_api_token(session, email=make_user("executive"))
    session.commit()
    response = client.get("/api/v1/departments", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert [(d["name"], d["headcount"], d["division"]) for d in body["items"]] == [
        ("Finance", 40, "Corporate"),
        ("Warehouse", 25, "Ops"),
    ]


def test_missing_wrong_or_revoked_token_is_401(
    client: TestClient, session: Session, make_user
) -> None:
    assert client.get("/api/v1/departments").status_code == 401
    bad = client.get("/api/v1/departments", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.json() == {"detail": "missing or invalid bearer token"}
    email = make_user("leader")
    token = create_api_token(session, email=email)
    session.commit()
    revoke_api_tokens(session, email=email)
    session.commit()
    assert (
        client.get("/api/v1/departments", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_token_is_stored_hashed(session: Session, make_user) -> None:
    from sqlmodel import select

    from app.models import ApiToken

    token = create_api_token(session, email=make_user("analyst"))
    session.commit()
    stored = session.exec(select(ApiToken)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_healthz_checks_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
