"""Uploading a survey in the browser: preview, correct the mapping, import."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Integer
from sqlmodel import Session, col, func, select

from app.models import (
    Department,
    ImportJob,
    Survey,
    SurveyMapping,
    SurveyResponse,
    SurveyUpload,
    User,
)
from app.models.types import utcnow
from app.services.departments import import_departments
from tests.builders import (
    GENERIC,
    QUALTRICS,
    as_msforms,
    expected_counts,
    write_csv,
)
from tests.conftest import csrf_from, log_in, upload_file


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
    assert "6</span><span>previews, tests or spam, skipped" in text
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
    started = analyst_client.post(f"/imports/survey/{upload_id}/import", data=form)
    assert started.status_code == 303 and started.headers["location"].startswith("/imports/jobs/")
    # The import ran in the background once the response had gone; its page says how it ended.
    done = analyst_client.get(started.headers["location"])
    assert "<h2>Imported</h2>" in done.text and 'href="/reports/Autumn"' in done.text
    assert "1510 complete responses and 6 partial" in done.text
    # The upload page lists it, to come back to.
    listed = analyst_client.get("/imports/survey").text
    assert f'href="{started.headers["location"]}">Autumn</a>' in listed and "imported" in listed
    assert 'http-equiv="refresh"' not in done.text  # it stops refreshing once ended
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 1516
    assert session.exec(select(func.count()).select_from(SurveyMapping)).one() == 1
    job = session.exec(select(ImportJob)).one()
    if session.get_bind().dialect.name == "postgresql":
        # Written beside the import's own transaction as it goes (SQLite has one writer):
        # the responses written, of the file's 1522 data rows (6 of them previews).
        assert (job.done_rows, job.total_rows) == (1516, 1522)
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
    started = analyst_client.post(
        f"/imports/survey/{upload_id}/import",
        data={"csrf_token": csrf_from(preview.text), "name": "x"},
    )
    refused = analyst_client.get(started.headers["location"])
    assert "The file was refused" in refused.text
    assert "department: unknown department" in refused.text
    assert "Back to the mapping" in refused.text  # the upload is still there to fix
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


def test_department_list_is_loaded_in_the_browser(
    analyst_client: TestClient, session: Session, tmp_path
) -> None:
    page = analyst_client.get("/imports/survey")
    assert "The directory is empty: load the department list first" in page.text
    good = tmp_path / "departments.csv"
    good.write_text("department,headcount,division\nFinance,40,Corporate\nLegal,12,\n")
    with good.open("rb") as handle:
        loaded = analyst_client.post(
            "/imports/departments",
            data={"csrf_token": csrf_from(page.text)},
            files={"file": ("departments.csv", handle, "text/csv")},
        )
    assert loaded.status_code == 303
    after = analyst_client.get(loaded.headers["location"])
    assert "Department list imported." in after.text
    assert "The directory holds 2 departments and 52 people." in after.text
    bad = tmp_path / "bad.csv"
    bad.write_text("department,headcount\nRisk,many\n")
    with bad.open("rb") as handle:
        refused = analyst_client.post(
            "/imports/departments",
            data={"csrf_token": csrf_from(after.text)},
            files={"file": ("bad.csv", handle, "text/csv")},
        )
    assert refused.status_code == 422
    assert "headcount: &#39;many&#39; is not a whole number ≥ 0: 1 row (row 2)" in refused.text
    session.rollback()
    assert {d.name for d in session.exec(select(Department))} == {"Finance", "Legal"}


def test_unknown_departments_are_mapped_or_added_on_the_way(
    analyst_client: TestClient, session: Session, tmp_path
) -> None:
    # The directory lacks two of the file's departments: Quality and Risk.
    full = (GENERIC / "departments.csv").read_text().splitlines()
    kept = [line for line in full if not line.startswith(("Quality,", "Risk,"))]
    directory = tmp_path / "departments.csv"
    directory.write_text("\n".join(kept) + "\n")
    import_departments(session, path=directory)
    session.commit()
    uploaded = _upload(analyst_client, GENERIC, "Mapped")
    upload_id = uploaded.headers["location"].split("/")[3].split("?")[0]
    preview = analyst_client.get(uploaded.headers["location"])
    text = re.sub(r"\s+", " ", preview.text)
    want = expected_counts(GENERIC)
    quality_rows = sum(want["Quality"])
    risk_rows = sum(want["Risk"])
    assert "Departments the directory does not know" in text
    # The file spells Risk "risk" throughout: the name is shown as the file has it.
    assert f"“Quality” ({quality_rows} rows)" in text and f"“risk” ({risk_rows} rows)" in text
    # The survey tool's own columns are not offered as ratings.
    assert 'name="rating_columns" value="respondent_id"' not in text
    assert "columns of the survey tool's own" in text
    form = {
        "csrf_token": csrf_from(preview.text),
        "name": "Mapped",
        "alias_name": ["Quality", "risk"],
        "alias_target": ["__new__", "Warehouse"],
        "alias_headcount": ["204", ""],
    }
    started = analyst_client.post(f"/imports/survey/{upload_id}/import", data=form)
    done = analyst_client.get(started.headers["location"])
    assert "<h2>Imported</h2>" in done.text, done.text
    session.rollback()
    quality = session.exec(select(Department).where(Department.name == "Quality")).one()
    assert quality.headcount == 204
    survey = session.exec(select(Survey).where(Survey.name == "Mapped")).one()
    counted = {
        name: (full_n, partial_n)
        for name, full_n, partial_n in session.exec(
            select(
                Department.name,
                func.sum(SurveyResponse.is_complete.cast(Integer)),  # type: ignore[attr-defined]
                func.sum(1 - SurveyResponse.is_complete.cast(Integer)),  # type: ignore[attr-defined]
            )
            .join(Department, col(Department.id) == SurveyResponse.department_id)
            .where(SurveyResponse.survey_id == survey.id)
            .group_by(Department.name)
        )
    }
    assert counted["Quality"] == want["Quality"]
    # Risk's responses went to Warehouse, beside Warehouse's own.
    assert counted["Warehouse"] == (
        want["Warehouse"][0] + want["Risk"][0],
        want["Warehouse"][1] + want["Risk"][1],
    )
    assert "Risk" not in counted


def test_a_department_added_without_a_headcount_is_refused_at_its_field(
    analyst_client: TestClient, session: Session
) -> None:
    uploaded = _upload(analyst_client, GENERIC, "No headcount")
    upload_id = uploaded.headers["location"].split("/")[3].split("?")[0]
    preview = analyst_client.get(uploaded.headers["location"])
    answer = analyst_client.post(
        f"/imports/survey/{upload_id}/import",
        data={
            "csrf_token": csrf_from(preview.text),
            "name": "x",
            "alias_name": ["Quality"],
            "alias_target": ["__new__"],
            "alias_headcount": ["lots"],
        },
    )
    assert answer.status_code == 422
    assert "department &#39;Quality&#39;: give its headcount" in answer.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(ImportJob)).one() == 0


def test_an_xlsx_export_imports_over_http(
    analyst_client: TestClient, session: Session, tmp_path
) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    workbook = as_msforms(tmp_path / "Forms.xlsx")
    uploaded = upload_file(analyst_client, workbook, "Forms", "IT survey(1-1510).xlsx")
    preview = analyst_client.get(uploaded.headers["location"])
    assert preview.status_code == 200, preview.text
    assert "read as msforms" in preview.text
    upload_id = uploaded.headers["location"].split("/")[3].split("?")[0]
    started = analyst_client.post(
        f"/imports/survey/{upload_id}/import",
        data={"csrf_token": csrf_from(preview.text), "name": "Forms"},
    )
    done = analyst_client.get(started.headers["location"])
    assert "<h2>Imported</h2>" in done.text
    want = expected_counts(GENERIC)
    assert f"{sum(r for r, _ in want.values())} complete responses" in done.text


def test_job_page_full_and_as_fragment_and_interrupted(
    analyst_client: TestClient, session: Session, make_user
) -> None:
    analyst = session.exec(select(User).where(User.role == "analyst")).first()
    assert analyst is not None and analyst.id is not None
    job = ImportJob(
        id="job-1",
        user_id=analyst.id,
        upload_id="gone",
        survey_name="Autumn",
        file_name="s.csv",
        options="{}",
        status="running",
        done_rows=4000,
        total_rows=10000,
    )
    session.add(job)
    session.commit()
    full = analyst_client.get("/imports/jobs/job-1")
    assert "<h1>Importing “Autumn”</h1>" in full.text
    assert "Importing… 4000 of 10000 rows" in full.text
    assert '<meta http-equiv="refresh" content="2">' in full.text
    fragment = analyst_client.get("/imports/jobs/job-1", headers={"HX-Request": "true"})
    assert "<h1>" not in fragment.text and 'id="job"' in fragment.text
    assert "HX-Request" in fragment.headers["vary"].split(", ")
    # Silent for longer than any import takes: its worker died, and its transaction with it.
    job.updated_at = utcnow() - timedelta(minutes=16)
    session.add(job)
    session.commit()
    stale = analyst_client.get("/imports/jobs/job-1")
    assert "The import was interrupted" in stale.text
    assert 'http-equiv="refresh"' not in stale.text
    other = TestClient(analyst_client.app)
    log_in(other, make_user("analyst", "other@example.org"))
    assert other.get("/imports/jobs/job-1").status_code == 404


def test_partials_without_a_department_are_said_on_the_preview_the_job_and_the_api(
    analyst_client: TestClient, session: Session, two_departments: None, tmp_path
) -> None:
    from app.services.users import create_api_token
    from tests.test_export_habits import ALCHEMER_HEADER, ALCHEMER_ROWS

    path = write_csv(tmp_path / "alchemer.csv", [ALCHEMER_HEADER, *ALCHEMER_ROWS])
    uploaded = upload_file(analyst_client, path, "Alchemer", "alchemer.csv")
    preview = analyst_client.get(uploaded.headers["location"])
    text = re.sub(r"\s+", " ", preview.text)
    assert "2</span><span>partial, stopped before the department question: left out" in text
    upload_id = uploaded.headers["location"].split("/")[3].split("?")[0]
    started = analyst_client.post(
        f"/imports/survey/{upload_id}/import",
        data={"csrf_token": csrf_from(preview.text), "name": "Alchemer"},
    )
    done = analyst_client.get(started.headers["location"]).text
    assert (
        "2 complete responses and 1 partial; 2 partial responses that stopped before the "
        "department question left out."
    ) in done
    analyst = session.exec(select(User).where(User.role == "analyst")).one()
    token = create_api_token(session, email=analyst.email)
    session.commit()
    with path.open("rb") as handle:
        answer = analyst_client.post(
            "/api/v1/surveys/Alchemer%20again/import",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("alchemer.csv", handle, "text/csv")},
        )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["partials"], answer.json()["partials_without_department"]) == (1, 2)
