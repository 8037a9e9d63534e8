"""What an uploaded survey export keeps until it is imported: only the columns its mapping
uses, never anyone's e-mail, name, address or free text."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import (
    Survey,
    SurveyUpload,
)
from app.services.departments import import_departments
from tests.builders import (
    GENERIC,
    expected_counts,
    generic_rows,
    write_csv,
)
from tests.conftest import csrf_from, upload_file


@pytest.mark.parametrize("spaced", [False, True])
def test_an_upload_keeps_no_one_s_e_mail_name_or_address(
    analyst_client: TestClient, session: Session, tmp_path, spaced: bool
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

    if spaced:  # re-saved by a script that writes a blank line after each record
        rows = [[], *(row for record in rows for row in (record, []))]
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
    preview = analyst_client.get(uploaded.headers["location"])
    assert preview.status_code == 200 and "How good is IT support?" in preview.text


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


@pytest.mark.parametrize("sep_line", [False, True])
def test_free_text_answers_are_not_kept_but_departments_and_ratings_are(
    analyst_client: TestClient, session: Session, tmp_path, sep_line: bool
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
    if sep_line:  # written for Excel: the file names its delimiter first
        path.write_bytes(b"sep=,\r\n" + path.read_bytes())
    uploaded = upload_file(analyst_client, path, "Texts", "survey.csv")
    assert uploaded.status_code == 303
    session.rollback()
    upload = session.exec(select(SurveyUpload)).one()
    stored = upload.content.decode()
    assert stored.startswith("sep=,\r\n") == sep_line  # lines numbered as in the file sent
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
    uploaded = upload_file(analyst_client, path, "Kept", "survey.csv")
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
