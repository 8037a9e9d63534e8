"""A killed import leaves the database as it was: one transaction, nothing half-written."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select

from app.models import Survey, SurveyResponse
from app.services.departments import import_departments
from tests.builders import write_csv


def test_kill_9_mid_import_leaves_nothing(
    database_url: str, session: Session, tmp_path: Path
) -> None:
    departments = tmp_path / "departments.csv"
    departments.write_text("department,headcount\nFinance,100000\nLegal,100000\n")
    import_departments(session, path=departments)
    session.commit()
    rows = [["department", "submitted_at", "q1", "q2", "q3"]]
    labels = ["Poor", "Fair", "Good", "Very good", "Excellent"]
    rows += [
        [
            "Finance" if i % 2 else "Legal",
            f"2026-10-{1 + i % 28:02d} 10:00:00",
            labels[i % 5],
            labels[(i + 1) % 5],
            labels[(i + 2) % 5],
        ]
        for i in range(300_000)
    ]
    big = write_csv(tmp_path / "big.csv", rows)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "import",
            "survey",
            str(big),
            "--name",
            "big",
            "--database-url",
            database_url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Wait until rows are being written (pass two), then kill without warning.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if _writing(database_url):
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0
    assert session.exec(select(Survey)).first() is None


def _writing(database_url: str) -> bool:
    """The import is in its write pass: on SQLite its transaction has spilled pages to the
    write-ahead log; on PostgreSQL its COPY is running."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        wal = Path(f"{url.database}-wal")
        return wal.exists() and wal.stat().st_size > 1_000_000
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE state = 'active' AND query LIKE 'COPY survey_responses%'"
        ).fetchone()
    return bool(row and row[0])
