"""Benchmarks: each figure printed and written to bench/results.json beside a baseline that
measures this machine's own limit in the same run (a ratio means something on a noisy host)."""

import json
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from bench.calibration import bench_calibration
from bench.data import departments_file, survey_file, visits_file
from bench.recording import RESULTS, ROOT, cli, postgres_bench_database, record, results
from bench.web_section import bench_web


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
    pg = postgres_bench_database()
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
