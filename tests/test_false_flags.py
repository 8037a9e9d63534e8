"""Departments that are random samples of one clean population are rarely flagged, and
organisations of degenerate data (everyone alike, nobody timed, one conversation) never
break the report."""

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.report import build_report
from tests.builders import analysis_frames

# One clean population: answers on a 5-point scale, mostly "good"/"very good".
ANSWER_PROBS = [0.07, 0.10, 0.22, 0.40, 0.21]
OBSERVED_PROBS = [0.08, 0.15, 0.25, 0.32, 0.20]


def clean_organisation(seed: int, departments: int = 14):
    rng = np.random.default_rng(seed)
    names = [f"D{i}" for i in range(departments)]
    headcount = rng.integers(30, 220, size=departments)
    dept_rows, responses, answers, conversations = [], [], [], []
    for name, heads in zip(names, headcount, strict=True):
        dept_rows.append((name, int(heads), None))
        answered = rng.binomial(heads, 0.55)
        for _i in range(answered):
            ratings = rng.choice(5, size=4, p=ANSWER_PROBS) * 25.0
            when = pd.Timestamp("2026-10-01", tz="UTC") + pd.Timedelta(
                minutes=int(rng.integers(0, 20000))
            )
            responses.append((name, when, True, float(ratings.mean())))
            answers += [(name, float(v)) for v in ratings]
        for visit in range(int(rng.integers(1, 5))):
            for _ in range(int(rng.integers(2, 6))):
                observed = float(rng.choice(5, p=OBSERVED_PROBS) * 25.0)
                conversations.append(
                    (name, f"{name}-{visit}", pd.Timestamp("2026-10-15"), 75.0, observed)
                )
    return analysis_frames(dept_rows, responses, answers, conversations)


def survey_flags(seed: int) -> tuple[int, int]:
    report = build_report("clean", *clean_organisation(seed), as_of=date(2026, 11, 23))
    flagged = sum(1 for d in report.departments for f in d.flags if f.code != "unvisited")
    return flagged, len(report.departments)


# The same 15 seeds on every run (derandomize): a statistical bound checked on fresh random
# organisations each run fails now and then by chance (seed 497 raises two), which says
# nothing of the change under test. The rate over 30 seeds is the next test's.
@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1))
def test_a_clean_organisation_raises_at_most_one_flag(seed: int) -> None:
    flagged, _ = survey_flags(seed)
    assert flagged <= 1


def test_false_flag_rate_is_under_three_percent() -> None:
    results = [survey_flags(seed) for seed in range(30)]
    flagged = sum(f for f, _ in results)
    total = sum(n for _, n in results)
    assert flagged / total < 0.03, f"{flagged} of {total} clean departments flagged"


def degenerate_organisation(seed: int) -> tuple[tuple[pd.DataFrame, ...], int]:
    """Two to seven departments of 1 to 60 people where, at random, everyone answers alike,
    answers outnumber the headcount, a fifth carry no time, leaders see everyone alike, or
    nobody answers or is heard at all; and k of 2, 3 or 5."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-10-01", tz="UTC")
    options = [0.0, 25.0, 50.0, 75.0, 100.0]
    rows, responses, answers, conversations = [], [], [], []
    for d in range(int(rng.integers(2, 8))):
        name = f"D{d}"
        headcount = int(rng.integers(1, 60))
        rows.append((name, headcount, None))
        alike = float(rng.choice(options)) if rng.random() < 0.5 else None
        for _ in range(int(rng.integers(0, headcount + 3))):
            value = alike if alike is not None else float(rng.choice(options))
            when = (
                pd.NaT if rng.random() < 0.2 else start + pd.Timedelta(hours=int(rng.integers(500)))
            )
            responses.append((name, when, bool(rng.random() < 0.9), value))
            answers.append((name, value))
        seen_alike = float(rng.choice(options)) if rng.random() < 0.5 else None
        for i in range(int(rng.integers(0, 8))):
            seen = seen_alike if seen_alike is not None else float(rng.choice(options))
            conversations.append((name, f"{name}{i // 3}", pd.Timestamp("2026-10-20"), seen, seen))
    k = int(rng.choice([2, 3, 5]))
    return analysis_frames(rows, responses, answers, conversations), k


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_degenerate_data_never_breaks_the_report(seed: int) -> None:
    """No error and no warning (the suite runs with -W error), and no survey flag on a
    department with fewer than k ratings."""
    frames, k = degenerate_organisation(seed)
    report = build_report("odd", *frames, as_of=date(2026, 11, 1), min_group_size=k)
    for department in report.departments:
        if department.values["rated"] < k:
            assert not [f for f in department.flags if f.code != "unvisited"]
