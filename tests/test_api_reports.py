"""Survey import over HTTP, the report JSON and the heatmap figure."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services.departments import import_departments
from app.services.users import create_api_token
from app.services.visit_import import import_visits
from tests.builders import QUALTRICS


def _auth(session: Session, email: str) -> dict[str, str]:
    token = create_api_token(session, email=email)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _upload(client: TestClient, headers: dict[str, str], round: str = "Autumn%202026", **form: str):
    with (QUALTRICS / "survey.csv").open("rb") as handle:
        return client.post(
            f"/api/v1/surveys/{round}/import",
            headers=headers,
            files={"file": ("survey.csv", handle, "text/csv")},
            data={"department_column": "Which department do you work in?", **form},
        )


def test_import_report_and_heatmap(client: TestClient, session: Session, make_user) -> None:
    import_departments(session, path=QUALTRICS / "departments.csv")
    session.commit()
    import_visits(session, path=QUALTRICS / "visits.csv")
    session.commit()
    analyst = _auth(session, make_user("analyst"))
    imported = _upload(client, analyst)
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert (body["status"], body["responses"], body["partials"], body["previews"]) == (
        "imported",
        1510,
        6,
        6,
    )
    assert body["departments"]["Strategy"] == {"responses": 30, "partials": 0}
    assert _upload(client, analyst).json()["status"] == "unchanged"
    # Q2_4 read as worded the other way: the same file read so is read again.
    turned = _upload(client, analyst, reversed_columns="Q2_4").json()
    assert turned["status"] == "replaced"
    assert [r["scale"].startswith("reversed: ") for r in turned["ratings"]] == [
        False,
        False,
        False,
        True,
    ]
    assert _upload(client, analyst).json()["status"] == "replaced"  # and back
    # The same file as a round of its own: every response is already in Autumn 2026.
    again = _upload(client, analyst, round="Winter").json()
    assert again["earlier_left_out"] == 0
    assert again["warnings"][-1].startswith("1516 of these 1516 responses are already in round")

    report = client.get("/api/v1/reports/Autumn 2026?as_of=2026-11-23", headers=analyst)
    assert report.status_code == 200
    rows = {d["department"]: d for d in report.json()["departments"]}
    assert [f["code"] for f in rows["Strategy"]["flags"]] == ["corroborated_complaints"]

    heatmap = client.get(
        "/api/v1/reports/Autumn 2026/heatmap?metric=survey_score&as_of=2026-11-23", headers=analyst
    )
    assert heatmap.status_code == 200
    trace = heatmap.json()["data"][0]
    assert isinstance(trace["z"], list) and isinstance(trace["y"], list)
    cells = dict(zip(trace["y"], trace["z"], strict=True))
    assert cells["Treasury"] == [None] and cells["Admissions"] == [None]
    assert cells["Strategy"][0] is not None


def test_import_roles_and_errors(client: TestClient, session: Session, make_user) -> None:
    leader = _auth(session, make_user("leader"))
    executive = _auth(session, make_user("executive"))
    admin = _auth(session, make_user("admin"))
    assert _upload(client, leader).status_code == 403
    assert _upload(client, executive).status_code == 403
    refused = _upload(client, admin)  # no departments yet: every row names an unknown one
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["line"] == 4
    assert client.get("/api/v1/reports/nope", headers=leader).status_code == 403
    assert client.get("/api/v1/reports/nope", headers=executive).status_code == 404
    bad_metric = client.get("/api/v1/reports/nope/heatmap?metric=salary", headers=admin)
    assert bad_metric.status_code == 422


def test_upload_over_the_limit_is_413(app, session: Session, make_user) -> None:
    app.state.settings = app.state.settings.model_copy(update={"max_upload_bytes": 1000})
    from app.main import create_app

    small_app = create_app(app.state.settings)
    headers = _auth(session, make_user("analyst"))
    with TestClient(small_app) as c:
        response = c.post(
            "/api/v1/surveys/x/import",
            headers=headers,
            files={"file": ("big.csv", b"a,b\n" * 1000, "text/csv")},
        )
    assert response.status_code == 413


def test_an_executive_reads_conversations_only_over_closed_quarters(
    client: TestClient, session: Session, make_user
) -> None:
    import_departments(session, path=QUALTRICS / "departments.csv")
    session.commit()
    import_visits(session, path=QUALTRICS / "visits.csv")
    session.commit()
    analyst = _auth(session, make_user("analyst"))
    executive = _auth(session, make_user("executive"))
    assert _upload(client, analyst).status_code == 200
    url = "/api/v1/reports/Autumn%202026"
    # A new round is a draft: executives find nothing of it until an analyst publishes it.
    assert client.get(url, headers=executive).status_code == 404
    assert client.get("/api/v1/surveys", headers=executive).json() == {"items": [], "total": 0}
    assert client.get("/api/v1/surveys", headers=analyst).json()["total"] == 1
    assert (
        client.post("/api/v1/surveys/Autumn%202026/publish", headers=executive).status_code == 403
    )
    published = client.post("/api/v1/surveys/Autumn%202026/publish", headers=analyst)
    assert published.status_code == 200 and published.json()["published_at"] is not None

    def report(headers: dict[str, str], as_of: str) -> dict:
        response = client.get(url, params={"as_of": as_of}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    # Any two dates in one quarter give an executive the same report, as of its last close:
    # the walks logged in between cannot be isolated by subtraction.
    first, second = report(executive, "2026-11-20"), report(executive, "2026-11-21")
    assert first["as_of"] == second["as_of"] == "2026-09-30"
    assert first == second
    # A quarter reaches executives once nothing in it can change: 14 days for late walks,
    # then the 7 days such a walk can be edited.
    assert report(executive, "2026-10-21")["as_of"] == "2026-06-30"
    assert report(executive, "2026-10-22")["as_of"] == "2026-09-30"
    # A walk dated in that quarter but logged now, long after it closed, changes nothing an
    # executive sees (else the two reports would give its one conversation away).
    before = report(executive, "2026-11-21")
    admin = _auth(session, make_user("admin"))
    import uuid

    late = client.post(
        "/api/v1/visits",
        headers=admin,
        json={
            "client_id": str(uuid.uuid4()),
            "department": before["departments"][0]["department"],
            "visit_date": "2026-09-15",
            "conversations": [{"person_role": "clerk", "observed_score": 1, "stated_score": 5}],
        },
    )
    assert late.status_code == 201, late.text
    assert report(executive, "2026-11-21") == before
    # Analysts read coded conversations (contract): their date is theirs.
    assert report(analyst, "2026-11-21")["as_of"] == "2026-11-21"


def test_a_round_named_with_a_slash(client: TestClient, session: Session, make_user) -> None:
    """ "Pulse 09/2026" sent as Pulse%2009%2F2026: imported and published under that name."""
    import_departments(session, path=QUALTRICS / "departments.csv")
    session.commit()
    email = make_user("analyst")
    analyst = _auth(session, email)
    with (QUALTRICS / "survey.csv").open("rb") as handle:
        imported = client.post(
            "/api/v1/surveys/Pulse%2009%2F2026/import",
            headers=analyst,
            files={"file": ("survey.csv", handle, "text/csv")},
            data={"department_column": "Which department do you work in?"},
        )
    assert imported.status_code == 200, imported.text
    assert imported.json()["survey"] == "Pulse 09/2026"
    published = client.post("/api/v1/surveys/Pulse%2009%2F2026/publish", headers=analyst)
    assert published.status_code == 200 and published.json()["name"] == "Pulse 09/2026"
    # Its report and heatmap are read under the same name, %2F or a plain slash.
    for address in ("Pulse%2009%2F2026", "Pulse%2009/2026"):
        read = client.get(f"/api/v1/reports/{address}", headers=analyst)
        assert read.status_code == 200, read.text
        assert read.json()["survey"] == "Pulse 09/2026"
        heatmap = client.get(f"/api/v1/reports/{address}/heatmap?metric=gap", headers=analyst)
        assert heatmap.status_code == 200, heatmap.text
        assert heatmap.json()["data"][0]["type"] == "heatmap"
    assert client.get("/api/v1/reports/Pulse%2009%2F2027", headers=analyst).status_code == 404
    # The report's pages too: the links on them keep the slash (Jinja's urlencode does).
    from tests.conftest import log_in

    log_in(client, email)
    page = client.get("/reports/Pulse%2009/2026")
    assert page.status_code == 200, page.text
    assert 'href="/reports/Pulse%2009/2026/export.csv"' in page.text
    assert client.get("/reports/Pulse%2009/2026/export.csv").status_code == 200
    assert client.get("/reports/Pulse%2009%2F2026/heatmap.png").status_code == 200
