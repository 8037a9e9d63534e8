"""The flags: each a survey test and a face-to-face test per department, combined, with the
false discovery rate held across departments.

How a department is judged "unusual" follows the overdispersed funnel plots used to compare
hospitals (Spiegelhalter 2005, "Handling over-dispersion of performance indicators", Qual
Saf Health Care 14:347-351): a department is set against the spread of typical departments,
not only against chance, where the spread between typical departments (tau^2) is the
DerSimonian-Laird moment estimate (DerSimonian & Laird 1986). A large department that is a
little below typical is then not "clearly below"; a small one needs a clear difference, as
the exact binomial or chi-square test already asks. Each part's p-value is the larger of
the exact test's and the spread-adjusted one's.

The typical departments are those no test singles out (an empirical null, Efron 2004,
"Large-scale simultaneous hypothesis testing", JASA 99:96-104), so an organisation where
many departments have problems does not take the problems for the norm.

For each flag the survey evidence and the face-to-face evidence (independent samples) are
combined with Fisher's method into one p-value per department; Benjamini-Hochberg (1995)
holds the false discovery rate at ALPHA across departments on it, and each part must also
reach GATE_ALPHA on its own, so one kind of evidence alone never raises a flag.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from analysis.stats import (
    benjamini_hochberg,
    binomial_greater,
    binomial_less,
    variance_less,
)

ALPHA = 0.01  # false discovery rate for each flag, across departments
GATE_ALPHA = 0.10  # one-sided level each part of a flag's evidence must reach on its own
SCREEN_ALPHA = 0.05  # a department this unusual is left out of the references
CHI2_1_MEDIAN = float(special.chdtri(1, 0.5))
SCREEN_Z = float(special.ndtri(1 - SCREEN_ALPHA / 2))
# The mean square of a standard normal truncated at +-SCREEN_Z.
TRUNCATED_SQUARE = 1 - 2 * SCREEN_Z * math.exp(-(SCREEN_Z**2) / 2) / math.sqrt(2 * math.pi) / (
    1 - SCREEN_ALPHA
)
MIN_CONVERSATIONS = 3
TWO_PASS = True
UNVISITED_DAYS = 180


Outcome = tuple[float, float, str]  # survey p, face-to-face p, evidence


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    evidence: str


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


def _freeman_tukey(hits: Any, trials: Any) -> Any:
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
        return max(exact, self.spread.p_above(_freeman_tukey(hits, trials), 1 / (worth + 0.5)))

    def p_below(self, hits: int, trials: int) -> float:
        exact = binomial_less(hits, trials, self.share)
        return max(exact, self.spread.p_below(_freeman_tukey(hits, trials), 1 / (trials + 0.5)))


@dataclass(frozen=True)
class Baseline:
    """What a typical department of this organisation looks like."""

    response_rate: ShareReference
    log_variance: Reference  # of the survey scores, on the log scale
    poor_share: ShareReference
    poor_observed_share: ShareReference
    gap: Reference  # shrunk survey score less observed score
    wave_drop: Reference  # early third less late third


def _solve_tau2(squares: np.ndarray, v: np.ndarray, target: float, average: Callable) -> float:
    """The tau^2 >= 0 at which average((y - mu)^2 / (v + tau^2)) equals `target` (bisection;
    the average falls as tau^2 grows): a Paule-Mandel (1982) style estimating equation."""
    if average(squares / v) <= target:
        return 0.0
    low, high = 0.0, float(np.max(squares))
    for _ in range(60):
        middle = (low + high) / 2
        if average(squares / (v + middle)) > target:
            low = middle
        else:
            high = middle
    return high


def _reference(
    values: pd.Series,
    variances: pd.Series,
    pooled: Callable[[pd.Index], float] | None = None,
    exact: Callable[[float], pd.Series] | None = None,
    start: float | None = None,
) -> Reference:
    """The typical value and spread, from the departments that are not outliers on it.

    Planted problems would widen the spread and hide themselves, so: start from the median
    (or `start`) and the tau^2 that makes the median squared z-score
    chi-square(1)'s median; set aside the departments whose two-sided p is under
    SCREEN_ALPHA (for counts, only where the exact test agrees); estimate the mean
    (weighted, or pooled) and tau^2 again from the rest, tau^2 from the mean squared z-score
    a normal truncated at +-SCREEN_Z has (so trimming does not narrow the spread); repeat
    until it settles."""
    usable = values.notna() & variances.notna() & np.isfinite(values)
    y, v = values[usable].astype(float), variances[usable].astype(float).clip(lower=1e-9)
    if len(y) == 0:
        return Reference(np.nan)
    mu = float(np.median(y)) if start is None else start
    tau2 = _solve_tau2(((y - mu) ** 2).to_numpy(), v.to_numpy(), CHI2_1_MEDIAN, np.median)
    kept = None
    for _ in range(20):
        outside = (y - mu).abs() / np.sqrt(v + tau2) > SCREEN_Z
        if exact is not None:
            outside &= exact(mu)[y.index] < SCREEN_ALPHA
        inside = y.index[~outside]
        if len(inside) < 2 or (kept is not None and inside.equals(kept)):
            break
        kept = inside
        yk, vk = y[kept].to_numpy(), v[kept].to_numpy()
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

    def pooled(kept: pd.Index) -> float:
        return float(_angle(hits[kept].sum() / trials[kept].sum()))

    def exact(angle: float) -> pd.Series:
        """Two-sided exact binomial p of each department against the share."""
        share = min(max(float(np.sin(angle / 2) ** 2), 1e-9), 1 - 1e-9)
        k = np.rint(hits.to_numpy(float)).astype(np.int64)
        n = np.rint(trials.to_numpy(float)).astype(np.int64)
        low = special.bdtr(k, n, share)
        high = special.bdtrc(k - 1, n, share)
        return pd.Series(np.minimum(1.0, 2 * np.minimum(low, high)), index=hits.index)

    # The median department's share, each nudged off zero as a Jeffreys estimate is, so
    # that an organisation where most departments have no poor rating starts from "few".
    start = float(_angle(((hits + 0.5) / (trials + 1)).median()))
    spread = _reference(_freeman_tukey(hits, trials), 1 / (worth + 0.5), pooled, exact, start)
    return ShareReference(float(np.sin(spread.mean / 2) ** 2), spread)


def baseline(table: pd.DataFrame, min_group_size: int) -> Baseline:
    """References from the departments of `table` that hold enough data for each measure."""
    rated = table[(table["scored"] >= min_group_size) & table["survey_var"].notna()]
    heard = table[table["conversations"] >= MIN_CONVERSATIONS]
    both = rated[rated["conversations"] >= MIN_CONVERSATIONS].dropna(subset=["observed_var"])
    waves = rated.dropna(subset=["early_score", "late_score"])
    counted = table[table["headcount"] > 0]
    return Baseline(
        response_rate=_share_reference(counted["counted_responses"], counted["headcount"]),
        log_variance=_reference(
            np.log(rated["survey_var"].clip(lower=1.0)), 2 / (rated["scored"] - 1)
        ),
        poor_share=_share_reference(rated["poor_robust"], rated["robust_n"]),
        poor_observed_share=_share_reference(
            heard["poor_observed"], heard["conversations"], _heard_people(heard)
        ),
        gap=_reference(both["shrunk_score"] - both["observed_score"], _gap_variance(both)),
        wave_drop=_reference(
            waves["early_score"] - waves["late_score"],
            (waves["early_var"] + waves["late_var"]) / waves["wave_n"],
        ),
    )


def _gap_variance(rows: pd.DataFrame | pd.Series) -> Any:
    return rows["survey_var"] / rows["scored"] + rows["observed_var"] / _heard_people(rows)


def _heard_people(rows: pd.DataFrame | pd.Series) -> Any:
    """What n conversations in a department of N people are worth as a sample of the people
    such a department could hold: 1 / (1/n + 1/N). Leaders meet the same few people again in
    a small department, and those few are all the department has, so talking more there
    cannot tell more than its headcount does (for sampling with replacement from a finite
    population drawn from the typical one, the variance about the typical mean is
    sigma^2 (1/n + 1/N))."""
    talks = rows["conversations"]
    headcount = np.maximum(rows["headcount"], 1)
    return talks * headcount / (talks + headcount)


def _gap_p(row: pd.Series, base: Baseline) -> float:
    """One-sided p for the survey reading rosier than what leaders observed, beyond typical
    (Welch's t with the spread between typical departments added to the variance)."""
    a = row["survey_var"] / row["scored"]
    b = row["observed_var"] / _heard_people(row)
    variance = a + b + base.gap.tau2
    excess = row["shrunk_score"] - row["observed_score"] - base.gap.mean
    if variance <= 0:
        return 0.0 if excess > 0 else 1.0
    df = float(min(row["scored"], row["conversations"]) - 1)
    if a + b > 0:  # Welch-Satterthwaite
        df = (a + b) ** 2 / (a * a / (row["scored"] - 1) + b * b / (row["conversations"] - 1))
    return float(special.stdtr(df, -excess / math.sqrt(variance)))


def _rate_p(row: pd.Series, base: Baseline) -> float:
    """One-sided p for a response rate below typical: exact, and beyond the usual spread."""
    return base.response_rate.p_below(int(row["counted_responses"]), int(row["headcount"]))


# Severity is the flag's q-value (the false discovery rate at which it would just be raised):
# the share of flags like it that are false alarms is at most this, in the long run.
SEVERITY_Q = (("high", 0.0001), ("medium", 0.001))


def _severity(q_value: float) -> str:
    for name, bound in SEVERITY_Q:
        if q_value < bound:
            return name
    return "low"


def _pct(value: float) -> str:
    return f"{round(value * 100):.0f}%"


def _points(value: float) -> str:
    return f"{abs(round(value)):.0f}"


def _nrb_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    if row["headcount"] <= 0 or row["scored"] < 2 or not base.response_rate.share > 0:
        return None
    p_rate = _rate_p(row, base)
    evidence = []
    p_values = []
    if pd.notna(row.get("early_score")) and pd.notna(row.get("late_score")):
        n = int(row["wave_n"])
        drop = row["early_score"] - row["late_score"]
        if pd.notna(base.wave_drop.mean):
            p_values.append(base.wave_drop.p_above(drop, (row["early_var"] + row["late_var"]) / n))
        if drop > 0:
            evidence.append(
                f"the last third scored {_points(drop)} points lower than the first third"
            )
    # A department heard but never rated has no survey score to hold against what was heard.
    if (
        row["conversations"] >= MIN_CONVERSATIONS
        and pd.notna(row["observed_var"])
        and pd.notna(base.gap.mean)
    ):
        p_values.append(_gap_p(row, base))
        if row["observed_score"] < row["survey_score"]:
            evidence.append(
                f"leaders observed {_points(row['observed_score'])} against the "
                f"survey's {_points(row['survey_score'])}"
            )
    if not p_values:
        return None
    p_missing = min(1.0, len(p_values) * min(p_values))  # Bonferroni over the two routes
    text = f"Only {_pct(row['response_rate'])} answered (typical {_pct(base.response_rate.share)})"
    if hidden:
        text += (
            ", and late answers or face-to-face findings point to less satisfied non-respondents."
        )
    elif evidence:
        text += "; " + " and ".join(evidence) + "."
    else:
        text += "."
    return p_rate, p_missing, text


def _im_fine_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    if row["scored"] < 3 or row["conversations"] < MIN_CONVERSATIONS:
        return None
    if pd.isna(row["observed_var"]) or pd.isna(row["survey_var"]):
        return None
    if np.isnan(base.log_variance.mean) or np.isnan(base.gap.mean):
        return None
    n = int(row["scored"])
    log_variance = math.log(max(row["survey_var"], 1.0))
    p_bunched = max(
        variance_less(row["survey_var"], n, math.exp(base.log_variance.mean)),
        base.log_variance.p_below(log_variance, 2 / (n - 1)),
    )
    p_gap = _gap_p(row, base)
    if hidden:
        text = (
            "Survey answers bunch on one polite option while leaders observed problems "
            "face to face (scores hidden: small group)."
        )
    else:
        text = (
            f"{_pct(row['modal_share'])} of answers sit on one option and only "
            f"{_pct(row['extreme_share'])} at either end, yet leaders observed "
            f"{_points(row['observed_score'])} against the survey's "
            f"{_points(row['survey_score'])}"
        )
        if pd.notna(row.get("said_minus_seen")) and row["said_minus_seen"] > 0:
            text += (
                f"; people said {_points(row['stated_score'])} but were seen at "
                f"{_points(row['observed_score'])}"
            )
        text += "."
    return p_bunched, p_gap, text


def _complaints_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    if row["robust_n"] < 2 or row["conversations"] < MIN_CONVERSATIONS:
        return None
    poor, seen = base.poor_share, base.poor_observed_share
    if np.isnan(poor.share) or np.isnan(seen.share):
        return None
    p_poor = poor.p_above(int(row["poor_robust"]), int(row["robust_n"]))
    p_seen = seen.p_above(
        int(row["poor_observed"]), int(row["conversations"]), float(_heard_people(row))
    )
    heard = (
        f"leaders saw problems in {int(row['poor_observed'])} of "
        f"{int(row['conversations'])} conversations"
    )
    if hidden:
        text = (
            "Poor ratings come from many respondents, and leaders saw problems face to face "
            "(figures hidden: small group)."
        )
    else:
        text = (
            f"{int(row['poor'])} of {int(row['scored'])} respondents rated IT poorly "
            f"(typical {_pct(poor.share)}), not just a few, and {heard}."
        )
    return p_poor, p_seen, text


TESTS = {
    "non_response_bias": _nrb_test,
    "im_fine": _im_fine_test,
    "corroborated_complaints": _complaints_test,
}


def fisher_combined(p_values: Sequence[float]) -> float:
    """Fisher's (1932) combination of independent one-sided p-values: -2 sum ln p ~ chi2(2k)."""
    statistic = -2.0 * sum(math.log(max(p, 1e-300)) for p in p_values)
    return float(special.chdtrc(2 * len(p_values), statistic))


def _outcomes(
    table: pd.DataFrame, base: Baseline, hidden: set[str], min_group_size: int
) -> dict[str, dict[str, Outcome]]:
    """Per flag, the departments it could test and their outcome."""
    results: dict[str, dict[str, Outcome]] = {code: {} for code in TESTS}
    for name, row in table.iterrows():
        if not row["scored"] >= min_group_size:  # too few rated to test (or to quote)
            continue
        for code, test in TESTS.items():
            outcome = test(row, base, str(name) in hidden)
            if outcome is not None:
                results[code][str(name)] = outcome
    return results


def assess_flags(
    table: pd.DataFrame,
    *,
    as_of: date,
    min_group_size: int,
    hidden: set[str],
    alpha: float = ALPHA,
) -> tuple[dict[str, list[Flag]], dict[str, list[str]]]:
    """Flags per department, and per department the flags it had too little data to test.

    Each flag's survey evidence and face-to-face evidence are combined (Fisher) into one
    p-value per department, and the false discovery rate is held across departments on it
    (Benjamini-Hochberg); each part must also reach GATE_ALPHA on its own, so a department
    is never flagged on one kind of evidence alone.

    `hidden`: departments whose survey or conversation figures are hidden; their evidence
    quotes no number."""
    base = baseline(table, min_group_size)
    results = _outcomes(table, base, hidden, min_group_size)
    singled = {
        name
        for per_code in results.values()
        for name, (p_main, p_corroboration, _) in per_code.items()
        if fisher_combined((p_main, p_corroboration)) < SCREEN_ALPHA
    }
    if TWO_PASS and singled and len(singled) < len(table):
        base = baseline(table.drop(index=list(singled)), min_group_size)
        results = _outcomes(table, base, hidden, min_group_size)
    flags: dict[str, list[Flag]] = {str(name): [] for name in table.index}
    untested: dict[str, list[str]] = {
        str(name): [code for code in TESTS if str(name) not in results[code]]
        for name in table.index
    }
    for code, per_department in results.items():
        names = list(per_department)
        combined = [fisher_combined(per_department[n][:2]) for n in names]
        for name, q_value in zip(names, benjamini_hochberg(combined), strict=True):
            p_main, p_corroboration, evidence = per_department[name]
            if q_value <= alpha and max(p_main, p_corroboration) <= GATE_ALPHA:
                flags[name].append(Flag(code, _severity(q_value), evidence))
    cutoff = pd.Timestamp(as_of - timedelta(days=UNVISITED_DAYS))
    for department, row in table.iterrows():
        last = row["last_visit"]
        if pd.isna(last) or last < cutoff:
            when = "never" if pd.isna(last) else f"last on {last.date().isoformat()}"
            flags[str(department)].append(
                Flag(
                    "unvisited",
                    "medium" if pd.isna(last) else "low",
                    f"No walkabout conversation in the {UNVISITED_DAYS} days before "
                    f"{as_of.isoformat()} ({when}); the survey stands unverified.",
                )
            )
    return flags, untested
