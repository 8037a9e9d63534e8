"""Fixtures: a fresh migrated database per test (SQLite, and PostgreSQL when
WALKABOUT_TEST_DATABASE_URL is set), the app, and a logged-in client per role."""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

from app import security
from app.db import dispose_engines, get_engine
from app.main import create_app
from app.migrate import upgrade_database
from app.models import metadata
from app.services.departments import import_departments
from app.services.users import create_user
from app.settings import Settings


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own database beside the given one (created
    when missing), so workers never truncate each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    given = make_url(url)
    name = f"{given.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("WALKABOUT_TEST_DATABASE_URL"))
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct horse battery staple"
# Users made in the test process get Argon2id at its lowest cost (1 pass over 1 MiB, about
# 1 ms here, against 0.2 s for the app's 3 passes over 64 MiB): hundreds of tests make a
# user and sign in, which cost a sixth of the suite's time. The hash names its own
# parameters, so the app verifies these as it verifies its own; the app itself (every
# server and command the tests start as a process) keeps its cost, which
# test_cli.test_users_create_and_token checks on a stored hash.
security._password_hash = PasswordHash(
    (Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),)
)
# Made-up organisations with their answers, written by tests/data/make_samples.py.
SAMPLES = Path(__file__).resolve().parent / "data" / "samples"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    dispose_engines()  # the last connection to close folds the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> tuple[str, dict[str, list[dict[str, object]]]]:
    """Migrate once; remember the rows migrations seed, to put back after each truncate."""
    assert PG_URL
    engine = get_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade_database(PG_URL)
    with engine.connect() as conn:
        seeds = {
            t.name: [dict(r._mapping) for r in conn.execute(t.select())]
            for t in metadata.sorted_tables
        }
    return PG_URL, {name: rows for name, rows in seeds.items() if rows}


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "walkabout.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url, seeds = request.getfixturevalue("pg_migrated")
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with get_engine(url).begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            for table in metadata.sorted_tables:
                if table.name in seeds:
                    conn.execute(table.insert(), seeds[table.name])
                if table.name in seeds and "id" in table.c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT MAX(id) FROM {table.name}))"
                        )
                    )
    yield url
    dispose_engines()


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    # Deferred transactions: the test's own reads must not hold SQLite's write lock while
    # the app under test writes.
    with Session(get_engine(database_url, immediate=False), expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, login_max_failures=5)


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page carries no CSRF token"
    return match.group(1)


def upload_file(client: TestClient, path, name: str, file_name: str):  # type: ignore[no-untyped-def]
    """Choose a survey export on the upload page, as a browser would."""
    token = csrf_from(client.get("/imports/survey").text)
    with path.open("rb") as handle:
        return client.post(
            "/imports/survey",
            data={"csrf_token": token, "name": name},
            files={"file": (file_name, handle, "application/octet-stream")},
        )


def log_in(client: TestClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    )


@pytest.fixture
def make_user(session: Session) -> Callable[..., str]:
    def _make(role: str, email: str | None = None) -> str:
        email = email or f"{role}@example.org"
        create_user(session, email=email, role=role, password=PASSWORD)
        session.commit()
        return email

    return _make


def _role_client(app, make_user: Callable[..., str], role: str) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    email = make_user(role)
    with TestClient(app, follow_redirects=False) as role_client:
        response = log_in(role_client, email)
        assert response.status_code == 303, response.text
        yield role_client


@pytest.fixture
def leader_client(app, make_user) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    yield from _role_client(app, make_user, "leader")


@pytest.fixture
def analyst_client(app, make_user) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    yield from _role_client(app, make_user, "analyst")


@pytest.fixture
def executive_client(app, make_user) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    yield from _role_client(app, make_user, "executive")


@pytest.fixture
def admin_client(app, make_user) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    yield from _role_client(app, make_user, "admin")


@pytest.fixture(scope="session", autouse=True)
def _close_browser() -> Iterator[None]:
    """The browser tests share one Chromium per test process (`tests.browser`)."""
    yield
    from tests.browser import close_browser

    close_browser()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only: browser tests exercise the pages; the backends are compared by "
        "the API and service tests, so these run once, on SQLite",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec else None
        if item.get_closest_marker("sqlite_only") and backend == "postgresql":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _import_directory(session: Session, path: Path, rows: str) -> None:
    """Departments as `import departments` takes them from a file (department,headcount)."""
    path.write_text("department,headcount\n" + rows)
    import_departments(session, path=path)
    session.commit()


@pytest.fixture
def directory(session: Session, tmp_path: Path) -> None:
    """A small directory of departments for the walk tests."""
    _import_directory(
        session, tmp_path / "departments.csv", "Finance,40\nWarehouse,25\nLibrary,12\n"
    )


@pytest.fixture
def two_departments(session: Session, tmp_path: Path) -> None:
    """Finance (30 people) and Legal (4), for the survey import tests."""
    _import_directory(session, tmp_path / "two-departments.csv", "Finance,30\nLegal,4\n")


@pytest.fixture
def analyst_token(session: Session, make_user) -> str:  # type: ignore[no-untyped-def]
    """An API token of an analyst."""
    from app.services.users import create_api_token

    token = create_api_token(session, email=make_user("analyst"))
    session.commit()
    return token
