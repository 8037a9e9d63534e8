"""Benchmarks: each figure printed and written to bench/results.json beside a baseline that
measures this machine's own limit in the same run (a ratio means something on a noisy host)."""

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from bench.calibration import bench_calibration
from bench.data import departments_file, survey_file, visits_file

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
results: dict[str, dict[str, object]] = {}


def cli(*args: str) -> dict[str, object]:
    """Run `walkabout ...` in a child process; its time and peak memory."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.measure", sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figure = json.loads(output.stdout)
    if figure["returncode"]:
        raise SystemExit(f"walkabout {' '.join(args)} failed: {figure['stderr']}")
    return figure


def record(name: str, **figures: object) -> None:
    results[name] = figures
    print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


def baseline_sqlite_load(csv_path: Path, db_path: Path) -> float:
    """pandas read_csv plus a raw sqlite3 executemany of the same rows."""
    start = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    connection = sqlite3.connect(db_path)
    connection.execute("CREATE TABLE raw (id, department, submitted_at, q1, q2, q3, q4, q5)")
    connection.executemany(
        "INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?, ?, ?)", frame.itertuples(index=False, name=None)
    )
    connection.commit()
    connection.close()
    return time.perf_counter() - start


def baseline_postgres_load(csv_path: Path, admin_url: str) -> float:
    """pandas read_csv plus a raw COPY of the same rows (as CSV text) into a plain table."""
    import io

    import psycopg

    start = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    with psycopg.connect(admin_url) as connection:
        connection.execute("DROP TABLE IF EXISTS raw_baseline")
        connection.execute(
            "CREATE TABLE raw_baseline (id text, department text, submitted_at text, "
            "q1 text, q2 text, q3 text, q4 text, q5 text)"
        )
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False)
        with connection.cursor().copy("COPY raw_baseline FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        connection.commit()
        seconds = time.perf_counter() - start
        connection.execute("DROP TABLE raw_baseline")
        connection.commit()
    return seconds


def bench_import_postgres() -> None:
    pg = _postgres_bench_database()
    if pg is None:
        print("PostgreSQL does not answer on 127.0.0.1:5432: its import figure skipped")
        return
    source = survey_file(1_000_000)
    base = baseline_postgres_load(source, pg.replace("+psycopg", ""))
    cli("db", "upgrade", "--database-url", pg)
    cli("import", "departments", str(departments_file()), "--database-url", pg)
    figure = cli("import", "survey", str(source), "--name", "bench", "--database-url", pg)
    record(
        "import_1m_postgres",
        seconds=figure["seconds"],
        peak_mb=figure["peak_mb"],
        baseline_seconds=round(base, 3),
        ratio=round(figure["seconds"] / base, 2),
        goal="ratio <= 3 (against read_csv + COPY), peak <= 1024 MB",
    )


def _organisation(workdir: Path) -> None:
    url = f"sqlite:///{workdir / 'organisation.db'}"
    cli("db", "upgrade", "--database-url", url)
    cli("import", "departments", str(departments_file()), "--database-url", url)
    cli("import", "visits", str(visits_file(50_000)), "--database-url", url)


def bench_import(workdir: Path) -> Path:
    source = survey_file(1_000_000)
    base = baseline_sqlite_load(source, workdir / "baseline.db")
    database = workdir / "walkabout-1m.db"
    url = f"sqlite:///{database}"
    cli("db", "upgrade", "--database-url", url)
    cli("import", "departments", str(departments_file()), "--database-url", url)
    cli("import", "visits", str(visits_file(50_000)), "--database-url", url)
    shutil.copy(database, workdir / "organisation.db")  # departments and walks, no survey
    figure = cli("import", "survey", str(source), "--name", "bench", "--database-url", url)
    record(
        "import_1m_sqlite",
        seconds=figure["seconds"],
        peak_mb=figure["peak_mb"],
        baseline_seconds=round(base, 3),
        ratio=round(figure["seconds"] / base, 2),
        goal="ratio <= 3, peak <= 1024 MB",
    )
    return database


def bench_report(workdir: Path, big: Path) -> None:
    sizes = {}
    for rows in (10_000, 100_000):
        database = workdir / f"walkabout-{rows}.db"
        shutil.copy(workdir / "organisation.db", database)
        url = f"sqlite:///{database}"
        cli("import", "survey", str(survey_file(rows)), "--name", "bench", "--database-url", url)
        sizes[rows] = database
    sizes[1_000_000] = big
    scaling = {}
    for rows, database in sizes.items():
        figure = cli(
            "analyze",
            "--survey",
            "bench",
            "--as-of",
            date(2026, 11, 23).isoformat(),
            "--database-url",
            f"sqlite:///{database}",
        )
        connection = sqlite3.connect(database)
        start = time.perf_counter()
        connection.execute(
            "SELECT department_id, score, COUNT(*) FROM survey_responses "
            "GROUP BY department_id, score"
        ).fetchall()
        group_by = time.perf_counter() - start
        connection.close()
        scaling[rows] = figure["seconds"]
        record(
            f"report_{rows}",
            seconds=figure["seconds"],
            in_process_seconds=_report_in_process(f"sqlite:///{database}"),
            peak_mb=figure["peak_mb"],
            baseline_group_by_seconds=round(group_by, 3),
            ratio=round(figure["seconds"] / group_by, 1),
            goal="ratio <= 6, peak <= 1536 MB (at 1M)",
        )
    record(
        "report_growth",
        per_10x_from_10k=round(scaling[100_000] / scaling[10_000], 2),
        per_10x_from_100k=round(scaling[1_000_000] / scaling[100_000], 2),
        goal="<= 10 per tenfold (linear or better)",
    )


def _report_in_process(url: str) -> float:
    """The report as the web app builds it (modules already loaded): best of three."""
    sys.path.insert(0, str(ROOT))
    from sqlmodel import Session

    from app.db import get_engine
    from app.services.reports import survey_report

    timings = []
    with Session(get_engine(url)) as session:
        for _ in range(3):
            start = time.perf_counter()
            survey_report(session, survey="bench", as_of=date(2026, 11, 23), min_group_size=5)
            timings.append(time.perf_counter() - start)
    return round(min(timings), 3)


def bench_dashboard(workdir: Path) -> None:
    database = workdir / "walkabout-100000.db"
    url = f"sqlite:///{database}"
    for seed in (2, 3):
        cli(
            "import",
            "survey",
            str(survey_file(20_000, seed)),
            "--name",
            f"round {seed}",
            "--database-url",
            url,
        )
    sys.path.insert(0, str(ROOT))
    from sqlmodel import Session

    from app.db import get_engine
    from app.services.dashboard import build_dashboard

    with Session(get_engine(url)) as session:
        start = time.perf_counter()
        build_dashboard(session, survey="bench", min_group_size=5)  # works out and caches
        cold = time.perf_counter() - start
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            build_dashboard(session, survey="bench", min_group_size=5)
            timings.append(time.perf_counter() - start)
    record(
        "dashboard_200_departments_3_rounds",
        seconds=round(min(timings), 3),
        first_request_seconds=round(cold, 3),
        rounds_responses="100k + 20k + 20k",
        goal="<= 0.3 s",
    )


def _walk_counter(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql+psycopg", "postgresql+psycopg"))

    def count() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT COUNT(*) FROM visits")).scalar_one())

    return count


def _users(url: str) -> tuple[str, str]:
    leader = "leader@bench.example"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "users",
            "create",
            leader,
            "--role",
            "leader",
            "--password-stdin",
            "--database-url",
            url,
        ],
        input="bench password 12345\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    token = (
        subprocess.run(
            [sys.executable, "-m", "app.cli", "users", "token", leader, "--database-url", url],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return leader, token


def _page_figures(entry: dict[str, Any], health: float) -> dict[str, object]:
    return {
        "requests_per_second": entry["requests_per_second"],
        "p99_ms": entry["p99_ms"],
        "failed": entry["failed"],
        "share_of_healthz": round(entry["requests_per_second"] / health, 2),
    }


def _record_web(name: str, figures: dict[str, object], peer_ratio: float) -> None:
    health = figures["healthz"]["requests_per_second"]  # type: ignore[index]
    for page in ("walk_list", "walk_form"):
        entry = figures[page]
        share = round(entry["requests_per_second"] / health, 3)  # type: ignore[index]
        record(
            f"{name}_{page}",
            **_page_figures(entry, health),  # type: ignore[arg-type]
            healthz_requests_per_second=health,
            # /healthz's own tail, measured without the writes: how much of the page's p99
            # is the server's queue (worker processes share connections unevenly) and not
            # the page.
            healthz_p99_ms=figures["healthz"]["p99_ms"],  # type: ignore[index]
            writes_per_second_meanwhile=entry["writes_per_second"],  # type: ignore[index]
            peer_list_share_of_its_ping=peer_ratio,
            against_peer=round(share / peer_ratio, 2),
            goal=">= the peer's list/ping share (moonshot 1.5x), p99 <= 250 ms, 0 failed",
        )
    posts = figures["posts"]  # type: ignore[index]
    record(
        f"{name}_walk_posts",
        per_second=posts["requests_per_second"],
        p99_ms=posts["p99_ms"],
        failed=posts["failed"],
        sent=figures["posts_sent"],
        answered_201=figures["posts_created"],
        stored=figures["walks_stored"],
        # wrk may stop after making its last request and before sending it: every walk
        # answered 201 must be stored, and nothing beyond what was made.
        none_lost_or_doubled=figures["posts_created"]  # type: ignore[operator]
        <= figures["walks_stored"]
        <= figures["posts_sent"],
        goal=">= 200/s on SQLite; answered_201 <= stored <= sent",
    )


def bench_peer(workdir: Path) -> float:
    """A plain FastAPI + SQLModel + Jinja list page against its own ping, in this run."""
    from bench.web import run_peer

    figures = run_peer(workdir)
    ping, listing = figures["ping"], figures["list"]
    ratio = round(listing["requests_per_second"] / ping["requests_per_second"], 3)
    record(
        "peer_list_page",
        ping_requests_per_second=ping["requests_per_second"],
        list_requests_per_second=listing["requests_per_second"],
        list_p99_ms=listing["p99_ms"],
        list_failed=listing["failed"],
        writes_per_second_meanwhile=listing["writes_per_second"],
        list_share_of_ping=ratio,
        note="bench/peer.py: 20 rows, ORM objects, a Jinja template; ping runs SELECT 1",
    )
    return ratio


def bench_web(workdir: Path) -> None:
    from bench.web import run_web

    peer_ratio = bench_peer(workdir)
    database = workdir / "web.db"
    shutil.copy(workdir / "organisation.db", database)
    url = f"sqlite:///{database}"
    leader, token = _users(url)
    _record_web(
        "web_sqlite",
        run_web(url, workers=1, leader=leader, token=token, count_walks=_walk_counter(url)),
        peer_ratio,
    )
    pg = _postgres_bench_database()
    if pg is None:
        print("PostgreSQL does not answer on 127.0.0.1:5432: multi-process run skipped")
        return
    cli("db", "upgrade", "--database-url", pg)
    cli("import", "departments", str(departments_file()), "--database-url", pg)
    leader, token = _users(pg)
    _record_web(
        "web_postgres_4_workers",
        run_web(pg, workers=4, leader=leader, token=token, count_walks=_walk_counter(pg)),
        peer_ratio,
    )


def _postgres_bench_database() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as connection:
            connection.execute("DROP DATABASE IF EXISTS walkabout_bench")
            connection.execute("CREATE DATABASE walkabout_bench")
    except Exception:
        return None
    return "postgresql+psycopg://postgres@127.0.0.1:5432/walkabout_bench"


def main() -> None:
    print("Benchmarks (this takes a few minutes; data is cached in bench/data/)", flush=True)
    only = sys.argv[1] if sys.argv[1:] else None  # "web" or "calibrate": that section alone
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if only is None:
            big = bench_import(workdir)
            bench_import_postgres()
            bench_report(workdir, big)
            bench_dashboard(workdir)
        if only in (None, "calibrate"):
            bench_calibration(record)
        if only == "web":
            _organisation(workdir)
        if only in (None, "web"):
            bench_web(workdir)
    if only and RESULTS.exists():
        results.update(
            {k: v for k, v in json.loads(RESULTS.read_text()).items() if k not in results}
        )
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
