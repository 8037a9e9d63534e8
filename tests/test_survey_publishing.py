"""A survey round is a draft until an analyst publishes it: executives see no trace of it
(dashboard, report, exports, drill-down, API) until then, and none again once withdrawn."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, Survey
from tests.builders import QUALTRICS, load_sample
from tests.conftest import csrf_from

DRAFT_PATHS = (
    "/reports/Test%20round/export.csv",
    "/reports/Test%20round/export.html",
    "/dashboard/department?survey=Test%20round&name=Strategy",
    "/api/v1/reports/Test%20round",
    "/api/v1/reports/Test%20round/heatmap",
)


def test_a_draft_reaches_executives_only_once_published(
    session: Session, analyst_client: TestClient, executive_client: TestClient
) -> None:
    load_sample(session, QUALTRICS, name="Test round", published=False)
    dashboard = executive_client.get("/dashboard")
    assert dashboard.status_code == 200 and "No survey has been imported yet" in dashboard.text
    assert "Test round" not in executive_client.get("/dashboard?survey=Test%20round").text
    for path in DRAFT_PATHS:
        assert executive_client.get(path).status_code == 404, path
    # The analyst sees the draft, marked as one, and publishes it.
    listing = analyst_client.get("/reports")
    assert 'Test round</a> <span class="badge sev-medium">draft</span>' in listing.text
    page = analyst_client.get("/reports/Test%20round")
    assert "Executives do not see this round until it is published" in page.text
    published = analyst_client.post(
        "/reports/Test%20round/publish",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert published.headers["location"] == "/reports/Test%20round?flash=survey-published"
    assert (
        "Published: executives now see this round."
        in analyst_client.get(published.headers["location"]).text
    )
    assert "Test round" in executive_client.get("/dashboard").text
    for path in DRAFT_PATHS:
        assert executive_client.get(path).status_code == 200, path
    # Withdrawn: gone again for executives, kept for the analyst.
    page = analyst_client.get("/reports/Test%20round")
    withdrawn = analyst_client.post(
        "/reports/Test%20round/withdraw", data={"csrf_token": csrf_from(page.text)}
    )
    assert "a draft again" in analyst_client.get(withdrawn.headers["location"]).text
    assert executive_client.get("/api/v1/reports/Test%20round").status_code == 404
    assert session.exec(select(Survey)).one().published_at is None
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events if e.action.startswith("survey.")]
    assert actions == ["survey.publish", "survey.withdraw"]


def test_publishing_needs_an_analyst_and_a_token(
    session: Session, analyst_client: TestClient, executive_client: TestClient
) -> None:
    load_sample(session, QUALTRICS, name="R", published=False)
    page = analyst_client.get("/reports/R")
    assert analyst_client.post("/reports/R/publish", data={}).status_code == 403  # no CSRF
    token = csrf_from(executive_client.get("/dashboard").text)
    assert (
        executive_client.post("/reports/R/publish", data={"csrf_token": token}).status_code == 403
    )
    missing = analyst_client.post(
        "/reports/Nope/publish", data={"csrf_token": csrf_from(page.text)}
    )
    assert missing.status_code == 404
    session.expire_all()
    assert session.exec(select(Survey)).one().published_at is None
