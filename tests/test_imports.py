"""Uploading a survey in the browser: preview, correct the mapping, import."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import SurveyMapping, SurveyResponse, SurveyUpload
from app.models.types import utcnow
from app.services.departments import import_departments
from tests.builders import GENERIC, QUALTRICS
from tests.conftest import csrf_from, log_in


def _upload(client: TestClient, folder, name: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/imports/survey").text)
    with (folder / "survey.csv").open("rb") as handle:
        return client.post(
            "/imports/survey",
            data={"csrf_token": token, "name": name},
            files={"file": ("survey.csv", handle, "text/csv")},
        )


def test_upload_preview_then_import(analyst_client: TestClient, session: Session) -> None:
    import_departments(session, path=QUALTRICS / "departments.csv")
    session.commit()
    uploaded = _upload(analyst_client, QUALTRICS, "Autumn")
    assert uploaded.status_code == 303
    preview_url = uploaded.headers["location"]
    preview = analyst_client.get(preview_url)
    assert preview.status_code == 200
    text = re.sub(r"\s+", " ", preview.text)
    assert "1510</span><span>complete responses" in text
    assert "6</span><span>previews or spam, skipped" in text
    assert (
        "[Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree]" in text
    )
    upload_id = preview_url.split("/")[3].split("?")[0]
    form = {
        "csrf_token": csrf_from(preview.text),
        "name": "Autumn",
        "format": "auto",
        "department_column": "Q1",
        "submitted_column": "RecordedDate",
        "rating_columns": ["Q2_1", "Q2_2", "Q2_3", "Q2_4"],
        "remember": "true",
    }
    done = analyst_client.post(f"/imports/survey/{upload_id}/import", data=form)
    assert done.status_code == 303 and done.headers["location"].startswith("/reports/Autumn")
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 1516
    assert session.exec(select(func.count()).select_from(SurveyMapping)).one() == 1
    # The next file of the same shape is offered the saved mapping.
    again = analyst_client.get(_upload(analyst_client, QUALTRICS, "Spring").headers["location"])
    assert "Using the mapping saved for files of this shape." in again.text


def test_refused_file_shows_rows_and_writes_nothing(
    analyst_client: TestClient, session: Session
) -> None:
    uploaded = _upload(analyst_client, GENERIC, "Empty directory")
    upload_id = uploaded.headers["location"].split("/")[3].split("?")[0]
    preview = analyst_client.get(uploaded.headers["location"])
    assert "unknown department" in preview.text
    refused = analyst_client.post(
        f"/imports/survey/{upload_id}/import",
        data={"csrf_token": csrf_from(preview.text), "name": "x"},
    )
    assert refused.status_code == 422
    assert (
        "The file was refused" in refused.text and "department: unknown department" in refused.text
    )
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0


def test_a_bad_option_is_shown_on_the_form_and_writes_nothing(
    analyst_client: TestClient, session: Session
) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    uploaded = _upload(analyst_client, GENERIC, "Dated")
    upload_id = uploaded.headers["location"].split("/")[3].split("?")[0]
    preview = analyst_client.get(uploaded.headers["location"])
    refused = analyst_client.post(
        f"/imports/survey/{upload_id}/import",
        data={"csrf_token": csrf_from(preview.text), "name": "Dated", "date": "soon"},
    )
    assert refused.status_code == 422
    assert "the round&#39;s date: &#39;soon&#39; is not a date (use YYYY-MM-DD)" in refused.text
    assert 'name="name"' in refused.text  # the form again, not an error page
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0


def test_other_users_cannot_open_an_upload(analyst_client: TestClient, app, make_user) -> None:
    uploaded = _upload(analyst_client, GENERIC, "Mine")
    from tests.conftest import log_in

    with TestClient(app, follow_redirects=False) as other:
        log_in(other, make_user("analyst", "other@example.org"))
        assert other.get(uploaded.headers["location"]).status_code == 404


def test_a_raw_upload_expires_after_30_minutes_and_is_purged(
    analyst_client: TestClient, session: Session, client: TestClient, make_user
) -> None:
    import_departments(session, path=QUALTRICS / "departments.csv")
    session.commit()
    preview_url = _upload(analyst_client, QUALTRICS, "Autumn").headers["location"]
    upload_id = preview_url.split("/")[3].split("?")[0]
    upload = session.get(SurveyUpload, upload_id)
    assert upload is not None
    upload.created_at = utcnow() - timedelta(minutes=31)
    session.add(upload)
    session.commit()
    expired = analyst_client.get(preview_url)
    assert expired.status_code == 404 and "has expired" in expired.text
    # The next login anywhere removes it from the database.
    assert log_in(client, make_user("leader")).status_code == 303
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyUpload)).one() == 0
