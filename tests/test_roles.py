"""Each role lands on its own home; pages and API refuse the wrong role."""

import pytest
from fastapi.testclient import TestClient

from tests.builders import add_department
from tests.conftest import log_in

HOME_HEADINGS = {
    "leader": "Your walks",
    "analyst": "Survey analysis",
    "executive": "How IT is really doing",
    "admin": "Administration",
}


@pytest.mark.parametrize("role", sorted(HOME_HEADINGS))
def test_each_role_lands_on_its_home(app, make_user, role: str) -> None:
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, make_user(role))
        home = client.get("/")
        assert home.status_code == 200
        assert f"<h1>{HOME_HEADINGS[role]}</h1>" in home.text


@pytest.mark.parametrize("role", ["leader", "analyst", "executive", "admin"])
def test_each_home_counts_the_directory_in_words(app, make_user, session, role: str) -> None:
    add_department(session, "Finance", 1)
    session.commit()
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, make_user(role))
        assert "1 department, 1 person" in client.get("/").text
        add_department(session, "Legal", 40)
        session.commit()
        assert "2 departments, 41 people" in client.get("/").text


@pytest.mark.parametrize(
    "role,status", [("leader", 403), ("analyst", 403), ("executive", 403), ("admin", 200)]
)
def test_admin_pages_refuse_other_roles(app, make_user, role: str, status: int) -> None:
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, make_user(role))
        response = client.get("/admin/users")
        assert response.status_code == status
        if status == 403:
            assert "Not for your role" in response.text


def test_unknown_page_is_a_friendly_404(leader_client: TestClient) -> None:
    response = leader_client.get("/no/such/page")
    assert response.status_code == 404
    assert "Go to your home page" in response.text
