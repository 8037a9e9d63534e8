"""A real server under concurrent walk posts: every post answered (a writer kept waiting
too long is told to come back, and is not lost when it does), none lost or doubled.

(The event loop once blocked on SQLite's write lock inside an async dependency and every
request timed out; this is the test that would have caught it. 64 clients, more than the
thread pool's 40 threads: requests once waited for SQLite's turn or a pooled connection inside
a thread, and with every thread so waiting the one holding the turn could not go on.)"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlmodel import Session, func, select

from app.models import Visit
from app.services.departments import import_departments
from app.services.users import create_api_token
from tests.browser import live_server


def test_64_concurrent_posts_against_a_live_server(
    database_url: str, session: Session, make_user, tmp_path: Path
) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,40\n")
    import_departments(session, path=path)
    session.commit()
    token = create_api_token(session, email=make_user("leader"))
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    resent = str(uuid.uuid4())

    def walk(client_id: str) -> dict[str, object]:
        return {
            "client_id": client_id,
            "department": "Finance",
            "visit_date": "2026-11-02",
            "conversations": [{"person_role": "clerk", "observed_score": 3}],
        }

    with live_server(database_url, process=True) as base:

        def post(i: int) -> int:
            """The final answer: a writer that waits too long for its turn is told to come
            back (503, Retry-After), and the phone's outbox sends the walk again then, as
            this client does."""
            client_id = resent if i % 4 == 0 else str(uuid.uuid4())
            with httpx.Client(base_url=base, timeout=20) as client:
                for _ in range(5):
                    answer = client.post("/api/v1/visits", json=walk(client_id), headers=headers)
                    if answer.status_code != 503:
                        break
                    time.sleep(float(answer.headers["Retry-After"]))
            return answer.status_code

        with ThreadPoolExecutor(max_workers=64) as pool:
            statuses = list(pool.map(post, range(192)))
    assert set(statuses) <= {200, 201}
    assert statuses.count(201) == 145 and statuses.count(200) == 47
    session.rollback()
    assert session.exec(select(func.count()).select_from(Visit)).one() == 145
