"""The `walkabout` command line as a user runs it (`tests.cli`: in the test's process, and
as a process where only a process shows it)."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from app.db import get_engine
from app.models import Action, Department, ImportJob, Survey, User, Visit
from tests.cli import run, run_process


def count(url: str, model: type) -> int:
    with Session(get_engine(url)) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_users_create_and_token(database_url: str) -> None:
    created = run_process(
        "users",
        "create",
        "Lead@Example.org",
        "--role",
        "leader",
        "--password-stdin",
        "--database-url",
        database_url,
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created lead@example.org (leader)" in created.stdout
    with Session(get_engine(database_url)) as session:
        stored = session.exec(select(User.password_hash)).one()
    # The app's own cost (the tests make their users at a lower one: conftest).
    assert stored is not None and stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    token = run_process("users", "token", "lead@example.org", "--database-url", database_url)
    assert token.returncode == 0
    assert len(token.stdout.strip().splitlines()[-1]) >= 40


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (
            ["--role", "boss"],
            "a long enough password\n",
            "unknown role 'boss' (choose one of leader, analyst, executive, admin)",
        ),
        (["--role", "leader"], "short\n", "password must be at least 12 characters"),
    ],
)
def test_users_create_refuses_bad_input(database_url: str, args, stdin, message) -> None:
    result = run(
        "users",
        "create",
        "x@example.org",
        *args,
        "--password-stdin",
        "--database-url",
        database_url,
        stdin=stdin,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {message}"
    assert count(database_url, User) == 0


def test_duplicate_user_is_refused(database_url: str) -> None:
    args = (
        "users",
        "create",
        "a@example.org",
        "--role",
        "analyst",
        "--password-stdin",
        "--database-url",
        database_url,
    )
    assert run(*args, stdin="a long enough password\n").returncode == 0
    again = run(*args, stdin="another long password\n")
    assert again.returncode == 1
    assert again.stderr.strip() == "error: a user with e-mail a@example.org already exists"
    assert count(database_url, User) == 1


def test_unmigrated_database_says_what_to_do(tmp_path: Path) -> None:
    result = run(
        "users", "token", "a@example.org", "--database-url", f"sqlite:///{tmp_path / 'empty.db'}"
    )
    assert result.returncode == 1
    assert "has `walkabout db upgrade` been run?" in result.stderr


def test_analyze_json_csv_html(database_url: str, tmp_path: Path) -> None:
    from tests.builders import GENERIC

    for args in (
        ("import", "departments", str(GENERIC / "departments.csv")),
        ("import", "survey", str(GENERIC / "survey.csv"), "--name", "s"),
        ("import", "visits", str(GENERIC / "visits.csv")),
    ):
        assert run(*args, "--database-url", database_url).returncode == 0
    as_json = run(
        "analyze", "--survey", "s", "--as-of", "2026-11-23", "--database-url", database_url
    )
    assert json.loads(as_json.stdout)["as_of"] == "2026-11-23"
    out = tmp_path / "r.csv"
    run(
        "analyze",
        "--survey",
        "s",
        "--format",
        "csv",
        "--out",
        str(out),
        "--database-url",
        database_url,
    )
    assert out.read_text().splitlines()[0].startswith("department,division,headcount")
    page = tmp_path / "r.html"
    run(
        "analyze",
        "--survey",
        "s",
        "--format",
        "html",
        "--out",
        str(page),
        "--database-url",
        database_url,
    )
    html = page.read_text()
    # Self-contained: the page's own heatmap table and stylesheet, no script, no network.
    assert '<table class="heatmap">' in html and "<script" not in html and "://" not in html
    missing = run("analyze", "--survey", "nope", "--database-url", database_url)
    assert missing.returncode == 1 and "no survey named 'nope'" in missing.stderr
    turned = run(
        "import", "survey", str(GENERIC / "survey.csv"), "--name", "t",
        "--reversed-columns", "q2,q4", "--database-url", database_url,
    )  # fmt: skip
    assert [line for line in turned.stdout.splitlines() if "rating:" in line] == [
        "  rating: q1 [Poor, Fair, Good, Very good, Excellent]",
        "  rating: q2 [reversed: Poor, Fair, Good, Very good, Excellent]",
        "  rating: q3 [Poor, Fair, Good, Very good, Excellent]",
        "  rating: q4 [reversed: Poor, Fair, Good, Very good, Excellent]",
    ]


def test_unknown_database_scheme_is_one_clear_line() -> None:
    result = run("db", "upgrade", "--database-url", "mysql://root@localhost/x")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: database URL scheme 'mysql' is not supported")
    assert len(result.stderr.strip().splitlines()) == 1


def test_import_departments_upserts_and_refuses_bad_rows(database_url: str, tmp_path: Path) -> None:
    good = tmp_path / "departments.csv"
    good.write_text("Department;Headcount;Division\nFinance;40;Corp\n=Ops;12;\n", encoding="utf-8")
    first = run("import", "departments", str(good), "--database-url", database_url)
    assert first.returncode == 0, first.stderr
    assert "2 new, 0 updated" in first.stdout
    good.write_text("department,headcount\nfinance,41\n")
    assert (
        "0 new, 1 updated"
        in run("import", "departments", str(good), "--database-url", database_url).stdout
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("department,headcount\nLegal,12\nRisk,many\n,4\n")
    refused = run("import", "departments", str(bad), "--database-url", database_url)
    assert refused.returncode == 1
    assert "headcount: 'many' is not a whole number ≥ 0: 1 row (row 3)" in refused.stderr
    assert "department: the department name is empty: 1 row (row 4)" in refused.stderr
    assert count(database_url, Department) == 2


def test_demo_fills_an_empty_database_once(database_url: str) -> None:
    first = run("demo", "--database-url", database_url)
    assert first.returncode == 0, first.stderr
    for role in ("leader", "analyst", "executive", "admin"):
        assert f"{role}@demo.walkabout.example" in first.stdout
    assert count(database_url, User) == 6  # one per role, and two more leaders
    # Three published rounds (a trend) and a draft not yet published.
    assert count(database_url, Survey) == 4 and count(database_url, Visit) > 20
    assert count(database_url, ImportJob) == 4  # the analyst's imports, listed to come back to
    report = run("analyze", "--survey", "Autumn survey", "--database-url", database_url)
    assert report.returncode == 0
    flags = {
        d["department"]: {f["code"] for f in d["flags"]}
        for d in json.loads(report.stdout)["departments"]
    }
    assert flags["Legal"] == {"unvisited"}
    # The service desk's export: Customer Service has stopped asking, Logistics meets its
    # SLAs while people rate IT poorly.
    assert flags["Logistics"] == {"corroborated_complaints", "watermelon"}
    assert flags["Customer Service"] == {"im_fine", "quiet_desk"}
    rows = {d["department"]: d for d in json.loads(report.stdout)["departments"]}
    assert rows["Customer Service"]["tickets_per_100"] < rows["Finance"]["tickets_per_100"] / 2
    assert rows["Logistics"]["sla_met"] > 0.95 and rows["Finance"]["median_resolution_hours"]
    # The walk programme shows done, missed and due occurrences; the shared schedule, of a
    # department nobody walked lately, has none done.
    from app.db import get_engine
    from app.services.schedules import list_schedules
    from app.settings import Settings

    with Session(get_engine(database_url)) as session:
        admin = session.exec(select(User).where(User.role == "admin")).one()
        views = list_schedules(session, user=admin, settings=Settings())
        # No answer is dated after today: the draft round ended yesterday.
        rounds = {s.name: s for s in session.exec(select(Survey)).all()}
    assert rounds["Winter pulse"].published_at is None
    # The draft's export held the autumn round again, left out; its question worded the other
    # way is scored top down; those who gave up early are counted apart.
    with Session(get_engine(database_url)) as session:
        jobs = {j.survey_name: json.loads(j.message) for j in session.exec(select(ImportJob))}
    said = jobs["Winter pulse"]["summary"]
    autumn = rounds["Autumn survey"].responses
    assert f"left out: {autumn} responses already in round 'Autumn survey'" in said
    assert "rating: IT often lets me down [reversed: Strongly disagree," in said
    # Three people gave up before the department question: left out, and said.
    assert jobs["Winter pulse"]["partials_without_department"] == 3
    assert "left out: 3 partial responses that stopped before the department question" in said
    assert (rounds["Winter pulse"].responses, rounds["Winter pulse"].partials) == (386, 0)
    assert max(s.round_date for s in rounds.values()) <= date.today()
    # The leader finished actions of earlier walks: their walk list keeps five in view.
    with Session(get_engine(database_url)) as session:
        finished = session.exec(
            select(Action.completed_at).where(col(Action.status).in_(("done", "cant_do")))
        ).all()
    assert len(finished) == 14 and all(at is not None for at in finished)
    seen = {o.status for v in views for o in v.occurrences}
    assert {"done", "missed", "due", "upcoming"} <= seen
    shared = next(v for v in views if len(v.leaders) == 2)
    assert "done" not in {o.status for o in shared.occurrences}
    second = run("demo", "--database-url", database_url)
    assert second.returncode == 0
    assert "already holds data" in second.stdout
    assert count(database_url, User) == 6


def test_import_tickets_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "departments.csv"
    directory.write_text("department,headcount\nFinance,40\nWarehouse,25\nLibrary,12\n")
    run("import", "departments", str(directory), "--database-url", database_url)
    export = Path(__file__).parent / "data" / "tickets" / "servicenow-incident-list.csv"
    args = ("import", "tickets", str(export), "--name", "September")
    first = run(*args, "--database-url", database_url)
    assert first.returncode == 0, first.stderr
    assert "tickets 'September' imported (servicenow): 4 tickets opened 2026-09-01" in first.stdout
    assert "department column: caller_id.department" in first.stdout
    again = run(*args, "--database-url", database_url)
    assert "already imported; nothing changed" in again.stdout
    wrong = run(*args, "--department-column", "nowhere", "--database-url", database_url)
    assert wrong.returncode == 1 and "no column 'nowhere' for the department" in wrong.stderr
    bad = run(*args, "--format", "remedy", "--database-url", database_url)
    assert bad.returncode == 1 and "unknown ticket format 'remedy'" in bad.stderr


def test_names_and_labels_holding_commas_can_be_given(database_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "departments.csv"
    directory.write_text("department,headcount\nFinance,20\n")
    assert (
        run("import", "departments", str(directory), "--database-url", database_url).returncode == 0
    )
    survey = tmp_path / "survey.csv"
    # Two questions whose text holds commas, answered on a scale whose labels do too.
    survey.write_text(
        'department,submitted_at,"Was IT rude, or helpful?","Overall, how was it?"\n'
        + "".join(
            f'Finance,2026-10-0{1 + i % 9} 10:00,"{a}","{b}"\n'
            for i, (a, b) in enumerate(
                [("Yes, very rude", "No, not rude at all")] * 3
                + [("No, not rude at all", "Yes, somewhat rude")] * 3
            )
        )
    )
    scale = '["Yes, very rude", "Yes, somewhat rude", "No, not rude at all"]'
    done = run(
        "import",
        "survey",
        str(survey),
        "--name",
        "Rude",
        "--rating-column",
        "Was IT rude, or helpful?",
        "--rating-column",
        "Overall, how was it?",
        "--scale",
        scale,
        "--database-url",
        database_url,
    )
    assert done.returncode == 0, done.stderr
    assert "[Yes, very rude, Yes, somewhat rude, No, not rude at all]" in done.stdout
    assert done.stdout.count("  rating: ") == 2
    # Each respondent scores (0 + 100) / 2 or (100 + 50) / 2: survey score (150 + 225) / 6 = 62.5.
    report = json.loads(run("analyze", "--survey", "Rude", "--database-url", database_url).stdout)
    assert report["overall"]["survey_score"] == 62.5
    bad = run(
        "import",
        "survey",
        str(survey),
        "--name",
        "Bad",
        "--scale",
        "[not json",
        "--database-url",
        database_url,
    )
    assert bad.returncode == 1 and "not valid JSON" in bad.stderr
