"""`walkabout db backup` and `db restore` round-trip the data."""

import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, func, select

from app.db import get_engine
from app.models import Department, SurveyUpload, User
from app.services.survey_uploads import store_upload


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def departments(url: str) -> int:
    with Session(get_engine(url, immediate=False)) as session:
        return int(session.exec(select(func.count()).select_from(Department)).one())


def test_backup_then_restore_round_trips(database_url: str, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("department,headcount\nFinance,40\nLegal,12\n")
    assert run("import", "departments", str(first), "--database-url", database_url).returncode == 0
    backup = tmp_path / "walkabout.backup"
    made = run("db", "backup", str(backup), "--database-url", database_url)
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 0
    more = tmp_path / "more.csv"
    more.write_text("department,headcount\nRisk,9\n")
    run("import", "departments", str(more), "--database-url", database_url)
    assert departments(database_url) == 3
    restored = run("db", "restore", str(backup), "--database-url", database_url)
    assert restored.returncode == 0, restored.stderr
    get_engine(database_url, immediate=False).dispose()
    assert departments(database_url) == 2


def test_restore_refuses_a_file_that_is_not_a_backup(database_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_text("not a backup at all")
    result = run("db", "restore", str(junk), "--database-url", database_url)
    assert result.returncode == 1 and "not a" in result.stderr and "backup" in result.stderr


def test_a_backup_carries_no_raw_survey_upload(
    database_url: str, session: Session, make_user, tmp_path: Path
) -> None:
    email = make_user("analyst")
    user = session.exec(select(User).where(User.email == email)).one()
    store_upload(
        session,
        user=user,
        file_name="export.csv",
        # A comment, which an upload keeps for its preview (an e-mail it would not keep).
        content=b"department,comment\nFinance,alice.secret says the desk is slow\n",
    )
    session.commit()
    backup = tmp_path / "walkabout.backup"
    made = run("db", "backup", str(backup), "--database-url", database_url)
    assert made.returncode == 0, made.stderr
    assert b"alice.secret" not in backup.read_bytes()
    restored = run("db", "restore", str(backup), "--database-url", database_url)
    assert restored.returncode == 0, restored.stderr
    get_engine(database_url, immediate=False).dispose()
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyUpload)).one() == 0
    assert session.exec(select(User.email)).all() == [email]  # the rest came back
