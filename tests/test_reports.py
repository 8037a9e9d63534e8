"""The bias report: the samples' planted patterns, suppression, and edge cases."""

import json
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import Session

from analysis.report import build_report
from app.services.reports import report_csv, survey_report
from tests.builders import GENERIC, NORTHWIND, QUALTRICS, expected, load_sample

QUIET = {"clean", "grumbler", "small", "unvisited"}


def _no_nan(value: object) -> None:
    if isinstance(value, float):
        assert not math.isnan(value) and not math.isinf(value)
    elif isinstance(value, dict):
        for v in value.values():
            _no_nan(v)
    elif isinstance(value, list):
        for v in value:
            _no_nan(v)


@pytest.mark.parametrize(
    "folder", [GENERIC, QUALTRICS, NORTHWIND], ids=["generic", "qualtrics", "northwind"]
)
def test_samples_raise_exactly_the_planted_flags(session: Session, folder: Path) -> None:
    load_sample(session, folder)
    session.commit()
    meta = expected(folder)
    report = survey_report(
        session, survey="sample", as_of=date.fromisoformat(meta["as_of"]), min_group_size=5
    ).to_dict()
    json.dumps(report, allow_nan=False)
    _no_nan(report)
    rows = {d["department"]: d for d in report["departments"]}
    for name, want in meta["departments"].items():
        codes = {f["code"] for f in rows[name]["flags"]}
        assert set(want["flags"]) <= codes, name
        if want["kind"] in QUIET:
            assert codes == set(want["flags"]), name
        if want["responses"] < 5:
            assert rows[name]["suppressed"] and rows[name]["survey_score"] is None
        for flag in rows[name]["flags"]:
            assert flag["severity"] in {"low", "medium", "high"}
            assert flag["evidence"].endswith(".")


def test_complementary_suppression_hides_the_next_smallest(session: Session) -> None:
    load_sample(session, QUALTRICS)
    session.commit()
    report = survey_report(
        session, survey="sample", as_of=date(2026, 11, 23), min_group_size=5
    ).to_dict()
    rows = {d["department"]: d for d in report["departments"]}
    # Treasury (2) and Lab Services (2) pool 4 < 5 responses, so Admissions (18) is hidden too.
    assert rows["Treasury"]["suppressed_reason"] == "small"
    assert rows["Lab Services"]["suppressed_reason"] == "small"
    assert rows["Admissions"]["suppressed_reason"] == "complementary"
    assert rows["Admissions"]["survey_score"] is None and rows["Admissions"]["gap"] is None
    hidden = [d for d in report["departments"] if d["suppressed"]]
    assert sum(d["responses"] for d in hidden) >= 5
    # Its flag still shows, with no hidden number in the evidence.
    admissions_flag = rows["Admissions"]["flags"][0]
    assert "hidden" in admissions_flag["evidence"]


def test_overall_figures(session: Session) -> None:
    load_sample(session, GENERIC)
    session.commit()
    overall = survey_report(
        session, survey="sample", as_of=date(2026, 11, 23), min_group_size=5
    ).to_dict()["overall"]
    assert (overall["headcount"], overall["responses"]) == (2818, 1527)
    assert overall["response_rate"] == round(1527 / 2818, 4)
    assert 0 < overall["r_indicator"] < 1
    # Leaders saw worse than the survey says, so the adjusted score is below the raw one.
    assert overall["adjusted_score"] < overall["survey_score"]


def test_csv_is_flat_and_defuses_formulas(session: Session) -> None:
    report = {
        "departments": [
            {
                "department": '=HYPERLINK("x")',
                "division": "+Ops",
                "headcount": 10,
                "responses": 6,
                "partials": 0,
                "response_rate": 0.6,
                "response_rate_ci": [0.3, 0.8],
                "suppressed": False,
                "suppressed_reason": None,
                "survey_score": 50.0,
                "survey_score_ci": [40.0, 60.0],
                "early_score": None,
                "late_score": None,
                "visits": 0,
                "conversations": 0,
                "last_visit": None,
                "observed_score": None,
                "stated_score": None,
                "gap": None,
                "flags": [{"code": "unvisited"}, {"code": "im_fine"}],
                "rated": 5,
                "observed_suppressed_reason": "small",
                "conversations_needed": 6,
                "walk_value": 2.5,
                "tickets": 12,
                "tickets_per_100": 120.0,
                "sla_met": None,
                "median_resolution_hours": 7.5,
            }
        ]
    }
    lines = report_csv(report).splitlines()
    assert lines[1].startswith('"\'=HYPERLINK(""x"")",\'+Ops,10,6,0,0.6,0.3,0.8,False,,50.0')
    # The columns added later come last, after the flags: 5 rated, observed hidden as small,
    # 6 more conversations would settle it, a walk is worth 2.5; then the desk's figures.
    assert lines[1].endswith(",unvisited;im_fine,5,small,6,2.5,12,120.0,,7.5")


def _frames(
    scores: dict[str, list[float]],
    headcount: int = 40,
    conversations: dict[str, list[int]] | None = None,
):
    departments = pd.DataFrame(
        {"department": list(scores), "headcount": headcount, "division": None}
    )
    rows = [
        (d, pd.Timestamp("2026-10-01", tz="UTC") + pd.Timedelta(hours=i), True, s)
        for d, values in scores.items()
        for i, s in enumerate(values)
    ]
    responses = pd.DataFrame(rows, columns=["department", "submitted_at", "is_complete", "score"])
    answers = responses[["department", "score"]].rename(columns={"score": "value"}).dropna()
    conv = [
        (d, 1, pd.Timestamp("2026-11-01"), 75.0, (o - 1) * 25.0)
        for d, values in (conversations or {}).items()
        for o in values
    ]
    conversations_frame = pd.DataFrame(
        conv, columns=["department", "visit", "visit_date", "stated", "observed"]
    )
    return departments, responses, answers, conversations_frame


@pytest.mark.parametrize(
    "scores,conversations",
    [
        ({"Solo": []}, None),  # no responses at all
        ({"Solo": [75.0] * 12}, {"Solo": [4]}),  # one department, identical answers
        ({"A": [50.0, float("nan"), 75.0] * 4, "B": [25.0] * 6}, {"A": [2, 3]}),  # missing ratings
        ({"A": [60.0] * 8, "B": [70.0] * 8}, {}),  # no conversations anywhere
    ],
)
def test_edge_cases_give_nulls_not_nan(scores, conversations) -> None:
    frames = _frames(scores, conversations=conversations)
    report = build_report("edge", *frames, as_of=date(2026, 11, 23)).to_dict()
    json.dumps(report, allow_nan=False)
    for row in report["departments"]:
        assert {f["code"] for f in row["flags"]} <= {"unvisited"}
        if row["conversations"] == 0:
            assert "unvisited" in {f["code"] for f in row["flags"]}
            assert "never" in row["flags"][0]["evidence"]


def test_not_enough_evidence_is_an_answer() -> None:
    frames = _frames({"A": [60.0, 70.0] * 5, "B": [50.0, 80.0] * 5}, conversations={"A": [4]})
    report = build_report("few", *frames, as_of=date(2026, 11, 23)).to_dict()
    row = {d["department"]: d for d in report["departments"]}["A"]
    assert "im_fine" in row["not_enough_evidence"]


def test_report_frames_have_the_columns_and_dtypes_analysis_expects(session: Session) -> None:
    from app.services.report_frames import load_report_frames
    from app.services.surveys import get_survey

    load_sample(session, GENERIC)
    session.commit()
    survey = get_survey(session, name="sample")
    assert survey.id is not None
    frames = load_report_frames(session, survey_id=survey.id)
    assert dict(frames.departments.dtypes.astype(str)) == {
        "department": "object",
        "headcount": "int64",
        "division": "object",
    }
    assert dict(frames.responses.dtypes.astype(str)) == {
        "department": "object",
        "is_complete": "bool",
        "wave": "int64",
        "score": "float64",
        "count": "int64",
    }
    assert dict(frames.answers.dtypes.astype(str)) == {
        "department": "object",
        "value": "float64",
        "count": "int64",
    }
    assert list(frames.conversations.columns) == [
        "department",
        "visit",
        "visit_date",
        "stated",
        "observed",
        "logged_on",
        "end_run",
        "unreported",
    ]
    assert frames.conversations["logged_on"].dtype == frames.conversations["visit_date"].dtype
    assert (frames.conversations["end_run"].dtype, frames.conversations["unreported"].dtype) == (
        "bool",
        "int64",
    )
    assert (
        len(frames.departments),
        int(frames.responses["count"].sum()),
        len(frames.conversations),
    ) == (24, 1527, 370)
    assert len(frames.responses) < 1527 / 2  # counted, not one row per response
    # Poor=0 .. Excellent=100; a conversation's 1..5 goes on the same footing.
    assert set(frames.answers["value"].unique()) == {0.0, 25.0, 50.0, 75.0, 100.0}
    assert set(frames.conversations["observed"].unique()) == {0.0, 25.0, 50.0, 75.0, 100.0}


def test_non_response_bias_unsettled_reads_not_enough_evidence() -> None:
    """A department that answers little is cleared of non-response bias only where the
    evidence rules out those missing being 12.5 points or more less satisfied; else it
    reads "not enough evidence" (with how many more conversations would tell), never a
    silent clean bill. A department answering as often as typical is cleared by that."""
    typical = {name: [50.0, 75.0] * 10 for name in "ABCDE"}  # 20 of 40 answer: 50%
    scores = {
        **typical,
        "Few": [50.0, 75.0] * 3,  # 6 of 40 answer; three conversations, as rosy as the survey
        "Cleared": [50.0, 75.0] * 7 + [50.0],  # 15 of 100; thirty conversations agree with it
        "Answering": [50.0, 75.0] * 12,  # 24 of 40: more than typical
    }
    talks = {name: [3, 4] * 3 for name in typical}
    talks.update({"Few": [3, 4, 3], "Cleared": [3, 4] * 15, "Answering": [3, 4, 3]})
    departments, responses, answers, conversations = _frames(scores, conversations=talks)
    departments.loc[departments["department"] == "Cleared", "headcount"] = 100
    report = build_report(
        "nrb", departments, responses, answers, conversations, as_of=date(2026, 11, 23)
    ).to_dict()
    rows = {d["department"]: d for d in report["departments"]}
    assert all(not rows[n]["flags"] for n in ("Few", "Cleared", "Answering"))
    assert "non_response_bias" in rows["Few"]["not_enough_evidence"]
    assert rows["Few"]["conversations_needed"] is not None
    assert "non_response_bias" not in rows["Cleared"]["not_enough_evidence"]
    assert "non_response_bias" not in rows["Answering"]["not_enough_evidence"]
    assert all("non_response_bias" not in rows[n]["not_enough_evidence"] for n in typical)
