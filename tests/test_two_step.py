"""Two-step sign-in for local accounts: TOTP against RFC 6238's published vectors, the
setup page, the second step at login, recovery codes that work once, and roles that
require it."""

import re
import time

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, LoginChallenge, RecoveryCode, User
from app.services.two_step import matching_step, totp
from tests.conftest import csrf_from, log_in

# RFC 6238, Appendix B: the seeds are ASCII "1234567890" repeated to 20, 32 and 64 bytes.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), VECTORS)
def test_codes_match_rfc_6238(at: int, sha1: str, sha256: str, sha512: str) -> None:
    import base64

    for digest, want in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        secret = base64.b32encode(SEEDS[digest]).decode()
        assert totp(secret, digits=8, digest=digest).at(at) == want


def test_a_code_counts_a_step_either_side_and_works_once() -> None:
    secret = pyotp.random_base32()
    now = 1_800_000_015.0  # 15 s into step 60,000,000
    step = int(now // 30)
    code = totp(secret).generate_otp(step)
    assert matching_step(secret, code, now=now, after=0) == step
    assert matching_step(secret, code, now=now + 30, after=0) == step  # the phone is behind
    assert matching_step(secret, code, now=now + 60, after=0) is None  # too old
    assert matching_step(secret, code, now=now, after=step) is None  # used already
    assert matching_step(secret, code[:3] + " " + code[3:], now=now, after=0) == step


def _turn_on(client: TestClient) -> tuple[str, list[str]]:
    """Set two-step up as a user would: read the key off the page, type the app's code."""
    page = client.get("/account/two-step").text
    assert "<svg" in page and "QR code" in page
    key = re.search(r"Or type this key: <code>([A-Z2-7 ]+)</code>", page)
    assert key
    secret = key.group(1).replace(" ", "")
    sealed = re.search(r'name="sealed" value="([^"]+)"', page)
    assert sealed and secret not in sealed.group(1)  # the form carries it encrypted
    on = client.post(
        "/account/two-step",
        data={"csrf_token": csrf_from(page), "sealed": sealed.group(1), "code": totp(secret).now()},
    )
    assert on.status_code == 200, on.text
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", on.text)
    assert len(codes) == 10
    return secret, codes


def _next_code(secret: str) -> str:
    """The code of the next time step, as if 30 s had passed (a code works once)."""
    return totp(secret).at(time.time() + 30)


def test_setting_up_then_signing_in_in_two_steps(
    leader_client: TestClient, app, session: Session
) -> None:  # type: ignore[no-untyped-def]
    secret, codes = _turn_on(leader_client)
    session.rollback()
    user = session.exec(select(User).where(User.email == "leader@example.org")).one()
    assert user.totp_secret and secret not in user.totp_secret  # encrypted at rest
    assert len(session.exec(select(RecoveryCode)).all()) == 10
    assert all(c not in str(r.code_hash) for r in session.exec(select(RecoveryCode)) for c in codes)

    with TestClient(app, follow_redirects=False) as phone:
        first = log_in(phone, "leader@example.org")
        assert first.status_code == 303 and first.headers["location"].startswith("/login/two-step")
        assert phone.get("/visits/new").status_code == 303  # no session yet
        step = phone.get(first.headers["location"])
        wrong = phone.post(
            "/login/two-step", data={"csrf_token": csrf_from(step.text), "code": "000000"}
        )
        assert wrong.status_code == 401 and "That code is not right" in wrong.text
        code = _next_code(secret)  # kept: worked out again later, a new time step may have begun
        good = phone.post(
            "/login/two-step", data={"csrf_token": csrf_from(step.text), "code": code}
        )
        assert good.status_code == 303
        assert phone.get("/visits/new").status_code == 200

    # The same code again, on another sign-in: used, refused.
    with TestClient(app, follow_redirects=False) as thief:
        step = thief.get(log_in(thief, "leader@example.org").headers["location"])
        replay = thief.post(
            "/login/two-step", data={"csrf_token": csrf_from(step.text), "code": code}
        )
        assert replay.status_code == 401
        # A recovery code works once.
        ok = thief.post(
            "/login/two-step", data={"csrf_token": csrf_from(step.text), "code": codes[0]}
        )
        assert ok.status_code == 303
    with TestClient(app, follow_redirects=False) as again:
        step = again.get(log_in(again, "leader@example.org").headers["location"])
        used = again.post(
            "/login/two-step", data={"csrf_token": csrf_from(step.text), "code": codes[0]}
        )
        assert used.status_code == 401
    session.rollback()
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]
    assert actions.count("two_step.on") == 1 and actions.count("two_step.recovery_code") == 1
    assert actions.count("login.failed") == 3  # wrong, replayed, used recovery code


def test_five_wrong_codes_need_the_password_again(
    leader_client: TestClient, app, session: Session
) -> None:  # type: ignore[no-untyped-def]
    secret, _ = _turn_on(leader_client)
    with TestClient(app, follow_redirects=False) as guesser:
        step = guesser.get(log_in(guesser, "leader@example.org").headers["location"])
        token = csrf_from(step.text)
        for guess in ("111111", "222222", "333333", "444444", "555555"):
            assert (
                guesser.post(
                    "/login/two-step", data={"csrf_token": token, "code": guess}
                ).status_code
                == 401
            )
        late = guesser.post(
            "/login/two-step", data={"csrf_token": token, "code": _next_code(secret)}
        )
        assert late.status_code == 401  # even the right code: the challenge is gone
    session.rollback()
    assert session.exec(select(LoginChallenge)).all() == []


def test_a_role_that_requires_two_step_sets_it_up_before_anything_else(
    admin_client: TestClient, app, make_user, session: Session
) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/admin/settings").text
    saved = admin_client.post(
        "/admin/settings/two-step", data={"csrf_token": csrf_from(page), "roles": ["leader"]}
    )
    assert saved.status_code == 303
    assert (
        'id="two-step-leader" name="roles" value="leader" checked'
        in admin_client.get("/admin/settings").text
    )
    make_user("leader")
    with TestClient(app, follow_redirects=False) as leader:
        assert log_in(leader, "leader@example.org").status_code == 303
        assert leader.get("/visits/new").headers["location"] == "/account/two-step"
        assert leader.get("/api/v1/visits").status_code == 403
        _turn_on(leader)
        assert leader.get("/visits/new").status_code == 200
        # Required: it cannot be turned off by the user.
        page = leader.get("/account/two-step").text
        assert "Required for your role here" in page and "/account/two-step/off" not in page
    # An admin resets it for someone who lost their phone.
    session.rollback()
    user = session.exec(select(User).where(User.email == "leader@example.org")).one()
    users = admin_client.get("/admin/users").text
    reset = admin_client.post(
        f"/admin/users/{user.id}/two-step-off", data={"csrf_token": csrf_from(users)}
    )
    assert reset.status_code == 303
    session.rollback()
    assert session.get(User, user.id).totp_secret is None  # type: ignore[union-attr]
    assert session.exec(select(RecoveryCode)).all() == []


def test_turning_two_step_off_takes_a_current_code(
    leader_client: TestClient, session: Session
) -> None:
    secret, _ = _turn_on(leader_client)
    page = leader_client.get("/account/two-step").text
    refused = leader_client.post(
        "/account/two-step/off", data={"csrf_token": csrf_from(page), "code": "123456"}
    )
    assert refused.status_code == 422
    off = leader_client.post(
        "/account/two-step/off", data={"csrf_token": csrf_from(page), "code": _next_code(secret)}
    )
    assert off.status_code == 303
    session.rollback()
    assert (
        session.exec(select(User.totp_secret).where(User.email == "leader@example.org")).one()
        is None
    )
