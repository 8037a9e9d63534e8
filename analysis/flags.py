"""The flags: each a survey test and a face-to-face test per department, combined, with the
false discovery rate held across departments.

Each part is set against a typical department and the ordinary spread between departments
(`analysis.references`): a large department a little below typical is not "clearly below";
a small one needs a clear difference, as the exact binomial or chi-square test already
asks, and each part's p-value is the larger of the two. The typical departments are those
that no test singles out at SCREEN_ALPHA, so an organisation where many departments have
problems does not take the problems for the norm.

For each flag the survey evidence and the face-to-face evidence (independent samples) are
combined with Fisher's method into one p-value per department; Benjamini-Hochberg (1995)
holds the false discovery rate at ALPHA across departments on it, and each part must also
reach GATE_ALPHA on its own, so one kind of evidence alone never raises a flag.

Non-response bias claims that those missing are less satisfied where the response rate is
clearly low: the false discovery rate is held on the "missing" part alone, among the
departments whose rate reaches GATE_ALPHA (see `assess_flags`); one neither flagged nor
cleared (`_nrb_settled`) reads "not enough evidence", not "no". The service desk's flags
(`analysis.tickets`: quiet_desk, watermelon) claim something of the desk's own record: the
false discovery rate is held on that part alone, and the walks or the survey must
corroborate it at GATE_ALPHA.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import special

from analysis.evidence import gap_p, missing_ruled_out, wave_p
from analysis.references import (
    MIN_CONVERSATIONS,
    SCREEN_ALPHA,
    Baseline,
    baseline,
    freeman_tukey,
    heard_people,
)
from analysis.stats import benjamini_hochberg, modal_greater
from analysis.tickets import DESK_TESTS
from analysis.wording import pct, points

ALPHA = 0.01  # false discovery rate for each flag, across departments
GATE_ALPHA = 0.10  # one-sided level each part of a flag's evidence must reach on its own
# Conversations finding problems at this level on their own make a department's all-bottom
# raters part of a complaint rather than the usual complainers.
RECOUNT_ALPHA = 0.001
UNVISITED_DAYS = 180


Outcome = tuple[float, float, str]  # survey p, face-to-face p, evidence


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    evidence: str


def _rate_p(row: pd.Series, base: Baseline) -> float:
    """One-sided p for a response rate below typical: exact, and beyond the usual spread."""
    return base.response_rate.p_below(int(row["counted_responses"]), int(row["headcount"]))


# Severity: the flag's q-value (the false discovery rate at which it would just be raised),
# and each kind of evidence on its own, since the flag claims both. A strong survey part
# makes the combined q small even where the face-to-face part only just clears the gate, so
# a high or medium flag also needs each part clear at the level beside its bound.
SEVERITY = (("high", 0.0001, 0.01), ("medium", 0.001, 0.05))


def _severity(q_value: float, p_main: float, p_corroboration: float) -> str:
    for name, q_bound, part_bound in SEVERITY:
        if q_value < q_bound and max(p_main, p_corroboration) <= part_bound:
            return name
    return "low"


def _gap_usable(row: pd.Series, base: Baseline) -> bool:
    """Whether the survey may be held against what leaders saw as evidence on those missing.
    A department heard but never rated has no survey score to hold against what was heard.
    The survey reading rosier than what leaders saw says those missing differ only where
    those who answered answered as they are: where the answers bunch on a polite option
    (the "I'm fine" flag's survey part, clear at GATE_ALPHA), politeness explains it."""
    return bool(
        row["conversations"] >= MIN_CONVERSATIONS
        and pd.notna(row["observed_var"])
        and pd.notna(base.gap.mean)
        and not _answers_bunched(row, base)
    )


def _nrb_settled(row: pd.Series, base: Baseline) -> bool:
    """Whether a department tested and not flagged for non-response bias is cleared of it:
    its response rate is at or above typical (how many answered is a fact of the round), or
    the evidence rules out those missing being less satisfied by as much as would matter
    (`missing_ruled_out`). Otherwise the report says "not enough evidence", not "no"."""
    if row["response_rate"] >= base.response_rate.share:
        return True
    return missing_ruled_out(row, base, gap=_gap_usable(row, base))


def _nrb_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    if row["headcount"] <= 0 or row["scored"] < 2 or not base.response_rate.share > 0:
        return None
    p_rate = _rate_p(row, base)
    evidence = []
    p_values = []
    if pd.notna(row.get("early_score")) and pd.notna(row.get("late_score")):
        drop = row["early_score"] - row["late_score"]
        if pd.notna(base.wave_drop.mean):
            p_values.append(wave_p(row, base))
        if drop > 0 and row["waves_shown"]:
            evidence.append(
                f"the last third scored {points(drop)} points lower than the first third"
            )
    if _gap_usable(row, base):
        p_values.append(gap_p(row, base))
        if row["observed_score"] < row["survey_score"]:
            evidence.append(
                f"leaders observed {points(row['observed_score'])} against the "
                f"survey's {points(row['survey_score'])}"
            )
    if not p_values:
        return None
    # The late answers and the observed score are independent evidence that those missing
    # are less satisfied (under no bias, the late-less-early contrast of a department's
    # respondents does not move with their mean; over 2,252 simulated clean departments the
    # two p-values' Spearman correlation was 0.009): Fisher's combination, so that both
    # pointing the same way count for more than the stronger alone, as Bonferroni allowed.
    p_missing = fisher_combined(p_values)
    text = f"Only {pct(row['response_rate'])} answered (typical {pct(base.response_rate.share)})"
    if hidden:
        text += (
            ", and late answers or face-to-face findings point to less satisfied non-respondents."
        )
    elif evidence:
        text += "; " + " and ".join(evidence) + "."
    else:
        text += "."
    return p_rate, p_missing, text


def _bunched_p(row: pd.Series, base: Baseline) -> float:
    """One-sided p for answers bunched on one polite option (below the top, from the middle up):
    more of them on it than chance gives a group this size (`modal_greater`, against each
    option's share in typical departments), and more than typical departments show, beyond
    their ordinary spread. Each person counts once, however many questions they answered
    (their answers move together)."""
    n = float(row["scored"])
    hits = float(row["polite_share"]) * n
    chance = modal_greater(hits, n, base.polite_options)
    spread = base.polite_share.spread.p_above(float(freeman_tukey(hits, n)), 1 / (n + 0.5))
    return max(chance, spread)


def _bunching_measured(row: pd.Series, base: Baseline) -> bool:
    """Whether `_bunched_p` can be asked: the department's polite share and the typical
    department's are known."""
    return (
        pd.notna(row["polite_share"])
        and bool(base.polite_options)
        and not np.isnan(base.polite_share.share)
    )


def _answers_bunched(row: pd.Series, base: Baseline) -> bool:
    """Whether the answers clearly bunch on one polite option (`_bunched_p` at GATE_ALPHA)."""
    return _bunching_measured(row, base) and _bunched_p(row, base) <= GATE_ALPHA


def _im_fine_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    if row["scored"] < 3 or row["conversations"] < MIN_CONVERSATIONS:
        return None
    if pd.isna(row["observed_var"]) or np.isnan(base.gap.mean):
        return None
    if not _bunching_measured(row, base):
        return None
    p_bunched = _bunched_p(row, base)
    p_gap = gap_p(row, base)
    if hidden:
        text = (
            "Survey answers bunch on one polite option while leaders observed problems "
            "face to face (scores hidden: small group)."
        )
    else:
        text = (
            f"{pct(row['polite_share'])} of answers sit on one option and only "
            f"{pct(row['extreme_share'])} at either end, yet leaders observed "
            f"{points(row['observed_score'])} against the survey's "
            f"{points(row['survey_score'])}"
        )
        if pd.notna(row.get("said_minus_seen")) and row["said_minus_seen"] > 0:
            text += (
                f"; people said {points(row['stated_score'])} but were seen at "
                f"{points(row['observed_score'])}"
            )
        text += "."
    return p_bunched, p_gap, text


def _complaints_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    if row["scored"] < 2 or row["conversations"] < MIN_CONVERSATIONS:
        return None
    seen = base.poor_observed_share
    if np.isnan(base.poor_share.share) or np.isnan(seen.share):
        return None
    p_seen = seen.p_above(
        int(row["poor_observed"]), int(row["conversations"]), float(heard_people(row))
    )
    # The usual complainers (up to three all-bottom respondents) are set aside from the
    # counts; what tells a real complaint from them is how many the other poor raters are
    # and what conversations find. Where conversations alone clearly find problems, the
    # all-bottom raters are no longer "nothing seen face to face": they count, against the
    # typical department's share with everyone counted.
    everyone = p_seen <= RECOUNT_ALPHA and not np.isnan(base.poor_share_everyone.share)
    if everyone:
        poor = base.poor_share_everyone
        p_poor = poor.p_above(int(row["poor"]), int(row["scored"]))
    elif row["robust_n"] >= 2:
        poor = base.poor_share
        p_poor = poor.p_above(int(row["poor_robust"]), int(row["robust_n"]))
    else:
        return None
    heard = (
        f"leaders saw problems in {int(row['poor_observed'])} of "
        f"{int(row['conversations'])} conversations"
    )
    if hidden:
        text = (
            "More poor ratings than typical, and leaders saw problems face to face "
            "(figures hidden: small group)."
        )
    else:
        text = (
            f"{int(row['poor'])} of {int(row['scored'])} respondents rated IT poorly "
            f"(typical {pct(poor.share)}), and {heard}."
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
    desk = DESK_TESTS if base.ticket_rate is not None else {}
    results: dict[str, dict[str, Outcome]] = {code: {} for code in (*TESTS, *desk)}
    for name, row in table.iterrows():
        rated = row["scored"] >= min_group_size  # else too few rated to test (or to quote)
        for code, test in TESTS.items() if rated else ():
            outcome = test(row, base, str(name) in hidden)
            if outcome is not None:
                results[code][str(name)] = outcome
        if row["headcount"] < min_group_size or not desk:
            continue
        if not rated:
            row = row.copy()
            row["survey_var"] = np.nan  # a survey score of too few people is not evidence
        if row["sla_known"] < min_group_size:
            row = row.copy()
            row["sla_known"] = 0
        for code, test in desk.items():
            outcome = test(row, base, str(name) in hidden)
            if outcome is not None:
                results[code][str(name)] = outcome
    return results


def assess_flags(
    table: pd.DataFrame,
    options: pd.DataFrame,
    *,
    as_of: date,
    min_group_size: int,
    hidden: set[str],
    alpha: float = ALPHA,
) -> tuple[dict[str, list[Flag]], dict[str, list[str]], Baseline]:
    """Flags per department, per department the flags it had too little data to test, and
    the typical department they were judged against.

    Each flag's survey evidence and face-to-face evidence are combined (Fisher) into one
    p-value per department, and the false discovery rate is held across departments on it
    (Benjamini-Hochberg); each part must also reach GATE_ALPHA on its own, so a department
    is never flagged on one kind of evidence alone. Non-response bias and the desk flags
    hold it on the part in doubt instead (see below).

    `options`: answers per department and option (`department_table.option_counts`).
    `hidden`: departments whose survey or conversation figures are hidden; their evidence
    quotes no number."""
    base = baseline(table, options, min_group_size)
    results = _outcomes(table, base, hidden, min_group_size)
    singled = {
        name
        for code, per_code in results.items()
        if code not in DESK_TESTS  # the desk's references trim their own outliers
        for name, (p_main, p_corroboration, _) in per_code.items()
        if fisher_combined((p_main, p_corroboration)) < SCREEN_ALPHA
    }
    if singled and len(singled) < len(table):
        first = base
        base = baseline(table.drop(index=list(singled)), options, min_group_size)
        # The desk's own record is judged against every department's (its references trim
        # their own outliers): leaving out those the survey singles out would narrow the
        # ordinary spread of ticket rates and SLAs. What conversations typically find is
        # the clean majority's, as for the other flags.
        base = replace(base, ticket_rate=first.ticket_rate, sla_share=first.sla_share)
        results = _outcomes(table, base, hidden, min_group_size)
    flags: dict[str, list[Flag]] = {str(name): [] for name in table.index}
    untested: dict[str, list[str]] = {
        str(name): [code for code in results if str(name) not in results[code]]
        for name in table.index
    }
    for code, per_department in results.items():
        names = list(per_department)
        if code in DESK_TESTS:
            # The desk flags claim something of the desk's own record (fewer tickets, SLAs
            # met): the false discovery rate is held on that record alone, and what was
            # heard and rated corroborates it, so a chance excess on the record never rides
            # on a department's real dissatisfaction.
            held = [per_department[n][0] for n in names]
        elif code == "non_response_bias":
            # How many answered is a fact of the round; that those missing are less
            # satisfied is the claim in doubt. Combined with a response rate far below
            # typical, a "missing" part at 10% would raise a flag one time in ten wherever
            # a department honestly answers little. So the false discovery rate is held on
            # that part, among the departments whose rate is clearly low: a filter that
            # says nothing of the part where there is no bias (independent filtering,
            # Bourgon, Gentleman & Huber 2010).
            names = [n for n in names if per_department[n][0] <= GATE_ALPHA]
            held = [per_department[n][1] for n in names]
        else:
            held = [fisher_combined(per_department[n][:2]) for n in names]
        for name, q_value in zip(names, benjamini_hochberg(held), strict=True):
            p_main, p_corroboration, evidence = per_department[name]
            if q_value <= alpha and max(p_main, p_corroboration) <= GATE_ALPHA:
                flags[name].append(
                    Flag(code, _severity(q_value, p_main, p_corroboration), evidence)
                )
    cutoff = pd.Timestamp(as_of - timedelta(days=UNVISITED_DAYS))
    for department, row in table.iterrows():
        name = str(department)
        tested = name in results["non_response_bias"]
        raised = any(f.code == "non_response_bias" for f in flags[name])
        if tested and not raised and not _nrb_settled(row, base):
            untested[name].append("non_response_bias")
        last = row["last_visit"]
        if pd.isna(last) or last < cutoff:
            when = "never" if pd.isna(last) else f"last on {last.date().isoformat()}"
            flags[name].append(
                Flag(
                    "unvisited",
                    "medium" if pd.isna(last) else "low",
                    f"No walkabout conversation in the {UNVISITED_DAYS} days before "
                    f"{as_of.isoformat()} ({when}); the survey stands unverified.",
                )
            )
    return flags, untested, base
