"""Pages kept under the data version: served again only while nothing they show has changed,
wherever the change came from, and with fresh per-request values put in."""

import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, func, select

from app.db import get_engine
from app.models import AuditEvent, Department, Visit, metadata
from app.page_cache import PageCache, fill, placeholder
from app.services.data_version import (
    UNTRACKED_TABLES,
    installed_triggers,
    read_data_version,
    trigger_names,
)
from app.services.departments import import_departments
from tests.builders import GENERIC, load_sample
from tests.conftest import csrf_from, log_in
from tests.test_query_counts import counting


@pytest.fixture
def directory(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,40\nWarehouse,25\n")
    import_departments(session, path=path)


def _walk(token: str, department: str = "Finance", action: str = "Replace printer") -> dict:
    return {
        "csrf_token": token,
        "client_id": str(uuid.uuid4()),
        "department": department,
        "visit_date": date.today().isoformat(),
        "conversations-0-person_role": "clerk",
        "conversations-0-stated_score": "4",
        "conversations-0-observed_score": "2",
        "actions-0-title": action,
        "actions-0-owner": "leader@example.org",
        "actions-0-due_date": date.today().isoformat(),
    }


def _version(session: Session) -> int:
    session.rollback()  # a new snapshot: see what others committed
    value = read_data_version(session.connection())
    assert value is not None
    return value


def test_every_table_outside_the_untracked_list_has_triggers(database_url: str) -> None:
    engine = get_engine(database_url)
    expected = {
        name
        for table in metadata.sorted_tables
        if table.name not in UNTRACKED_TABLES
        for name in trigger_names(table.name, engine.dialect.name)
    }
    with engine.connect() as connection:
        assert installed_triggers(connection) == expected


def test_the_version_moves_with_committed_changes_only(session: Session, directory) -> None:
    start = _version(session)
    department = session.exec(select(Department).where(Department.name == "Finance")).one()
    department.headcount = 41
    session.add(department)
    session.commit()
    after_orm = _version(session)
    assert after_orm > start
    session.execute(text("DELETE FROM departments WHERE name = 'Warehouse'"))
    session.commit()
    after_sql = _version(session)
    assert after_sql > after_orm
    session.execute(text("UPDATE departments SET headcount = 1"))
    session.rollback()
    assert _version(session) == after_sql  # a rolled-back change moves nothing
    session.add(AuditEvent(action="test", actor_id=None, detail="untracked"))
    session.commit()
    assert _version(session) == after_sql  # nor does a write no page shows


def test_walk_list_shows_changes_made_anywhere(
    app, leader_client: TestClient, session: Session, directory
) -> None:
    cache: PageCache = app.state.page_cache
    token = csrf_from(leader_client.get("/visits/new").text)
    assert leader_client.post("/visits", data=_walk(token)).status_code == 303
    first = leader_client.get("/visits").text
    hits = cache.hits
    assert leader_client.get("/visits").text.count("Replace printer") == 1
    assert cache.hits == hits + 1  # the same page, kept
    assert "Mark done" in first and "Finance" in first

    # Changed behind the app's back (another worker, the command line, SQL by hand).
    session.execute(text("UPDATE actions SET status = 'done'"))
    session.execute(text("UPDATE departments SET name = 'Finance and Payroll' WHERE id = 1"))
    session.commit()
    page = leader_client.get("/visits").text
    assert "Mark done" not in page and "· done" in page
    assert "Finance and Payroll" in page

    # A change through the app itself, and the page straight after it.
    assert leader_client.post("/visits", data=_walk(token, "Warehouse")).status_code == 303
    page = leader_client.get("/visits?flash=Walk+saved.").text
    assert "Walk saved." in page and "Warehouse" in page and "(2)" in page
    assert "(2)" in leader_client.get("/visits").text


def test_walk_form_from_the_cache_gets_its_own_client_id_and_token(
    app, leader_client: TestClient, make_user, session: Session, directory
) -> None:
    cache: PageCache = app.state.page_cache
    first = leader_client.get("/visits/new").text
    hits = cache.hits
    second = leader_client.get("/visits/new").text
    assert cache.hits == hits + 1
    ids = [re.search(r'name="client_id" value="([^"]+)"', p).group(1) for p in (first, second)]  # type: ignore[union-attr]
    assert ids[0] != ids[1] and all(uuid.UUID(i) for i in ids)
    # Two walks started from two views of the kept form are two walks, not one.
    for page, client_id in zip((first, second), ids, strict=True):
        data = _walk(csrf_from(page))
        data["client_id"] = client_id
        assert leader_client.post("/visits", data=data).status_code == 303
    session.rollback()
    assert session.exec(select(func.count()).select_from(Visit)).one() == 2

    # Another leader gets their own page, not the first's.
    with TestClient(app, follow_redirects=False) as other:
        log_in(other, make_user("leader", "second@example.org"))
        theirs = other.get("/visits/new").text
    assert '<span class="who">second@example.org</span>' in theirs
    assert '<span class="who">leader@example.org</span>' not in theirs
    assert csrf_from(theirs) != csrf_from(second)

    # htmx asks for the form alone: kept apart from the whole page.
    fragment = leader_client.get("/visits/new", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'name="client_id"' in fragment.text
    assert "<html" in leader_client.get("/visits/new").text

    session.execute(
        text("INSERT INTO themes (name, name_key, is_active) VALUES ('Badges', 'badges', true)")
    )
    session.commit()
    assert "Badges" in leader_client.get("/visits/new").text


def test_kept_pages_are_built_only_from_tracked_tables(
    app, session: Session, make_user, database_url: str
) -> None:
    load_sample(session, GENERIC, name="S")
    tracked = {t.name for t in metadata.sorted_tables} - UNTRACKED_TABLES
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, make_user("leader"))
        for path in ("/visits", "/visits/new"):
            app.state.page_cache.clear()
            with counting(database_url) as statements:
                assert client.get(path).status_code == 200
            read = {
                name
                for statement in statements
                for name in re.findall(r"\b(?:FROM|JOIN)\s+\"?(\w+)", statement)
            }
            # The session lookup reads its own table and the version: neither is on the page.
            assert read - {"user_sessions", "data_versions"} <= tracked, (path, read)
            assert read & tracked, statements


def test_cache_keeps_one_version_and_never_an_older_build() -> None:
    cache = PageCache(size=2)
    cache.put("a", 5, "five")
    assert cache.get("a", 5) == "five" and cache.get("a", 6) is None
    cache.put("a", 4, "four")  # built from an older read: not kept
    assert cache.get("a", 5) == "five"
    cache.put("b", 6, "six")  # a newer version drops every older page
    assert cache.get("a", 5) is None and cache.get("b", 6) == "six"
    cache.put("c", 6, "c")
    cache.put("d", 6, "d")  # beyond the size, the least recently used goes
    assert cache.get("b", 6) is None and cache.get("d", 6) == "d"
    cache.put("d", None, "no version")  # nothing to keep it under: not kept
    assert cache.get("d", 6) == "d" and cache.get("d", None) is None


def test_fresh_values_go_in_only_when_safe() -> None:
    page = f'<input value="{placeholder("client_id")}">'
    assert fill(page, {"client_id": "abc-123"}) == '<input value="abc-123">'
    with pytest.raises(ValueError, match="client_id"):
        fill(page, {"client_id": '"><script>'})


def test_with_the_cache_off_every_page_is_built_and_still_gets_fresh_values(
    settings, make_user, database_url: str, directory
) -> None:
    from app.main import create_app

    app = create_app(settings.model_copy(update={"page_cache_pages": 0}))
    assert app.state.page_cache is None
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, make_user("leader"))
        pages = []
        for _ in range(2):
            with counting(database_url) as statements:
                pages.append(client.get("/visits/new").text)
            assert len(statements) > 1  # built from the database each time
    ids = {re.search(r'name="client_id" value="([^"]+)"', p).group(1) for p in pages}  # type: ignore[union-attr]
    assert len(ids) == 2 and all(uuid.UUID(i) for i in ids)
    token = csrf_from(pages[1])
    assert "fresh" not in token and len(token) > 20


def test_a_database_made_again_starts_from_another_number(tmp_path: Path) -> None:
    from app.migrate import upgrade_database

    starts = []
    for name in ("one.db", "two.db"):
        url = f"sqlite:///{tmp_path / name}"
        upgrade_database(url)
        with get_engine(url).connect() as connection:
            starts.append(read_data_version(connection))
        get_engine(url).dispose()
    assert all(s is not None and s >= 2**32 for s in starts) and starts[0] != starts[1]
