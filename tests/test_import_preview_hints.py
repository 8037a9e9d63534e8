"""What the import preview points out before anything is imported: how it read the
submission times, a question worded the other way (and the tick that says so), a file with
no rating question, and responses an earlier round already holds."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.ingest.survey_options import SurveyOptions
from app.models import Survey, SurveyResponse
from app.services.surveys import import_survey
from tests.builders import AGAINST_ROWS, write_csv
from tests.conftest import csrf_from, upload_file


def _turned_round(client: TestClient, upload_id: str) -> str:
    """The preview again with "IT often lets me down" ticked as worded the other way."""
    params = {"name": "Pulse", "reversed_columns": "IT often lets me down"}
    return client.get(f"/imports/survey/{upload_id}", params=params).text


@pytest.mark.parametrize(
    ("times", "said"),
    [
        (("last week", "Monday"),
         "Timestamp: dates in an unknown format (for example &#39;last week&#39;): read without"
         " submission times"),
        # Every answer on one day, 03/04: read month first, and said.
        (("03/04/2026 09:00:00", "03/04/2026 11:30:00"),
         "submission times such as &#39;03/04/2026 09:00:00&#39; are read month first (04 March"
         " 2026): nothing in the file shows whether the day or the month comes first; if that"
         " is the wrong way round, give the round date"),
    ],
)  # fmt: skip
def test_the_preview_says_what_it_made_of_the_submission_times(
    analyst_client: TestClient, tmp_path: Path, two_departments: None, times, said
) -> None:
    rows = [["Timestamp", "department", "q1"], [times[0], "Finance", "Good"],
            [times[1], "Legal", "Poor"]]  # fmt: skip
    uploaded = upload_file(analyst_client, write_csv(tmp_path / "s.csv", rows), "T", "s.csv")
    preview = analyst_client.get(uploaded.headers["location"])
    assert preview.status_code == 200
    assert f'<p class="field-error">{said}</p>' in preview.text
    assert "1 column of the survey tool's own" in preview.text


def test_a_question_worded_the_other_way_is_ticked_so_in_the_preview(
    analyst_client: TestClient, session: Session, tmp_path: Path, two_departments: None
) -> None:
    """The preview offers "worded the other way" under each rating; ticked, the refreshed
    preview shows the scale reversed, the import carries it, and the saved mapping keeps it
    for the next file of that shape."""
    rows = [["department", "How satisfied are you with IT?", "IT often lets me down"],
            ["Finance", "Very satisfied", "Strongly agree"],
            ["Legal", "Dissatisfied", "Disagree"]]  # fmt: skip
    path = write_csv(tmp_path / "s.csv", rows)
    preview_url = upload_file(analyst_client, path, "Pulse", "s.csv").headers["location"]
    first = analyst_client.get(preview_url).text
    assert (
        '<input type="checkbox" id="rv-2" name="reversed_columns" value="IT often lets me down" >'
        '<label for="rv-2">Worded the other way: the top of its scale is the worst answer</label>'
    ) in first
    upload_id = preview_url.split("/")[3].split("?")[0]
    ticked = _turned_round(analyst_client, upload_id)
    assert "[reversed: Strongly disagree, Disagree, Neither agree nor disagree" in ticked
    assert '<input type="hidden" name="reversed_columns" value="IT often lets me down">' in ticked
    form = {"csrf_token": csrf_from(ticked), "name": "Pulse", "remember": "true",
            "reversed_columns": "IT often lets me down"}  # fmt: skip
    started = analyst_client.post(f"/imports/survey/{upload_id}/import", data=form)
    assert "<h2>Imported</h2>" in analyst_client.get(started.headers["location"]).text
    session.rollback()
    stored = session.exec(select(SurveyResponse.ratings).order_by(col(SurveyResponse.id))).all()
    assert [json.loads(r or "[]") for r in stored] == [[100.0, 0.0], [25.0, 75.0]]
    again = analyst_client.get(
        upload_file(analyst_client, path, "Pulse 2", "s.csv").headers["location"]
    ).text
    assert "Using the mapping saved for files of this shape." in again
    assert "[reversed: Strongly disagree" in again


def test_a_file_with_no_rating_question_and_a_bad_row_is_previewed(
    analyst_client: TestClient, tmp_path: Path, two_departments: None
) -> None:
    """No rating question found, and a row naming a department the directory lacks: the
    preview says both (it answered 500: the chunk held no ratings to pick the good rows'
    from)."""
    rows = [["department", "comment"], ["Finance", "fine"], ["Atlantis", "far"]]
    uploaded = upload_file(analyst_client, write_csv(tmp_path / "s.csv", rows), "T", "s.csv")
    preview = analyst_client.get(uploaded.headers["location"])
    assert preview.status_code == 200
    assert "No rating question was found in this file" in preview.text
    assert "“Atlantis” (1 row)" in preview.text


def test_the_preview_points_out_a_question_running_against_the_others(
    analyst_client: TestClient, tmp_path: Path, two_departments: None
) -> None:
    path = write_csv(tmp_path / "s.csv", AGAINST_ROWS)
    preview_url = upload_file(analyst_client, path, "Pulse", "s.csv").headers["location"]
    hint = (
        '<p class="field-error">&#39;IT often lets me down&#39;: its answers run against the'
        " other rating questions (r = -0.97 over 10 responses): if the top of its scale is the"
        " worst answer (a question worded the other way), say so, and it is scored top"
        " down</p>"
    )
    first = analyst_client.get(preview_url).text
    assert (
        "Worded the other way: the top of its scale is the worst answer</label></div>\n  " + hint
    ) in first
    turned = _turned_round(analyst_client, preview_url.split("/")[3].split("?")[0])
    assert "run against" not in turned


def test_the_preview_tells_of_responses_an_earlier_round_holds_and_leaves_them_out(
    analyst_client: TestClient, session: Session, tmp_path: Path, two_departments: None
) -> None:
    q3 = [["department", "submitted_at", "q1"], ["Finance", "2026-07-01 09:00:00", "Good"],
          ["Legal", "2026-07-02 10:00:00", "Poor"]]  # fmt: skip
    import_survey(
        session, path=write_csv(tmp_path / "q3.csv", q3), name="Q3", options=SurveyOptions()
    )
    session.commit()
    q4 = write_csv(tmp_path / "q4.csv", [*q3, ["Legal", "2026-10-01 09:00:00", "Good"]])
    preview_url = upload_file(analyst_client, q4, "Q4", "q4.csv").headers["location"]
    preview = analyst_client.get(preview_url).text
    assert (
        '<p class="error">2 of these 3 responses are already in round &#39;Q3&#39; (the same'
        " department and submission time, to the second): an export of every response to date"
        " holds the earlier rounds again; leave those responses out to count each response"
        " once.</p>"
    ) in preview
    assert (
        '<label for="new_responses_only">Leave out the 2 responses already in earlier'
        " rounds</label>"
    ) in preview
    upload_id = preview_url.split("/")[3].split("?")[0]
    form = {"csrf_token": csrf_from(preview), "name": "Q4", "new_responses_only": "true"}
    started = analyst_client.post(f"/imports/survey/{upload_id}/import", data=form)
    done = analyst_client.get(started.headers["location"]).text
    assert "<h2>Imported</h2>" in done and "1 complete responses" in done
    assert (
        "1 complete responses and 0 partial; 2 responses already in round &#39;Q3&#39; left"
        " out.</p>"
    ) in done
    assert "left out: 2 responses already in round &#39;Q3&#39;" in done
    session.rollback()
    q4_id = session.exec(select(Survey.id).where(Survey.name == "Q4")).one()
    stored = select(func.count()).select_from(SurveyResponse)
    assert session.exec(stored.where(SurveyResponse.survey_id == q4_id)).one() == 1
