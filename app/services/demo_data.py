"""Made-up but realistic demo data: survey rounds and walks with the patterns Walkabout finds.

Plain `random` is used on purpose: nothing here is a secret.
"""

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from app.services.visit_import import COLUMNS as VISIT_COLUMNS

QUALITY = ("Poor", "Fair", "Good", "Very good", "Excellent")
AGREEMENT = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)
# A question worded the other way: agreeing is the worst answer.
LETS_ME_DOWN = "IT often lets me down"
ROLES = ("clerk", "analyst", "team lead", "manager", "engineer", "nurse", "driver", "assistant")
NOTES = (
    "said all fine at first",
    "waiting on ticket",
    "showed a workaround spreadsheet",
    "asked about training",
    "no complaints",
    "printer jams every morning",
    "new starter still has no laptop",
    "calls a friend in IT instead of the desk",
)
THEMES = (
    "Devices",
    "Access and passwords",
    "Network and VPN",
    "Printing",
    "Email and calendars",
    "Business applications",
    "Service desk responsiveness",
    "Training",
    "Communication",
    "Meeting rooms",
    "Phones",
)

# What each demo department is like: kind, response propensity.
PATTERNS = {
    "Finance": ("clean", 0.62),
    "Human Resources": ("clean", 0.66),
    "Legal": ("unvisited", 0.6),
    "Procurement": ("clean", 0.58),
    "Customer Service": ("fine", 0.6),
    "Warehouse": ("nrb", 0.22),
    "Logistics": ("complaints", 0.6),
    "Facilities": ("small", 0.6),
    "Sales": ("clean", 0.55),
    "Marketing": ("clean", 0.6),
    "Research": ("clean", 0.64),
    "Clinic": ("nrb", 0.25),
    "Laboratory": ("fine", 0.62),
    "Records": ("clean", 0.6),
}


def _answers(kind: str, rng: random.Random, late: bool) -> list[str]:
    if kind == "fine":
        return [rng.choices(QUALITY, weights=(0, 2, 8, 85, 5))[0] for _ in range(4)]
    if kind == "complaints":
        return [rng.choices(QUALITY, weights=(45, 20, 15, 15, 5))[0] for _ in range(4)]
    if kind == "nrb" and late:
        return [rng.choices(QUALITY, weights=(25, 30, 25, 15, 5))[0] for _ in range(4)]
    if kind == "nrb":
        return [rng.choices(QUALITY, weights=(2, 5, 15, 45, 33))[0] for _ in range(4)]
    return [rng.choices(QUALITY, weights=(7, 10, 22, 40, 21))[0] for _ in range(4)]


def write_survey(
    path: Path,
    departments: list[tuple[str, int, str]],
    *,
    start: date,
    seed: int,
    shift: float = 0.0,
    earlier: Path | None = None,
    worded_the_other_way: bool = False,
    gave_up: int = 0,
) -> Path:
    """A plain-CSV survey round for the demo departments. `earlier`: a round's file this one's
    export holds again (the tool exported every response to date); `worded_the_other_way`
    adds a question agreeing with which is the worst answer (it was not asked before);
    `gave_up`: that many people answered the first question and stopped before the
    department one (a status column then says Complete or Partial)."""
    rng = random.Random(seed)  # nosec B311
    other = random.Random(seed + 1000)  # nosec B311  # the added question's: rng's draws stay
    rows = []
    for name, headcount, _division in departments:
        kind, propensity = PATTERNS.get(name, ("clean", 0.6))
        answered = min(
            headcount, max(0, round(headcount * (propensity + shift + rng.uniform(-0.04, 0.04))))
        )
        if kind == "small":
            answered = min(headcount, 4)
        for i in range(answered):
            late = i >= answered * 2 // 3
            day = start + timedelta(days=(i * 14) // max(answered, 1))
            moment = datetime.combine(day, time(8)) + timedelta(minutes=rng.randint(0, 600))
            answers = _answers(kind, rng, late)
            if worded_the_other_way:
                level = 4 - QUALITY.index(answers[0]) + other.choice((-1, 0, 0, 0, 1))
                answers.append(AGREEMENT[min(4, max(0, level))])
            rows.append([name, moment.isoformat(sep=" ", timespec="seconds"), *answers, ""])
    rng.shuffle(rows)
    if earlier is not None:
        with earlier.open(newline="", encoding="utf-8") as handle:
            before = list(csv.reader(handle))[1:]
        blank = [""] if worded_the_other_way else []
        rows = [[*row[:-1], *blank, row[-1]] for row in before] + rows
    header = [
        "department",
        "submitted_at",
        "Overall satisfaction",
        "Speed of resolution",
        "Understands our needs",
        "Tools help me work",
        *([LETS_ME_DOWN] if worded_the_other_way else []),
        "comment",
    ]
    if gave_up:
        quit_early = ["", "", QUALITY[2]] + [""] * (len(header) - 3)
        rows = [[*row, "Complete"] for row in rows] + [[*quit_early, "Partial"]] * gave_up
        header.append("status")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _conversation(kind: str, rng: random.Random) -> tuple[int, int, list[str], int, bool]:
    if kind in ("fine", "nrb", "complaints"):
        stated = 4 if kind != "complaints" else rng.choice((1, 2, 2, 3, 4))
        observed = rng.choice((1, 2, 2, 3))
    else:
        stated = rng.choice((3, 4, 4, 4, 5))
        observed = max(1, min(5, stated + rng.choice((-1, 0, 0, 0, 1))))
    issues = rng.sample(THEMES, k=rng.choice((0, 0, 1, 2))) if observed <= 3 else []
    return stated, observed, issues, rng.randint(0, len(issues)), rng.random() < 0.1


def write_visits(
    path: Path,
    departments: list[tuple[str, int, str]],
    leaders: list[str],
    *,
    today: date,
    seed: int,
) -> Path:
    """Walks over the last five months, none in the 'unvisited' departments."""
    rng = random.Random(seed)  # nosec B311
    rows = []
    for name, _headcount, _division in departments:
        kind, _ = PATTERNS.get(name, ("clean", 0.6))
        if kind == "unvisited":
            continue
        visits = 5 if kind in ("fine", "nrb", "complaints") else rng.randint(2, 3)
        for _ in range(visits):
            day = today - timedelta(days=rng.randint(3, 150))
            leader = rng.choice(leaders)
            for _ in range(rng.randint(3, 5)):
                stated, observed, issues, unreported, end_run = _conversation(kind, rng)
                rows.append(
                    [
                        day.isoformat(),
                        name,
                        leader,
                        rng.choice(ROLES),
                        stated,
                        observed,
                        ";".join(issues),
                        unreported,
                        str(end_run).lower(),
                        rng.choice(NOTES),
                    ]
                )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(VISIT_COLUMNS)
        writer.writerows(rows)
    return path
