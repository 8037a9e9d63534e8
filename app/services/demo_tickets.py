"""The demo organisation's service desk: a ServiceNow incident list export over the last
eight months, with a department that has stopped asking (Customer Service: "I'm fine" in
the survey, problems and end-runs face to face, few tickets) and a watermelon (Logistics:
nearly every ticket within SLA, the survey's lowest scores)."""

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

CATEGORIES = (
    ("Hardware", 5),
    ("Software", 4),
    ("Network", 3),
    ("Inquiry / Help", 3),
    ("Email", 2),
    ("Printer", 2),
    ("Access", 2),
)
PRIORITIES = (("1 - Critical", 1), ("2 - High", 3), ("3 - Moderate", 10), ("4 - Low", 6))
TICKETS_PER_HEAD = 2.4  # over the export's days, in a typical department
SLA_MET = 0.82
# Departments unlike the rest: (share of the typical ticket rate, share within SLA).
DESK_PATTERNS = {"Customer Service": (0.25, SLA_MET), "Logistics": (1.0, 0.995)}
DAYS = 240
COLUMNS = (
    "number",
    "opened_at",
    "short_description",
    "caller_id",
    "caller_id.department",
    "category",
    "priority",
    "state",
    "assignment_group",
    "resolved_at",
    "made_sla",
)


def write_tickets(
    path: Path, departments: list[tuple[str, int, str]], *, today: date, seed: int
) -> Path:
    """Incidents opened over the DAYS before today, as ServiceNow's list export writes them
    (field names as headers, a description and a caller beside each: Walkabout keeps
    neither)."""
    rng = random.Random(seed)  # nosec B311
    first = today - timedelta(days=DAYS)
    rows: list[tuple[datetime, list[str]]] = []
    for name, headcount, _division in departments:
        rate, sla = DESK_PATTERNS.get(name, (1.0, SLA_MET))
        count = round(headcount * TICKETS_PER_HEAD * rate * rng.uniform(0.9, 1.1))
        for _ in range(count):
            opened = datetime.combine(
                first + timedelta(days=rng.randrange(DAYS - 1)), time(8)
            ) + timedelta(minutes=rng.randrange(600))
            hours = rng.expovariate(1 / 20)
            resolved = opened + timedelta(hours=hours)
            done = resolved.date() < today
            category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
            rows.append(
                (
                    opened,
                    [
                        "Something is not working",
                        f"Caller {rng.randrange(10_000)}",
                        name,
                        category,
                        rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0],
                        "Resolved" if done else "In Progress",
                        "Service Desk",
                        resolved.isoformat(sep=" ", timespec="seconds") if done else "",
                        ("true" if rng.random() < sla else "false") if done else "",
                    ],
                )
            )
    rows.sort(key=lambda row: row[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number, (opened, cells) in enumerate(rows, start=10001):
            writer.writerow(
                [f"INC{number:07d}", opened.isoformat(sep=" ", timespec="seconds"), *cells]
            )
    return path
