"""Logs are JSON lines and never carry passwords, tokens or notes."""

import json
import logging
import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.logs import JsonFormatter
from app.services.departments import import_departments
from app.services.users import create_api_token
from tests.conftest import PASSWORD, log_in


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_no_secrets_or_notes_in_logs(app, session: Session, make_user, tmp_path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,40\n")
    import_departments(session, path=path)
    session.commit()
    capture = Capture()
    logger = logging.getLogger("walkabout")
    logger.addHandler(capture)
    try:
        email = make_user("leader")
        token = create_api_token(session, email=email)
        session.commit()
        with TestClient(app, follow_redirects=False) as client:
            log_in(client, email)
            log_in(client, email, "a wrong password entirely")
            client.post(
                "/api/v1/visits",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "client_id": str(uuid.uuid4()),
                    "department": "Finance",
                    "visit_date": "2026-11-01",
                    "conversations": [
                        {
                            "person_role": "clerk",
                            "observed_score": 2,
                            "notes": "secret-note-about-the-boss",
                        }
                    ],
                },
            )
    finally:
        logger.removeHandler(capture)
    text = "\n".join(capture.lines)
    assert capture.lines and all(json.loads(line)["message"] for line in capture.lines)
    assert '"path": "/api/v1/visits"' in text and '"status": 201' in text
    for secret in (PASSWORD, "a wrong password entirely", token, "secret-note-about-the-boss"):
        assert secret not in text
