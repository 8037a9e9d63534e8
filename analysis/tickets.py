"""The service desk's side of each department: tickets per head over the survey round's
period, the share resolved within SLA, the median time to resolve, the themes heard in
person that no ticket raised, and the two flags held against them.

- `quiet_desk`: clearly fewer tickets per head than a typical department (exact Poisson and
  beyond the ordinary spread between departments, on Anscombe's square-root scale, as
  `analysis.references` does for shares) while conversations there find what the desk never
  saw: poor observations, end-runs round the desk, issues never reported. "Don't assume you
  are providing high levels of service just because no one is complaining."
- `watermelon`: the desk met its SLA on clearly more of the department's tickets than
  typical while satisfaction is clearly below typical, in the survey or face to face: green
  outside, red inside.

Each returns the same (desk p, corroborating p, evidence) as the other flags, so the false
discovery rate across departments, the gate on each part and the severities hold alike.

tickets frame: department (str), opened_at (datetime64, UTC), resolved_at (datetime64 or
NaT), sla_met (float 1/0, NaN when the export does not say), theme (str or None).
"""

from datetime import date

import numpy as np
import pandas as pd

from analysis.references import MIN_CONVERSATIONS, Baseline, heard_people
from analysis.stats import moderated_variance
from analysis.wording import pct, points

TICKET_COLUMNS = ("department", "opened_at", "resolved_at", "sla_met", "theme")
Outcome = tuple[float, float, str]


def tickets_between(tickets: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """The tickets opened from `start` to `end`, both days included."""
    days = tickets["opened_at"].dt.tz_localize(None).dt.normalize()
    return tickets[(days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))]


def ticket_measures(tickets: pd.DataFrame, departments: pd.Index) -> pd.DataFrame:
    """Per department of `departments`: tickets, how many say whether the SLA was met and
    how many met it, and the median hours from opening to resolution."""
    hours = (tickets["resolved_at"] - tickets["opened_at"]).dt.total_seconds() / 3600
    frame = tickets.assign(hours=hours, known=tickets["sla_met"].notna())
    grouped = frame.groupby("department")
    measures = pd.DataFrame(
        {
            "tickets": grouped.size(),
            "sla_known": grouped["known"].sum(),
            "sla_met_count": grouped["sla_met"].sum(),
            "median_resolution_hours": grouped["hours"].median(),
        }
    ).reindex(departments)
    counts = ["tickets", "sla_known", "sla_met_count"]
    measures[counts] = measures[counts].fillna(0).astype(float)
    return measures


def heard_not_ticketed(
    themes: pd.DataFrame, tickets: pd.DataFrame, start: date, end: date
) -> dict[str, list[str]]:
    """Per department, the themes raised in its conversations from `start` to `end` that no
    ticket of the department raised in the same days, the most heard first.

    themes: department, visit_date, theme (one row per theme a conversation raised)."""
    dates = themes["visit_date"]
    heard = themes[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]
    ticketed = set(zip(tickets["department"], tickets["theme"].fillna(""), strict=True))
    out: dict[str, list[str]] = {}
    counts = heard.groupby(["department", "theme"]).size().reset_index(name="n")
    for department, rows in counts.sort_values(["n", "theme"], ascending=[False, True]).groupby(
        "department", sort=False
    ):
        out[str(department)] = [str(t) for t in rows["theme"] if (department, t) not in ticketed]
    return out


def _quiet_desk_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    rate, trouble = base.ticket_rate, base.trouble_share
    if rate is None or trouble is None or np.isnan(rate.rate) or np.isnan(trouble.share):
        return None
    if pd.isna(row.get("tickets")) or row["headcount"] <= 0:
        return None
    if row["conversations"] < MIN_CONVERSATIONS:
        return None
    p_quiet = rate.p_below(int(row["tickets"]), float(row["headcount"]))
    p_trouble = trouble.p_above(
        int(row["troubled"]), int(row["conversations"]), float(heard_people(row))
    )
    per_100 = 100 * row["tickets"] / row["headcount"]
    text = (
        f"{per_100:.0f} tickets per 100 people against a typical {100 * rate.rate:.0f}, "
        "while leaders "
    )
    if hidden:
        text += "heard of problems, end-runs or unreported issues face to face (small group)."
    else:
        text += (
            f"heard of problems, end-runs or unreported issues in {int(row['troubled'])} of "
            f"{int(row['conversations'])} conversations."
        )
    return p_quiet, p_trouble, text


def _watermelon_test(row: pd.Series, base: Baseline, hidden: bool) -> Outcome | None:
    sla = base.sla_share
    if sla is None or np.isnan(sla.share) or not row.get("sla_known", 0) >= 1:
        return None
    p_green = sla.p_above(int(row["sla_met_count"]), int(row["sla_known"]))
    parts: list[tuple[float, str]] = []
    survey, seen = base.survey_score, base.observed_score
    if survey is not None and pd.notna(survey.mean) and pd.notna(row["survey_var"]):
        p = survey.p_below(row["survey_score"], row["survey_var"] / row["scored"])
        parts.append((p, f"the survey scored {points(row['survey_score'])}"))
    if (
        seen is not None
        and pd.notna(seen.mean)
        and row["conversations"] >= MIN_CONVERSATIONS
        and pd.notna(base.observed_var)
    ):
        spread = moderated_variance(
            row["observed_var"], row["conversations"] - 1, base.observed_prior
        )[0]
        p = seen.p_below(row["observed_score"], float(spread) / heard_people(row))
        parts.append((p, f"leaders observed {points(row['observed_score'])}"))
    if not parts:
        return None
    p_red = min(1.0, len(parts) * min(p for p, _ in parts))  # Bonferroni over the two
    met = row["sla_met_count"] / row["sla_known"]
    text = f"The desk met its SLA on {pct(met)} of tickets (typical {pct(sla.share)}), yet "
    if hidden:
        text += "satisfaction is clearly below typical (figures hidden: small group)."
    else:
        best = min(parts)[1]
        typical = survey.mean if best.startswith("the survey") and survey else seen.mean  # type: ignore[union-attr]
        text += f"{best} against a typical {points(typical)}."
    return p_green, p_red, text


DESK_TESTS = {"quiet_desk": _quiet_desk_test, "watermelon": _watermelon_test}
