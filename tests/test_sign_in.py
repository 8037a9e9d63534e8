"""Single sign-on against a real OpenID provider (node's oidc-provider on 127.0.0.1): the
first sign-in makes the user with the role their groups give, later ones follow the
directory, and every answer that does not hold is refused with a plain page and an audit
entry."""

import base64
import hashlib
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.main import create_app
from app.models import AuditEvent, OidcLogin, User, UserSession
from app.services import oidc
from app.services.users import create_user
from app.settings import Settings
from tests.conftest import PASSWORD, csrf_from, log_in
from tests.openid_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    openid_provider,
    sign_in_at_provider,
)

APP = "http://testserver"
DIRECTORY = {
    "lee@example.org": {"groups": ["staff", "it-leaders"]},
    "ana@example.org": {"groups": ["it-leaders", "it-analysts"]},
    "nobody@example.org": {"groups": ["staff"]},
    "out@elsewhere.com": {"groups": ["it-leaders"]},
}
ROLE_MAP = "it-leaders=leader,it-analysts=analyst,it-execs=executive,it-admins=admin"


@pytest.fixture(scope="module")
def directory_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("directory") / "accounts.json"


@pytest.fixture(scope="module")
def issuer(directory_file: Path) -> Iterator[str]:
    directory_file.write_text(json.dumps(DIRECTORY))
    with openid_provider(APP, directory_file) as url:
        yield url


@pytest.fixture
def directory(directory_file: Path) -> Iterator[dict[str, Any]]:
    """The provider's directory, as a test may change it; put back afterwards."""
    accounts = json.loads(json.dumps(DIRECTORY))
    yield accounts
    directory_file.write_text(json.dumps(DIRECTORY))


def _write(directory_file: Path, accounts: dict[str, Any]) -> None:
    directory_file.write_text(json.dumps(accounts))


def sso_settings(database_url: str, issuer: str, **more: Any) -> Settings:
    return Settings(
        database_url=database_url,
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_name="Contoso ID",
        oidc_scopes="openid email groups",
        oidc_role_map=ROLE_MAP,
        oidc_allowed_domains="example.org",
        **more,
    )


@pytest.fixture
def sso(database_url: str, issuer: str) -> Iterator[TestClient]:
    with TestClient(create_app(sso_settings(database_url, issuer)), follow_redirects=False) as c:
        yield c


def _start(client: TestClient, next_path: str = "/") -> str:
    started = client.get("/login/oidc", params={"next": next_path})
    assert started.status_code == 303, started.text
    return started.headers["location"]


def sign_in(client: TestClient, login: str, next_path: str = "/") -> httpx.Response:
    """The whole round trip: the button, the provider's login page, the callback."""
    back = sign_in_at_provider(_start(client, next_path), login)
    return client.get(back)


def audit(session: Session, action: str) -> list[str]:
    session.rollback()
    rows = session.exec(
        select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
    )
    return [r.detail for r in rows]


def test_the_login_page_offers_the_organisation_s_sign_in(sso: TestClient) -> None:
    page = sso.get("/login").text
    assert "Sign in with Contoso ID" in page and 'href="/login/oidc?next=/"' in page
    assert 'name="password"' in page  # passwords still on by default


def test_first_sign_in_makes_the_user_with_the_role_their_groups_give(
    sso: TestClient, session: Session, issuer: str
) -> None:
    signed_in = sign_in(sso, "lee@example.org", next_path="/visits/new")
    assert signed_in.status_code == 303, (audit(session, "login.refused"), signed_in.text[-800:])
    assert signed_in.headers["location"] == "/visits/new"
    assert sso.get("/visits/new").status_code == 200
    session.rollback()
    user = session.exec(select(User).where(User.email == "lee@example.org")).one()
    assert (user.role, user.oidc_subject, user.password_hash) == (
        "leader",
        f"{issuer} lee@example.org",
        "",
    )
    assert audit(session, "login") == ["oidc, single sign-on"]
    assert audit(session, "user.created") == ["lee@example.org as leader, single sign-on"]
    # No password was made, so none signs in.
    other = TestClient(sso.app, follow_redirects=False)
    assert log_in(other, "lee@example.org", "").status_code in (401, 422)


def test_the_highest_role_wins_and_a_change_in_the_directory_applies_at_next_sign_in(
    sso: TestClient, session: Session, directory: dict[str, Any], directory_file: Path
) -> None:
    assert sign_in(sso, "ana@example.org").status_code == 303
    session.rollback()
    assert session.exec(select(User.role).where(User.email == "ana@example.org")).one() == "analyst"
    directory["ana@example.org"]["groups"] = ["it-execs"]
    _write(directory_file, directory)
    again = TestClient(sso.app, follow_redirects=False)
    assert sign_in(again, "ana@example.org").status_code == 303
    session.rollback()
    users = session.exec(select(User).where(User.email == "ana@example.org")).all()
    assert [u.role for u in users] == ["executive"]  # the same user, not a second one
    assert audit(session, "role.directory") == [
        "ana@example.org: analyst to executive, from the directory's groups"
    ]


def test_no_mapped_group_gets_no_access_and_ends_the_user_s_sessions(
    sso: TestClient, session: Session, directory: dict[str, Any], directory_file: Path
) -> None:
    refused = sign_in(sso, "nobody@example.org")
    assert refused.status_code == 403
    assert "Your account has no Walkabout role" in refused.text
    session.rollback()
    assert session.exec(select(User).where(User.email == "nobody@example.org")).first() is None
    assert audit(session, "login.refused") == ["nobody@example.org: no mapped group"]
    # Lee leaves the IT leaders' group: the next sign-in is refused and the session ends.
    assert sign_in(sso, "lee@example.org").status_code == 303
    directory["lee@example.org"]["groups"] = ["staff"]
    _write(directory_file, directory)
    other = TestClient(sso.app, follow_redirects=False)
    assert sign_in(other, "lee@example.org").status_code == 403
    assert sso.get("/visits/new").status_code == 303  # back to the login page
    session.rollback()
    assert session.exec(select(UserSession)).all() == []


def test_an_address_outside_the_allowed_domains_is_refused(
    sso: TestClient, session: Session
) -> None:
    refused = sign_in(sso, "out@elsewhere.com")
    assert refused.status_code == 403 and "is not one of the organisation" in refused.text
    assert audit(session, "login.refused") == ["out@elsewhere.com: e-mail domain not allowed"]


def test_a_replayed_answer_is_refused(sso: TestClient, session: Session) -> None:
    back = sign_in_at_provider(_start(sso), "lee@example.org")
    assert sso.get(back).status_code == 303
    replayed = sso.get(back)
    assert replayed.status_code == 403
    assert "has been used already or has expired" in replayed.text
    assert audit(session, "login.refused") == ["unknown, used or expired state"]
    assert session.exec(select(OidcLogin)).all() == []


def test_an_answer_brought_to_another_browser_is_refused(sso: TestClient, session: Session) -> None:
    # Login CSRF: an attacker's own answer, planted in the victim's browser.
    back = sign_in_at_provider(_start(sso), "lee@example.org")
    victim = TestClient(sso.app, follow_redirects=False)
    refused = victim.get(back)
    assert refused.status_code == 403 and "started in another browser" in refused.text
    assert audit(session, "login.refused") == ["state does not match this browser's"]
    session.rollback()
    assert session.exec(select(UserSession)).all() == []


def _real_exchange() -> Any:
    return oidc.exchange_code


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    payload = _segments(token)[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_tampered_id_token_is_refused(
    sso: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _real_exchange()

    def tampered(*args: Any, **kwargs: Any) -> dict[str, Any]:
        tokens = real(*args, **kwargs)
        header, payload, signature = _segments(tokens["id_token"])
        claims = _claims(tokens["id_token"]) | {"groups": ["it-admins"]}
        return tokens | {"id_token": ".".join([header, _b64(claims), signature])}

    monkeypatch.setattr(oidc, "exchange_code", tampered)
    refused = sign_in(sso, "lee@example.org")
    assert refused.status_code == 403 and "could not be verified" in refused.text
    assert audit(session, "login.refused") == ["ID token signature does not verify"]
    session.rollback()
    assert session.exec(select(User)).all() == []


def test_an_expired_id_token_is_refused(
    sso: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _real_exchange()
    seen: dict[str, Any] = {}

    def keep(*args: Any, **kwargs: Any) -> dict[str, Any]:
        tokens = real(*args, **kwargs)
        seen.update(_claims(tokens["id_token"]))
        # The token reaches us after its expiry and the minute's leeway.
        monkeypatch.setattr(oidc, "clock", lambda: seen["exp"] + oidc.LEEWAY_SECONDS + 1)
        return tokens

    monkeypatch.setattr(oidc, "exchange_code", keep)
    refused = sign_in(sso, "lee@example.org")
    assert refused.status_code == 403 and "could not be verified" in refused.text
    assert audit(session, "login.refused") == ["ID token expired"]


def _token_for_another_app(issuer: str, nonce: str) -> str:
    """A real ID token the same provider issued to another app, for the same person."""
    found = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = {
        "client_id": OTHER_CLIENT_ID,
        "response_type": "code",
        "scope": "openid email groups",
        "redirect_uri": f"{APP}/login/oidc/callback",
        "state": "other",
        "nonce": nonce,
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    back = sign_in_at_provider(
        f"{found['authorization_endpoint']}?{urlencode(query)}", "lee@example.org"
    )
    code = parse_qs(urlparse(back).query)["code"][0]
    tokens = httpx.post(
        found["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": f"{APP}/login/oidc/callback",
            "code_verifier": verifier,
        },
        auth=(OTHER_CLIENT_ID, CLIENT_SECRET),
    ).json()
    return str(tokens["id_token"])


def test_an_id_token_for_another_app_is_refused(
    sso: TestClient, session: Session, issuer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    authorize = _start(sso)
    nonce = parse_qs(urlparse(authorize).query)["nonce"][0]
    other = _token_for_another_app(issuer, nonce)
    assert _claims(other)["aud"] == OTHER_CLIENT_ID
    real = _real_exchange()

    def swapped(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return real(*args, **kwargs) | {"id_token": other}

    monkeypatch.setattr(oidc, "exchange_code", swapped)
    back = sign_in_at_provider(authorize, "lee@example.org")
    refused = sso.get(back)
    assert refused.status_code == 403 and "could not be verified" in refused.text
    assert audit(session, "login.refused") == ["ID token: Invalid claim: 'aud'"]


def test_a_wrong_nonce_is_refused(
    sso: TestClient, session: Session, issuer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real token for this very app, but from another sign-in (its nonce is not ours).
    authorize = _start(sso)
    real = _real_exchange()
    found = oidc.metadata(sso_settings("sqlite://", issuer))
    stale: dict[str, str] = {}

    def other_sign_in(*args: Any, **kwargs: Any) -> dict[str, Any]:
        tokens = real(*args, **kwargs)
        stale.setdefault("id_token", tokens["id_token"])
        return tokens

    monkeypatch.setattr(oidc, "exchange_code", other_sign_in)
    back = sign_in_at_provider(authorize, "lee@example.org")
    assert sso.get(back).status_code == 303
    settings = sso_settings("sqlite://", issuer)
    with pytest.raises(oidc.SignInRefused) as refused:
        oidc.verify_id_token(
            stale["id_token"], found, settings=settings, nonce="another", now=oidc.clock()
        )
    assert refused.value.reason == "ID token: Invalid claim: 'nonce'"


def test_logging_out_of_single_sign_on_ends_the_provider_s_session_too(
    sso: TestClient, session: Session, issuer: str
) -> None:
    assert sign_in(sso, "lee@example.org").status_code == 303
    home = sso.get("/").text
    out = sso.post("/logout", data={"csrf_token": csrf_from(home)})
    assert out.status_code == 303
    target = urlparse(out.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{issuer}/session/end"
    assert parse_qs(target.query) == {
        "client_id": [CLIENT_ID],
        "post_logout_redirect_uri": [f"{APP}/login?flash=logged-out"],
    }
    session.rollback()
    assert session.exec(select(UserSession)).all() == []
    # The provider takes that request (its confirmation page), so the address is right.
    assert httpx.get(out.headers["location"]).status_code == 200


def test_passwords_off_leave_only_the_break_glass_account(
    database_url: str, issuer: str, session: Session
) -> None:
    create_user(session, email="leader@example.org", role="leader", password=PASSWORD)
    create_user(session, email="root@example.org", role="admin", password=PASSWORD)
    session.commit()
    settings = sso_settings(
        database_url, issuer, password_login=False, break_glass_account="root@example.org"
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        page = client.get("/login").text
        assert "Sign in with Contoso ID" in page and "Administrator's emergency sign-in" in page
        refused = log_in(client, "leader@example.org")
        assert refused.status_code == 403 and "sign in with Contoso ID" in refused.text
        assert log_in(client, "root@example.org").status_code == 303
    assert audit(session, "login.refused") == ["leader@example.org: passwords off"]


def test_passwords_off_without_single_sign_on_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="WALKABOUT_PASSWORD_LOGIN=false needs single sign-on"):
        Settings(password_login=False)
    with pytest.raises(ValueError, match="it-leaders=boss is no group=role pair"):
        Settings(oidc_role_map="it-leaders=boss")


def test_the_provider_down_is_a_message_not_an_error(database_url: str) -> None:
    settings = sso_settings(database_url, "http://127.0.0.1:9")  # nothing listens there
    with TestClient(create_app(settings), follow_redirects=False) as client:
        page = client.get("/login/oidc")
    assert page.status_code == 200
    assert "The sign-in service cannot be reached just now" in page.text
