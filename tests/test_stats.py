"""The statistics against published vectors (STATS-VECTORS.md) and statsmodels/scipy."""

import itertools
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import special
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from analysis.department_table import department_table, option_counts
from analysis.evidence import gap_p, wave_p
from analysis.response_counts import count_responses
from analysis.stats import (
    benjamini_hochberg,
    item_rest_correlations,
    modal_greater,
    moderated_variance,
    posterior_variances,
    r_indicator,
    shrink_means,
    variance_prior,
    wilson_interval,
)
from tests.builders import analysis_frames, plain_baseline


@pytest.mark.parametrize(
    "x,n,expected",
    [
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0000, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
        (29, 29, (0.8830, 1.0000)),
    ],
)
def test_wilson_matches_newcombe_1998a(x: int, n: int, expected: tuple[float, float]) -> None:
    low, high = wilson_interval(x, n)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == expected
    ref = proportion_confint(x, n, method="wilson")
    assert low == pytest.approx(ref[0], abs=1e-12) and high == pytest.approx(ref[1], abs=1e-12)


def test_wilson_of_nothing_is_none() -> None:
    assert wilson_interval(0, 0) is None


BH_P = [
    0.0001,
    0.0004,
    0.0019,
    0.0095,
    0.0201,
    0.0278,
    0.0298,
    0.0344,
    0.0459,
    0.3240,
    0.4262,
    0.5719,
    0.6528,
    0.7590,
    1.000,
]


def test_benjamini_hochberg_matches_the_1995_example() -> None:
    adjusted = benjamini_hochberg(BH_P)
    assert [round(p, 4) for p in adjusted] == [
        0.0015,
        0.0030,
        0.0095,
        0.0356,
        0.0603,
        0.0639,
        0.0639,
        0.0645,
        0.0765,
        0.4860,
        0.5812,
        0.7149,
        0.7532,
        0.8132,
        1.0000,
    ]
    assert sum(p <= 0.05 for p in adjusted) == 4
    reference = multipletests(BH_P, alpha=0.05, method="fdr_bh")[1]
    assert np.allclose(adjusted, reference)


def test_benjamini_hochberg_keeps_input_order() -> None:
    shuffled = [0.5, 0.0001, 0.04, 0.01]
    assert np.allclose(benjamini_hochberg(shuffled), multipletests(shuffled, method="fdr_bh")[1])
    assert benjamini_hochberg([]) == []


def test_r_indicator_worked_example() -> None:
    # N = [40, 25, 20, 15], n = [28, 10, 9, 3]: mean propensity 0.5, S = 0.1811858.
    assert r_indicator([40, 25, 20, 15], [28, 10, 9, 3]) == pytest.approx(0.6376285, abs=1e-7)
    assert r_indicator([10, 10], [5, 5]) == 1.0


def test_r_indicator_caps_rates_at_one_in_the_mean_too() -> None:
    # 20 answers from 10 people count as a rate of 1: rates 1 and 0.5 over 10 people each,
    # mean 0.75, variance (10 * 0.25^2 + 10 * 0.25^2) / 19 = 0.0657895, R = 1 - 2 * 0.256495.
    assert r_indicator([10, 10], [20, 5]) == pytest.approx(0.4870108, abs=1e-7)
    # The same as if the department had answered exactly its headcount.
    assert r_indicator([10, 10], [20, 5]) == r_indicator([10, 10], [10, 5])


def test_shrinkage_follows_dersimonian_laird() -> None:
    means, variances = [70.0, 60.0, 50.0], [4.0, 4.0, 100.0]
    shrunk, mu, tau2 = shrink_means(means, variances)
    w = [0.25, 0.25, 0.01]
    y_w = sum(wi * yi for wi, yi in zip(w, means, strict=True)) / sum(w)
    q = sum(wi * (yi - y_w) ** 2 for wi, yi in zip(w, means, strict=True))
    expected_tau2 = max(0.0, (q - 2) / (sum(w) - sum(x * x for x in w) / sum(w)))
    assert tau2 == pytest.approx(expected_tau2)
    # The noisy third department moves most of the way to the pooled mean.
    assert abs(shrunk[2] - mu) < abs(50.0 - mu) * 0.5
    assert abs(shrunk[0] - 70.0) < abs(shrunk[2] - 50.0)


def test_a_shrunk_means_error_is_its_posterior_variance() -> None:
    # tau^2 = 12: w = 12/16 = 0.75 for the two precise means, 12/112 for the noisy one; the
    # pooled mean's variance 1 / (1/16 + 1/16 + 1/112) = 7.4667. Precise: 0.75 * 4 +
    # 0.25^2 * 7.4667 = 3.4667; noisy: 100 * 12/112 + (100/112)^2 * 7.4667 = 16.667.
    assert posterior_variances([4.0, 4.0, 100.0], 12.0) == pytest.approx(
        [3.466667, 3.466667, 16.666667], abs=1e-6
    )
    # tau^2 = 0: every department is the pooled mean, 1 / (1/4 + 1/4 + 1/100) = 1.96078.
    assert posterior_variances([4.0, 4.0, 100.0], 0.0) == pytest.approx([1.960784] * 3, abs=1e-6)
    # A spread far beyond the sampling error: each keeps its own mean's variance.
    assert posterior_variances([4.0, 100.0], 1e9) == pytest.approx([4.0, 100.0], rel=1e-6)


def test_survey_against_observed_is_welchs_t_on_the_published_vector() -> None:
    """With nothing typical to set against (a typical gap of 0, no spread between
    departments), the flags' survey-against-observed test is Welch's one-sided t."""
    from scipy import stats

    early = [4, 4, 5, 4, 3, 4, 4, 5, 4, 4]
    late = [3, 4, 3, 4, 2, 3, 4, 3]
    row = pd.Series(
        {
            "shrunk_score": np.mean(early),
            "shrunk_var": np.var(early, ddof=1) / 10,
            "scored": 10,
            "observed_score": np.mean(late),
            "observed_var": np.var(late, ddof=1),
            "conversations": 8,
        }
    )
    p = gap_p(row, plain_baseline())
    # Published two-sided p = 0.015867 (STATS-VECTORS.md), so one-sided is half of it.
    assert p == pytest.approx(0.015867 / 2, abs=1e-6)
    assert p == pytest.approx(
        stats.ttest_ind(early, late, equal_var=False, alternative="greater").pvalue
    )


def test_late_answers_test_is_the_slope_of_score_on_wave() -> None:
    """The non-response flag's late-answers part is the one-sided t-test of the slope of a
    regression of score on wave (-1 first third, +1 last, 0 the middle and untimed): here
    the first three average 91.67, the last three 50; sum of squares 4,750, of which the
    line takes 3 x 41.67^2 / 2 = 2,604.2, leaving 268.23 a degree of freedom (8); t =
    41.67 / sqrt(2 x 268.23 / 3) = 3.116, p = 0.00716. Measuring the spread around the mean
    instead (527.8) counted the trend as noise: t 2.22, p 0.027."""
    from scipy import stats

    timed = [100.0, 75.0, 100.0, 75.0, 75.0, 50.0, 75.0, 50.0, 25.0]
    start = pd.Timestamp("2026-10-01", tz="UTC")
    responses = [("X", start + pd.Timedelta(hours=i), True, s) for i, s in enumerate(timed)]
    responses.append(("X", pd.NaT, True, 75.0))  # untimed: in no third
    departments, rows, answers, talks = analysis_frames(
        [("X", 40, None)], responses, [("X", r[3]) for r in responses], []
    )
    table = department_table(
        departments,
        count_responses(rows),
        option_counts(answers),
        talks,
        as_of=date(2026, 11, 1),
        min_group_size=5,
    )
    assert table.loc["X", "wave_var"] == pytest.approx(268.229167)
    p = wave_p(table.loc["X"], plain_baseline())
    assert p == pytest.approx(0.0071587, abs=1e-7)
    wave = [-1] * 3 + [0] * 3 + [1] * 3 + [0]
    assert p == pytest.approx(
        stats.linregress(wave, [*timed, 75.0], alternative="less").pvalue, rel=1e-9
    )


def test_variance_prior_recovers_the_spread_variances_were_drawn_from() -> None:
    """Smyth (2004): 20,000 groups of 3 to 31 values whose true variances are 400 * 8 /
    chi-square(8) (a scaled inverse chi-square: s0^2 = 400 on d0 = 8 degrees of freedom);
    the moments of log s^2 give them back. Where the true variance is one for all (400),
    d0 comes out large: nothing to moderate towards but the common spread."""
    rng = np.random.default_rng(1)
    dfs = rng.integers(2, 31, 20_000).astype(float)
    true = 400 * 8 / rng.chisquare(8, len(dfs))
    s0, d0 = variance_prior(true * rng.chisquare(dfs) / dfs, dfs)
    assert s0 == pytest.approx(400, rel=0.01)
    assert d0 == pytest.approx(8, rel=0.03)
    s0, d0 = variance_prior(400 * rng.chisquare(dfs) / dfs, dfs)
    assert s0 == pytest.approx(400, rel=0.01)
    assert d0 > 100


def test_moderated_variance_worked_by_hand() -> None:
    # (4 x 100 + 6 x 50) / (4 + 6) = 70 on 10 degrees of freedom.
    assert moderated_variance(50.0, 6, (100.0, 4.0)) == (70.0, 10.0)
    # Three conversations that agree exactly are not certainty: (4 x 100 + 2 x 0) / 6.
    spread, df = moderated_variance(0.0, 2, (100.0, 4.0))
    assert (spread, df) == (pytest.approx(66.666667), 6.0)
    # No spread of its own (one conversation): the prior's.
    assert moderated_variance(math.nan, 0, (100.0, 4.0)) == (100.0, 4.0)
    # Variances that differ only by chance: the common spread, whatever the group's own.
    assert moderated_variance(10.0, 2, (100.0, math.inf)) == (100.0, math.inf)
    # Too few groups to learn a prior from: the group's own.
    assert moderated_variance(10.0, 2, (math.nan, 0.0)) == (10.0, 2)
    assert variance_prior([], []) == (pytest.approx(math.nan, nan_ok=True), 0.0)


def test_variance_prior_at_the_edges_of_its_range() -> None:
    """Log spreads just wider than chance makes them (trigamma(1) + 1e-9) give a d0 past
    any root-finder's bracket: infinite, not an error; far wider ones (trigamma(1) + 10^4),
    a d0 near 0 (trigamma(x) ~ 1/x^2: d0 about 0.02)."""
    chance = float(special.polygamma(1, 1.0))
    for excess, infinite in ((1e-9, True), (1e4, False)):
        apart = math.exp(math.sqrt(2 * (chance + excess)))
        s0, d0 = variance_prior([100.0, 100.0 * apart], [2, 2])
        assert math.isinf(d0) == infinite
        assert math.isfinite(s0) and s0 > 0
        if not infinite:
            assert d0 == pytest.approx(0.02, rel=0.01)
    assert variance_prior([0.0, 50.0], [3, 3]) == (50.0, 0.0)


def _max_count_tail(hits: int, trials: int, shares: list[float]) -> float:
    """P(some option holds >= hits of trials), every multinomial outcome enumerated."""
    total = 0.0
    for counts in itertools.product(range(trials + 1), repeat=len(shares)):
        if sum(counts) != trials or max(counts) < hits:
            continue
        ways = math.factorial(trials) / math.prod(math.factorial(c) for c in counts)
        total += ways * math.prod(s**c for s, c in zip(shares, counts, strict=True))
    return total


def test_modal_greater_is_exact_past_half_and_never_below_the_truth() -> None:
    """Six people, options at 0.2 / 0.5 / 0.3. Past three of six no two options can both
    reach the count, so the sum of the binomial tails is P(max >= k) itself; at three or
    fewer it may only be larger. Four of six, by hand: P(Bin(6, 0.2) >= 4) = 15 x 0.2^4 x
    0.8^2 + 6 x 0.2^5 x 0.8 + 0.2^6 = 0.01696; for 0.5, 22 / 64 = 0.34375; for 0.3,
    0.07047; in all 0.43118."""
    shares = [0.2, 0.5, 0.3]
    for hits in range(1, 7):
        exact = _max_count_tail(hits, 6, shares)
        bound = modal_greater(hits, 6, shares)
        if hits > 3:
            assert bound == pytest.approx(exact, rel=1e-9)
        else:
            assert bound >= exact - 1e-12
    assert modal_greater(4, 6, shares) == pytest.approx(0.43118, abs=5e-6)
    # A share of answers times the people: between the whole counts' tails.
    assert modal_greater(5, 6, shares) < modal_greater(4.5, 6, shares) < modal_greater(4, 6, shares)
    assert modal_greater(0, 6, shares) == 1.0


def test_item_rest_correlation_matches_pearson_on_the_expanded_responses() -> None:
    """Answer patterns with how many gave each give what scipy's pearsonr (one-sided, r < 0)
    gives on the responses written out one by one; an unanswered question is left out of
    the respondent's rest, and a respondent with nothing else answered out of its r."""
    from scipy import stats

    nan = float("nan")
    patterns = np.array(
        [
            [0, 25, 100],
            [25, 25, 75],
            [50, 75, 50],
            [100, 75, 0],
            [75, 100, nan],
            [nan, 50, 25],
            [100, nan, nan],
        ]  # fmt: skip
    )
    counts = [3, 1, 2, 4, 2, 1, 5]
    found = item_rest_correlations(patterns, counts)
    rows = np.repeat(patterns, counts, axis=0)
    for question, (r, p, n) in enumerate(found):  # type: ignore[misc]
        own = rows[:, question]
        others = np.delete(rows, question, axis=1)
        answered = (~np.isnan(others)).sum(axis=1)
        rest = np.nansum(others, axis=1) / np.maximum(answered, 1)
        used = ~np.isnan(own) & (answered > 0)
        expected = stats.pearsonr(own[used], rest[used], alternative="less")
        assert (r, p, n) == pytest.approx(
            (expected.statistic, expected.pvalue, int(used.sum())), rel=1e-12
        )
    assert [n for _, _, n in found] == [12, 13, 11]  # type: ignore[misc]


def test_item_rest_correlation_by_hand() -> None:
    # Two questions answered exactly against each other: r = -1, surely.
    assert item_rest_correlations([[0, 100], [50, 50], [100, 0]], [1, 1, 1]) == [
        (-1.0, 0.0, 3),
        (-1.0, 0.0, 3),
    ]
    # Answered alike: r = 1, and no sign of running against.
    assert item_rest_correlations([[0, 0], [100, 100]], [2, 1]) == [(1.0, 1.0, 3)] * 2
    # One question alone, a question everyone answered alike, fewer than 3: nothing to say.
    assert item_rest_correlations([[0], [100]], [5, 5]) == [None]
    assert item_rest_correlations([[50, 0], [50, 100]], [3, 3]) == [None, None]
    assert item_rest_correlations([[0, 100], [100, 0]], [1, 1]) == [None, None]


def test_missing_ruled_out_is_the_interval_against_the_margin() -> None:
    """Ruled out when the 95% interval of the survey's excess over what leaders observed lies
    below 12.5 points: here a survey variance of 4 and 100 / 25 conversations, so sd
    sqrt(8) = 2.828 and the interval reaches 1.96 x 2.828 = 5.54 above the excess: 5 is
    ruled out (10.54), 7 is not (12.54). Without the comparison, the late third's drop:
    variance 2 x 48 / 6 = 16, reaching 7.84 above it: 4 is ruled out, 5 is not."""
    from analysis.evidence import missing_ruled_out

    row = pd.Series(
        {
            "shrunk_score": 70.0,
            "shrunk_var": 4.0,
            "scored": 10,
            "observed_score": 65.0,
            "observed_var": 100.0,
            "conversations": 25,
            "early_score": 80.0,
            "late_score": 76.0,
            "wave_var": 48.0,
            "wave_n": 6,
        }
    )
    base = plain_baseline()
    assert missing_ruled_out(row, base, gap=True)
    assert not missing_ruled_out(row.replace(65.0, 63.0), base, gap=True)
    assert missing_ruled_out(row, base, gap=False)
    assert not missing_ruled_out(row.replace(76.0, 75.0), base, gap=False)
    assert not missing_ruled_out(row.drop(["early_score", "late_score"]), base, gap=False)
