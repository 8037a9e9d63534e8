"""How the report does on organisations whose truth is known: `walkabout calibrate`.

Runs the report on simulated organisations (`analysis.simulate`) and counts, per flag, the
planted departments it found and the flags it raised on quiet ones, each with a 95% Wilson
interval. Nothing here tunes the method; it tells how the method does.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

import numpy as np
import pandas as pd

from analysis.report import build_report
from analysis.simulate import (
    DESK_PLANTED,
    PLANTED,
    QUIET_KINDS,
    Organisation,
    Sizes,
    simulate_desk,
    simulate_organisation,
)
from analysis.stats import wilson_interval

SURVEY_FLAGS = tuple(PLANTED.values())
DESK_FLAGS = tuple(DESK_PLANTED.values())
DESK_DAYS = 180  # the simulated ticket export's period
SEVERITIES = ("low", "medium", "high")


@dataclass
class Tally:
    hits: int = 0
    trials: int = 0

    def add(self, hit: bool) -> None:
        self.hits += int(hit)
        self.trials += 1

    @property
    def share(self) -> float | None:
        return self.hits / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.hits, self.trials)


@dataclass
class Calibration:
    organisations: int = 0
    departments: int = 0
    found: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in SURVEY_FLAGS})
    untestable: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SURVEY_FLAGS, 0))
    false_flags: dict[str, Tally] = field(
        default_factory=lambda: {c: Tally() for c in SURVEY_FLAGS}
    )
    # Quiet departments of at least k ratings the report leaves at "not enough evidence" for
    # a flag: what it cannot yet tell, which the share found above does not count.
    quiet_untestable: dict[str, Tally] = field(
        default_factory=lambda: {c: Tally() for c in SURVEY_FLAGS}
    )
    quiet: Tally = field(default_factory=Tally)  # quiet departments with any survey flag
    grumblers: Tally = field(default_factory=Tally)  # departments with usual complainers, flagged
    # ... and flagged by them: a survey flag the same department does not get when its usual
    # complainers answer as they are (the rest of a flag on such a department, its chance or
    # its conversations', is a quiet department's false flag like any other).
    by_complainers: Tally = field(default_factory=Tally)
    small_flagged: Tally = field(default_factory=Tally)  # under the minimum size, flagged
    unvisited: Tally = field(default_factory=Tally)
    unvisited_false: Tally = field(default_factory=Tally)
    severity: dict[str, Tally] = field(default_factory=lambda: {s: Tally() for s in SEVERITIES})
    # Each survey flag raised, and whether its department carries that flag's own planted
    # pattern. The rest fell on quiet departments or on another problem, which may share
    # the flag's symptoms (a non-response department is dissatisfied too, so a complaint
    # there can be true; "I'm fine" there says nothing of those who did not answer).
    on_own: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in SURVEY_FLAGS})
    # The service desk flags: planted desk patterns found, and flags on departments without.
    desk_found: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in DESK_FLAGS})
    desk_untestable: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DESK_FLAGS, 0))
    desk_false: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in DESK_FLAGS})

    def to_dict(self) -> dict[str, object]:
        def shown(t: Tally, scale: float = 1.0) -> dict[str, object]:
            interval = t.interval
            return {
                "count": t.hits,
                "of": t.trials,
                "share": None if t.share is None else round(t.share * scale, 4),
                "ci": None if interval is None else [round(v * scale, 4) for v in interval],
            }

        return {
            "organisations": self.organisations,
            "departments": self.departments,
            "found": {c: shown(t) for c, t in self.found.items()},
            "planted_untestable": self.untestable,
            "quiet_untestable_per_100": {
                c: shown(t, 100) for c, t in self.quiet_untestable.items()
            },
            "false_flags_per_100_quiet": {c: shown(t, 100) for c, t in self.false_flags.items()},
            "quiet_flagged_per_100": shown(self.quiet, 100),
            "usual_complainers_flagged": shown(self.grumblers),
            "flagged_by_usual_complainers": shown(self.by_complainers),
            "under_minimum_size_flagged": shown(self.small_flagged),
            "unvisited_found": shown(self.unvisited),
            "unvisited_false_per_100": shown(self.unvisited_false, 100),
            "severity_true_share": {s: shown(t) for s, t in self.severity.items()},
            "flags_on_own_pattern": {c: shown(t) for c, t in self.on_own.items()},
            "desk_found": {c: shown(t) for c, t in self.desk_found.items()},
            "desk_planted_untestable": self.desk_untestable,
            "desk_false_flags_per_100": {c: shown(t, 100) for c, t in self.desk_false.items()},
        }


def calibrate(
    organisations: int,
    *,
    seed: int = 1,
    as_of: date = date(2026, 11, 23),
    min_group_size: int = 5,
    like: Sizes | None = None,
) -> Calibration:
    rng = np.random.default_rng(seed)
    result = Calibration()
    for index in range(organisations):
        org = simulate_organisation(rng, as_of=as_of, like=like)
        # The desk is drawn from a generator of its own, so the survey's draws stay as they
        # were without it.
        desk = np.random.default_rng([seed, index])
        tickets, conversations, desk_planted = simulate_desk(desk, org, as_of=as_of)

        report = partial(
            _report, org, conversations, tickets, as_of=as_of, min_group_size=min_group_size
        )
        kinds = dict(zip(org.departments["department"], org.departments["kind"], strict=True))
        result.organisations += 1
        rows = report(False)
        for row in rows:
            _count(result, row, kinds[row["department"]], min_group_size)
            _count_desk(result, row, DESK_PLANTED.get(desk_planted.get(row["department"], "")))
        _count_complainers(result, rows, kinds, min_group_size, report)
    return result


def _report(
    org: Organisation,
    conversations: pd.DataFrame,
    tickets: pd.DataFrame,
    honest: bool,
    *,
    as_of: date,
    min_group_size: int,
) -> list[dict]:
    """The report's department rows; `honest`: with the usual complainers answering as
    they are."""
    responses, answers = org.responses, org.answers
    if honest:
        responses = responses.assign(score=responses["honest_score"])
        answers = answers.assign(value=answers["honest_value"])
    built = build_report(
        "simulated",
        org.departments[["department", "headcount", "division"]],
        responses,
        answers,
        conversations,
        as_of=as_of,
        min_group_size=min_group_size,
        tickets=tickets,
        tickets_period=(as_of - timedelta(days=DESK_DAYS), as_of),
    )
    return list(built.to_dict()["departments"])


def _survey_codes(row: dict) -> set[str]:
    return {f["code"] for f in row["flags"]} & set(SURVEY_FLAGS)


def _count_complainers(
    result: Calibration,
    rows: list[dict],
    kinds: dict[str, str],
    min_group_size: int,
    report: Callable[[bool], list[dict]],
) -> None:
    """Per department with usual complainers, whether they raised a survey flag: one it has
    that the same organisation, with them answering as they are, does not give it. The
    report is built again only where such a department is flagged at all."""
    mine = [
        r for r in rows if kinds[r["department"]] == "grumbler" and r["rated"] >= min_group_size
    ]
    flagged = {r["department"]: _survey_codes(r) for r in mine}
    rebuilt = any(flagged.values())
    honest = {r["department"]: _survey_codes(r) for r in report(True)} if rebuilt else {}
    for name, codes in flagged.items():
        result.by_complainers.add(bool(codes - honest.get(name, set())))


def _count_desk(result: Calibration, row: dict, planted: str | None) -> None:
    codes = {f["code"] for f in row["flags"]}
    for code in DESK_FLAGS:
        if code != planted:
            result.desk_false[code].add(code in codes)
    if planted is None:
        return
    if planted in row["not_enough_evidence"]:
        result.desk_untestable[planted] += 1
    else:
        result.desk_found[planted].add(planted in codes)


def _count(result: Calibration, row: dict, kind: str, min_group_size: int) -> None:
    result.departments += 1
    codes = {f["code"] for f in row["flags"]}
    survey_codes = codes & set(SURVEY_FLAGS)
    rated, talks = row["rated"], row["conversations"]
    planted = PLANTED.get(kind)
    if rated < min_group_size:
        result.small_flagged.add(bool(survey_codes))
    elif kind in QUIET_KINDS:
        result.quiet.add(bool(survey_codes))
        for code in SURVEY_FLAGS:
            result.false_flags[code].add(code in survey_codes)
            result.quiet_untestable[code].add(code in row["not_enough_evidence"])
        if kind == "grumbler":
            result.grumblers.add(bool(survey_codes))
    if planted:
        # Testable as the report says it is: a department it lists under "not enough
        # evidence" for the flag is not counted as found or missed.
        if planted in row["not_enough_evidence"]:
            result.untestable[planted] += 1
        else:
            result.found[planted].add(planted in codes)
    if talks == 0:
        result.unvisited.add("unvisited" in codes)
    else:
        result.unvisited_false.add("unvisited" in codes)
    for flag in row["flags"]:
        if flag["code"] in SURVEY_FLAGS:
            result.severity[flag["severity"]].add(planted is not None)
            result.on_own[flag["code"]].add(planted == flag["code"])


def _figure(t: Tally, scale: float = 1.0, digits: int = 0) -> str:
    if t.share is None or t.interval is None:
        return "no cases"
    low, high = t.interval
    return (
        f"{t.share * scale:.{digits}f} ({low * scale:.{digits}f} to {high * scale:.{digits}f})"
        f" [{t.hits} of {t.trials}]"
    )


def summary(result: Calibration) -> str:
    """The figures in words, one line each."""
    lines = [
        f"{result.organisations} simulated organisations, {result.departments} departments",
        "found (share of planted departments the report could test, 95% CI):",
    ]
    for code, tally in result.found.items():
        lines.append(
            f"  {code}: {_figure(tally, 100)}%; {result.untestable[code]} planted but untestable"
        )
    lines.append("not enough evidence yet, per 100 quiet departments of at least k ratings:")
    for code, tally in result.quiet_untestable.items():
        lines.append(f"  {code}: {_figure(tally, 100)}")
    lines.append("false flags per 100 quiet departments (clean and usual complainers):")
    for code, tally in result.false_flags.items():
        lines.append(f"  {code}: {_figure(tally, 100, 2)}")
    lines += [
        f"  any survey flag: {_figure(result.quiet, 100, 2)}",
        f"usual complainers' departments flagged: {_figure(result.grumblers, 100, 2)} per 100; "
        f"flagged by them: {_figure(result.by_complainers, 100, 2)} per 100",
        f"under the minimum size flagged: {_figure(result.small_flagged, 100, 2)} per 100",
        f"unvisited found: {_figure(result.unvisited, 100)}%; "
        f"false: {_figure(result.unvisited_false, 100, 2)} per 100",
        "share of flags on a department with a planted problem, by severity:",
    ]
    for severity, tally in result.severity.items():
        lines.append(f"  {severity}: {_figure(tally, 100, 1)}%")
    lines.append("share of each flag's flags on a department planted with that very problem:")
    for code, tally in result.on_own.items():
        lines.append(f"  {code}: {_figure(tally, 100, 1)}%")
    lines.append("service desk flags (a ticket export beside the survey and the walks):")
    for code in DESK_FLAGS:
        lines.append(
            f"  {code}: found {_figure(result.desk_found[code], 100)}%; "
            f"{result.desk_untestable[code]} planted but untestable; false "
            f"{_figure(result.desk_false[code], 100, 2)} per 100 departments without it"
        )
    return "\n".join(lines)
