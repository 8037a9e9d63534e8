"""No shown figure, and no difference of shown figures, covers 1 to k-1 respondents."""

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.report import build_report


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=14),
    st.integers(3, 7),
)
def test_random_organisations_leak_no_small_group(counts: list[int], k: int) -> None:
    names = [f"D{i}" for i in range(len(counts))]
    departments = pd.DataFrame(
        {
            "department": names,
            "headcount": [n + 10 for n in counts],
            "division": [f"V{i % 3}" for i in range(len(counts))],
        }
    )
    rows = [
        (
            name,
            pd.Timestamp("2026-10-01", tz="UTC") + pd.Timedelta(minutes=j),
            True,
            float((j * 37) % 101),
        )
        for name, n in zip(names, counts, strict=True)
        for j in range(n)
    ]
    responses = pd.DataFrame(rows, columns=["department", "submitted_at", "is_complete", "score"])
    answers = responses[["department", "score"]].rename(columns={"score": "value"})
    conversations = pd.DataFrame(
        columns=["department", "visit", "visit_date", "stated", "observed"]
    )
    report = build_report(
        "anon",
        departments,
        responses,
        answers,
        conversations,
        as_of=date(2026, 11, 23),
        min_group_size=k,
    ).to_dict()
    shown = [d for d in report["departments"] if d["survey_score"] is not None]
    for row in shown:
        assert row["responses"] >= k
        # The thirds, and the middle third they imply, each hold at least k people.
        if row["early_score"] is not None:
            third = row["responses"] // 3
            assert third >= k and row["responses"] - 2 * third >= k
    for row in report["departments"]:
        if row["responses"] < k:
            assert row["suppressed"] and row["survey_score"] is None
            assert row["survey_score_ci"] is None and row["gap"] is None
    # The shown total minus every shown department leaves either no one or at least k.
    hidden_pool = report["overall"]["responses"] - sum(d["responses"] for d in shown)
    assert hidden_pool == 0 or hidden_pool >= k or not shown
