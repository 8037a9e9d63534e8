"""Synthetic organisations for the benchmarks (made once, cached under bench/data/)."""

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from app.services.visit_import import COLUMNS as VISIT_COLUMNS

DATA = Path(__file__).resolve().parent / "data"
LABELS = ("Poor", "Fair", "Good", "Very good", "Excellent")
DEPARTMENTS = 200


def departments_file() -> Path:
    path = DATA / "departments.csv"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        rng = random.Random(7)
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["department", "headcount", "division"])
            for i in range(DEPARTMENTS):
                writer.writerow(
                    [f"Department {i:03d}", rng.randint(5000, 15000), f"Division {i % 8}"]
                )
    return path


def survey_file(rows: int, seed: int = 1) -> Path:
    """A generic export: respondent id, department, time, five label ratings."""
    path = DATA / f"survey-{rows}-{seed}.csv"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, 8)
    weights = (7, 10, 22, 40, 21)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["respondent_id", "department", "submitted_at", "q1", "q2", "q3", "q4", "q5"]
        )
        for i in range(rows):
            when = start + timedelta(seconds=rng.randint(0, 21 * 86400))
            writer.writerow(
                [
                    i,
                    f"Department {i % DEPARTMENTS:03d}",
                    when.isoformat(sep=" "),
                    *rng.choices(LABELS, weights=weights, k=5),
                ]
            )
    return path


def visits_file(conversations: int, seed: int = 3) -> Path:
    """Walks: about four conversations each, spread over the last 150 days."""
    path = DATA / f"visits-{conversations}.csv"
    if path.exists():
        return path
    rng = random.Random(seed)
    today = date(2026, 11, 23)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(VISIT_COLUMNS)
        written = 0
        visit = 0
        while written < conversations:
            day = today - timedelta(days=rng.randint(1, 150))
            department = f"Department {visit % DEPARTMENTS:03d}"
            leader = f"leader{visit % 25}@bench.example"
            for _ in range(min(4, conversations - written)):
                writer.writerow(
                    [
                        day.isoformat(),
                        department,
                        leader,
                        "clerk",
                        4,
                        rng.randint(1, 5),
                        "Printing" if rng.random() < 0.2 else "",
                        0,
                        "false",
                        "bench",
                    ]
                )
                written += 1
            visit += 1
    return path
