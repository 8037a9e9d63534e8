"""How answers are read beyond their scale's labels: the range a question states, a
question worded the other way (named by the analyst, or pointed out when its answers run
against the others), and responses an earlier round already holds (an export of every
response to date)."""

import json
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from app.ingest.survey_options import SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import Survey, SurveyResponse
from app.services.surveys import import_survey
from tests.builders import AGAINST_ROWS, survey_directory, write_csv


def test_the_range_a_question_states_is_its_scale(session: Session, tmp_path: Path) -> None:
    """Nobody chose 6 or 7 on "a scale of 1 to 7", nor 0 on "(0-10)": the answers alone
    would make these 1..5 and 1..10, and a 5 would count as the best answer. A range the
    question states wins when it holds the answers; one that does not (a "1 to 5" answered
    up to 9) is passed over as before."""
    survey_directory(session, tmp_path)
    header = ["department", "On a scale of 1 to 7, how satisfied are you?",
              "How likely are you to recommend IT? (0-10)", "Rate IT from 1 to 5"]  # fmt: skip
    answers = [["1", "10", "1"], ["5", "5", "9"], ["3", "3", "2"]]
    path = write_csv(tmp_path / "n.csv", [header, *[["Finance", *a] for a in answers]])
    result = import_survey(session, path=path, name="n", options=SurveyOptions())
    session.commit()
    assert [s for _, s in result.rating_columns] == ["1..7", "0..10", "1..10"]
    stored = session.exec(select(SurveyResponse.ratings).order_by(col(SurveyResponse.id))).all()
    # On 0..100: 5 on 1..7 is 4/6 of the way; 5 on 0..10 is half; 9 on 1..10 is 8/9.
    assert [json.loads(r or "[]") for r in stored] == [
        [0.0, 100.0, 0.0],
        [66.6667, 50.0, 88.8889],
        [33.3333, 30.0, 11.1111],
    ]


def test_a_question_worded_the_other_way_is_scored_top_down(
    session: Session, tmp_path: Path
) -> None:
    """ "IT often lets me down": agreeing is the worst answer. Read as worded it would count
    every complaint as praise; the analyst names it and it is scored top down. The same file
    read so again is read again (its responses swapped), not "already imported"."""
    survey_directory(session, tmp_path)
    rows = [["department", "How satisfied are you with IT?", "IT often lets me down"],
            ["Finance", "Very satisfied", "Strongly agree"],
            ["Legal", "Dissatisfied", "Disagree"]]  # fmt: skip
    path = write_csv(tmp_path / "s.csv", rows)
    first = import_survey(session, path=path, name="s", options=SurveyOptions())
    assert first.status == "imported"  # type: ignore[union-attr]
    options = SurveyOptions.from_inputs(reversed_columns=["IT often lets me down"])
    result = import_survey(session, path=path, name="s", options=options)
    session.commit()
    assert result.status == "replaced"  # type: ignore[union-attr]
    assert result.rating_columns[1] == (  # type: ignore[union-attr]
        "IT often lets me down",
        "reversed: Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree",
    )
    stored = session.exec(select(SurveyResponse.ratings).order_by(col(SurveyResponse.id))).all()
    assert [json.loads(r or "[]") for r in stored] == [[100.0, 0.0], [25.0, 75.0]]
    for named, message in [
        ("Nope", "no column matches a reversed question 'Nope'"),
        ("department", "only a rating question can be reversed: department is not read as one"),
    ]:
        with pytest.raises(FileFormatError, match=message):
            import_survey(
                session,
                path=path,
                name="t",
                options=SurveyOptions.from_inputs(reversed_columns=[named]),
            )


def test_a_question_running_against_the_others_is_pointed_out(
    session: Session, tmp_path: Path
) -> None:
    """ "IT often lets me down" falls as the other two rise: r = -0.970 with the mean of the
    other answers over the 10 responses (scipy's pearsonr on them gives -0.9704, one-sided
    p = 1.6e-6). Dragged down by it, the other two run against their rest too (-0.59 and
    -0.67), and are not named: once it is turned, they run with it (0.92, 0.82). Turned by
    the analyst, nothing is said; a question turned that runs against the two others is
    said to be turned wrongly. (Which way round a questionnaire runs is told by its
    majority: with three questions, two turned wrongly would name the third.)"""
    survey_directory(session, tmp_path)
    path = write_csv(tmp_path / "s.csv", AGAINST_ROWS)
    result = import_survey(session, path=path, name="s", options=SurveyOptions())
    assert result.warnings == (  # type: ignore[union-attr]
        "'IT often lets me down': its answers run against the other rating questions (r ="
        " -0.97 over 10 responses): if the top of its scale is the worst answer (a question"
        " worded the other way), say so, and it is scored top down",
    )
    turned = SurveyOptions.from_inputs(reversed_columns=["IT often lets me down"])
    assert import_survey(session, path=path, name="s", options=turned).warnings == ()  # type: ignore[union-attr]
    wrong = SurveyOptions.from_inputs(
        reversed_columns=["IT helps me do my job", "IT often lets me down"]
    )
    assert import_survey(session, path=path, name="s", options=wrong).warnings == (  # type: ignore[union-attr]
        "'IT helps me do my job' is scored top down, yet its answers run against the other"
        " rating questions (r = -0.92 over 10 responses): if the top of its scale is the best"
        " answer, it is not worded the other way",
    )


def test_an_export_of_every_response_to_date_is_told_and_can_count_each_once(
    session: Session, tmp_path: Path
) -> None:
    """Q4's file holds Q3's three responses again (the tool exported every response to
    date): said, with where; left out when asked, so Q4 counts its own two; a file holding
    nothing new is refused, saying why. A response is the same by department and submission
    second (the half second of 11:00:00.5 dropped on both sides)."""
    survey_directory(session, tmp_path)
    q3 = [
        ["department", "submitted_at", "q1"],
        ["Finance", "2026-07-01 09:00:00", "Good"],
        ["Legal", "2026-07-02 10:00:00", "Poor"],
        ["Finance", "2026-07-03 11:00:00.5", "Fair"],
    ]
    q4 = [*q3, ["Finance", "2026-10-01 09:00:00", "Excellent"],
          ["Legal", "2026-07-02 10:00:00", "Good"]]  # fmt: skip
    import_survey(
        session, path=write_csv(tmp_path / "q3.csv", q3), name="Q3", options=SurveyOptions()
    )
    path = write_csv(tmp_path / "q4.csv", q4)
    told = import_survey(session, path=path, name="Q4", options=SurveyOptions())
    assert told.warnings == (  # type: ignore[union-attr]
        "4 of these 5 responses are already in round 'Q3' (the same department and submission"
        " time, to the second): an export of every response to date holds the earlier rounds"
        " again; leave those responses out to count each response once",
    )
    only_new = SurveyOptions(new_responses_only=True)
    result = import_survey(session, path=path, name="Q4", options=only_new)
    assert (result.status, result.warnings, result.by_department) == (  # type: ignore[union-attr]
        "replaced",
        (),
        {"Finance": (1, 0)},
    )
    assert result.summary().splitlines()[-1] == "  left out: 4 responses already in round 'Q3'"
    session.commit()
    q4_id = session.exec(select(Survey.id).where(Survey.name == "Q4")).one()
    assert (
        session.exec(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == q4_id)
        ).one()
        == 1
    )
    nothing_new = "q3.csv: no responses to import: all 3 are already in round 'Q3'"
    with pytest.raises(FileFormatError, match=nothing_new):
        import_survey(session, path=tmp_path / "q3.csv", name="Q3 again", options=only_new)


def test_a_few_shared_seconds_are_chance_and_a_chain_of_rounds_is_left_out_whole(
    session: Session, tmp_path: Path
) -> None:
    """A round counts as held again only when the file holds at least half of it: another
    survey that ran alongside, sharing one department and minute in ten, is chance and
    leaves nothing out. A chain of cumulative exports leaves out every earlier round."""
    survey_directory(session, tmp_path)
    header = ["department", "submitted_at", "q1"]
    alongside = [[("Finance", "Legal")[n % 2], f"2026-07-0{1 + n // 2} 09:0{n}", "Good"]
                 for n in range(10)]  # fmt: skip
    import_survey(session, path=write_csv(tmp_path / "a.csv", [header, *alongside]),
                  name="Alongside", options=SurveyOptions())  # fmt: skip
    mine = [alongside[0], *[["Legal", f"2026-07-0{n} 14:00", "Poor"] for n in range(1, 10)]]
    only_new = SurveyOptions(new_responses_only=True)
    result = import_survey(
        session, path=write_csv(tmp_path / "m.csv", [header, *mine]), name="Mine", options=only_new
    )
    assert (result.responses, result.warnings, result.earlier_left_out) == (10, (), 0)  # type: ignore[union-attr]

    q3 = [["Finance", f"2026-08-0{n} 10:00", "Fair"] for n in range(1, 4)]
    q4 = [*q3, ["Legal", "2026-09-01 10:00", "Good"], ["Legal", "2026-09-02 10:00", "Good"]]
    q5 = [*q4, ["Finance", "2026-10-01 10:00", "Poor"]]
    for name, rows in (("Q3", q3), ("Q4", q4), ("Q5", q5)):
        path = write_csv(tmp_path / f"{name}.csv", [header, *rows])
        result = import_survey(session, path=path, name=name, options=only_new)
    assert (result.responses, result.earlier_left_out, result.earlier_rounds) == (  # type: ignore[union-attr]
        1,
        5,
        "earlier rounds (3 in 'Q3', 2 in 'Q4')",
    )
