"""What a page may not leak or be made to say: cached copies, forged messages, injected
markup from a department's name."""

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services.departments import import_departments
from tests.conftest import csrf_from
from tests.html_tables import heatmap_rows


def test_pages_and_api_answers_are_never_stored(leader_client: TestClient) -> None:
    for path in ("/visits", "/visits/new", "/api/v1/visits", "/"):
        assert leader_client.get(path).headers["cache-control"] == "no-store", path
    # Static files are versioned with the release and may be kept.
    assert leader_client.get("/static/app.css").headers.get("cache-control") != "no-store"


def test_a_link_cannot_make_a_page_say_something(leader_client: TestClient) -> None:
    forged = "Your account is locked: call 0800 123 456"
    page = leader_client.get("/visits", params={"flash": forged})
    assert page.status_code == 200 and "0800 123 456" not in page.text
    assert 'class="flash"' not in page.text


def test_the_apps_own_message_shows_after_a_save(
    leader_client: TestClient, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,40\n")
    import_departments(session, path=path)
    session.commit()
    form = leader_client.get("/visits/new").text
    client_id = re.search(r'name="client_id" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    saved = leader_client.post(
        "/visits",
        data={
            "csrf_token": csrf_from(form),
            "client_id": client_id,
            "department": "Finance",
            "visit_date": "2026-11-20",
            "conversations-0-person_role": "clerk",
            "conversations-0-observed_score": "3",
        },
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/visits?flash=walk-saved"
    shown = leader_client.get(saved.headers["location"])
    assert '<p class="flash" role="status">Walk saved.</p>' in shown.text


def test_a_department_name_cannot_break_out_of_the_dashboard(
    executive_client: TestClient, session: Session, tmp_path: Path
) -> None:
    from app.ingest.survey_options import SurveyOptions
    from app.services.survey_publishing import publish_survey
    from app.services.surveys import import_survey
    from tests.builders import write_csv

    hostile = '</script><script src="//evil.example/x.js"></script><a href="//evil.example">x</a>'
    path = tmp_path / "departments.csv"
    write_csv(path, [["department", "headcount"], [hostile, "40"], ["Finance", "40"]])
    import_departments(session, path=path)
    rows = [["department", "submitted_at", "q1"]]
    rows += [
        [hostile if i % 2 else "Finance", f"2026-10-{1 + i % 9:02d}", "Good"] for i in range(20)
    ]
    import_survey(
        session, path=write_csv(tmp_path / "s.csv", rows), name="R", options=SurveyOptions()
    )
    publish_survey(session, name="R", actor_id=None)
    session.commit()
    page = executive_client.get("/dashboard?survey=R")
    assert page.status_code == 200
    assert '<script src="//evil.example' not in page.text
    assert '<a href="//evil.example"' not in page.text
    block = re.search(
        r'<script type="application/json" id="trend-data"[^>]*>(.*?)</script>', page.text, re.S
    )
    assert block is not None  # the block ends where the app's JSON ends (tojson), not before
    chart = json.loads(block.group(1))
    assert hostile in [d["name"] for d in chart["departments"]]  # intact, as data
    # The heatmap shows the name as text: the parser reads it back exactly as written.
    assert hostile in heatmap_rows(page.text)
    # The API's plotly figure: plotly draws a subset of HTML in labels, so the name arrives
    # escaped and is shown as written.
    figure = executive_client.get("/api/v1/reports/R/heatmap?metric=survey_score").json()
    labels = figure["data"][0]["y"]
    assert '&lt;a href="//evil.example"&gt;x&lt;/a&gt;' in "".join(labels)
    assert not any("<a " in label for label in labels)
