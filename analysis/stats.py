"""The statistics behind the report: intervals, tests, FDR control, shrinkage, weighting."""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

# scipy.special, not scipy.stats: the same distribution functions (equal to 1e-11 over
# random arguments), and a third of the import time, which the command line pays every run.
from scipy import optimize, special

Z95 = float(special.ndtri(0.975))


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """95% Wilson score interval for a proportion (Newcombe 1998a); None when trials is 0."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """BH-adjusted p-values (step-up, monotone, capped at 1)."""
    m = len(p_values)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        adjusted[index] = min(1.0, running)
    return adjusted


def r_indicator(headcounts: Sequence[int], responses: Sequence[int]) -> float | None:
    """R = 1 - 2 S(rho), rho each person's department response rate, S over all people (N-1)."""
    pairs = [(h, r) for h, r in zip(headcounts, responses, strict=True) if h > 0]
    total = sum(h for h, _ in pairs)
    if total < 2:
        return None
    # A department with more responses than headcount answered at rate 1, in the mean as in
    # the variance.
    rates = [(h, min(r / h, 1.0)) for h, r in pairs]
    mean = sum(h * rate for h, rate in rates) / total
    variance = sum(h * (rate - mean) ** 2 for h, rate in rates) / (total - 1)
    return 1 - 2 * math.sqrt(variance)


def random_effects(
    values: Sequence[float] | np.ndarray, variances: Sequence[float] | np.ndarray
) -> tuple[float, float]:
    """The random-effects mean and the DerSimonian-Laird (1986) between-group variance tau^2.

    `variances` are each value's sampling variance (squared standard error)."""
    y = np.asarray(values, dtype=float)
    s2 = np.maximum(np.asarray(variances, dtype=float), 1e-9)
    if len(y) < 2:
        return (float(y[0]) if len(y) else float("nan")), 0.0
    w = 1 / s2
    y_w = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - y_w) ** 2))
    tau2 = max(
        0.0, (q - (len(y) - 1)) / (float(np.sum(w)) - float(np.sum(w * w)) / float(np.sum(w)))
    )
    weights = 1 / (s2 + tau2)
    return float(np.sum(weights * y) / np.sum(weights)), tau2


def shrink_means(
    means: Sequence[float], variances: Sequence[float]
) -> tuple[list[float], float, float]:
    """Empirical-Bayes (normal-normal) shrinkage with the DerSimonian-Laird tau^2.

    `variances` are the squared standard errors of the means. Returns the shrunk means, the
    pooled mean mu and tau^2.
    """
    y = np.asarray(means, dtype=float)
    s2 = np.maximum(np.asarray(variances, dtype=float), 1e-9)
    if len(y) < 2:
        return list(y), float(y[0]) if len(y) else 0.0, 0.0
    mu, tau2 = random_effects(y, s2)
    shrinkage = s2 / (s2 + tau2)
    return list(mu + (1 - shrinkage) * (y - mu)), mu, tau2


def posterior_variances(variances: Sequence[float], tau2: float) -> list[float]:
    """The error variance of each shrunk mean (`shrink_means`), counting the pooled mean's own
    error (Morris 1983, "Parametric empirical Bayes inference", JASA 78:47-55, less the term
    for tau^2's own error): w v + (1 - w)^2 / sum(1 / (v_j + tau^2)), w = tau^2 / (tau^2 + v).
    With tau^2 = 0 each is the pooled mean's variance; as tau^2 grows, the raw mean's v."""
    v = np.maximum(np.asarray(variances, dtype=float), 1e-9)
    weight = tau2 / (tau2 + v)
    mean_variance = 1 / float(np.sum(1 / (v + tau2)))
    return list(weight * v + (1 - weight) ** 2 * mean_variance)


def binomial_greater(successes: int, trials: int, p0: float) -> float:
    """One-sided p for a proportion above p0 (exact binomial)."""
    if trials <= 0:
        return 1.0
    return float(special.bdtrc(successes - 1, trials, min(max(p0, 1e-9), 1 - 1e-9)))  # P(X >= k)


def binomial_less(successes: int, trials: int, p0: float) -> float:
    """One-sided p for a proportion below p0 (exact binomial)."""
    if trials <= 0:
        return 1.0
    return float(special.bdtr(successes, trials, min(max(p0, 1e-9), 1 - 1e-9)))  # P(X <= k)


def poisson_less(count: int, expected: float) -> float:
    """One-sided p for a count below what a rate leads one to expect (exact Poisson)."""
    if expected <= 0:
        return 1.0
    return float(special.pdtr(count, expected))  # P(X <= k)


def modal_greater(hits: float, trials: float, shares: Sequence[float] | np.ndarray) -> float:
    """One-sided p for some option holding at least `hits` of `trials` answers when each
    answer falls on option j with chance shares[j]: P(max_j X_j >= k), bounded by the sum of
    each option's binomial tail (Bonferroni), which is exact when k > trials / 2 (no two
    options can then both reach k). A small group's most common option holds more than its
    chance share by chance alone; this counts that in.

    `hits` may be fractional (a share of answers times the people who gave them): the tail
    is the regularised incomplete beta I_p(k, n - k + 1), the binomial's at whole k."""
    if trials <= 0 or hits <= 0:
        return 1.0
    k = min(float(hits), float(trials))
    p = np.clip(np.asarray(shares, dtype=float), 0.0, 1.0)
    return float(min(1.0, float(np.sum(special.betainc(k, trials - k + 1, p)))))


_HALF_DF_LEAST, _HALF_DF_MOST = 1e-6, 1e7


def variance_prior(variances: Any, dfs: Any) -> tuple[float, float]:
    """The distribution sample variances of many groups are drawn around (Smyth 2004, the
    moments of log s^2): each group's s^2 is s0^2 times an F(d, d0) variate. Returns
    (s0^2, d0); d0 is infinite where the variances differ no more than chance makes them.
    Groups with a variance of zero or fewer than one degree of freedom are left out."""
    s2 = np.asarray(variances, dtype=float)
    d = np.asarray(dfs, dtype=float)
    usable = np.isfinite(s2) & (s2 > 0) & np.isfinite(d) & (d >= 1)
    s2, d = s2[usable], d[usable]
    if len(s2) == 0:
        return math.nan, 0.0
    if len(s2) == 1:
        return float(s2[0]), 0.0
    # log s^2 less its expectation under chi-square sampling: mean log s0^2 + E log F part
    e = np.log(s2) - special.digamma(d / 2) + np.log(d / 2)
    centre = float(np.mean(e))
    beyond = float(np.var(e, ddof=1) - np.mean(special.polygamma(1, d / 2)))
    # trigamma(d0 / 2) = beyond; trigamma falls from +inf to 0, so d0 is found between
    # bounds past which it is as good as none (1e-6) or infinite (2e7).
    if beyond <= float(special.polygamma(1, _HALF_DF_MOST)):
        return math.exp(centre), math.inf
    half = _HALF_DF_LEAST
    if beyond < float(special.polygamma(1, _HALF_DF_LEAST)):
        half = optimize.brentq(
            lambda x: float(special.polygamma(1, x)) - beyond, _HALF_DF_LEAST, _HALF_DF_MOST
        )
    return math.exp(centre + special.digamma(half) - math.log(half)), 2 * half


def moderated_variance(variance: Any, df: Any, prior: tuple[float, float]) -> tuple[Any, Any]:
    """Groups' variances moved towards the prior, and their degrees of freedom (Smyth 2004:
    (d0 s0^2 + d s^2) / (d0 + d) on d0 + d), so that a few values agreeing by chance do not
    read as a small spread; a group with no variance of its own gets the prior's. Scalars or
    arrays."""
    s0, d0 = prior
    if not np.isfinite(s0) or d0 <= 0:
        return variance, df
    own = np.isfinite(variance) & (np.asarray(df, dtype=float) > 0)
    s2 = np.where(own, variance, 0.0)
    d = np.where(own, df, 0.0)
    if math.isinf(d0):
        return np.full(np.shape(s2), s0), d0 + d
    return (d0 * s0 + d * s2) / (d0 + d), d0 + d


def item_rest_correlations(patterns: Any, counts: Any) -> list[tuple[float, float, int] | None]:
    """Per question, the corrected item-total correlation (Pearson's r of its answers with the
    mean of the respondent's other answers), its one-sided p-value for r < 0 and the responses
    it rests on; None where fewer than three responses answered it and another question.

    `patterns` is answer patterns x questions (NaN where unanswered), `counts` how many
    responses gave each. The questions of one questionnaire run together; one that runs
    against the rest is usually worded the other way (a reverse-keyed item: Nunnally &
    Bernstein 1994, ch. 8; DeVellis 2017, ch. 5). The test is the usual t test of r with
    n - 2 degrees of freedom."""
    values = np.asarray(patterns, dtype=float)
    weights = np.asarray(counts, dtype=float)
    found: list[tuple[float, float, int] | None] = []
    if values.ndim != 2 or values.shape[1] < 2:
        return [None] * (values.shape[1] if values.ndim == 2 else 0)
    answered = ~np.isnan(values)
    totals = np.where(answered, values, 0.0).sum(axis=1)
    numbers = answered.sum(axis=1)
    for question in range(values.shape[1]):
        own = values[:, question]
        others = numbers - answered[:, question]
        rest = np.divide(
            totals - np.where(answered[:, question], own, 0.0),
            others,
            out=np.full(len(own), np.nan),
            where=others > 0,
        )
        use = answered[:, question] & (others > 0)
        w, x, y = weights[use], own[use], rest[use]
        n = int(w.sum())
        if n < 3:
            found.append(None)
            continue
        dx, dy = x - np.average(x, weights=w), y - np.average(y, weights=w)
        sxx, syy = float(w @ (dx * dx)), float(w @ (dy * dy))
        if sxx == 0 or syy == 0:
            found.append(None)
            continue
        r = max(-1.0, min(1.0, float(w @ (dx * dy)) / math.sqrt(sxx * syy)))
        if abs(r) == 1.0:
            p = 0.0 if r < 0 else 1.0
        else:
            t = r * math.sqrt((n - 2) / (1 - r * r))
            p = float(special.stdtr(n - 2, t))
        found.append((r, p, n))
    return found
