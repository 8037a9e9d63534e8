"""The flags on organisations whose truth is known, the statistics they rest on, and the
"how sure" figures: checked against references (scipy, statsmodels) or worked by hand."""

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from sqlmodel import Session
from statsmodels.stats.meta_analysis import combine_effects
from typer.testing import CliRunner

from analysis.calibration import calibrate
from analysis.evidence import SETTLE_MARGIN, Typical, conversations_needed, gap_p, walk_value
from analysis.flags import RECOUNT_ALPHA, Flag, _severity, fisher_combined
from analysis.references import (
    Baseline,
    _reference,
    _solve_tau2,
    freeman_tukey,
)
from analysis.report import build_report
from app.cli import main
from tests.builders import GENERIC, load_sample, plain_baseline


@pytest.fixture(scope="module")
def sixty() -> dict:
    return calibrate(60, seed=5).to_dict()


def test_planted_problems_are_found_and_quiet_departments_left_alone(sixty: dict) -> None:
    found = sixty["found"]
    assert found["im_fine"]["share"] >= 0.9
    assert found["corroborated_complaints"]["share"] >= 0.9
    assert found["non_response_bias"]["share"] >= 0.9
    # What the report cannot yet tell is said, and counted apart: a department that answers
    # little and whose evidence does not rule out a real shortfall of those missing reads
    # "not enough evidence", quiet or not (here 30 in 100 quiet departments).
    assert 20 <= sixty["quiet_untestable_per_100"]["non_response_bias"]["share"] <= 40
    # At most one false flag per 200 quiet departments, none under the minimum size.
    assert sixty["quiet_flagged_per_100"]["share"] <= 0.5
    assert sixty["under_minimum_size_flagged"]["count"] == 0
    assert sixty["usual_complainers_flagged"]["share"] <= 0.01
    # One of the 260 departments with usual complainers is flagged, and keeps its flag with
    # them answering as they are: the complainers raised none.
    assert sixty["usual_complainers_flagged"]["count"] == 1
    assert sixty["flagged_by_usual_complainers"]["count"] == 0
    assert sixty["unvisited_found"]["share"] == 1.0
    assert sixty["unvisited_false_per_100"]["count"] == 0


def test_each_flag_says_how_often_it_falls_on_its_own_pattern(sixty: dict) -> None:
    """A flag on a department planted with that flag's own problem is one it found: the
    counts agree exactly; the rest of its flags fell on quiet departments or on another
    problem, and are at least the false flags counted on quiet ones."""
    for code, own in sixty["flags_on_own_pattern"].items():
        assert own["count"] == sixty["found"][code]["count"]
        assert own["of"] - own["count"] >= sixty["false_flags_per_100_quiet"][code]["count"]
        assert own["share"] >= 0.75


def test_severity_needs_each_kind_of_evidence_clear_on_its_own() -> None:
    """The combined q-value alone would call a flag high whenever one part is overwhelming;
    the flag claims both, so the weaker part bounds it."""
    assert _severity(1e-6, 1e-9, 0.005) == "high"
    assert _severity(1e-6, 1e-9, 0.03) == "medium"
    assert _severity(1e-6, 1e-9, 0.08) == "low"
    assert _severity(5e-4, 0.01, 0.04) == "medium"
    assert _severity(5e-4, 0.01, 0.06) == "low"
    assert _severity(5e-3, 1e-9, 1e-9) == "low"


def test_a_very_low_response_rate_does_not_make_weak_evidence_strong() -> None:
    """12 of 400 answered (typical 50%: p about 1e-98). How many answered is a fact; that
    those missing are less satisfied is the claim, and the false discovery rate is held on
    it. The late third somewhat lower and leaders observing somewhat less than the survey
    (together p 0.062) is no discovery: not flagged (combined with the rate by Fisher's
    method it was, as it would be in one department in ten that answers this little with
    no bias at all). The late third clearly lower (p 0.00031): flagged, medium. The same
    answers from 12 of 24 people (a typical rate): not flagged."""
    scores = [100.0] + [75.0] * 6 + [50.0, 75.0, 50.0, 50.0, 50.0]
    observed = [50.0, 50.0, 75.0, 50.0, 75.0, 75.0, 50.0, 50.0, 50.0]
    assert _x(scores, observed, 400) == ()
    clearly_later = [100.0, 100.0, 75.0, 100.0] + [75.0] * 4 + [50.0, 50.0, 25.0, 50.0]
    assert [(f.code, f.severity) for f in _x(clearly_later, observed, 400)] == [
        ("non_response_bias", "medium")
    ]
    assert _x(clearly_later, observed, 24) == ()


def test_polite_answers_are_not_read_as_those_missing_being_less_satisfied() -> None:
    """12 of 40 answered (typical 20 of 40), 11 of them "good" and one "fair", in no order
    by time; 8 conversations see problems. The survey reads far rosier than what leaders
    saw, but the answers bunch on one polite option, which explains that: "I'm fine", not
    non-response bias (before, the same gap made the missing look less satisfied, p
    0.0022, and both flags were raised). The late answers alone say nothing (p 0.88)."""
    scores = [75.0] * 11 + [50.0]
    observed = [25.0, 50.0, 25.0, 50.0, 25.0, 25.0, 50.0, 25.0]
    assert [(f.code, f.severity) for f in _x(scores, observed, 40)] == [("im_fine", "medium")]


def test_severity_means_what_the_help_says(sixty: dict) -> None:
    """The report's help: at least 99 in 100 high, 19 in 20 medium, 4 in 5 low flags real."""
    shares = {k: v["share"] for k, v in sixty["severity_true_share"].items()}
    assert shares["high"] >= 0.99
    assert shares["medium"] >= 0.95
    assert shares["low"] >= 0.8


def test_calibration_is_the_same_for_the_same_seed() -> None:
    assert calibrate(3, seed=9).to_dict() == calibrate(3, seed=9).to_dict()


def test_fisher_matches_scipy() -> None:
    for p in [(0.01, 0.2), (0.5, 0.5), (1e-6, 0.9), (0.04, 0.04)]:
        expected = scipy_stats.combine_pvalues(p, method="fisher").pvalue
        assert fisher_combined(p) == pytest.approx(expected, rel=1e-9)


def test_paule_mandel_tau2_matches_statsmodels() -> None:
    """The estimating equation with target (k-1)/k and the weighted mean is Paule-Mandel."""
    y = np.array([0.10, 0.30, 0.35, 0.65, 0.45, 0.15])
    v = np.array([0.03, 0.03, 0.05, 0.01, 0.05, 0.02])
    tau2, mu = 0.0, float(np.mean(y))
    for _ in range(200):
        tau2 = _solve_tau2((y - mu) ** 2, v, (len(y) - 1) / len(y), np.mean)
        w = 1 / (v + tau2)
        mu = float(np.sum(w * y) / np.sum(w))
    reference = combine_effects(y, v, method_re="pm")
    assert tau2 == pytest.approx(reference.tau2, rel=1e-4)


def testfreeman_tukey_variance_is_about_one_over_n() -> None:
    """Exactly, over the binomial distribution: within 6% of 1/(n+1/2) at n=20, from 0.05."""
    n = 20
    k = np.arange(n + 1)
    for p in (0.05, 0.2, 0.5):
        weights = scipy_stats.binom.pmf(k, n, p)
        t = freeman_tukey(k, n)
        mean = np.sum(weights * t)
        variance = np.sum(weights * (t - mean) ** 2)
        assert variance == pytest.approx(1 / (n + 0.5), rel=0.06)


def test_outliers_neither_widen_the_spread_nor_move_the_typical_value() -> None:
    """Twenty departments at 10 +- 1 and five at 40: the reference is the twenty's."""
    rng = np.random.default_rng(1)
    values = pd.Series(np.r_[10 + rng.normal(0, 1, 20), np.full(5, 40.0)])
    variances = pd.Series(np.full(25, 1.0))
    reference = _reference(values, variances)
    assert reference.mean == pytest.approx(values[:20].mean(), abs=0.5)
    assert reference.tau2 < 1.0


def _row(**figures: float) -> pd.Series:
    # The shrunk score's variance as its raw mean's, 400 / 40: nothing shrunk.
    base = {"headcount": 100, "scored": 40, "survey_var": 400.0, "survey_score": 70.0}
    base["shrunk_var"] = 10.0
    return pd.Series({**base, **figures})


def _baseline() -> Baseline:
    return plain_baseline((0.5,))


def test_conversations_needed_worked_by_hand() -> None:
    """Excess 20 (70 - 50), survey part (the shrunk score's variance) 10, observed variance
    900 over 2: the 95% half-width falls under 20 once 10 + 900/(2+m) < (20/1.96)^2 = 104.1,
    so m = 8 (7 gives 110)."""
    row = _row(shrunk_score=70.0, observed_score=50.0, observed_var=900.0, conversations=2)
    typical = Typical(survey_var=400.0, observed_var=900.0)
    assert conversations_needed(row, _baseline(), typical, surveyed=True, heard=True) == 8
    # Already settled: 30 conversations give a half-width of 1.96 * sqrt(10 + 30) = 12.4.
    settled = row.copy()
    settled["conversations"] = 30
    assert conversations_needed(settled, _baseline(), typical, surveyed=True, heard=True) is None
    assert SETTLE_MARGIN == 12.5


def test_survey_against_observed_counts_every_conversation_in_a_small_department() -> None:
    """Shrunk score 70 (its variance 20) against 50 seen in 20 conversations (variance 900)
    in a department of 10: respondents and the people met are samples of one department, so
    its own level cancels and the 20 conversations count in full, 900 / 20 = 45 (capped by
    its headcount they counted as 6.7, 900 / 6.67 = 135). Welch: variance 65, t = 20 /
    sqrt(65) = 2.4807, df = 65^2 / (20^2/39 + 45^2/19) = 36.16, one-sided p = 0.00895
    (scipy.stats.t.sf)."""
    row = _row(
        headcount=10,
        shrunk_score=70.0,
        shrunk_var=20.0,
        observed_score=50.0,
        observed_var=900.0,
        conversations=20,
    )
    assert gap_p(row, _baseline()) == pytest.approx(
        scipy_stats.t.sf(20 / math.sqrt(65), 65**2 / (20**2 / 39 + 45**2 / 19)), rel=1e-9
    )
    assert gap_p(row, _baseline()) == pytest.approx(0.00895, abs=5e-6)


def test_a_walk_is_worth_more_where_more_people_are_in_doubt() -> None:
    typical = Typical(survey_var=400.0, observed_var=625.0)
    unheard = _row(shrunk_score=70.0, observed_score=math.nan, observed_var=math.nan)
    big, small = unheard.copy(), unheard.copy()
    big["headcount"], small["headcount"] = 200, 50
    big["conversations"] = small["conversations"] = 0
    value_big = walk_value(big, _baseline(), typical, surveyed=True, heard=True)
    value_small = walk_value(small, _baseline(), typical, surveyed=True, heard=True)
    assert value_small > 0
    assert value_big == pytest.approx(4 * value_small)
    settled = _row(shrunk_score=70.0, observed_score=20.0, observed_var=400.0, conversations=30)
    assert walk_value(settled, _baseline(), typical, surveyed=True, heard=True) < 0.01


def _organisation(hidden_score: float) -> tuple[pd.DataFrame, ...]:
    """Six departments; 'Tiny' has 4 ratings (hidden) at `hidden_score`."""
    rng = np.random.default_rng(3)
    names = ["A", "B", "C", "D", "E", "Tiny"]
    departments = pd.DataFrame(
        {"department": names, "headcount": [60, 60, 60, 60, 60, 10], "division": None}
    )
    responses, answers, talks = [], [], []
    for name in names:
        count = 4 if name == "Tiny" else 30
        for i in range(count):
            score = hidden_score if name == "Tiny" else float(rng.choice([50, 75, 100]))
            when = pd.Timestamp("2026-10-01", tz="UTC") + pd.Timedelta(hours=i)
            responses.append((name, when, True, score))
            answers.append((name, score))
        for i in range(6):
            talks.append((name, f"{name}{i // 3}", pd.Timestamp("2026-10-20"), 75.0, 50.0))
    return (
        departments,
        pd.DataFrame(responses, columns=["department", "submitted_at", "is_complete", "score"]),
        pd.DataFrame(answers, columns=["department", "value"]),
        pd.DataFrame(talks, columns=["department", "visit", "visit_date", "stated", "observed"]),
    )


def test_how_sure_figures_do_not_tell_a_hidden_score() -> None:
    reports = [
        build_report("r", *_organisation(score), as_of=date(2026, 11, 1), min_group_size=5)
        for score in (0.0, 100.0)
    ]
    rows = [{d.department: d.values for d in r.departments} for r in reports]
    for name in ("Tiny",):
        assert rows[0][name]["survey_score"] is None
        assert rows[0][name]["conversations_needed"] is None
        assert rows[0][name]["walk_value"] == rows[1][name]["walk_value"]


def test_calibrate_command_prints_the_figures_and_refuses_an_unknown_round(
    session: Session, database_url: str
) -> None:
    load_sample(session, GENERIC)
    session.commit()
    runner = CliRunner()
    text = runner.invoke(
        main, ["calibrate", "--organisations", "2", "--database-url", database_url]
    )
    assert text.exit_code == 0, text.output
    assert "2 simulated organisations" in text.output
    assert "false flags per 100 quiet departments" in text.output
    like = runner.invoke(
        main,
        ["calibrate", "--organisations", "2", "--like", "sample", "--format", "json"]
        + ["--database-url", database_url],
    )
    assert like.exit_code == 0, like.output
    figures = json.loads(like.stdout)
    assert figures["organisations"] == 2
    # At the sample's sizes: its 24 departments in each simulated organisation.
    assert figures["departments"] == 2 * 24
    missing = runner.invoke(main, ["calibrate", "--like", "nope", "--database-url", database_url])
    assert missing.exit_code == 1
    assert "no survey named 'nope'" in missing.output


HONEST = [50.0, 75.0, 75.0, 100.0, 75.0, 50.0, 75.0, 100.0, 25.0, 75.0]


def _flags_of_x(scores: list[float], observed: list[float], headcount: int) -> list[str]:
    """X's flags (see `_x`)."""
    return [f.code for f in _x(scores, observed, headcount)]


def _x(scores: list[float], observed: list[float], headcount: int) -> tuple[Flag, ...]:
    """Ten honest departments (20 of 40 people answer; one of 8 conversations finds
    problems) and 'X' of `headcount` people answering `scores` in that order, its
    conversations observed at `observed`: X's flags (the honest ones have none)."""
    names = [f"D{i}" for i in range(10)] + ["X"]
    headcounts = [40] * 10 + [headcount]
    departments = pd.DataFrame({"department": names, "headcount": headcounts, "division": None})
    responses, answers, talks = [], [], []
    for name in names:
        rated = scores if name == "X" else [HONEST[(i + len(name)) % 10] for i in range(20)]
        for i, score in enumerate(rated):
            when = pd.Timestamp("2026-10-01", tz="UTC") + pd.Timedelta(hours=i)
            responses.append((name, when, True, score))
            answers.append((name, score))
        seen = (
            observed if name == "X" else [25.0] + [[50.0, 75.0, 100.0][i % 3] for i in range(1, 8)]
        )
        talks += [
            (name, f"{name}{i // 4}", pd.Timestamp("2026-10-20"), 75.0, o)
            for i, o in enumerate(seen)
        ]
    report = build_report(
        "r",
        departments,
        pd.DataFrame(responses, columns=["department", "submitted_at", "is_complete", "score"]),
        pd.DataFrame(answers, columns=["department", "value"]),
        pd.DataFrame(talks, columns=["department", "visit", "visit_date", "stated", "observed"]),
        as_of=date(2026, 11, 1),
        min_group_size=5,
    )
    flagged = {d.department: d.flags for d in report.departments}
    assert not any(flagged[n] for n in names[:10])
    return flagged["X"]


def _complainers(
    bottom: int, seen_poor: int, poor_raters: int = 0, respondents: int = 20
) -> list[str]:
    """'X' beside ten honest departments, answering at half its headcount as they do:
    `bottom` of its `respondents` rate everything at the bottom, `poor_raters` more rate IT
    poorly (25 of 100), and `seen_poor` of its 8 conversations find problems."""
    low = [0.0] * bottom + [25.0] * poor_raters
    usual = [HONEST[(i + 1) % 10] for i in range(20)]
    scores = (low + usual[len(low) :])[:respondents]
    observed = [25.0 if i < seen_poor else [50.0, 75.0, 100.0][i % 3] for i in range(8)]
    return _flags_of_x(scores, observed, 2 * respondents)


def test_the_usual_complainers_are_not_flagged_a_real_complaint_is() -> None:
    # Two or three all-bottom respondents, nothing more seen face to face: no flag.
    assert _complainers(bottom=2, seen_poor=1) == []
    assert _complainers(bottom=3, seen_poor=1) == []
    # Three all-bottom respondents and conversations that agree: still not enough.
    assert _complainers(bottom=3, seen_poor=5) == []
    # Ten of twenty rate everything at the bottom and six of eight conversations agree.
    assert _complainers(bottom=10, seen_poor=6) == ["corroborated_complaints"]
    # A small department: three of its six respondents rate IT poorly (none everything at
    # the bottom) and seven of eight conversations find problems. How many the poor raters
    # are beside the department's size, and what conversations find, make the complaint;
    # before, no department with three poor raters or fewer could be flagged.
    assert _complainers(bottom=0, poor_raters=3, respondents=6, seen_poor=7) == [
        "corroborated_complaints"
    ]
    # The same three rating everything at the bottom, nothing seen face to face: the usual
    # complainers, set aside, no flag.
    assert _complainers(bottom=3, respondents=6, seen_poor=1) == []
    # Six of eight conversations finding problems is not clear enough on its own (p 0.0013
    # against RECOUNT_ALPHA 0.001): still set aside. Seven of eight is (p 0.00013): those
    # three are no longer "nothing seen face to face" but half a department's respondents
    # with the same complaint, and they count.
    assert _complainers(bottom=3, respondents=6, seen_poor=6) == []
    assert _complainers(bottom=3, respondents=6, seen_poor=7) == ["corroborated_complaints"]
    assert RECOUNT_ALPHA == 0.001


def test_late_answers_and_what_was_seen_pointing_the_same_way_count_together() -> None:
    # 9 of 40 answered (typical 50%); the last third (50, 50, 50) below the first
    # (100, 75, 75): one-sided p 0.082 beyond the usual drop; leaders observed 56 against
    # the survey's 69: p 0.127. Neither route alone reaches the 10% each part of a flag
    # needs once the two share it (Bonferroni: 2 x 0.082 = 0.16); together they are
    # Fisher's -2 (ln 0.0822 + ln 0.1269) = 9.13 on 4 degrees of freedom, p = 0.058.
    scores = [100.0, 75.0, 75.0, 75.0, 75.0, 75.0, 50.0, 50.0, 50.0]
    observed = [50.0, 75.0, 50.0, 50.0, 75.0, 50.0, 50.0, 50.0, 50.0]
    assert _flags_of_x(scores, observed, 40) == ["non_response_bias"]
    assert fisher_combined([0.0822, 0.1269]) == pytest.approx(0.0581, abs=1e-4)
    # The same answers in another order (the late third no lower) and nothing seen below
    # the survey: a low response rate alone is no flag.
    assert _flags_of_x(scores[::-1], [75.0] * 9, 40) == []
