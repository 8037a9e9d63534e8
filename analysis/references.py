"""What a typical department of the organisation looks like, and how far a department may
stray from it by chance and by the ordinary differences between departments.

How a department is judged "unusual" follows the overdispersed funnel plots used to compare
hospitals (Spiegelhalter 2005, "Handling over-dispersion of performance indicators", Qual
Saf Health Care 14:347-351): a department is set against the spread of typical departments,
not only against chance. The spread between typical departments (tau^2) comes from a
Paule-Mandel (1982) style estimating equation (DerSimonian & Laird 1986 for the weights)
over the departments that are not outliers on the measure, corrected for that trimming, so
planted problems neither widen the spread (and hide) nor move the typical value (an
empirical null, Efron 2004, "Large-scale simultaneous hypothesis testing", JASA 99:96-104).
Shares are compared on Freeman & Tukey's (1950) double-arcsine scale.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from analysis.department_table import polite_options
from analysis.stats import (
    binomial_greater,
    binomial_less,
    moderated_variance,
    poisson_less,
    variance_prior,
)

SCREEN_ALPHA = 0.05  # a department this unusual is left out of the references
CHI2_1_MEDIAN = float(special.chdtri(1, 0.5))
SCREEN_Z = float(special.ndtri(1 - SCREEN_ALPHA / 2))
# The mean square of a standard normal truncated at +-SCREEN_Z.
TRUNCATED_SQUARE = 1 - 2 * SCREEN_Z * math.exp(-(SCREEN_Z**2) / 2) / math.sqrt(2 * math.pi) / (
    1 - SCREEN_ALPHA
)
MIN_CONVERSATIONS = 3  # a department's conversations count as evidence from this many


@dataclass(frozen=True)
class Reference:
    """A measure in a typical department: the mean and the spread between departments."""

    mean: float
    tau2: float = 0.0

    def p_below(self, value: float, variance: float) -> float:
        """One-sided p for a department's value below typical, given its sampling variance."""
        return _normal_p(self.mean - value, variance + self.tau2)

    def p_above(self, value: float, variance: float) -> float:
        return _normal_p(value - self.mean, variance + self.tau2)


def _normal_p(difference: float, variance: float) -> float:
    if variance <= 0:
        return 0.0 if difference > 0 else 1.0
    return float(special.ndtr(-difference / math.sqrt(variance)))


def _angle(share: Any) -> Any:
    """A share on the Freeman-Tukey scale: 2 asin(sqrt(p))."""
    return 2 * np.arcsin(np.sqrt(np.clip(share, 0.0, 1.0)))


def freeman_tukey(hits: Any, trials: Any) -> Any:
    """Freeman & Tukey's (1950) double arcsine of hits out of trials: variance close to
    1/(n + 1/2) whatever the share, zero counts included, so departments with few and many
    trials, near 0% or not, are set side by side fairly."""
    return np.arcsin(np.sqrt(hits / (trials + 1))) + np.arcsin(np.sqrt((hits + 1) / (trials + 1)))


@dataclass(frozen=True)
class ShareReference:
    """A proportion in a typical department: the pooled share, and the spread between
    departments on the Freeman-Tukey scale."""

    share: float
    spread: Reference

    def p_above(self, hits: int, trials: int, effective: float | None = None) -> float:
        """One-sided p for more hits than typical: the exact binomial's, or the spread's if
        larger."""
        exact = binomial_greater(hits, trials, self.share)
        worth = trials if effective is None else effective
        return max(exact, self.spread.p_above(freeman_tukey(hits, trials), 1 / (worth + 0.5)))

    def p_below(self, hits: int, trials: int) -> float:
        exact = binomial_less(hits, trials, self.share)
        return max(exact, self.spread.p_below(freeman_tukey(hits, trials), 1 / (trials + 0.5)))


def _root_rate(counts: Any, exposure: Any) -> Any:
    """A count per person on Anscombe's (1948) square-root scale: sqrt((k + 3/8) / N) has a
    variance close to 1/(4N) whatever the rate, as the double arcsine does for shares."""
    return np.sqrt((counts + 0.375) / exposure)


@dataclass(frozen=True)
class RateReference:
    """Events per person (tickets per head over a period) in a typical department: the
    pooled rate, and the spread between departments on the square-root scale."""

    rate: float
    spread: Reference

    def p_below(self, count: int, exposure: float) -> float:
        """One-sided p for fewer events than typical: the exact Poisson's, or the spread's
        if larger (a department that is merely at the low end of the ordinary spread is
        not "clearly fewer")."""
        exact = poisson_less(count, self.rate * exposure)
        root = float(_root_rate(count, exposure))
        return max(exact, self.spread.p_below(root, 1 / (4 * exposure)))


def _rate_reference(counts: pd.Series, exposure: pd.Series) -> RateReference:
    """A rate's reference, pooled over the typical departments (as `_share_reference`)."""
    usable = exposure > 0
    counts, exposure = counts[usable].astype(float), exposure[usable].astype(float)
    if float(exposure.sum()) <= 0 or float(counts.sum()) <= 0:
        return RateReference(np.nan, Reference(np.nan))
    k = np.rint(counts.to_numpy(float))
    people = exposure.to_numpy(float)

    def pooled(kept: np.ndarray) -> float:
        return float(np.sqrt(k[kept].sum() / people[kept].sum()))

    def exact(root: float) -> np.ndarray:
        """Two-sided exact Poisson p of each department against the rate."""
        expected = np.maximum(root**2 * people, 1e-9)
        low = special.pdtr(k, expected)
        high = np.where(k > 0, special.pdtrc(k - 1, expected), 1.0)
        return np.minimum(1.0, 2 * np.minimum(low, high))

    start = float(np.sqrt(((counts + 0.5) / exposure).median()))
    spread = _reference(_root_rate(counts, exposure), 1 / (4 * exposure), pooled, exact, start)
    return RateReference(float(spread.mean**2), spread)


@dataclass(frozen=True)
class Baseline:
    """What a typical department of this organisation looks like."""

    response_rate: ShareReference
    polite_options: tuple[float, ...]  # each polite option's share of all answers
    polite_share: ShareReference  # answers on a department's most common polite option
    poor_share: ShareReference  # poor ratings, the usual complainers set aside
    poor_share_everyone: ShareReference  # poor ratings, every respondent counted
    poor_observed_share: ShareReference
    gap: Reference  # shrunk survey score less observed score
    wave_drop: Reference  # early third less late third
    observed_var: float = float("nan")  # the pooled spread of observed scores within departments
    observed_prior: tuple[float, float] = (float("nan"), 0.0)  # their spreads' s0^2, d0
    # The service desk's side (None without a ticket export for the period).
    ticket_rate: RateReference | None = None  # tickets per head
    sla_share: ShareReference | None = None  # tickets resolved within SLA
    trouble_share: ShareReference | None = None  # conversations finding what the desk missed
    survey_score: Reference | None = None
    observed_score: Reference | None = None


def _solve_tau2(squares: np.ndarray, v: np.ndarray, target: float, average: Callable) -> float:
    """The tau^2 >= 0 at which average((y - mu)^2 / (v + tau^2)) equals `target` (the
    average falls as tau^2 grows; Brent's method): a Paule-Mandel (1982) style estimating
    equation."""

    def excess(tau2: float) -> float:
        return float(average(squares / (v + tau2))) - target

    if excess(0.0) <= 0:
        return 0.0
    high = float(np.max(squares))
    if excess(high) > 0:
        return high
    return float(optimize.brentq(excess, 0.0, high, xtol=1e-300))


def _reference(
    values: Any,
    variances: Any,
    pooled: Callable[[np.ndarray], float] | None = None,
    exact: Callable[[float], np.ndarray] | None = None,
    start: float | None = None,
) -> Reference:
    """The typical value and spread, from the departments that are not outliers on it.

    Planted problems would widen the spread and hide themselves, so: start from the median
    (or `start`) and the tau^2 that makes the median squared z-score
    chi-square(1)'s median; set aside the departments whose two-sided p is under
    SCREEN_ALPHA (for counts, only where the exact test agrees); estimate the mean
    (weighted, or pooled) and tau^2 again from the rest, tau^2 from the mean squared z-score
    a normal truncated at +-SCREEN_Z has (so trimming does not narrow the spread); repeat
    until it settles.

    `pooled` takes the departments kept (a mask over `values`); `exact` gives each
    department's two-sided exact p at a typical value."""
    y = np.asarray(values, dtype=float)
    v = np.clip(np.asarray(variances, dtype=float), 1e-9, None)
    usable = np.isfinite(y) & ~np.isnan(v)
    if not usable.any():
        return Reference(np.nan)
    mu = float(np.median(y[usable])) if start is None else start
    tau2 = _solve_tau2((y[usable] - mu) ** 2, v[usable], CHI2_1_MEDIAN, np.median)
    kept = None
    for _ in range(20):
        with np.errstate(invalid="ignore"):
            outside = np.abs(y - mu) / np.sqrt(v + tau2) > SCREEN_Z
        if exact is not None:
            outside &= exact(mu) < SCREEN_ALPHA
        inside = usable & ~outside
        if inside.sum() < 2 or (kept is not None and np.array_equal(inside, kept)):
            break
        kept = inside
        yk, vk = y[kept], v[kept]
        for _ in range(5):
            weights = 1 / (vk + tau2)
            mu = pooled(kept) if pooled else float(np.sum(weights * yk) / np.sum(weights))
            tau2 = _solve_tau2((yk - mu) ** 2, vk, TRUNCATED_SQUARE, np.mean)
    return Reference(float(mu), float(tau2))


def _share_reference(
    hits: pd.Series, trials: pd.Series, effective: pd.Series | None = None
) -> ShareReference:
    """A proportion's reference: pooled over the typical departments, the spread around it.

    `effective`: what each department's trials are worth as a sample (default: trials)."""
    if float(trials.sum()) <= 0:
        return ShareReference(np.nan, Reference(np.nan))
    worth = trials if effective is None else effective

    successes, tries = hits.to_numpy(float), trials.to_numpy(float)
    k, n = np.rint(successes).astype(np.int64), np.rint(tries).astype(np.int64)

    def pooled(kept: np.ndarray) -> float:
        return float(_angle(successes[kept].sum() / tries[kept].sum()))

    def exact(angle: float) -> np.ndarray:
        """Two-sided exact binomial p of each department against the share."""
        share = min(max(float(np.sin(angle / 2) ** 2), 1e-9), 1 - 1e-9)
        low = special.bdtr(k, n, share)
        high = special.bdtrc(k - 1, n, share)
        return np.minimum(1.0, 2 * np.minimum(low, high))

    # The median department's share, each nudged off zero as a Jeffreys estimate is, so
    # that an organisation where most departments have no poor rating starts from "few".
    start = float(_angle(((hits + 0.5) / (trials + 1)).median()))
    spread = _reference(freeman_tukey(hits, trials), 1 / (worth + 0.5), pooled, exact, start)
    return ShareReference(float(np.sin(spread.mean / 2) ** 2), spread)


def baseline(table: pd.DataFrame, options: pd.DataFrame, min_group_size: int) -> Baseline:
    """References from the departments of `table` that hold enough data for each measure.

    `options`: answers per department and option (`department_table.option_counts`)."""
    rated = table[(table["scored"] >= min_group_size) & table["survey_var"].notna()]
    heard = table[table["conversations"] >= MIN_CONVERSATIONS]
    both = rated[rated["conversations"] >= MIN_CONVERSATIONS].dropna(subset=["observed_var"])
    waves = rated.dropna(subset=["early_score", "late_score"])
    counted = table[table["headcount"] > 0]
    rated_options = options.reindex(rated.index)
    pooled = polite_options(rated_options).sum()
    answered = float(rated_options.sum().sum())
    # One person's answers move together: each department's answers count as many as the
    # people who gave them (a design effect at its largest, Kish 1965).
    polite = rated.dropna(subset=["polite_share"])
    observed_prior = variance_prior(heard["observed_var"], heard["conversations"] - 1)
    return Baseline(
        response_rate=_share_reference(counted["counted_responses"], counted["headcount"]),
        polite_options=tuple(float(v) / answered for v in pooled) if answered > 0 else (),
        polite_share=_share_reference(polite["polite_share"] * polite["scored"], polite["scored"]),
        poor_share=_share_reference(rated["poor_robust"], rated["robust_n"]),
        poor_share_everyone=_share_reference(rated["poor"], rated["scored"]),
        poor_observed_share=_share_reference(
            heard["poor_observed"], heard["conversations"], heard_people(heard)
        ),
        gap=_reference(both["shrunk_score"] - both["observed_score"], gap_variance(both)),
        wave_drop=_reference(
            waves["early_score"] - waves["late_score"], 2 * waves["wave_var"] / waves["wave_n"]
        ),
        observed_var=pooled_variance(heard["observed_var"], heard["conversations"], np.nan),
        observed_prior=observed_prior,
        **(
            _desk_references(table, rated, heard, observed_prior)
            if "tickets" in table.columns
            else {}
        ),
    )


def _desk_references(
    table: pd.DataFrame, rated: pd.DataFrame, heard: pd.DataFrame, prior: tuple[float, float]
) -> dict:
    """The references the service desk flags are judged against."""
    counted = table[(table["headcount"] > 0) & table["tickets"].notna()]
    timed = table[table["sla_known"] > 0]
    spread = moderated_variance(heard["observed_var"], heard["conversations"] - 1, prior)[0]
    return {
        "ticket_rate": _rate_reference(counted["tickets"], counted["headcount"]),
        "sla_share": _share_reference(timed["sla_met_count"], timed["sla_known"]),
        "trouble_share": _share_reference(
            heard["troubled"], heard["conversations"], heard_people(heard)
        ),
        "survey_score": _reference(rated["survey_score"], rated["survey_var"] / rated["scored"]),
        "observed_score": _reference(
            heard["observed_score"],
            spread / heard_people(heard),
        ),
    }


def pooled_variance(values: pd.Series, counts: pd.Series, default: float) -> float:
    """The pooled within-department variance: each department's weighted by its n - 1."""
    usable = values.notna() & (counts >= 2)
    dof = counts[usable] - 1
    return float((values[usable] * dof).sum() / dof.sum()) if dof.sum() > 0 else default


def gap_variance(rows: pd.DataFrame | pd.Series) -> Any:
    """The sampling variance of a department's shrunk survey score less its observed score.

    Respondents and the people leaders met are samples of one department, so the
    department's own level, which `heard_people` adds when a department is set against the
    typical one, cancels here: what is left is the shrunk score's error (its empirical-Bayes
    posterior variance, smaller than the raw mean's where it was shrunk) and the
    conversations' (each counts). Over simulated clean departments of five to nine ratings
    the raw mean's variance and a headcount cap on conversations made the variance twice
    what the differences showed."""
    return rows["shrunk_var"] + rows["observed_var"] / rows["conversations"]


def heard_people(rows: pd.DataFrame | pd.Series) -> Any:
    """What n conversations in a department of N people are worth as a sample of the people
    such a department could hold: 1 / (1/n + 1/N). Leaders meet the same few people again in
    a small department, and those few are all the department has, so talking more there
    cannot tell more than its headcount does (for sampling with replacement from a finite
    population drawn from the typical one, the variance about the typical mean is
    sigma^2 (1/n + 1/N))."""
    talks = rows["conversations"]
    headcount = np.maximum(rows["headcount"], 1)
    return talks * headcount / (talks + headcount)
