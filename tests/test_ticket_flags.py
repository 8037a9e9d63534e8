"""The desk flags on simulated organisations with planted quiet desks and watermelons, and
the desk figures of a report worked out by hand."""

from datetime import date, timedelta

import numpy as np
import pandas as pd

from analysis.report import build_report
from analysis.simulate import simulate_desk, simulate_organisation

AS_OF = date(2026, 11, 1)
PERIOD = (AS_OF - timedelta(days=180), AS_OF)
CODES = {"quiet": "quiet_desk", "melon": "watermelon"}


def _report(org, tickets, conversations):  # type: ignore[no-untyped-def]
    return build_report(
        "S",
        org.departments[["department", "headcount", "division"]],
        org.responses,
        org.answers,
        conversations,
        as_of=AS_OF,
        tickets=tickets,
        tickets_period=PERIOD,
    )


def test_planted_desk_patterns_are_found_and_nothing_else() -> None:
    """40 organisations (10 to 60 departments, 5 to 400 people, 0 to 30 conversations):
    where a department has 40 people or more and 8 conversations or more, most watermelons
    and over a third of the quiet desks are found (the quiet desks' rate test is held back
    by the spread the planted ones add to the organisation's); across every department
    without one, false desk flags stay under 1 in 250 (200 organisations: the README)."""
    found = {code: [0, 0] for code in CODES.values()}
    false_flags = tested = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        org = simulate_organisation(rng, as_of=AS_OF)
        tickets, conversations, planted = simulate_desk(rng, org, as_of=AS_OF)
        for row in _report(org, tickets, conversations).departments:
            codes = {f.code for f in row.flags}
            plant = CODES.get(planted.get(row.department, ""))
            enough = row.values["headcount"] >= 40 and row.values["conversations"] >= 8
            if plant and enough and plant not in row.not_enough_evidence:
                found[plant][0] += plant in codes
                found[plant][1] += 1
            tested += 1
            false_flags += len(codes & (set(CODES.values()) - {plant}))
    assert found["quiet_desk"][1] >= 30 and found["watermelon"][1] >= 20
    assert found["quiet_desk"][0] / found["quiet_desk"][1] >= 0.35
    assert found["watermelon"][0] / found["watermelon"][1] >= 0.8
    assert false_flags / tested < 1 / 250


def test_clean_organisations_raise_neither() -> None:
    """Honest differences between departments (in ticket rates, SLAs, satisfaction, with
    their usual complainers) and nothing planted: no desk flag in 30 organisations."""
    flags = 0
    for seed in range(100, 130):
        rng = np.random.default_rng(seed)
        org = simulate_organisation(rng, as_of=AS_OF, planted=False)
        tickets, conversations, planted = simulate_desk(rng, org, as_of=AS_OF)
        assert planted == {}
        report = _report(org, tickets, conversations)
        flags += sum(f.code in CODES.values() for d in report.departments for f in d.flags)
    assert flags == 0


def test_desk_figures_by_hand() -> None:
    """Finance (40 people): 6 tickets, 5 with an SLA outcome (4 met), resolved in 1, 2, 3,
    4 and 10 hours (median 3); Library (10 people): 2 tickets, under k = 5, so its SLA share
    and resolution time are not shown."""
    departments = pd.DataFrame(
        {"department": ["Finance", "Library"], "headcount": [40, 10], "division": [None, None]}
    )
    empty_responses = pd.DataFrame(
        {"department": [], "submitted_at": pd.to_datetime([]), "is_complete": [], "score": []}
    )
    empty_answers = pd.DataFrame({"department": [], "value": []})
    conversations = pd.DataFrame(
        {"department": [], "visit": [], "visit_date": pd.to_datetime([]), "stated": [],
         "observed": []}
    )  # fmt: skip
    opened = pd.Timestamp("2026-10-01 09:00", tz="UTC")
    hours = [1, 2, 3, 4, 10, None, 5, None]
    tickets = pd.DataFrame(
        {
            "department": ["Finance"] * 6 + ["Library"] * 2,
            "opened_at": [opened] * 8,
            "resolved_at": [opened + pd.Timedelta(hours=h) if h else pd.NaT for h in hours],
            "sla_met": [1.0, 1.0, 0.0, 1.0, 1.0, np.nan, 1.0, np.nan],
            "theme": [None] * 8,
        }
    )
    report = build_report(
        "S",
        departments,
        empty_responses,
        empty_answers,
        conversations,
        as_of=AS_OF,
        tickets=tickets,
        tickets_period=PERIOD,
    ).to_dict()
    finance, library = report["departments"]
    assert (finance["tickets"], finance["tickets_per_100"], finance["sla_met"]) == (6, 15.0, 0.8)
    assert finance["median_resolution_hours"] == 3.0
    assert (library["tickets"], library["tickets_per_100"]) == (2, 20.0)
    assert library["sla_met"] is None and library["median_resolution_hours"] is None
    overall = report["overall"]
    assert (overall["tickets"], overall["tickets_per_100"], overall["sla_met"]) == (8, 16.0, 0.833)
    assert overall["tickets_period"] == ["2026-05-05", "2026-11-01"]
    # Tickets outside the period do not count.
    late = tickets.assign(opened_at=opened + pd.Timedelta(days=60))
    later = build_report(
        "S", departments, empty_responses, empty_answers, conversations, as_of=AS_OF,
        tickets=late, tickets_period=PERIOD,
    ).to_dict()  # fmt: skip
    assert [d["tickets"] for d in later["departments"]] == [0, 0]


def test_an_executive_hears_only_the_closed_quarters_themes() -> None:
    """Six conversations in August raised Printing; two in November (an open quarter on
    20 November) raised Phones. No ticket raised either. The analyst's report lists both as
    heard and never ticketed; the executive's, standing on closed quarters, only Printing:
    November's two conversations would otherwise show by difference next quarter."""
    as_of = date(2026, 11, 20)
    departments = pd.DataFrame({"department": ["Finance"], "headcount": [40], "division": [None]})
    responses = pd.DataFrame(
        {"department": [], "submitted_at": pd.to_datetime([]), "is_complete": [], "score": []}
    )
    answers = pd.DataFrame({"department": [], "value": []})
    days = [pd.Timestamp("2026-08-10")] * 6 + [pd.Timestamp("2026-11-10")] * 2
    conversations = pd.DataFrame(
        {"department": "Finance", "visit": [1] * 6 + [2] * 2, "visit_date": days,
         "stated": 75.0, "observed": 50.0, "logged_on": days}
    )  # fmt: skip
    themes = pd.DataFrame(
        {"department": "Finance", "visit_date": days,
         "theme": ["Printing"] * 6 + ["Phones"] * 2, "logged_on": days}
    )  # fmt: skip
    tickets = pd.DataFrame(
        {"department": ["Finance"], "opened_at": [pd.Timestamp("2026-07-01", tz="UTC")],
         "resolved_at": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]"), "sla_met": [np.nan],
         "theme": ["Devices"]}
    )  # fmt: skip

    def heard(closed: bool) -> list[str]:
        report = build_report(
            "S", departments, responses, answers, conversations, as_of=as_of,
            closed_quarters=closed, tickets=tickets,
            tickets_period=(date(2026, 5, 1), as_of), themes=themes,
        )  # fmt: skip
        return list(report.departments[0].values["heard_not_ticketed"])

    assert heard(False) == ["Printing", "Phones"]
    assert heard(True) == ["Printing"]
