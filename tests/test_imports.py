"""Uploading a survey in the browser: preview, correct the mapping, import."""

import json
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
    generic_rows,
    write_csv,
)
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


def _upload_file(client: TestClient, path, name: str, file_name: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/imports/survey").text)
    with path.open("rb") as handle:
        return client.post(
            "/imports/survey",
            data={"csrf_token": token, "name": name},
            files={"file": (file_name, handle, "application/octet-stream")},
        )


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
    uploaded = _upload_file(analyst_client, workbook, "Forms", "IT survey(1-1510).xlsx")
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


def test_an_upload_keeps_no_one_s_e_mail_name_or_address(
    analyst_client: TestClient, session: Session, tmp_path
) -> None:
    # A Qualtrics export: ids, then question texts, then import ids; the data row names her.
    rows = [
        ["ResponseId", "RecipientEmail", "RecipientFirstName", "IPAddress", "LocationLatitude",
         "Q1", "Q2", "Q3"],
        ["Response ID", "Recipient Email", "Recipient First Name", "IP Address",
         "Location Latitude", "Department", "How good is IT support?", "Comment"],
        ['{"ImportId":"_recordId"}', '{"ImportId":"recipientEmail"}',
         '{"ImportId":"recipientFirstName"}', '{"ImportId":"ipAddress"}',
         '{"ImportId":"locationLatitude"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2"}',
         '{"ImportId":"QID3_TEXT"}'],
        ["R_1", "alice@example.org", "Alice", "10.1.2.3", "51.5072", "Finance", "Good",
         "Slow on\nMondays"],
        ["R_2", "bob@example.org", "Bob", "10.1.2.4", "51.5073", "Finance", "Poor", ""],
    ]  # fmt: skip
    path = tmp_path / "export.csv"
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    token = csrf_from(analyst_client.get("/imports/survey").text)
    with path.open("rb") as handle:
        uploaded = analyst_client.post(
            "/imports/survey",
            data={"csrf_token": token, "name": "Kept"},
            files={"file": ("export.csv", handle, "text/csv")},
        )
    assert uploaded.status_code == 303
    session.rollback()
    stored = session.exec(select(SurveyUpload)).one().content.decode()
    for secret in ("alice@example.org", "Alice", "10.1.2.3", "51.5072", "R_1", "Bob"):
        assert secret not in stored
    # What the preview and the import need is all there, each row on its own lines still;
    # the comment is no rating, so the mapping does not use it and it is not kept.
    assert "Finance" in stored and "Good" in stored and "Mondays" not in stored
    assert stored.count("\n") == path.read_text(encoding="utf-8").count("\n")


def test_a_file_that_is_no_survey_export_is_refused_at_upload(
    analyst_client: TestClient, session: Session
) -> None:
    token = csrf_from(analyst_client.get("/imports/survey").text)
    refused = analyst_client.post(
        "/imports/survey",
        data={"csrf_token": token, "name": "Bin"},
        files={"file": ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "text/csv")},
    )
    assert refused.status_code == 422
    assert "photo.csv: this is not a text (CSV) or Excel file" in refused.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyUpload)).one() == 0


def test_free_text_answers_are_not_kept_but_departments_and_ratings_are(
    analyst_client: TestClient, session: Session, tmp_path
) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    # The sample's comments are long and nearly all different: free text, which can name
    # anyone. Department names repeat, and the ratings sit on a scale.
    header, rows = generic_rows()
    comments = [
        f"Respondent {i} says the printer on floor {i % 7} jams every morning"
        for i in range(len(rows))
    ]
    for row, comment in zip(rows, comments, strict=True):
        row[header.index("comment")] = comment
    path = write_csv(tmp_path / "survey.csv", [header, *rows])
    uploaded = _upload_file(analyst_client, path, "Texts", "survey.csv")
    assert uploaded.status_code == 303
    session.rollback()
    upload = session.exec(select(SurveyUpload)).one()
    stored = upload.content.decode()
    assert "jams every morning" not in stored and "Quality" in stored and "Very good" in stored
    assert json.loads(upload.emptied) == {"respondent_id": "who answered", "comment": "free text"}
    preview = analyst_client.get(uploaded.headers["location"]).text
    assert "comment (free text)" in preview and "left out: free text, not kept" in preview
    upload_id = uploaded.headers["location"].split("/")[3].split("?")[0]
    started = analyst_client.post(
        f"/imports/survey/{upload_id}/import",
        data={"csrf_token": csrf_from(preview), "name": "Texts"},
    )
    done = analyst_client.get(started.headers["location"]).text
    want = expected_counts(GENERIC)
    assert f"{sum(r for r, _ in want.values())} complete responses" in done


def test_an_upload_keeps_only_the_columns_its_mapping_uses(
    analyst_client: TestClient, session: Session, tmp_path
) -> None:
    # Gender and age band beside the department single people out; "q5" is a rating on the
    # analyst's own scale, which detection cannot know, so it is not mapped at upload.
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    header, rows = generic_rows()
    header = [*header, "gender", "age_band", "q5"]
    labels = ["Awful", "Meh", "Fine", "Great"]
    rows = [
        [*row, ("Woman", "Man", "Non-binary")[i % 3], ("18-24", "25-34", "55+")[i % 3],
         labels[i % 4]]
        for i, row in enumerate(rows)
    ]  # fmt: skip
    path = write_csv(tmp_path / "survey.csv", [header, *rows])
    uploaded = _upload_file(analyst_client, path, "Kept", "survey.csv")
    assert uploaded.status_code == 303
    session.rollback()
    first = session.exec(select(SurveyUpload)).one()
    first_id = first.id
    stored = first.content.decode()
    for answer in ("Woman", "Non-binary", "18-24", "55+", "Awful", "Great"):
        assert answer not in stored
    assert "Quality" in stored and "Very good" in stored and "2026-10-18 17:09:37" in stored
    emptied = json.loads(first.emptied)
    assert emptied["gender"].startswith("not used by the mapping")
    assert emptied["q5"].startswith("not used by the mapping")
    preview = analyst_client.get(uploaded.headers["location"]).text
    assert "left out: not used by the mapping" in preview and 'id="import-form"' in preview

    # Ticking q5 on its own scale: its answers are not here, so the file is asked for again
    # and nothing can be imported from this upload meanwhile.
    query = {"name": "Kept", "rating_columns": ["q1", "q5"], "scale": ",".join(labels)}
    asked = analyst_client.get(f"/imports/survey/{first_id}", params=query)
    assert asked.status_code == 200
    assert "This mapping uses &#39;q5&#39;, whose answers were not kept" in asked.text
    assert 'id="resend-form"' in asked.text and 'id="import-form"' not in asked.text
    with path.open("rb") as handle:
        again = analyst_client.post(
            "/imports/survey",
            data={"csrf_token": csrf_from(asked.text), "replaces": first_id, **query,
                  "format": "auto"},
            files={"file": ("survey.csv", handle, "text/csv")},
        )  # fmt: skip
    assert again.status_code == 303
    session.rollback()
    second = session.exec(select(SurveyUpload)).one()  # the first one is gone
    assert second.id != first_id
    stored = second.content.decode()
    assert "Awful" in stored and "Woman" not in stored and "18-24" not in stored
    assert "q2" in json.loads(second.emptied)  # not ticked this time, so not kept
    preview = analyst_client.get(again.headers["location"]).text
    assert "1 partial" not in preview and "No rating question was found" not in preview
    started = analyst_client.post(
        f"/imports/survey/{second.id}/import",
        data={"csrf_token": csrf_from(preview), **query},
    )
    assert started.status_code == 303
    analyst_client.get(started.headers["location"])
    session.rollback()
    survey = session.exec(select(Survey).where(Survey.name == "Kept")).one()
    assert [q["question"] for q in json.loads(survey.questions)] == ["q1", "q5"]
    assert session.exec(select(func.count()).select_from(SurveyUpload)).one() == 0
