"""Login, logout, sessions, throttling and CSRF, as a browser sees them."""

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, csrf_from, log_in


def test_login_page_carries_csrf_and_security_headers(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert csrf_from(page.text)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert (
        "unsafe-inline"
        not in page.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_login_sets_httponly_lax_session_and_lands_on_home(client: TestClient, make_user) -> None:
    email = make_user("leader")
    response = log_in(client, email)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = [
        h for h in response.headers.get_list("set-cookie") if h.startswith("walkabout_session=")
    ][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = client.get("/")
    assert home.status_code == 200
    assert "Your walks" in home.text


def test_each_login_gets_a_new_session_id(app, make_user) -> None:
    email = make_user("analyst")
    ids = []
    for _ in range(2):
        with TestClient(app, follow_redirects=False) as c:
            log_in(c, email)
            ids.append(c.cookies.get("walkabout_session"))
    assert ids[0] and ids[1] and ids[0] != ids[1]


def test_wrong_password_and_unknown_email_answer_alike(client: TestClient, make_user) -> None:
    email = make_user("leader")
    wrong = log_in(client, email, "not the password at all")
    unknown = log_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "E-mail or password is not right." in wrong.text
    assert "E-mail or password is not right." in unknown.text
    assert "walkabout_session" not in client.cookies


def test_logout_ends_the_session_server_side(client: TestClient, make_user) -> None:
    log_in(client, make_user("executive"))
    stolen = client.cookies.get("walkabout_session")
    home = client.get("/")
    response = client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert response.status_code == 303
    client.cookies.set("walkabout_session", stolen)  # replay the old cookie
    assert client.get("/").status_code == 303


def test_unauthenticated_page_redirects_to_login(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_login_without_csrf_is_refused(client: TestClient, make_user) -> None:
    email = make_user("leader")
    client.get("/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 403
    forged = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403


def test_logout_without_csrf_is_refused(leader_client: TestClient) -> None:
    assert leader_client.post("/logout").status_code == 403
    assert leader_client.get("/").status_code == 200


def test_next_parameter_never_redirects_off_site(client: TestClient, make_user) -> None:
    email = make_user("leader")
    page = client.get("/login?next=//evil.example/x")
    response = client.post(
        "/login",
        data={
            "email": email,
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.headers["location"] == "/"
