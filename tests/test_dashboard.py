"""The executive dashboard and the analyst's report pages, as each role sees them."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.builders import QUALTRICS, load_sample
from tests.html_tables import heatmap_rows


@pytest.fixture
def sample(session: Session) -> None:
    load_sample(session, QUALTRICS, name="Autumn")
    session.commit()


def test_dashboard_heatmap_says_why_a_cell_is_hidden(executive_client: TestClient, sample) -> None:
    page = executive_client.get("/dashboard")
    assert page.status_code == 200
    # Only the basic plotly bundle (the trend chart), never the full one.
    assert "plotly-basic.min.js?v=" in page.text and "plotly.min.js" not in page.text
    rows = heatmap_rows(page.text)
    survey, observed, gap, rate, days = rows["Treasury"]
    # Treasury: 4 rated (fewer than 5); Admissions is hidden with it so neither can be
    # worked out from the organisation's figure.
    assert survey.value == "fewer than 5 answered" and "tone-none" in survey.classes
    assert rows["Admissions"][0].value == "hidden to protect a smaller group"
    assert rate.value == "50%" and rate.detail == "n=4 · 15–85%"  # 2 of 4: always shown
    assert observed.value == "85" and observed.detail == "n=5"
    assert rows["Archives"][1].value == "fewer than 5 conversations"
    assert rows["Plant A"][1].value == "not walked" and rows["Plant A"][4].value == "never walked"
    strategy = rows["Strategy"]
    # The lowest survey score of the round is the red end of its own scale.
    assert strategy[0].value == "30" and strategy[0].detail == "n=30 · 25–34"
    assert "tone-0" in strategy[0].classes
    assert strategy[0].label.startswith("Strategy, Survey score: 30, n=30, 95% interval 25–34, ")
    assert strategy[0].label.endswith("points below the organisation")
    assert strategy[0].link == "/dashboard/department?survey=Autumn&name=Strategy"
    # Notes never reach the executive views.
    assert "waiting on ticket" not in page.text and "said all fine" not in page.text


def test_dashboard_fragment_and_sort(executive_client: TestClient, sample) -> None:
    fragment = executive_client.get(
        "/dashboard?sort=gap&colouring=absolute", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="dashboard-body">')
    assert "<html" not in fragment.text and "HX-Request" in fragment.headers["vary"].split(", ")
    assert "the value itself" in fragment.text


def test_drilldown_has_flags_and_themes_but_no_notes(executive_client: TestClient, sample) -> None:
    full = executive_client.get("/dashboard/department?survey=Autumn&name=Strategy")
    assert full.status_code == 200 and "<html" in full.text
    part = executive_client.get(
        "/dashboard/department?survey=Autumn&name=Strategy", headers={"HX-Request": "true"}
    )
    assert "corroborated complaints" in part.text and "<html" not in part.text
    assert "waiting on ticket" not in part.text
    missing = executive_client.get("/dashboard/department?survey=Autumn&name=Nowhere")
    assert missing.status_code == 404


def test_dashboard_roles(leader_client: TestClient, analyst_client: TestClient, sample) -> None:
    assert leader_client.get("/dashboard").status_code == 403
    assert analyst_client.get("/dashboard").status_code == 200


def test_plotly_basic_bundle_is_versioned_and_kept(executive_client: TestClient) -> None:
    response = executive_client.get("/static/plotly-basic.min.js?v=1")
    assert response.status_code == 200 and 1_000_000 < len(response.content) < 1_500_000
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert executive_client.get("/vendor/plotly.min.js").status_code == 404


def test_report_page_filters_and_sorts(analyst_client: TestClient, sample) -> None:
    page = analyst_client.get("/reports/Autumn")
    assert page.status_code == 200 and "Strategy" in page.text
    flagged = analyst_client.get(
        "/reports/Autumn?flag=im_fine&sort=gap", headers={"HX-Request": "true"}
    )
    assert flagged.text.lstrip().startswith('<section id="report-table"')
    rows = re.findall(r'<th scope="row">([^<]+)', flagged.text)
    assert set(rows) == {"Admissions", "Call Centre", "Grants", "Plant B"}
    # Flags in words, on the filter, the table and the cards: not their codes.
    assert '<option value="im_fine" >I&#39;m fine</option>' in page.text
    assert flagged.text.count(">I&#39;m fine</span>") == 4
    assert flagged.text.count(">I&#39;m fine · ") == 4
    assert "im fine" not in page.text and "non response" not in page.text
    assert "non-response bias" in page.text
    assert analyst_client.get("/reports/Nope").status_code == 404


def test_exports_are_suppressed_and_defused(executive_client: TestClient, sample) -> None:
    csv_export = executive_client.get("/reports/Autumn/export.csv")
    assert csv_export.status_code == 200
    assert csv_export.headers["content-disposition"].startswith("attachment")
    treasury = next(line for line in csv_export.text.splitlines() if line.startswith("Treasury"))
    assert ",True,small,,,," in treasury
    html_export = executive_client.get("/reports/Autumn/export.html")
    assert html_export.status_code == 200
    # The export is the page's own heatmap and flag cards: no script, no network.
    assert "<script" not in html_export.text and "Plotly" not in html_export.text
    exported = heatmap_rows(html_export.text)
    assert exported["Treasury"][0].value == "fewer than 5 answered"
    assert exported["Strategy"][0].link == ""  # no drill-down link in a file
    assert "Flags and their evidence" in html_export.text
    assert "I&#39;m fine · " in html_export.text and "im fine" not in html_export.text


def test_pdf_board_pack_where_chromium_is_present(executive_client: TestClient, sample) -> None:
    from tests.browser import CHROMIUM

    response = executive_client.get("/reports/Autumn/export.pdf")
    if not CHROMIUM.exists():
        assert response.status_code == 503 and "Chromium" in response.json()["detail"]
        return
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response.headers["content-disposition"].startswith("attachment")
    # A4 is 210 x 297 mm: 595 x 842 points, as Chromium writes them.
    assert set(re.findall(rb"/MediaBox \[[^\]]*\]", response.content)) == {
        b"/MediaBox [0 0 594.95996 841.91998]"
    }
    assert "Download the report (PDF, A4)" in executive_client.get("/dashboard").text


def test_heatmap_png_for_a_board_pack(executive_client: TestClient, sample) -> None:
    from tests.browser import CHROMIUM

    response = executive_client.get("/reports/Autumn/heatmap.png")
    if not CHROMIUM.exists():
        assert response.status_code == 503 and "Chromium" in response.json()["detail"]
        return
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG") and len(response.content) > 10_000


def test_reports_are_cached_until_the_data_changes(
    analyst_client: TestClient, session: Session, make_user, sample
) -> None:
    import uuid

    from sqlmodel import func, select

    from app.models import ReportCache, User
    from app.models.visit import VisitCreate
    from app.services.visits import create_visit

    first = analyst_client.get("/api/v1/reports/Autumn?as_of=2026-11-23").json()
    assert analyst_client.get("/api/v1/reports/Autumn?as_of=2026-11-23").json() == first
    session.rollback()
    assert session.exec(select(func.count()).select_from(ReportCache)).one() == 1
    # A new walk changes the report: the next request works it out afresh.
    email = make_user("leader", "walker@example.org")
    leader = session.exec(select(User).where(User.email == email)).one()
    create_visit(
        session,
        leader=leader,
        data=VisitCreate.model_validate(
            {
                "client_id": str(uuid.uuid4()),
                "department": "Treasury",
                "visit_date": "2026-11-20",
                "conversations": [{"person_role": "clerk", "observed_score": 1}],
            }
        ),
    )
    session.commit()
    later = analyst_client.get("/api/v1/reports/Autumn?as_of=2026-11-23").json()
    treasury = {d["department"]: d for d in later["departments"]}["Treasury"]
    before = {d["department"]: d for d in first["departments"]}["Treasury"]
    assert treasury["conversations"] == before["conversations"] + 1


def test_an_executive_dashboard_stands_at_the_last_closed_quarter(
    executive_client: TestClient, analyst_client: TestClient, sample
) -> None:
    from datetime import date

    from analysis.suppression import published_quarter_end

    closed = published_quarter_end(date.today()).isoformat()
    page = executive_client.get("/dashboard").text
    assert f"As of {closed}, the end of the last closed quarter" in page
    assert f"As of {date.today().isoformat()}." in analyst_client.get("/dashboard").text


def test_one_walk_in_an_empty_quarter_hides_what_was_heard_from_executives(
    session: Session, sample, tmp_path
) -> None:
    from datetime import date

    from app.services.dashboard import build_dashboard
    from app.services.visit_import import import_visits

    # Design's walks are all in July-September; one conversation in April makes a quarter of
    # one person, which two executive reports a quarter apart could isolate.
    extra = tmp_path / "april.csv"
    extra.write_text(
        "visit_date,department,leader,person_role,stated_score,observed_score,issues,"
        "unreported,end_run,notes\n2026-04-15,Design,b.osei,designer,4,1,printing,0,false,\n"
    )
    import_visits(session, path=extra)
    session.commit()
    views = {
        closed: build_dashboard(
            session, survey=None, min_group_size=5, today=date(2026, 11, 1), closed_quarters=closed
        )
        for closed in (False, True)
    }
    analyst, executive = views[False], views[True]
    assert analyst is not None and executive is not None
    design = {
        closed: next(d for d in v.report["departments"] if d["department"] == "Design")
        for closed, v in views.items()
    }
    assert design[False]["observed_score"] is not None and design[True]["observed_score"] is None
    assert "Design" in analyst.themes["departments"]
    assert "Design" not in executive.themes["departments"]
    assert "Design" not in [d["department"] for d in executive.service["departments"]]
    assert executive.report["as_of"] == "2026-09-30"


def test_the_desk_column_and_heard_vs_ticketed(
    executive_client: TestClient, session: Session, sample, tmp_path
) -> None:
    """Tickets a week before the round and the last closed quarter's end (what an executive
    stands on): 4 from Strategy, 2 from Design, all filed under Devices."""
    from datetime import date, timedelta

    from sqlmodel import select

    from analysis.suppression import published_quarter_end
    from app.ingest.ticket_plan import TicketOptions
    from app.models import Survey
    from app.services.tickets import import_tickets

    round_date = session.exec(select(Survey)).one().round_date
    day = min(round_date, published_quarter_end(date.today())) - timedelta(days=7)
    rows = [f"{d},{day} 09:00,Devices" for d in ["Strategy"] * 4 + ["Design"] * 2]
    path = tmp_path / "tickets.csv"
    path.write_text("department,opened_at,category\n" + "\n".join(rows) + "\n")
    import_tickets(session, path=path, name="Desk", options=TicketOptions())
    session.commit()
    page = executive_client.get("/dashboard").text
    assert "Tickets per 100" in page
    strategy = executive_client.get("/dashboard/department?survey=Autumn&name=Strategy").text
    assert "Heard in person vs ticketed" in strategy and "4 tickets in the survey round" in strategy
    assert "Devices <span>heard 0 · ticketed 4</span>" in strategy
    assert "Phones <span>heard 5 · ticketed 0 · <strong>never ticketed</strong>" in strategy
