"""No shown figure, and no difference of shown figures, covers 1 to k-1 people: respondents
who rated, for survey figures; conversations, for what was heard."""

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.report import build_report

AS_OF = date(2026, 11, 23)
CONVERSATION_COLUMNS = ["department", "visit", "visit_date", "stated", "observed"]


def _report(
    rated: list[int], unrated: list[int], talks: list[int], stated_every: int, k: int
) -> dict:
    names = [f"D{i}" for i in range(len(rated))]
    departments = pd.DataFrame(
        {
            "department": names,
            "headcount": [r + u + 10 for r, u in zip(rated, unrated, strict=True)],
            "division": [f"V{i % 3}" for i in range(len(names))],
        }
    )
    start = pd.Timestamp("2026-10-01", tz="UTC")
    rows = [
        (name, start + pd.Timedelta(minutes=j), True, float((j * 37) % 101) if j < r else None)
        for name, r, u in zip(names, rated, unrated, strict=True)
        for j in range(r + u)
    ]
    responses = pd.DataFrame(rows, columns=["department", "submitted_at", "is_complete", "score"])
    answers = responses.dropna(subset=["score"])[["department", "score"]]
    answers = answers.rename(columns={"score": "value"})
    conversations = pd.DataFrame(
        [
            (
                name,
                f"{name}-{j}",
                pd.Timestamp("2026-11-01"),
                float(j % 5 + 1) if j % stated_every == 0 else None,
                float((j * 3) % 5 + 1),
            )
            for name, n in zip(names, talks, strict=True)
            for j in range(n)
        ],
        columns=CONVERSATION_COLUMNS,
    )
    return build_report(
        "anon", departments, responses, answers, conversations, as_of=AS_OF, min_group_size=k
    ).to_dict()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 6), st.integers(0, 12)),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 3),
    st.integers(3, 7),
)
def test_random_organisations_leak_no_small_group(
    groups: list[tuple[int, int, int]], stated_every: int, k: int
) -> None:
    rated, unrated, talks = (list(column) for column in zip(*groups, strict=True))
    report = _report(rated, unrated, talks, stated_every, k)
    rows = report["departments"]
    shown = [d for d in rows if d["survey_score"] is not None]
    for row, n_rated, n_talks in zip(rows, rated, talks, strict=True):
        assert row["rated"] == n_rated
        if row["survey_score"] is not None:
            assert n_rated >= k
        if row["early_score"] is not None:
            # The thirds, and the middle third they imply, each hold at least k people.
            third = n_rated // 3
            assert third >= k and n_rated - 2 * third >= k
        if n_rated < k:
            assert row["suppressed"] and row["survey_score"] is None and row["gap"] is None
        if row["observed_score"] is not None:
            assert n_talks >= k
        if row["stated_score"] is not None:
            assert len(range(0, n_talks, stated_every)) >= k
    # An overall figure less every shown department leaves no one or at least k.
    overall = report["overall"]
    if overall["survey_score"] is not None:
        pool = sum(rated) - sum(d["rated"] for d in shown)
        assert sum(rated) >= k and (pool == 0 or pool >= k)
    if overall["observed_score"] is not None:
        pool = sum(talks) - sum(d["conversations"] for d in rows if d["observed_score"] is not None)
        assert sum(talks) >= k and (pool == 0 or pool >= k)


def test_five_complete_responses_of_which_one_rated_show_no_score() -> None:
    # Finance: 5 complete responses, only one rated (the other four skipped the questions).
    # Before, five complete responses were "enough" and that one person's 73 was shown.
    report = _report(rated=[1, 9, 8], unrated=[4, 0, 0], talks=[0, 0, 0], stated_every=1, k=5)
    finance = report["departments"][0]
    assert (finance["responses"], finance["rated"]) == (5, 1)
    assert finance["suppressed"] and finance["survey_score"] is None
    # The 1 hidden rating pooled with the smallest shown department (8) is hidden too.
    assert [d["suppressed_reason"] for d in report["departments"]] == [
        "small",
        None,
        "complementary",
    ]


def test_a_survey_of_one_small_department_shows_no_organisation_score() -> None:
    report = _report(rated=[3], unrated=[0], talks=[4], stated_every=1, k=5)
    assert report["departments"][0]["survey_score"] is None
    assert report["overall"]["survey_score"] is None
    assert report["overall"]["observed_score"] is None  # 4 conversations in all


def test_stated_scores_need_k_people_who_said_one() -> None:
    # 6 conversations, a stated score in every second one: 3 people said one, fewer than 5.
    report = _report(rated=[10], unrated=[0], talks=[6], stated_every=2, k=5)
    row = report["departments"][0]
    assert row["observed_score"] is not None and row["stated_score"] is None


def test_a_department_heard_but_never_rated_is_reported_not_crashed() -> None:
    report = _report(rated=[0, 10], unrated=[2, 0], talks=[8, 0], stated_every=1, k=5)
    heard = report["departments"][0]
    assert heard["survey_score"] is None and heard["observed_score"] is not None
    assert heard["gap"] is None
