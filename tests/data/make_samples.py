"""Writes the made-up sample organisations the tests and the README walkthrough use.

    python -m tests.data.make_samples

Each organisation gets `departments.csv`, a survey export, `visits.csv` and
`expected.json`: what the import must count and the flags the report must raise, taken
from what was planted here, not from the importer. The files are committed; this script
says how they were made (seeded, so it writes the same bytes each time).
"""

import csv
import io
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUALITY = ["Poor", "Fair", "Good", "Very good", "Excellent"]
AGREEMENT = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
]
QUESTIONS = [
    "How satisfied are you with IT support overall?",
    "IT resolves my problems quickly.",
    "IT understands what my department needs.",
    "The tools IT provides help me do my job.",
]
ROLES = ["clerk", "analyst", "team lead", "manager", "engineer", "assistant", "technician"]
THEMES = ["passwords", "vpn", "printing", "laptops", "slow tickets", "training", "phones"]
NOTES = ["waiting on ticket", "no complaints", "showed a workaround", "asked about training", ""]
LEADERS = ["a.kim", "b.osei", "c.lund", "d.ruiz"]
AS_OF = date(2026, 11, 23)
SURVEY_START = datetime(2026, 10, 5, 8, 0)
SURVEY_DAYS = 20
FLAG = {
    "nrb": ["non_response_bias"],
    "fine": ["im_fine"],
    "complaints": ["corroborated_complaints"],
    "unvisited": ["unvisited"],
}
# Answer weights over the five options, worst first.
ANSWERS = {
    "clean": (6, 10, 24, 40, 20),
    "grumbler": (6, 10, 24, 40, 20),
    "small": (6, 10, 24, 40, 20),
    "unvisited": (6, 10, 24, 40, 20),
    "fine": (0, 2, 8, 86, 4),
    "complaints": (45, 22, 15, 13, 5),
    "nrb_early": (1, 3, 12, 44, 40),
    "nrb_late": (25, 32, 25, 13, 5),
}
# (stated, observed) weights over 1..5 per kind of department.
CONVERSATIONS = {
    "clean": ((0, 2, 10, 60, 28), (0, 5, 25, 50, 20)),
    "grumbler": ((0, 2, 10, 60, 28), (0, 5, 25, 50, 20)),
    "small": ((0, 2, 10, 60, 28), (0, 5, 25, 50, 20)),
    "fine": ((0, 0, 5, 85, 10), (20, 50, 25, 5, 0)),
    "complaints": ((10, 30, 30, 25, 5), (25, 45, 25, 5, 0)),
    "nrb": ((5, 20, 35, 35, 5), (20, 45, 25, 10, 0)),
}

# name, kind, headcount, division
ACME = [
    ("Transport", "nrb", 150, "Corporate"),
    ("Records", "nrb", 146, "Corporate"),
    ("Maintenance", "fine", 108, "Commercial"),
    ("Investor Relations", "clean", 160, "Corporate"),
    ("Plant B", "clean", 98, "Commercial"),
    ("Plant A", "fine", 90, "Operations"),
    ("Pharmacy", "clean", 162, "Corporate"),
    ("Student Services", "nrb", 198, "Operations"),
    ("Facilities", "small", 6, "Operations"),
    ("Quality", "clean", 204, "Services"),
    ("Innovation Lab", "fine", 144, "Operations"),
    ("Lab Services", "clean", 148, "Commercial"),
    ("Réception", "clean", 76, "Services"),
    ("Grants", "clean", 120, "Services"),
    ("Internal Comms", "complaints", 152, "Operations"),
    ("Sales West", "clean", 78, "Corporate"),
    ("Archives", "grumbler", 56, "Commercial"),
    ("Risk", "fine", 190, "Operations"),
    ("Warehouse", "clean", 110, "Operations"),
    ("Sales East", "small", 8, "Corporate"),
    ("Billing", "clean", 214, "Commercial"),
    ("Legal", "unvisited", 66, "Operations"),
    ("Events", "complaints", 76, "Operations"),
    ("Field Ops North", "grumbler", 58, "Corporate"),
]
GLOBEX = [
    ("Design", "nrb", 184, "Corporate"),
    ("Field Ops North", "clean", 176, "Services"),
    ("Admissions", "fine", 28, "Services"),
    ("Board Office", "clean", 204, "Corporate"),
    ("Treasury", "small", 4, "Corporate"),
    ("Warehouse", "clean", 40, "Operations"),
    ("Communications", "nrb", 218, "Corporate"),
    ("Finance", "clean", 54, "Corporate"),
    ("Tax", "grumbler", 72, "Corporate"),
    ("Lab Services", "small", 5, "Services"),
    ("Internal Comms", "clean", 130, "Operations"),
    ("Küche", "clean", 196, "Operations"),
    ("Plant B", "fine", 126, "Operations"),
    ("Call Centre", "fine", 180, "Services"),
    ("Alumni", "clean", 138, "Services"),
    ("Recruiting", "complaints", 142, "Corporate"),
    ("Records", "nrb", 182, "Corporate"),
    ("Grants", "fine", 218, "Services"),
    ("Archives", "clean", 188, "Operations"),
    ("Plant A", "unvisited", 56, "Operations"),
    ("Strategy", "complaints", 52, "Corporate"),
    ("Research", "clean", 104, "Services"),
    ("Compliance", "clean", 130, "Services"),
]
NORTHWIND = [
    ("Finance", "clean", 120, "Corporate"),
    ("Human Resources", "clean", 64, "Corporate"),
    ("Payroll", "small", 7, "Corporate"),
    ("Legal", "unvisited", 48, "Corporate"),
    ("Customer Service", "fine", 160, "Operations"),
    ("Warehouse", "nrb", 210, "Operations"),
    ("Logistics", "complaints", 96, "Operations"),
    ("Sales", "clean", 140, "Commercial"),
    ("Marketing", "grumbler", 72, "Commercial"),
    ("Research", "clean", 90, "Commercial"),
    ("Risk", "fine", 180, "Corporate"),
    ("Clinic", "nrb", 150, "Operations"),
]


def _rate(kind: str, rng: random.Random) -> float:
    return rng.uniform(0.2, 0.27) if kind == "nrb" else rng.uniform(0.55, 0.68)


def _responses(kind: str, headcount: int, rng: random.Random) -> list[tuple[datetime, list[int]]]:
    """(submitted, answers as 0..4 or -1 for blank) per complete response."""
    count = 4 if kind == "small" and headcount >= 6 else 2 if kind == "small" else 0
    count = count or round(headcount * _rate(kind, rng))
    out = []
    for i in range(count):
        late = i / max(count - 1, 1)  # respondents ordered by when they answered
        when = SURVEY_START + timedelta(minutes=round(late * SURVEY_DAYS * 24 * 60 * 0.97))
        when += timedelta(seconds=rng.randrange(0, 3600))
        if kind == "nrb":
            weights = ANSWERS["nrb_late" if late > 0.5 else "nrb_early"]
        else:
            weights = ANSWERS[kind]
        answers = [rng.choices(range(5), weights=weights)[0] for _ in QUESTIONS]
        if rng.random() < 0.03:
            answers[rng.randrange(len(answers))] = -1
        out.append((when, answers))
    # Only a grumbler department has all-bottom respondents: exactly three of them.
    for i, (when, answers) in enumerate(out):
        if all(a <= 0 for a in answers) and kind != "complaints":
            out[i] = (when, [3] * len(QUESTIONS))
    if kind == "grumbler":
        for i in (2, 9, 16):
            out[i] = (out[i][0], [0] * len(QUESTIONS))
    return out


def _visits(kind: str, name: str, rng: random.Random) -> list[list[str]]:
    if kind == "unvisited":
        return []
    stated_w, observed_w = CONVERSATIONS[kind]
    rows = []
    visits = rng.randint(3, 6) if kind != "clean" else rng.randint(2, 4)
    for v in range(visits):
        day = AS_OF - timedelta(days=rng.randint(4, 140))
        leader = LEADERS[(v + len(name)) % len(LEADERS)]
        for _ in range(rng.randint(3, 5)):
            stated = rng.choices(range(1, 6), weights=stated_w)[0]
            observed = rng.choices(range(1, 6), weights=observed_w)[0]
            issues = rng.sample(THEMES, k=rng.randint(0, 2) if observed >= 3 else rng.randint(1, 3))
            rows.append(
                [
                    day.isoformat(),
                    name,
                    leader,
                    rng.choice(ROLES),
                    str(stated),
                    str(observed),
                    ";".join(issues),
                    str(rng.randint(0, len(issues))),
                    "true" if observed <= 2 and rng.random() < 0.3 else "false",
                    rng.choice(NOTES),
                ]
            )
    return rows


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _generic_survey(responses: list[tuple[str, datetime, list[int]]]) -> list[list[str]]:
    rows = [["respondent_id", "department", "submitted_at", "q1", "q2", "q3", "q4", "comment"]]
    for i, (dept, when, answers) in enumerate(responses):
        labels = [QUALITY[a] if a >= 0 else "" for a in answers]
        rows.append([str(1000 + i), dept, when.isoformat(sep=" "), *labels, ""])
    return rows


def _qualtrics_survey(
    responses: list[tuple[str, datetime, list[int]]], rng: random.Random
) -> tuple[list[list[str]], int, dict[str, int]]:
    ids = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)"]
    ids += ["Finished", "RecordedDate", "ResponseId", "DistributionChannel", "UserLanguage"]
    texts = ids[:7] + ["Recorded Date", "Response ID", "Distribution Channel", "User Language"]
    keys = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished"]
    keys += ["recordedDate", "_recordId", "distributionChannel", "userLanguage"]
    ids += ["Q1", "Q2_1", "Q2_2", "Q2_3", "Q2_4", "Q3"]
    texts += ["Which department do you work in?"]
    texts += [f"Please rate IT on each statement - {q}" for q in QUESTIONS]
    texts += ["Anything else?"]
    keys += ["QID1", "QID2_1", "QID2_2", "QID2_3", "QID2_4", "QID3_TEXT"]
    rows = [ids, texts, [json.dumps({"ImportId": k}) for k in keys]]

    def row(dept: str, when: datetime, answers: list[int], status: str, done: bool) -> list[str]:
        labels = [AGREEMENT[a] if a >= 0 else "" for a in answers]
        took = rng.randint(90, 900)
        start = when - timedelta(seconds=took)
        stamp = when.isoformat(sep=" ", timespec="seconds")
        return [
            start.isoformat(sep=" ", timespec="seconds"),
            stamp,
            status,
            "",
            "100" if done else str(rng.randint(20, 80)),
            str(took),
            "True" if done else "False",
            stamp,
            f"R_{rng.getrandbits(40):010x}",
            "anonymous",
            "EN",
            dept,
            *labels,
            "",
        ]

    partials: dict[str, int] = {}
    for i, (dept, when, answers) in enumerate(responses):
        rows.append(row(dept, when, answers, "IP Address", True))
        if i % 250 == 40:
            rows.append(row(dept, when, answers[:2] + [-1, -1], "IP Address", False))
            partials[dept] = partials.get(dept, 0) + 1
    previews = 6
    for i in range(previews):
        rows.insert(4 + i * 40, row("Finance", SURVEY_START, [4, 4, 4, 4], "Survey Preview", True))
    return rows, previews, partials


def write_organisation(
    folder: Path, departments: list[tuple[str, str, int, str]], *, seed: int, layout: str
) -> None:
    """One organisation's four files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "departments.csv",
        [["department", "headcount", "division"], *[[n, str(h), d] for n, _, h, d in departments]],
    )
    responses = []
    visits = []
    counts = {}
    for name, kind, headcount, _ in departments:
        answered = _responses(kind, headcount, rng)
        counts[name] = len(answered)
        # Some exports write names as people typed them.
        written = name.lower() if name == "Risk" else name
        responses += [(written, when, answers) for when, answers in answered]
        visits += _visits(kind, name, rng)
    rng.shuffle(responses)
    rng.shuffle(visits)
    visits.sort(key=lambda r: (r[1], r[0]))
    header = ["visit_date", "department", "leader", "person_role", "stated_score"]
    header += ["observed_score", "issues", "unreported", "end_run", "notes"]
    _write(folder / "visits.csv", [header, *visits])
    if layout == "qualtrics":
        rows, previews, partials = _qualtrics_survey(responses, rng)
    else:
        rows, previews, partials = _generic_survey(responses), 0, {}
    _write(folder / "survey.csv", rows)
    meta = {
        "format": layout,
        "labels": AGREEMENT if layout == "qualtrics" else QUALITY,
        "questions": QUESTIONS,
        "department_column": "Which department do you work in?"
        if layout == "qualtrics"
        else "department",
        "as_of": AS_OF.isoformat(),
        "last_submission": max(when for _, when, _ in responses).date().isoformat(),
        "previews": previews,
        "visits": len({(r[0], r[1], r[2]) for r in visits}),
        "conversations": len(visits),
        "departments": {
            name: {
                "kind": kind,
                "headcount": headcount,
                "flags": FLAG.get(kind, []),
                "responses": counts[name],
                "partials": partials.get(name.lower() if name == "Risk" else name, 0),
            }
            for name, kind, headcount, _ in departments
        },
    }
    (folder / "expected.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")


def main() -> None:
    samples = ROOT / "tests" / "data" / "samples"
    write_organisation(samples / "acme-generic", ACME, seed=11, layout="generic")
    write_organisation(samples / "acme-qualtrics", GLOBEX, seed=12, layout="qualtrics")
    write_organisation(ROOT / "examples" / "northwind", NORTHWIND, seed=13, layout="generic")


if __name__ == "__main__":
    main()
