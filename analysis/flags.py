"""The flags: one-sided tests per department, FDR-controlled across departments.

Each flag has a main claim tested across all departments with Benjamini-Hochberg (few
responses, bunched answers, many poor ratings) and a corroborating condition that must also
hold at the one-sided 10% level in that department (late or face-to-face answers lower,
observed below the survey, conversations finding problems). A quiet department is flagged
only when its main test is a discovery, so the false discovery rate holds for the flags.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analysis.stats import (
    benjamini_hochberg,
    binomial_greater,
    binomial_less,
    variance_less,
    welch_greater,
)

ALPHA = 0.05  # false discovery rate for each flag's main claim, across departments
GATE_ALPHA = 0.10  # one-sided level for the corroborating evidence within the department
MIN_CONVERSATIONS = 3
UNVISITED_DAYS = 180


Outcome = tuple[float, float, str]  # main p (FDR-controlled), corroboration p, evidence


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    evidence: str


@dataclass(frozen=True)
class Baseline:
    """What a typical department of this organisation looks like."""

    response_rate: float
    variance: float
    poor_share: float
    poor_observed_share: float


def baseline(table: pd.DataFrame, min_group_size: int) -> Baseline:
    """Organisation-wide references; medians over departments resist the planted outliers."""
    rated = table[table["scored"] >= min_group_size]
    heard = table[table["conversations"] >= MIN_CONVERSATIONS]
    headcount = table["headcount"].sum()
    return Baseline(
        response_rate=float(np.minimum(table["responses"], table["headcount"]).sum() / headcount)
        if headcount
        else 0.0,
        variance=float(rated["survey_var"].median()) if len(rated) else np.nan,
        poor_share=float((rated["poor"] / rated["scored"]).median()) if len(rated) else np.nan,
        poor_observed_share=float((heard["poor_observed"] / heard["conversations"]).median())
        if len(heard)
        else np.nan,
    )


def _severity(p_adjusted: float) -> str:
    if p_adjusted < 0.001:
        return "high"
    if p_adjusted < 0.01:
        return "medium"
    return "low"


def _pct(value: float) -> str:
    return f"{round(value * 100):.0f}%"


def _points(value: float) -> str:
    return f"{abs(round(value)):.0f}"


def _nrb_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    if row["headcount"] <= 0 or row["scored"] < 2 or base.response_rate <= 0:
        return None
    p_rate = binomial_less(
        int(min(row["responses"], row["headcount"])), int(row["headcount"]), base.response_rate
    )
    evidence = []
    p_values = []
    if pd.notna(row.get("early_score")) and pd.notna(row.get("late_score")):
        n = int(row["wave_n"])
        p_values.append(
            welch_greater(
                row["early_score"], row["early_var"], n, row["late_score"], row["late_var"], n
            )
        )
        if row["late_score"] < row["early_score"]:
            evidence.append(
                f"the last third scored {_points(row['early_score'] - row['late_score'])}"
                " points lower than the first third"
            )
    # A department heard but never rated has no survey score to hold against what was heard.
    if (
        row["conversations"] >= MIN_CONVERSATIONS
        and pd.notna(row["observed_var"])
        and row["scored"] >= 2
    ):
        p_values.append(
            welch_greater(
                row["shrunk_score"],
                row["survey_var"],
                int(row["scored"]),
                row["observed_score"],
                row["observed_var"],
                int(row["conversations"]),
            )
        )
        if row["observed_score"] < row["survey_score"]:
            evidence.append(
                f"leaders observed {_points(row['observed_score'])} against the "
                f"survey's {_points(row['survey_score'])}"
            )
    if not p_values:
        return None
    p_missing = min(1.0, len(p_values) * min(p_values))  # Bonferroni over the two routes
    text = f"Only {_pct(row['response_rate'])} answered (org {_pct(base.response_rate)})"
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
    if row["scored"] < 3 or row["conversations"] < MIN_CONVERSATIONS or np.isnan(base.variance):
        return None
    if pd.isna(row["observed_var"]) or pd.isna(row["survey_var"]):
        return None
    p_bunched = variance_less(row["survey_var"], int(row["scored"]), base.variance)
    p_gap = welch_greater(
        row["shrunk_score"],
        row["survey_var"],
        int(row["scored"]),
        row["observed_score"],
        row["observed_var"],
        int(row["conversations"]),
    )
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
    if np.isnan(base.poor_share) or np.isnan(base.poor_observed_share):
        return None
    p_poor = binomial_greater(int(row["poor_robust"]), int(row["robust_n"]), base.poor_share)
    p_seen = binomial_greater(
        int(row["poor_observed"]), int(row["conversations"]), base.poor_observed_share
    )
    seen = (
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
            f"(typical {_pct(base.poor_share)}), not just a few, and {seen}."
        )
    return p_poor, p_seen, text


TESTS = {
    "non_response_bias": _nrb_test,
    "im_fine": _im_fine_test,
    "corroborated_complaints": _complaints_test,
}


def assess_flags(
    table: pd.DataFrame,
    *,
    as_of: date,
    min_group_size: int,
    hidden: set[str],
    alpha: float = ALPHA,
) -> tuple[dict[str, list[Flag]], dict[str, list[str]]]:
    """Flags per department, and per department the flags it had too little data to test.

    `hidden`: departments whose survey or conversation figures are hidden; their evidence
    quotes no number."""
    base = baseline(table, min_group_size)
    flags: dict[str, list[Flag]] = {name: [] for name in table.index}
    untested: dict[str, list[str]] = {name: [] for name in table.index}
    for code, test in TESTS.items():
        results: dict[str, Outcome] = {}
        for name, row in table.iterrows():
            # Tested only with k people who rated (the figures the evidence quotes).
            small = not row["scored"] >= min_group_size
            outcome = None if small else test(row, base, str(name) in hidden)
            if outcome is None:
                untested[str(name)].append(code)
            else:
                results[str(name)] = outcome
        names = list(results)
        adjusted = benjamini_hochberg([results[n][0] for n in names])
        for name, p_adjusted in zip(names, adjusted, strict=True):
            _p_main, p_corroboration, evidence = results[name]
            if p_adjusted <= alpha and p_corroboration <= GATE_ALPHA:
                flags[name].append(
                    Flag(code, _severity(max(p_adjusted, p_corroboration)), evidence)
                )
    cutoff = pd.Timestamp(as_of - timedelta(days=UNVISITED_DAYS))
    for name, row in table.iterrows():
        last = row["last_visit"]
        if pd.isna(last) or last < cutoff:
            when = "never" if pd.isna(last) else f"last on {last.date().isoformat()}"
            flags[str(name)].append(
                Flag(
                    "unvisited",
                    "medium" if pd.isna(last) else "low",
                    f"No walkabout conversation in the {UNVISITED_DAYS} days before "
                    f"{as_of.isoformat()} ({when}); the survey stands unverified.",
                )
            )
    return flags, untested
