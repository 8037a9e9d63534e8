"""Tickets in the browser (upload, the mapping step, import, categories) and over the API."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Ticket, TicketCategory, TicketExport, TicketUpload
from app.services.users import create_api_token
from tests.conftest import csrf_from

TICKETS = Path(__file__).parent / "data" / "tickets"
UCI = TICKETS / "servicenow-uci-incident-event-log-first-32.csv"


def _upload(client: TestClient, path: Path, name: str = "February"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/tickets").text)
    with path.open("rb") as handle:
        return client.post(
            "/tickets/upload",
            data={"csrf_token": token, "name": name},
            files={"file": (path.name, handle, "text/csv")},
            follow_redirects=False,
        )


def test_mapping_step_then_import(
    analyst_client: TestClient, session: Session, tmp_path: Path
) -> None:
    from app.services.departments import import_departments

    path = tmp_path / "d.csv"
    path.write_text("department,headcount\nLocation 143,9\nLocation 165,9\nLocation 204,9\n"
                    "Location 93,9\n")  # fmt: skip
    import_departments(session, path=path)
    session.commit()
    uploaded = _upload(analyst_client, UCI)
    assert uploaded.status_code == 303
    address = uploaded.headers["location"]
    # The caller's, the opener's and the resolver's columns are never kept with the upload.
    stored = session.exec(select(TicketUpload)).one().content.decode()
    assert "Caller 2403" not in stored and "Resolved by 149" not in stored
    assert "Location 143" in stored
    first = analyst_client.get(address)
    assert first.status_code == 200
    assert "No column is named like the department: choose it below" in first.text
    assert '<option value="opened_at" selected>' in first.text  # what was found is chosen
    assert "Not kept (text and people): " in first.text and "caller_id" in first.text
    chosen = analyst_client.get(address + "&department_column=location")
    assert "<strong>5</strong> tickets opened 2016-02-29 to 2016-02-29" in chosen.text
    assert "27 rows repeated a ticket number" in chosen.text
    form = {
        "csrf_token": csrf_from(chosen.text),
        "name": "February",
        "format": "auto",
        "department_column": "location",
        "opened_column": "opened_at",
        "resolved_column": "resolved_at",
        "category_column": "category",
        "priority_column": "priority",
        "sla_column": "made_sla",
    }
    done = analyst_client.post(address.split("?")[0] + "/import", data=form, follow_redirects=False)
    assert done.status_code == 303 and "flash=tickets-imported" in done.headers["location"]
    session.rollback()  # a fresh snapshot
    assert session.exec(select(TicketExport)).one().tickets == 5
    assert session.exec(select(TicketUpload)).all() == []  # gone once imported
    page = analyst_client.get("/tickets")
    assert "February" in page.text and "5 tickets opened 2016-02-29" in page.text
    # Map a category to a theme.
    category = session.exec(
        select(TicketCategory).where(TicketCategory.name == "Category 55")
    ).one()
    saved = analyst_client.post(
        "/tickets/categories",
        data={"csrf_token": csrf_from(page.text), f"category_{category.id}": "1"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.rollback()  # a fresh snapshot
    assert session.get(TicketCategory, category.id).theme_id == 1  # type: ignore[union-attr]


def test_a_refused_file_is_shown_with_its_rows_and_nothing_is_kept(
    analyst_client: TestClient, session: Session, directory: None, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("department,opened_at\nFinance,2026-09-01 09:00\nAtlantis,2026-09-02 09:00\n")
    address = _upload(analyst_client, path).headers["location"]
    preview = analyst_client.get(address)
    assert "1 bad row: the file is refused whole" in preview.text
    refused = analyst_client.post(
        address.split("?")[0] + "/import",
        data={"csrf_token": csrf_from(preview.text), "name": "Sept",
              "department_column": "department", "opened_column": "opened_at"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "unknown department &#39;Atlantis&#39;: 1 row (row 3)" in refused.text
    assert session.exec(select(Ticket)).all() == []


def test_api_import(client: TestClient, session: Session, directory: None, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = create_api_token(session, email=make_user("analyst"))
    leader = create_api_token(session, email=make_user("leader"))
    session.commit()

    def post(token: str, file: str = "freshservice-tickets.csv"):  # type: ignore[no-untyped-def]
        with (TICKETS / file).open("rb") as handle:
            return client.post(
                "/api/v1/tickets/September%2F2026/import",  # a name holding a slash
                headers={"Authorization": f"Bearer {token}"},
                files={"file": (file, handle, "text/csv")},
            )

    assert post(leader).status_code == 403
    imported = post(analyst)
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert (body["status"], body["format"], body["tickets"]) == ("imported", "freshservice", 3)
    assert body["departments"] == {"Finance": 2, "Library": 1}
    assert body["columns"]["sla"] == "Resolution Status"
    assert post(analyst).json()["status"] == "unchanged"
    other = post(analyst, "generic-tickets.csv")
    assert other.status_code == 409 and "already holds a different file" in other.json()["detail"]
    listed = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {analyst}"})
    assert listed.json()["total"] == 1 and listed.json()["items"][0]["tickets"] == 3
    assert listed.json()["items"][0]["name"] == "September/2026"


def test_a_file_that_is_no_table_is_refused_with_its_name(
    analyst_client: TestClient, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "screenshot.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    refused = _upload(analyst_client, path)
    assert refused.status_code == 422
    assert "screenshot.csv: this is not a text (CSV) or Excel file" in refused.text
    assert session.exec(select(TicketUpload)).all() == []


def test_removing_an_export_takes_its_tickets(
    analyst_client: TestClient, session: Session, directory: None
) -> None:
    from app.ingest.ticket_plan import TicketOptions
    from app.services.tickets import import_tickets

    # A name holding a slash, as a period often does.
    import_tickets(
        session, path=TICKETS / "generic-tickets.csv", name="Sept/2026", options=TicketOptions()
    )
    session.commit()
    export_id = session.exec(select(TicketExport)).one().id
    page = analyst_client.get("/tickets").text
    assert "Its 3 tickets leave the report" in page  # said before the button is pressed
    token = {"csrf_token": csrf_from(page)}
    assert f'action="/tickets/exports/{export_id}/delete"' in page
    removed = analyst_client.post(f"/tickets/exports/{export_id}/delete", data=token)
    assert removed.headers["location"] == "/tickets?flash=tickets-removed"
    session.rollback()
    assert (
        session.exec(select(Ticket)).all() == [] and session.exec(select(TicketExport)).all() == []
    )


def test_a_kept_ticket_export_expires_after_30_minutes_and_sign_in_purges_it(
    analyst_client: TestClient, session: Session, client: TestClient, make_user
) -> None:
    from datetime import timedelta

    from app.models.types import utcnow
    from tests.conftest import log_in

    address = _upload(analyst_client, UCI).headers["location"]
    upload = session.exec(select(TicketUpload)).one()
    upload.created_at = utcnow() - timedelta(minutes=31)
    session.add(upload)
    session.commit()
    expired = analyst_client.get(address)
    assert expired.status_code == 404
    assert "kept 30 minutes for its mapping" in expired.text
    # The next sign-in anywhere removes it from the database, as a survey upload.
    assert log_in(client, make_user("leader")).status_code == 303
    session.rollback()
    assert session.exec(select(TicketUpload)).all() == []
