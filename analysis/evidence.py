"""How sure the report is about a department, and what a walk there would teach.

The question a walk answers is the one the face-to-face flags ask: does the survey read
rosier than what leaders see, beyond the typical department's difference? Its answer is
settled when the 95% interval of that excess lies above zero (it does) or below
SETTLE_MARGIN points (it does not, by as much as would matter).

- `conversations_needed`: how many more conversations like those so far (same mean and
  spread; the typical department's where there are fewer than two) settle it.
- `walk_value`: the expected value of a walk of WALK_CONVERSATIONS conversations (a
  preposterior, value-of-sample-information calculation; Raiffa & Schlaifer 1961): how much
  it would lower the chance of being wrong about the department, in people (headcount x
  drop in the chance of a wrong call), so a large department in doubt comes first.

Departments whose survey figures are hidden get neither; where only the conversation
figures are hidden, the typical department's stand in for what was observed.

The two parts of the evidence that those missing are less satisfied live here too, each
with its test (`gap_p`, `wave_p`) and its interval: `missing_ruled_out` says when the
evidence so far rules out a shortfall that would matter, so that a department neither
flagged nor cleared reads "not enough evidence" rather than a clean bill.
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.polynomial.hermite_e import hermegauss
from scipy import special

from analysis.references import Baseline, pooled_variance
from analysis.stats import Z95, moderated_variance

SETTLE_MARGIN = 12.5  # points on the 0..100 footing (half a step of a five-point scale)
WALK_CONVERSATIONS = 4  # a walk's usual conversations
MOST_NEEDED = 60  # beyond this, "more conversations" is not the answer
_NODES, _WEIGHTS = hermegauss(24)


def _gap_parts(row: pd.Series, base: Baseline) -> tuple[float, float, float, float]:
    """The survey's excess over what leaders observed, beyond typical, with its two variance
    parts (survey, conversations) and the conversations' degrees of freedom.

    Both samples come from the same department, so its own level cancels in the difference:
    the survey's part is the shrunk score's posterior variance and the conversations count
    in full. A handful of conversations can agree by chance: their spread is moved towards
    the spread departments' conversations have (an empirical-Bayes moderated variance)."""
    spread, spread_df = map(
        float,
        moderated_variance(row["observed_var"], row["conversations"] - 1, base.observed_prior),
    )
    excess = row["shrunk_score"] - row["observed_score"] - base.gap.mean
    return float(excess), float(row["shrunk_var"]), spread / row["conversations"], spread_df


def gap_p(row: pd.Series, base: Baseline) -> float:
    """One-sided p for the survey reading rosier than what leaders observed, beyond typical
    (Welch's t with the spread between typical departments added to the variance)."""
    excess, a, b, spread_df = _gap_parts(row, base)
    variance = a + b + base.gap.tau2
    if variance <= 0:
        return 0.0 if excess > 0 else 1.0
    # Welch-Satterthwaite (a spread known exactly, from the prior alone, adds no term)
    terms = a * a / (row["scored"] - 1) + b * b / spread_df
    df = float((a + b) ** 2 / terms) if terms > 0 else math.inf
    return float(special.stdtr(df, -excess / math.sqrt(variance)))


def _wave_parts(row: pd.Series, base: Baseline) -> tuple[float, float]:
    """The first third's score less the last third's, beyond typical, and its variance."""
    variance = 2 * row["wave_var"] / float(row["wave_n"]) + base.wave_drop.tau2
    return float(row["early_score"] - row["late_score"] - base.wave_drop.mean), float(variance)


def wave_p(row: pd.Series, base: Baseline) -> float:
    """One-sided p for the last third scoring lower than the first, beyond typical: the
    slope of a regression of score on wave (-1 first third, +1 last, 0 the rest; Armstrong
    & Overton's 1977 late respondents standing for those who never answer), whose t-test
    takes the spread of every respondent about that line (`wave_var`, scored - 2 degrees of
    freedom): thirds may hold a single person, too few to measure a spread on, and a
    spread taken around the department's mean would count the trend itself as noise."""
    excess, variance = _wave_parts(row, base)
    if not variance > 0:
        return 0.0 if excess > 0 else 1.0
    return float(special.stdtr(row["scored"] - 2, -excess / math.sqrt(variance)))


def missing_ruled_out(row: pd.Series, base: Baseline, *, gap: bool) -> bool:
    """Whether the evidence so far rules out those missing being SETTLE_MARGIN points or more
    less satisfied: the 95% interval of the survey's excess over what leaders observed lies
    below the margin (`gap`: where that comparison may be made), else that of the late
    third's drop. A three-way answer (clearly so, clearly not by as much as matters, not
    yet known; equivalence testing, Schuirmann 1987), as `conversations_needed` settles."""
    if gap:
        excess, a, b, _ = _gap_parts(row, base)
        variance = a + b + base.gap.tau2
    elif pd.notna(row.get("early_score")) and pd.notna(row.get("late_score")):
        excess, variance = _wave_parts(row, base)
    else:
        return False
    return bool(excess + Z95 * math.sqrt(max(variance, 0.0)) < SETTLE_MARGIN)


@dataclass(frozen=True)
class Typical:
    """Stand-ins for figures a department may not show: the pooled variances."""

    survey_var: float
    observed_var: float


def _parts(
    row: pd.Series, base: Baseline, typical: Typical, *, surveyed: bool, heard: bool
) -> tuple[float, float, float, int]:
    """The excess now, the survey's variance part, the observed variance per conversation,
    and the conversations so far. `surveyed`, `heard`: whether the department's own survey
    and observed figures may be used (not where they are hidden)."""
    talks = int(row["conversations"])
    rated = max(int(0 if pd.isna(row["scored"]) else row["scored"]), 1)
    # The shrunk score's own error where the survey may be used (as the flags' gap test).
    own = row["shrunk_var"] if surveyed and pd.notna(row["shrunk_var"]) else None
    survey_part = (typical.survey_var / rated if own is None else own) + base.gap.tau2
    if surveyed and heard and talks >= 2 and pd.notna(row["observed_var"]):
        excess = row["shrunk_score"] - row["observed_score"] - base.gap.mean
        return float(excess), float(survey_part), float(row["observed_var"]), talks
    # Unheard, heard once, or hidden: the typical department's difference and spread.
    return 0.0, float(survey_part), typical.observed_var, talks


def _settled(excess: float, variance: float) -> bool:
    half = Z95 * math.sqrt(variance)
    return excess - half > 0 or excess + half < SETTLE_MARGIN


def conversations_needed(
    row: pd.Series, base: Baseline, typical: Typical, *, surveyed: bool, heard: bool
) -> int | None:
    excess, survey_part, per_talk, talks = _parts(
        row, base, typical, surveyed=surveyed, heard=heard
    )
    if surveyed and heard and talks >= 2 and _settled(excess, survey_part + per_talk / talks):
        return None
    for more in range(1, MOST_NEEDED + 1):
        if _settled(excess, survey_part + per_talk / (talks + more)):
            return more
    return None


def _wrong(excess: np.ndarray | float, variance: float) -> np.ndarray | float:
    """The chance that the call "rosier by at least half the margin, or not" is wrong."""
    # Answers all alike give no spread: then the call is as sure as the figures are.
    return special.ndtr(-np.abs(excess - SETTLE_MARGIN / 2) / math.sqrt(max(variance, 1e-9)))


def walk_value(
    row: pd.Series, base: Baseline, typical: Typical, *, surveyed: bool, heard: bool
) -> float:
    excess, survey_part, per_talk, talks = _parts(
        row, base, typical, surveyed=surveyed, heard=heard
    )
    now = survey_part + per_talk / max(talks, 1)
    after = survey_part + per_talk / (max(talks, 0) + WALK_CONVERSATIONS)
    moved = math.sqrt(max(now - after, 0.0))  # how far the estimate may move on the walk
    later = float(np.sum(_WEIGHTS * _wrong(excess + moved * _NODES, after)) / np.sum(_WEIGHTS))
    return float(row["headcount"]) * max(0.0, float(_wrong(excess, now)) - later)


def how_sure(
    table: pd.DataFrame,
    base: Baseline,
    min_group_size: int,
    *,
    hidden: set[str],
    unheard: set[str],
) -> dict[str, tuple[int | None, float | None]]:
    """Per department: (conversations needed, walk value).

    Where a department's survey or conversation figures are hidden, or it has fewer than k
    ratings, the typical department's stand in for them, so neither number tells them;
    conversations needed is then given only where the survey can be compared at all."""
    shown = table[~table.index.isin(list(hidden)) & (table["scored"] >= min_group_size)]
    heard_rows = table[~table.index.isin(list(unheard))]
    typical = Typical(
        survey_var=pooled_variance(shown["survey_var"], shown["scored"], 625.0),
        observed_var=pooled_variance(
            heard_rows["observed_var"], heard_rows["conversations"], 625.0
        ),
    )
    out: dict[str, tuple[int | None, float | None]] = {}
    if pd.isna(base.gap.mean):
        return {str(name): (None, None) for name in table.index}
    for name, row in table.iterrows():
        name = str(name)
        if row["headcount"] <= 0:
            out[name] = (None, None)
            continue
        surveyed = name not in hidden and row["scored"] >= min_group_size
        heard = name not in unheard
        needed = conversations_needed(row, base, typical, surveyed=surveyed, heard=heard)
        value = walk_value(row, base, typical, surveyed=surveyed, heard=heard)
        out[name] = (needed if surveyed else None, round(value, 2))
    return out
