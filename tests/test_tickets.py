"""Ticket exports: each tool's shape, encodings, bad rows, idempotence, what is kept."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, col, select

from app.ingest.row_errors import ImportRefused
from app.ingest.ticket_plan import TicketOptions
from app.models import AuditEvent, Theme, Ticket, TicketCategory, TicketExport
from app.services.departments import import_departments
from app.services.errors import ConflictError
from app.services.tickets import import_tickets

TICKETS = Path(__file__).parent / "data" / "tickets"
AUTO = TicketOptions()


def _stored(session: Session) -> list[tuple[str, str, str, str, bool | None, float | None]]:
    """(department, opened, category, priority, SLA met, hours to resolve) per ticket."""
    from app.models import Department

    rows = session.exec(
        select(Department.name, Ticket).join(Ticket, col(Ticket.department_id) == Department.id)
    ).all()
    out = []
    for name, t in sorted(rows, key=lambda r: r[1].opened_at):
        hours = (t.resolved_at - t.opened_at).total_seconds() / 3600 if t.resolved_at else None
        out.append(
            (name, t.opened_at.strftime("%Y-%m-%d %H:%M"), t.category, t.priority, t.sla_met, hours)
        )
    return out


# Expected rows worked out from each file by hand (times in UTC).
EXPECTED = {
    "servicenow-incident-list.csv": (
        "servicenow",
        [
            ("Finance", "2026-09-01 08:15", "Network", "2 - High", True, 4.0),
            ("Warehouse", "2026-09-02 09:00", "Hardware", "4 - Low", False, 48.0),
            ("Finance", "2026-09-03 10:30", "Software", "3 - Moderate", None, None),
            ("Library", "2026-09-05 14:00", "Inquiry / Help", "4 - Low", True, 0.5),
        ],
    ),
    "jira-service-management.csv": (
        "jira",
        [
            ("Finance", "2026-09-01 09:05", "Get IT help", "Medium", None, 24.0),
            ("Warehouse", "2026-09-03 14:30", "Request new access", "High", None, None),
            ("Library", "2026-09-07 11:00", "Report a network problem", "Highest", None, 4.0),
        ],
    ),
    "zendesk-tickets.csv": (
        "zendesk",
        [  # +0100 offsets: an hour earlier in UTC
            ("Warehouse", "2026-09-01 07:00", "Incident", "Normal", None, 2.0),
            ("Warehouse", "2026-09-02 12:30", "Problem", "High", None, None),
            ("Library", "2026-09-04 08:00", "Incident", "Urgent", None, 0.75),
        ],
    ),
    "freshservice-tickets.csv": (
        "freshservice",
        [
            ("Finance", "2026-09-01 08:00", "Software", "Low", True, 1.0),
            ("Finance", "2026-09-03 10:00", "Hardware", "Medium", False, 72.0),
            ("Library", "2026-09-08 15:00", "Network", "High", None, None),
        ],
    ),
    "generic-tickets.csv": (
        "generic",
        [
            ("Finance", "2026-09-01 09:00", "Devices", "P3", True, 8.0),
            ("Finance", "2026-09-02 09:00", "Printing", "P4", None, None),
            ("Library", "2026-09-03 09:00", "Network and VPN", "P2", False, 48.0),
        ],
    ),
}


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_each_tools_export_is_read_as_it_writes_it(
    session: Session, directory: None, file_name: str
) -> None:
    tool, rows = EXPECTED[file_name]
    result = import_tickets(session, path=TICKETS / file_name, name="September", options=AUTO)
    session.commit()
    assert (result.status, result.format, result.tickets) == ("imported", tool, len(rows))
    assert _stored(session) == rows
    export = session.exec(select(TicketExport)).one()
    assert (export.period_start.isoformat(), export.tickets) == (rows[0][1][:10], len(rows))


def test_servicenow_event_log_counts_each_incident_once(session: Session, tmp_path: Path) -> None:
    """The UCI ServiceNow event log writes a row per update: 32 rows, 5 incidents; the last
    row of each holds its final state (INC0000062 ended outside its SLA, at 2 - High)."""
    path = tmp_path / "departments.csv"
    path.write_text(
        "department,headcount\nLocation 143,10\nLocation 165,10\nLocation 204,10\nLocation 93,10\n"
    )
    import_departments(session, path=path)
    file = TICKETS / "servicenow-uci-incident-event-log-first-32.csv"
    with pytest.raises(Exception, match="no column for the department"):
        import_tickets(session, path=file, name="Feb 2016", options=AUTO)
    options = TicketOptions.from_inputs(columns={"department": "location"})
    result = import_tickets(session, path=file, name="Feb 2016", options=options)
    session.commit()
    assert (result.format, result.tickets, result.repeated) == ("servicenow", 5, 27)
    stored = _stored(session)
    # 29-02-2016 01:16 to 11:29; 04:40 to 01-03 09:52; 06:10 to 02:55; 06:38 to 02-03 12:06;
    # 06:58 to 15:51.
    assert [round(r[5], 2) for r in stored] == [10.22, 29.2, 20.75, 53.47, 8.88]
    assert [r[4] for r in stored] == [True, True, True, True, False]
    assert stored[-1][:4] == ("Location 93", "2016-02-29 06:58", "Category 53", "2 - High")


def test_no_text_or_people_are_kept(session: Session, directory: None) -> None:
    import_tickets(
        session, path=TICKETS / "servicenow-incident-list.csv", name="Sept", options=AUTO
    )
    session.commit()
    kept = " ".join(str(v) for t in session.exec(select(Ticket)) for v in t.model_dump().values())
    kept += " ".join(e.detail for e in session.exec(select(AuditEvent)))
    for text in ("VPN drops", "Outlook", "Abel Tuter", "Beth Anglin", "INC0010001", "Service Desk"):
        assert text not in kept


def _rewritten(tmp_path: Path, encoding: str, delimiter: str = ",") -> Path:
    text = (TICKETS / "servicenow-incident-list.csv").read_text(encoding="utf-8")
    text = text.replace("Finance", "Café").replace(",", delimiter)
    path = tmp_path / f"export-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8-sig", ","), ("utf-16", "\t"), ("cp1252", ";")]
)
def test_encodings_and_delimiters(
    session: Session, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = tmp_path / "d.csv"
    path.write_text("department,headcount\nCafé,40\nWarehouse,25\nLibrary,12\n")
    import_departments(session, path=path)
    result = import_tickets(
        session, path=_rewritten(tmp_path, encoding, delimiter), name="Sept", options=AUTO
    )
    session.commit()
    assert result.by_department == {"Café": 2, "Library": 1, "Warehouse": 1}


def test_xlsx_export(session: Session, directory: None, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ticket Id", "Created Date", "Resolved Time", "Department", "Category"])
    opened, resolved = datetime(2026, 9, 1, 8, 0), datetime(2026, 9, 1, 10, 0)
    sheet.append(["#1", opened, resolved, "Finance", "Email"])
    sheet.append(["#2", datetime(2026, 9, 2, 8, 0), None, "Library", "Phones"])
    path = tmp_path / "tickets.xlsx"
    book.save(path)
    result = import_tickets(session, path=path, name="Sept", options=AUTO)
    session.commit()
    assert (result.format, result.tickets) == ("freshservice", 2)
    assert _stored(session)[0] == ("Finance", "2026-09-01 08:00", "Email", "", None, 2.0)


BAD = (
    "ticket_id,department,opened_at,resolved_at,category,sla_met\n"
    "T-1,Finance,2026-09-01 09:00,2026-09-01 17:00,Devices,yes\n"
    "T-2,Atlantis,2026-09-02 09:00,,Printing,\n"  # row 3: unknown department
    "T-3,Library,2026-09-03 09:00,2026-09-02 09:00,Devices,no\n"  # row 4: resolved before
    "T-4,Library,soon,,Devices,maybe\n"  # row 5: date and SLA
    "T-5,Library,2026-09-04 09:00,,Devices,no\n"
)


def test_bad_rows_refuse_the_file_and_name_each(
    session: Session, directory: None, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    with pytest.raises(ImportRefused) as refused:
        import_tickets(session, path=path, name="Sept", options=AUTO)
    session.commit()
    message = str(refused.value)
    assert "bad.csv: 3 bad rows, nothing imported" in message
    assert "department: unknown department 'Atlantis': 1 row (row 3)" in message
    assert "resolved: resolved before it was opened: 1 row (row 4)" in message
    assert "opened: 'soon' is not a date and time: 1 row (row 5)" in message
    assert "SLA met: 'maybe' is not met or missed (true or false): 1 row (row 5)" in message
    assert session.exec(select(Ticket)).all() == []
    assert session.exec(select(TicketExport)).all() == []
    skipping = TicketOptions.from_inputs(skip_bad_rows=True)
    result = import_tickets(session, path=path, name="Sept", options=skipping)
    assert (result.tickets, len({e.sheet_row for e in result.skipped})) == (2, 3)


def test_idempotent_replace_and_overlap(session: Session, directory: None, tmp_path: Path) -> None:
    file = TICKETS / "generic-tickets.csv"
    assert import_tickets(session, path=file, name="Sept", options=AUTO).status == "imported"
    session.commit()
    assert import_tickets(session, path=file, name="Sept", options=AUTO).status == "unchanged"
    other = tmp_path / "other.csv"
    other.write_text(file.read_text().replace("Printing", "Devices"))
    with pytest.raises(ConflictError, match="already holds a different file"):
        import_tickets(session, path=other, name="Sept", options=AUTO)
    replaced = import_tickets(
        session, path=other, name="Sept", options=TicketOptions.from_inputs(replace=True)
    )
    session.commit()
    assert (replaced.status, len(session.exec(select(Ticket)).all())) == ("replaced", 3)
    # The same tool over overlapping days would count the same tickets twice.
    with pytest.raises(ConflictError, match="overlaps 'Sept'"):
        import_tickets(session, path=other, name="Sept again", options=AUTO)
    # Another tool's tickets over the same days are other tickets.
    jira = import_tickets(
        session, path=TICKETS / "jira-service-management.csv", name="Requests", options=AUTO
    )
    assert jira.status == "imported"


def test_categories_are_suggested_themes_by_name(session: Session, directory: None) -> None:
    import_tickets(
        session, path=TICKETS / "servicenow-incident-list.csv", name="Sept", options=AUTO
    )
    session.commit()
    rows = session.exec(
        select(TicketCategory.name, Theme.name).outerjoin(
            Theme, col(Theme.id) == TicketCategory.theme_id
        )
    ).all()
    assert dict(rows) == {
        "Hardware": "Devices",
        "Inquiry / Help": None,
        "Network": "Network and VPN",
        "Software": "Business applications",
    }


def test_the_opening_time_cannot_be_in_the_future(
    session: Session, directory: None, tmp_path: Path
) -> None:
    path = tmp_path / "future.csv"
    later = datetime.now(UTC).replace(year=datetime.now(UTC).year + 1)
    path.write_text(f"department,opened_at\nFinance,{later:%Y-%m-%d %H:%M}\n")
    with pytest.raises(ImportRefused, match="is in the future"):
        import_tickets(session, path=path, name="Next year", options=AUTO)


def test_a_category_named_as_a_theme_is_that_theme() -> None:
    """Two themes share the word "device" (laptops means devices): a category of the theme's
    own name is that theme; one matching both equally gets no suggestion."""
    from app.services.tickets import suggest_theme

    themes = [
        Theme(id=1, name="Devices", name_key="devices"),
        Theme(id=2, name="laptops", name_key="laptops"),
        Theme(id=3, name="Printing", name_key="printing"),
    ]
    assert suggest_theme("devices", themes) is themes[0]
    assert suggest_theme("Hardware", themes) is None  # devices, as much as laptops
    assert suggest_theme("Printer jam", themes) is themes[2]


def test_servicenow_exported_with_labels_for_headers(
    session: Session, directory: None, tmp_path: Path
) -> None:
    """A list exported with display labels (Number, Opened, Caller...) instead of field
    names: read by the plain names, the caller's column left alone."""
    path = tmp_path / "incident.csv"
    path.write_text(
        "Number,Opened,Short description,Caller,Department,Category,Priority,State,Resolved,"
        "Made SLA\n"
        "INC0010001,2026-09-01 08:15:02,Printer jam,Abel Tuter,Finance,Hardware,4 - Low,"
        "Closed,2026-09-01 10:15:02,false\n"
    )
    result = import_tickets(session, path=path, name="Sept", options=AUTO)
    assert result.columns == {
        "department": "Department",
        "opened": "Opened",
        "resolved": "Resolved",
        "category": "Category",
        "priority": "Priority",
        "sla": "Made SLA",
        "number": "Number",
    }
    assert _stored(session) == [("Finance", "2026-09-01 08:15", "Hardware", "4 - Low", False, 2.0)]


def test_opening_and_resolution_times_are_read_one_way(
    session: Session, directory: None, tmp_path: Path
) -> None:
    """A UK export: 25/10 shows the day comes first, and that holds for the resolution
    times, whose days alone (11/12) would read either way. They were read month first: the
    ticket resolved on 11 December counted as resolved on 12 November."""
    path = tmp_path / "tickets.csv"
    path.write_text(
        "ticket_id,department,opened_at,resolved_at\n"
        "T-1,Finance,25/10/2026 09:00,11/12/2026 09:00\n"
        "T-2,Library,02/11/2026 10:00,\n"
    )
    import_tickets(session, path=path, name="Autumn", options=AUTO)
    assert [(d, opened, hours) for d, opened, _, _, _, hours in _stored(session)] == [
        ("Finance", "2026-10-25 09:00", 47 * 24.0),
        ("Library", "2026-11-02 10:00", None),
    ]
