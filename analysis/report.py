"""The bias report: department table, flags and organisation figures, ready for JSON."""

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analysis.department_table import conversations_between, department_table, option_counts
from analysis.evidence import how_sure
from analysis.flags import Flag, assess_flags
from analysis.frames import (
    ANSWER_COLUMNS,
    CONVERSATION_COLUMNS,
    DEPARTMENT_COLUMNS,
    RESPONSE_COLUMNS,
    check_columns,
)
from analysis.response_counts import COUNTED_COLUMNS, count_responses
from analysis.stats import r_indicator, wilson_interval
from analysis.suppression import (
    on_record,
    published_quarter_end,
    quarters_window_start,
    suppressed_groups,
    thin_quarters,
)
from analysis.tickets import (
    TICKET_COLUMNS,
    heard_not_ticketed,
    ticket_measures,
    tickets_between,
)


@dataclass(frozen=True)
class DepartmentResult:
    department: str
    division: str | None
    values: dict[str, Any]
    flags: tuple[Flag, ...]
    not_enough_evidence: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    survey: str
    as_of: date
    min_group_size: int
    overall: dict[str, Any]
    departments: tuple[DepartmentResult, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The contract's report JSON (section 4), with NaN turned into null."""
        rows = []
        for result in self.departments:
            row = {
                "department": result.department,
                **result.values,
                "flags": [
                    {"code": f.code, "severity": f.severity, "evidence": f.evidence}
                    for f in result.flags
                ],
                "not_enough_evidence": list(result.not_enough_evidence),
            }
            rows.append(row)
        return {
            "survey": self.survey,
            "as_of": self.as_of.isoformat(),
            "min_group_size": self.min_group_size,
            "overall": self.overall,
            "departments": rows,
        }


def clean(value: Any, digits: int = 1) -> Any:
    """A JSON-safe number: rounded, NaN/inf/NA as None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else round(number, digits)
    if isinstance(value, np.integer):
        return int(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _interval(low: Any, high: Any, digits: int) -> list[float] | None:
    low, high = clean(low, digits), clean(high, digits)
    return None if low is None or high is None else [low, high]


def build_report(
    survey: str,
    departments: pd.DataFrame,
    responses: pd.DataFrame,
    answers: pd.DataFrame,
    conversations: pd.DataFrame,
    *,
    as_of: date,
    min_group_size: int = 5,
    closed_quarters: bool = False,
    tickets: pd.DataFrame | None = None,
    tickets_period: tuple[date, date] | None = None,
    themes: pd.DataFrame | None = None,
) -> Report:
    """Everything the report shows, with small groups already hidden.

    `closed_quarters` (an executive's view): the report stands at the end of the last closed
    calendar quarter, conversations count over the four quarters that end there, and a
    department's conversation figures are shown only where each of those quarters holds none
    or at least k of them, so no two reports, at any dates, subtract to fewer than k people.

    `tickets` (`analysis.tickets`), opened in `tickets_period` (the survey round's, as far as
    the exports cover it), and `themes` (department, visit_date, theme: what conversations
    raised) give the service desk's side; without them its figures are null.
    """
    window_start = None
    if closed_quarters:
        as_of = published_quarter_end(as_of)
        window_start = quarters_window_start(as_of)
        conversations = on_record(conversations)
    check_columns(departments, DEPARTMENT_COLUMNS, "departments")
    if "count" in responses.columns:
        check_columns(responses, COUNTED_COLUMNS, "responses")
        counted = responses
    else:
        check_columns(responses, RESPONSE_COLUMNS, "responses")
        counted = count_responses(responses)
    check_columns(answers, ANSWER_COLUMNS, "answers")
    check_columns(conversations, CONVERSATION_COLUMNS, "conversations")
    options = option_counts(answers)
    table = department_table(
        departments,
        counted,
        options,
        conversations,
        as_of=as_of,
        min_group_size=min_group_size,
        window_start=window_start,
    )
    heard_only: dict[str, list[str]] = {}
    if tickets is not None and tickets_period is not None:
        check_columns(tickets, TICKET_COLUMNS, "tickets")
        period = tickets_between(tickets, *tickets_period)
        table = table.join(ticket_measures(period, table.index))
        table["tickets_per_100"] = (
            100 * table["tickets"] / table["headcount"].where(table["headcount"] > 0)
        )
        if themes is not None:
            if window_start is not None:  # an executive's: the closed quarters' walks only
                themes = conversations_between(on_record(themes), window_start, as_of)
            heard_only = heard_not_ticketed(themes, period, *tickets_period)
    # The people behind a figure are those who gave it: respondents who rated (not complete
    # responses, some of which rated nothing) and conversations, each protected on its own.
    hidden = suppressed_groups(
        {str(k): int(v) for k, v in table["scored"].fillna(0).items()}, min_group_size
    )
    unheard = suppressed_groups(
        {str(k): int(v) for k, v in table["conversations"].items()}, min_group_size
    )
    thin_stated: set[str] = set()
    if window_start is not None:
        window = conversations_between(conversations, window_start, as_of)
        for department in thin_quarters(window, "observed", min_group_size):
            unheard.setdefault(department, "thin quarter")
        thin_stated = thin_quarters(window, "stated", min_group_size)
    flags, untested, base = assess_flags(
        table,
        options,
        as_of=as_of,
        min_group_size=min_group_size,
        hidden=set(hidden) | set(unheard),
    )
    sure = how_sure(table, base, min_group_size, hidden=set(hidden), unheard=set(unheard))
    results = []
    for name, row in table.iterrows():
        name = str(name)
        reason = hidden.get(name)
        heard = name not in unheard
        stated_n = 0 if pd.isna(row["said_minus_seen_n"]) else int(row["said_minus_seen_n"])
        waves_shown = bool(row["waves_shown"])
        values: dict[str, Any] = {
            "division": clean(row["division"]),
            "headcount": int(row["headcount"]),
            "responses": int(row["responses"]),
            "rated": int(0 if pd.isna(row["scored"]) else row["scored"]),
            "partials": int(row["partials"]),
            "response_rate": clean(row["response_rate"], 4),
            "response_rate_ci": _interval(row["rate_low"], row["rate_high"], 4),
            "suppressed": reason is not None,
            "suppressed_reason": reason,
            "survey_score": None if reason else clean(row["survey_score"]),
            "survey_score_ci": None
            if reason
            else _interval(row["survey_low"], row["survey_high"], 1),
            "early_score": None if reason or not waves_shown else clean(row["early_score"]),
            "late_score": None if reason or not waves_shown else clean(row["late_score"]),
            "visits": int(row["visits"]),
            "conversations": int(row["conversations"]),
            "last_visit": None
            if pd.isna(row["last_visit"])
            else row["last_visit"].date().isoformat(),
            "observed_score": clean(row["observed_score"]) if heard else None,
            "observed_suppressed_reason": unheard.get(name),
            "stated_score": clean(row["stated_score"])
            if heard and stated_n >= min_group_size and name not in thin_stated
            else None,
            "gap": None if reason or not heard else clean(row["gap"]),
            "gap_ci": None
            if reason or not heard
            else _interval(row["gap_low"], row["gap_high"], 1),
            "modal_share": None if reason else clean(row["modal_share"], 3),
            "extreme_share": None if reason else clean(row["extreme_share"], 3),
            "poor_share": None
            if reason or not row["scored"]
            else clean(row["poor"] / row["scored"], 3),
            **_desk_values(row, tickets_period, min_group_size),
            "heard_not_ticketed": heard_only.get(name, [])
            if heard and int(row["conversations"]) >= min_group_size
            else [],
            "conversations_needed": sure[name][0],
            "walk_value": sure[name][1],
            "warnings": [
                f"{int(row['responses'])} responses but a headcount of "
                f"{int(row['headcount'])}: the rate is capped at 100%"
            ]
            if row["over_headcount"]
            else [],
        }
        results.append(
            DepartmentResult(
                name, values["division"], values, tuple(flags[name]), tuple(untested[name])
            )
        )
    overall = _overall(table, counted, hidden, unheard, min_group_size, closed_quarters)
    overall.update(_desk_overall(table, tickets_period))
    return Report(
        survey=survey,
        as_of=as_of,
        min_group_size=min_group_size,
        overall=overall,
        departments=tuple(results),
    )


def _desk_values(
    row: pd.Series, period: tuple[date, date] | None, min_group_size: int
) -> dict[str, Any]:
    """A department's service desk figures: the count always (tickets are not answers),
    the SLA share and resolution time only over k tickets or more (each is someone's)."""
    if period is None or "tickets" not in row.index:
        return dict.fromkeys(("tickets", "tickets_per_100", "sla_met", "median_resolution_hours"))
    enough = row["tickets"] >= min_group_size
    return {
        "tickets": int(row["tickets"]),
        "tickets_per_100": clean(row["tickets_per_100"]),
        "sla_met": clean(row["sla_met_count"] / row["sla_known"], 3)
        if enough and row["sla_known"] >= min_group_size
        else None,
        "median_resolution_hours": clean(row["median_resolution_hours"]) if enough else None,
    }


def _desk_overall(table: pd.DataFrame, period: tuple[date, date] | None) -> dict[str, Any]:
    if period is None or "tickets" not in table.columns:
        return {"tickets": None, "tickets_per_100": None, "sla_met": None, "tickets_period": None}
    tickets, people = float(table["tickets"].sum()), float(table["headcount"].sum())
    known = float(table["sla_known"].sum())
    return {
        "tickets": int(tickets),
        "tickets_per_100": clean(100 * tickets / people) if people else None,
        "sla_met": clean(float(table["sla_met_count"].sum()) / known, 3) if known else None,
        "tickets_period": [period[0].isoformat(), period[1].isoformat()],
    }


def _overall(
    table: pd.DataFrame,
    counted: pd.DataFrame,
    hidden: dict[str, str],
    unheard: dict[str, str],
    min_group_size: int,
    shown_only: bool = False,
) -> dict[str, Any]:
    headcount = int(table["headcount"].sum())
    count = int(table["responses"].sum())
    capped = int(table["counted_responses"].sum())  # each department capped at its headcount
    scored = counted[counted["is_complete"] & counted["score"].notna()]
    answered = int(scored["count"].sum())
    shown = table[
        ~table.index.isin(list(hidden)) & (table["scored"] > 0) & (table["headcount"] > 0)
    ]
    # An overall figure less the shown departments' gives the hidden ones' pooled: it is shown
    # only when that pool holds no one or at least k people (and the whole at least k).
    hidden_rated = answered - int(table.loc[~table.index.isin(list(hidden)), "scored"].sum())
    survey_shown = answered >= min_group_size and not 0 < hidden_rated < min_group_size
    heard = table[table["conversations"] > 0]
    if shown_only:
        # Over closed quarters: the departments whose own figures are shown, so the whole is
        # made of quarters that each hold none or at least k.
        heard = heard[~heard.index.isin(list(unheard))]
    talks = int(heard["conversations"].sum())
    hidden_talks = int(heard.loc[heard.index.isin(list(unheard)), "conversations"].sum())
    observed_shown = talks >= min_group_size and not 0 < hidden_talks < min_group_size
    observed = (
        float((heard["observed_score"] * heard["conversations"]).sum() / talks) if talks else None
    )
    post_stratified = adjusted = None
    if len(shown) and shown["headcount"].sum() > 0:
        weights = shown["headcount"] / shown["headcount"].sum()
        post_stratified = float((weights * shown["survey_score"]).sum())
        rate = shown["response_rate"].clip(upper=1.0)
        # A department's conversations stand in for its silent majority only where they
        # may be shown themselves.
        heard_enough = ~shown.index.isin(list(unheard)) & (shown["conversations"] > 0)
        stand_in = shown["observed_score"].where(heard_enough, shown["survey_score"])
        adjusted = float((weights * (rate * shown["survey_score"] + (1 - rate) * stand_in)).sum())
    interval = wilson_interval(capped, headcount)
    return {
        "headcount": headcount,
        "responses": count,
        "partials": int(table["partials"].sum()),
        "response_rate": clean(capped / headcount, 4) if headcount else None,
        "response_rate_ci": _interval(*interval, 4) if interval else None,
        "r_indicator": clean(
            r_indicator(table["headcount"].tolist(), table["responses"].tolist()), 4
        ),
        "survey_score": clean((scored["count"] * scored["score"]).sum() / answered)
        if survey_shown
        else None,
        "observed_score": clean(observed) if observed_shown else None,
        "post_stratified_score": clean(post_stratified),
        "adjusted_score": clean(adjusted),
        "departments": len(table),
        "suppressed_departments": len(hidden),
    }
