"""`walkabout import visits`: backfill, idempotent, all or nothing."""

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from app.ingest.row_errors import ImportRefused
from app.models import Conversation, Theme, Visit
from app.services.departments import import_departments
from app.services.visit_import import import_visits
from tests.builders import GENERIC

HEADER = (
    "visit_date,department,leader,person_role,stated_score,observed_score,issues,"
    "unreported,end_run,notes\n"
)


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_sample_backfill_is_idempotent(session: Session) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    first = import_visits(session, path=GENERIC / "visits.csv")
    session.commit()
    assert (first.visits_created, first.conversations) == (90, 370)
    assert "slow tickets" in first.new_themes and "phones" not in first.new_themes
    again = import_visits(session, path=GENERIC / "visits.csv")
    session.commit()
    assert (again.visits_created, again.visits_replaced, again.visits_unchanged) == (0, 0, 90)
    assert _count(session, Visit) == 90 and _count(session, Conversation) == 370


def test_reimport_replaces_a_visits_conversations(session: Session, tmp_path: Path) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    path = tmp_path / "v.csv"
    path.write_text(
        HEADER + "2026-10-01,Legal,a.kim,clerk,4,2,VPN;printing,1,true,x\n"
        "2026-10-01,legal,a.kim,manager,4,4,,0,false,\n"
    )
    import_visits(session, path=path)
    session.commit()
    path.write_text(HEADER + "2026-10-01,Legal,a.kim,clerk,4,3,network  and vpn,0,false,y\n")
    result = import_visits(session, path=path)
    session.commit()
    assert (result.visits_replaced, result.conversations) == (1, 1)
    assert _count(session, Conversation) == 1
    assert session.exec(select(Theme).where(Theme.name_key == "vpn")).first() is not None


def test_bad_rows_are_named_and_nothing_is_written(session: Session, tmp_path: Path) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "2026-10-01,Legal,a.kim,clerk,4,2,,0,false,ok\n"
        "2026-13-01,Legal,a.kim,clerk,4,2,,0,false,\n"
        "2026-10-01,Atlantis,a.kim,clerk,4,2,,0,false,\n"
        "2026-10-01,Legal,a.kim,clerk,4,9,,0,false,\n"
        "2099-10-01,Legal,a.kim,clerk,4,2,,0,false,\n"
        "2026-10-01,Legal,a.kim,clerk,4,2,,0,maybe,\n"
        f"2026-10-01,Legal,a.kim,clerk,4,2,,0,false,{'x' * 4001}\n"
    )
    with pytest.raises(ImportRefused) as refused:
        import_visits(session, path=path)
    report = str(refused.value)
    assert "visit_date: '2026-13-01' is not a date (YYYY-MM-DD): 1 row (row 3)" in report
    assert "department: unknown department 'Atlantis': 1 row (row 4)" in report
    assert "observed_score: must be less than or equal to 5: 1 row (row 5)" in report
    assert "visit_date: 2099-10-01 is in the future: 1 row (row 6)" in report
    assert "end_run: 'maybe' is not true or false: 1 row (row 7)" in report
    assert "notes: String should have at most 4000 characters: 1 row (row 8)" in report
    assert _count(session, Visit) == 0
