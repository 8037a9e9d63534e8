"""The differencing attacker: an executive asks for reports at every date they like and
subtracts any two; no difference may isolate 1 to k-1 conversations. Analysts read coded
conversations (contract), so their moving window is not bound by this."""

from datetime import date, timedelta
from itertools import combinations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.report import build_report
from analysis.suppression import (
    last_quarter_end,
    on_record,
    published_quarter_end,
    quarters_window_start,
)

START = date(2025, 1, 1)
NAMES = ["Finance", "Legal", "Stores", "Library"]


def test_quarter_ends_and_windows() -> None:
    assert last_quarter_end(date(2026, 12, 1)) == date(2026, 9, 30)
    assert last_quarter_end(date(2026, 9, 30)) == date(2026, 9, 30)
    assert last_quarter_end(date(2026, 1, 15)) == date(2025, 12, 31)
    assert quarters_window_start(date(2026, 9, 30)) == date(2025, 10, 1)
    assert quarters_window_start(date(2026, 3, 31)) == date(2025, 4, 1)


def _report(conversations: pd.DataFrame, as_of: date, k: int) -> dict:
    departments = pd.DataFrame(
        {"department": NAMES, "headcount": [40] * 4, "division": ["Ops"] * 4}
    )
    responses = pd.DataFrame(
        [
            (name, pd.Timestamp("2025-06-01", tz="UTC") + pd.Timedelta(minutes=j), True, 60.0)
            for name in NAMES
            for j in range(10)
        ],
        columns=["department", "submitted_at", "is_complete", "score"],
    )
    answers = responses[["department", "score"]].rename(columns={"score": "value"})
    return build_report(
        "round",
        departments,
        responses,
        answers,
        conversations,
        as_of=as_of,
        min_group_size=k,
        closed_quarters=True,
    ).to_dict()


walk_history = st.lists(
    st.tuples(
        st.sampled_from(NAMES),
        st.integers(0, 729),  # days after START
        st.integers(1, 5),
        st.one_of(st.none(), st.integers(1, 5)),
        st.sampled_from([0, 0, 0, 1, 5, 13, 14, 15, 30, 90]),  # days late in being logged
    ),
    min_size=40,
    max_size=80,
)


@settings(max_examples=20, deadline=None)
@given(walk_history, st.integers(3, 5))
def test_no_two_executive_reports_subtract_to_fewer_than_k(history: list, k: int) -> None:
    conversations = pd.DataFrame(
        [
            (
                name,
                f"w{i}",
                pd.Timestamp(START + timedelta(days=day)),
                stated,
                observed,
                pd.Timestamp(START + timedelta(days=day + late)),
            )
            for i, (name, day, observed, stated, late) in enumerate(history)
        ],
        columns=["department", "visit", "visit_date", "stated", "observed", "logged_on"],
    )
    # Every date an executive might ask for, over two and a half years; on each, the walks
    # logged by then, late ones included (a walk logged late must not change a quarter).
    dates = [START + timedelta(days=d) for d in range(0, 900, 41)]
    seen: list[tuple[str, str, frozenset[int], float]] = []
    for as_of in dates:
        logged = conversations[conversations["logged_on"] <= pd.Timestamp(as_of)]
        report = _report(logged, as_of, k)
        end = date.fromisoformat(report["as_of"])
        assert end == published_quarter_end(as_of)
        on_time = on_record(logged)
        window = on_time.index[
            (on_time["visit_date"] >= pd.Timestamp(quarters_window_start(end)))
            & (on_time["visit_date"] <= pd.Timestamp(end))
        ]
        for row in report["departments"]:
            for figure, column in (("observed_score", "observed"), ("stated_score", "stated")):
                if row[figure] is None:
                    continue
                members = frozenset(
                    i
                    for i in window
                    if conversations.at[i, "department"] == row["department"]
                    and pd.notna(conversations.at[i, column])
                )
                assert len(members) >= k
                seen.append((row["department"], figure, members, row[figure]))
        if report["overall"]["observed_score"] is not None:
            shown = {d["department"] for d in report["departments"] if d["observed_score"]}
            members = frozenset(i for i in window if conversations.at[i, "department"] in shown)
            seen.append(("*", "observed_score", members, report["overall"]["observed_score"]))
    for (_, figure_a, a, _), (_, figure_b, b, _) in combinations(seen, 2):
        if figure_a != figure_b:
            continue
        for part in (a - b, b - a):
            assert len(part) == 0 or len(part) >= k, (sorted(a), sorted(b))


def test_a_walk_logged_late_never_changes_a_published_quarter() -> None:
    # Five walks in Q3 2026 make Legal's quarter; a sixth, dated in Q3, is logged on 20
    # October: fourteen days after the quarter closed is the last day one counts, so it
    # never does, and Q3 reaches executives on 22 October, after the last edit could end.
    day = pd.Timestamp("2026-08-03")
    rows = [("Legal", f"w{i}", day, None, 50.0, day) for i in range(5)]
    late = [("Legal", "late", day, None, 0.0, pd.Timestamp("2026-10-20"))]
    columns = ["department", "visit", "visit_date", "stated", "observed", "logged_on"]
    before = pd.DataFrame(rows, columns=columns)
    after = pd.DataFrame(rows + late, columns=columns)
    assert _report(before, date(2026, 10, 21), 5)["as_of"] == "2026-06-30"
    first = _report(after, date(2026, 10, 22), 5)
    assert first["as_of"] == "2026-09-30"
    legal = next(d for d in first["departments"] if d["department"] == "Legal")
    assert legal["conversations"] == 5 and legal["observed_score"] == 50.0
    on_time = [("Legal", "ontime", day, None, 0.0, pd.Timestamp("2026-10-14"))]
    counted = _report(pd.DataFrame(rows + on_time, columns=columns), date(2026, 10, 22), 5)
    assert (
        next(d for d in counted["departments"] if d["department"] == "Legal")["conversations"] == 6
    )
