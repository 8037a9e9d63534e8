"""Per-department measures: response, survey scores, waves, bunching, conversations."""

from datetime import date, timedelta

import numpy as np
import pandas as pd

from analysis.response_counts import EARLY, LATE, NO_WAVE, weighted_measures
from analysis.stats import Z95, posterior_variances, shrink_means, wilson_interval

POOR_SCORE = 25.0
USUAL_COMPLAINERS = 3  # at most this many all-bottom respondents are set aside


def _waves(counted: pd.DataFrame) -> pd.DataFrame:
    """Mean scores and size of the first and last thirds by submission time.

    Measured wherever there are thirds (three timed responses), for the non-response test,
    which takes its spread from every respondent (`wave_var`); shown (the report's early and
    late scores, a flag's words) only from thirds of k (see `report.py`)."""
    columns = ["wave_n", "early_score", "late_score"]
    timed = counted[counted["wave"] != NO_WAVE]
    if timed.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="department"))
    third = timed.groupby("department")["count"].sum() // 3
    early = weighted_measures(timed[timed["wave"] == EARLY]).reindex(third.index)
    late = weighted_measures(timed[timed["wave"] == LATE]).reindex(third.index)
    waves = pd.DataFrame(
        {
            "wave_n": third,
            "early_score": early["mean"],
            "late_score": late["mean"],
        }
    )
    waves.index.name = "department"
    return waves


def option_counts(answers: pd.DataFrame) -> pd.DataFrame:
    """Answers per department (rows) and option (columns, the 0..100 value).

    `answers` holds one row per answer, or per (department, value) with a `count` column.
    """
    if answers.empty:
        return pd.DataFrame(index=pd.Index([], name="department"), dtype=float)
    weights = answers["count"] if "count" in answers.columns else 1
    values = answers.assign(value=answers["value"].round(6), weight=weights)
    counts = values.groupby(["department", "value"])["weight"].sum().unstack(fill_value=0)
    return counts.astype(float)


def polite_options(options: pd.DataFrame) -> pd.DataFrame:
    """The options where a polite answer sits: between the ends of the scale, from its middle
    up ("fair", "good"; not "poor", which criticises)."""
    values = options.columns.to_numpy(dtype=float)
    return options.loc[:, (values >= 50) & (values < 100)]


def _bunching(options: pd.DataFrame) -> pd.DataFrame:
    """Share of answers on the department's most common option, on its most common polite
    option, and at either end of the scale."""
    columns = ["modal_share", "polite_share", "extreme_share", "answers"]
    if options.empty:
        return pd.DataFrame(columns=columns)
    total = options.sum(axis=1)
    values = options.columns.to_numpy(dtype=float)
    polite = polite_options(options)
    return pd.DataFrame(
        {
            "modal_share": options.max(axis=1) / total,
            "polite_share": (polite.max(axis=1) if polite.shape[1] else 0.0) / total,
            "extreme_share": options.loc[:, (values <= 0) | (values >= 100)].sum(axis=1) / total,
            "answers": total,
        }
    )


def _conversation_measures(conversations: pd.DataFrame) -> pd.DataFrame:
    if conversations.empty:
        return pd.DataFrame(
            columns=[
                "conversations",
                "visits",
                "last_visit",
                "observed_score",
                "observed_var",
                "stated_score",
                "said_minus_seen",
                "said_minus_seen_var",
                "said_minus_seen_n",
                "poor_observed",
                "troubled",
            ]
        )
    poor = conversations["observed"] <= POOR_SCORE
    # What the desk never saw: people who go round it, or never reported what they raised.
    missed = poor.copy()
    if "end_run" in conversations.columns:
        missed |= conversations["end_run"].fillna(False).astype(bool)
    if "unreported" in conversations.columns:
        missed |= conversations["unreported"].fillna(0) > 0
    conv = conversations.assign(
        difference=conversations["stated"] - conversations["observed"], poor=poor, missed=missed
    )
    grouped = conv.groupby("department")
    return pd.DataFrame(
        {
            "conversations": grouped.size(),
            "visits": grouped["visit"].nunique(),
            "last_visit": grouped["visit_date"].max(),
            "observed_score": grouped["observed"].mean(),
            "observed_var": grouped["observed"].var(ddof=1),
            "stated_score": grouped["stated"].mean(),
            "said_minus_seen": grouped["difference"].mean(),
            "said_minus_seen_var": grouped["difference"].var(ddof=1),
            "said_minus_seen_n": grouped["difference"].count(),
            "poor_observed": grouped["poor"].sum(),
            "troubled": grouped["missed"].sum(),
        }
    )


def conversations_between(conversations: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """The conversations of walks from `start` to `end`, both days included."""
    dates = conversations["visit_date"]
    return conversations[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]


def department_table(
    departments: pd.DataFrame,
    counted: pd.DataFrame,
    options: pd.DataFrame,
    conversations: pd.DataFrame,
    *,
    as_of: date,
    min_group_size: int,
    window_days: int = 365,
    window_start: date | None = None,
) -> pd.DataFrame:
    """One row per department of the directory, indexed by name, with every measure.

    `options`: the answers per department and option (`option_counts`)."""
    table = departments.set_index("department")[["headcount", "division"]].copy()
    complete = counted[counted["is_complete"]]
    table["responses"] = complete.groupby("department")["count"].sum()
    table["partials"] = counted[~counted["is_complete"]].groupby("department")["count"].sum()
    table[["responses", "partials"]] = table[["responses", "partials"]].fillna(0).astype(int)
    scored = complete[complete["score"].notna()]
    measures = weighted_measures(scored)
    table["scored"] = measures["n"]
    table["survey_score"] = measures["mean"]
    table["survey_var"] = measures["var"]
    poor = (
        scored[scored["score"] <= POOR_SCORE]
        .groupby("department")["count"]
        .sum()
        .reindex(measures.index, fill_value=0)
    )
    table["poor"] = poor
    # "The usual complainers": up to three respondents who rated everything at the bottom
    # are set aside from the poor ratings; more all-bottom respondents than that are a
    # pattern, not a habit, and count. Other poor ratings always count.
    bottom = (
        scored[scored["score"] <= 0]
        .groupby("department")["count"]
        .sum()
        .reindex(measures.index, fill_value=0)
    )
    aside = bottom.clip(upper=USUAL_COMPLAINERS)
    table["robust_n"] = measures["n"] - aside
    table["poor_robust"] = poor - aside
    table[["robust_n", "poor_robust"]] = table[["robust_n", "poor_robust"]].fillna(0)
    table = table.join(_waves(counted)).join(_bunching(options))
    # The spread of scores about the late-less-early line (`flags._wave_p`): the regression
    # on wave (-1, +1, 0 for the middle third and untimed answers; its mean is 0) leaves
    # sum of squares less wave_n * drop^2 / 2 on scored - 2 degrees of freedom. A line
    # through every score measures no spread: then the spread about the mean stands in.
    drop = table["early_score"] - table["late_score"]
    residual = (table["scored"] - 1) * table["survey_var"] - table["wave_n"] * drop**2 / 2
    about_line = (residual / (table["scored"] - 2)).where(table["scored"] > 2)
    table["wave_var"] = about_line.where(about_line > 1e-9, table["survey_var"])
    # Early and late thirds are each a group of people: their scores are shown from k.
    table["waves_shown"] = table["wave_n"].fillna(0) >= min_group_size
    start = window_start or as_of - timedelta(days=window_days)
    end = pd.Timestamp(as_of)
    recent = conversations_between(conversations, start, as_of)
    table = table.join(_conversation_measures(recent))
    for column in table.columns.difference(["division", "last_visit"]):
        # Empty inputs give object columns; every measure is a number (NaN when unknown).
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    table["conversations"] = table["conversations"].fillna(0).astype(int)
    table["visits"] = table["visits"].fillna(0).astype(int)
    # Every visit up to the as-of date counts for "last visit", however old.
    up_to = conversations[conversations["visit_date"] <= end]
    table["last_visit"] = up_to.groupby("department")["visit_date"].max()
    # More responses than people (an old headcount, a wrong department column): the rate is
    # capped at 1 and the department marked, so no figure claims more than everyone answered.
    table["over_headcount"] = table["responses"] > table["headcount"]
    table["counted_responses"] = np.minimum(table["responses"], table["headcount"])
    table["response_rate"] = np.where(
        table["headcount"] > 0,
        table["counted_responses"] / table["headcount"].where(table["headcount"] > 0),
        np.nan,
    )
    intervals = [
        wilson_interval(int(r), int(h))
        for r, h in zip(table["counted_responses"], table["headcount"], strict=True)
    ]
    table["rate_low"] = [i[0] if i else np.nan for i in intervals]
    table["rate_high"] = [i[1] if i else np.nan for i in intervals]
    standard_error = np.sqrt(table["survey_var"] / table["scored"])
    table["survey_low"] = table["survey_score"] - Z95 * standard_error
    table["survey_high"] = table["survey_score"] + Z95 * standard_error
    table["shrunk_score"], table["shrunk_var"] = _shrunk(table)
    table["gap"] = table["survey_score"] - table["observed_score"]
    gap_se = np.sqrt(
        table["survey_var"] / table["scored"]
        + table["observed_var"] / table["conversations"].where(table["conversations"] > 0)
    )
    table["gap_low"] = table["gap"] - Z95 * gap_se
    table["gap_high"] = table["gap"] + Z95 * gap_se
    return table


def _shrunk(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Survey scores shrunk towards the organisation (normal-normal empirical Bayes), and
    each one's error variance (`posterior_variances`; the raw mean's where there is nothing
    to shrink towards)."""
    usable = table[(table["scored"] >= 2) & table["survey_var"].notna()]
    variances = (usable["survey_var"].clip(lower=1.0) / usable["scored"]).tolist()
    values, posterior = usable["survey_score"].tolist(), variances
    if len(usable) >= 2:
        values, _mu, tau2 = shrink_means(values, variances)
        posterior = posterior_variances(variances, tau2)
    return (
        pd.Series(values, index=usable.index, dtype=float).reindex(table.index),
        pd.Series(posterior, index=usable.index, dtype=float).reindex(table.index),
    )
