"""Single sign-on with OpenID Connect: the authorization code flow with PKCE, `state` and
`nonce` (OpenID Connect Core 1.0, sections 3.1 and 15.5.2; RFC 7636), through Authlib's
OAuth 2 client; the ID token's signature, issuer, audience, expiry and nonce are checked
with joserfc (Core 1.0, section 3.1.3.7). Roles come from the directory's groups at every
sign-in. What a sign-in under way needs is kept in the database, so any worker can finish
it, and a `state` works once."""

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.models import OidcLogin, User
from app.models.types import utcnow
from app.security import new_token, token_digest
from app.services.audit import record_event
from app.services.auth import end_sessions, start_session
from app.settings import ROLES, Settings

KEEP_SIGN_INS = timedelta(minutes=10)  # from the button to the provider's answer
LEEWAY_SECONDS = 60  # clocks a minute apart still agree on expiry
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
TIMEOUT = httpx.Timeout(10.0)


def clock() -> float:
    """Seconds since the epoch, as the ID token's times count them."""
    return time.time()


class SignInRefused(Exception):
    """A single sign-on that does not let the user in: `message` for them, `reason` for
    the audit log."""

    def __init__(self, message: str, reason: str, *, email: str = "") -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason
        self.email = email


def metadata(settings: Settings) -> dict[str, Any]:
    """The provider's discovery document (OpenID Connect Discovery 1.0); its issuer must be
    the one configured."""
    url = settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = httpx.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused(
            "The sign-in service cannot be reached just now. Try again in a moment.",
            f"discovery failed: {exc}",
        ) from exc
    if found.get("issuer", "").rstrip("/") != settings.oidc_issuer.rstrip("/"):
        raise SignInRefused(
            "Single sign-on is not set up correctly here; tell your administrator.",
            f"discovery names issuer {found.get('issuer')!r}, not {settings.oidc_issuer!r}",
        )
    return found


def _client(settings: Settings, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        scope=settings.oidc_scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=10.0,
    )


def start_sign_in(
    session: Session, *, settings: Settings, redirect_uri: str, next_path: str
) -> tuple[str, str]:
    """Where to send the browser, and the `state` it must bring back (also kept in a cookie,
    so a sign-in started in another browser cannot be finished in this one)."""
    found = metadata(settings)
    state, nonce, verifier = new_token(), new_token(), generate_token(64)
    session.execute(delete(OidcLogin).where(col(OidcLogin.created_at) < utcnow() - KEEP_SIGN_INS))
    session.add(
        OidcLogin(
            state_hash=token_digest(state), nonce=nonce, code_verifier=verifier, next_path=next_path
        )
    )
    with _client(settings, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            found["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    return url, state


def exchange_code(
    found: dict[str, Any], *, settings: Settings, code: str, verifier: str, redirect_uri: str
) -> dict[str, Any]:
    """The provider's token response for an authorization code."""
    with _client(settings, redirect_uri) as client:
        try:
            tokens: dict[str, Any] = client.fetch_token(
                found["token_endpoint"], code=code, code_verifier=verifier
            )
        except Exception as exc:  # Authlib raises OAuthError, httpx its own; both refuse
            raise SignInRefused(
                "The sign-in service did not confirm this sign-in. Sign in again.",
                f"token request refused: {exc}",
            ) from exc
    return tokens


def verify_id_token(
    id_token: str, found: dict[str, Any], *, settings: Settings, nonce: str, now: float
) -> dict[str, Any]:
    """The ID token's claims, once its signature (the provider's published keys), issuer,
    audience, expiry, issue time and nonce hold."""
    try:
        response = httpx.get(found["jwks_uri"], timeout=TIMEOUT)
        response.raise_for_status()
        keys = KeySet.import_key_set(response.json())
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        raise SignInRefused(
            "The sign-in service cannot be reached just now. Try again in a moment.",
            f"signing keys unavailable: {exc}",
        ) from exc
    refused = "The sign-in could not be verified, so it was refused. Sign in again."
    try:
        token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
        jwt.JWTClaimsRegistry(
            now=int(now),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": found["issuer"]},
            aud={"essential": True, "value": settings.oidc_client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except BadSignatureError as exc:
        raise SignInRefused(refused, "ID token signature does not verify") from exc
    except ExpiredTokenError as exc:
        raise SignInRefused(refused, "ID token expired") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        raise SignInRefused(refused, f"ID token: {exc.description}") from exc
    except (JoseError, ValueError) as exc:
        raise SignInRefused(refused, f"ID token unreadable: {exc}") from exc
    claims: dict[str, Any] = token.claims
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise SignInRefused(refused, "ID token: issued to another party (azp)")
    return claims


def role_from_claims(claims: dict[str, Any], settings: Settings) -> str | None:
    """The highest role the user's groups give (leader < analyst < executive < admin), or
    None when no group of theirs is mapped."""
    groups = claims.get(settings.oidc_role_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    mapped = {
        settings.oidc_roles[g] for g in groups if isinstance(g, str) and g in settings.oidc_roles
    }
    return max(mapped, key=ROLES.index) if mapped else None


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_token: str
    next_path: str


def finish_sign_in(
    session: Session,
    *,
    settings: Settings,
    params: dict[str, str],
    browser_state: str,
    redirect_uri: str,
    now: float | None = None,
) -> SignedIn:
    """Check the provider's answer and sign the user in: the first time creates them, later
    times update their role from the directory."""
    state = params.get("state", "")
    pending = session.get(OidcLogin, token_digest(state)) if state else None
    if pending is None or pending.created_at < utcnow() - KEEP_SIGN_INS:
        raise SignInRefused(
            "This sign-in link has been used already or has expired. Sign in again.",
            "unknown, used or expired state",
        )
    # Used once, whatever happens next: a replayed answer finds nothing.
    session.execute(delete(OidcLogin).where(col(OidcLogin.state_hash) == pending.state_hash))
    if browser_state != state:
        raise SignInRefused(
            "This sign-in was started in another browser. Sign in again here.",
            "state does not match this browser's",
        )
    if params.get("error"):
        raise SignInRefused(
            "The sign-in service did not sign you in"
            + (f": {params.get('error_description')}" if params.get("error_description") else ".")
            + " Try again, or ask your administrator.",
            f"provider answered {params['error']}",
        )
    found = metadata(settings)
    if params.get("iss") and params["iss"].rstrip("/") != found["issuer"].rstrip("/"):
        raise SignInRefused(
            "The sign-in came back from another service, so it was refused. Sign in again.",
            f"answer from issuer {params['iss']!r} (RFC 9207)",
        )
    tokens = exchange_code(
        found,
        settings=settings,
        code=params.get("code", ""),
        verifier=pending.code_verifier,
        redirect_uri=redirect_uri,
    )
    if not tokens.get("id_token"):
        raise SignInRefused(
            "The sign-in service sent no identity. Tell your administrator.", "no ID token"
        )
    claims = verify_id_token(
        tokens["id_token"],
        found,
        settings=settings,
        nonce=pending.nonce,
        now=clock() if now is None else now,
    )
    user = _sign_in_user(session, settings=settings, claims=claims)
    token = start_session(
        session, settings=settings, user=user, method="oidc", detail="single sign-on"
    )
    return SignedIn(user=user, session_token=token, next_path=pending.next_path)


def _sign_in_user(session: Session, *, settings: Settings, claims: dict[str, Any]) -> User:
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email or claims.get("email_verified") is False:
        raise SignInRefused(
            "Your account at the sign-in service has no confirmed e-mail address, which "
            "Walkabout needs. Ask your administrator.",
            f"no verified e-mail (sub {claims.get('sub')!r})",
        )
    domains = settings.oidc_domains
    if domains and email.rpartition("@")[2] not in domains:
        raise SignInRefused(
            "Your e-mail address is not one of the organisation's, so you cannot sign in here.",
            "e-mail domain not allowed",
            email=email,
        )
    subject = f"{claims['iss']} {claims['sub']}"
    user = session.exec(select(User).where(User.oidc_subject == subject)).first()
    if user is None:
        user = session.exec(select(User).where(User.email == email)).first()
    role = role_from_claims(claims, settings)
    if role is None:
        if user is not None and user.id is not None:
            end_sessions(session, user_id=user.id)  # the directory has taken the access away
        raise SignInRefused(
            "Your account has no Walkabout role: none of your groups is given one. "
            "Ask your administrator to add you to the right group.",
            "no mapped group",
            email=email,
        )
    if user is None:
        # No password: this user signs in with single sign-on only (an admin may add one).
        user = User(email=email, role=role, password_hash="", oidc_subject=subject)  # nosec B106
        session.add(user)
        session.flush()
        record_event(
            session,
            action="user.created",
            actor_id=user.id,
            detail=f"{email} as {role}, single sign-on",
        )
    elif not user.is_active:
        raise SignInRefused(
            "Your Walkabout account has been switched off. Ask your administrator.",
            "account switched off",
            email=email,
        )
    else:
        if user.role != role:
            record_event(
                session,
                action="role.directory",
                actor_id=user.id,
                detail=f"{email}: {user.role} to {role}, from the directory's groups",
            )
            user.role = role
        user.oidc_subject = subject
        user.email = email
        session.add(user)
        session.flush()
    return user


def end_session_url(settings: Settings, *, after: str) -> str | None:
    """Where logging out of a single sign-on session continues, when the provider offers an
    end-session endpoint (RP-Initiated Logout 1.0)."""
    try:
        endpoint = metadata(settings).get("end_session_endpoint")
    except SignInRefused:
        return None
    if not endpoint:
        return None
    from urllib.parse import urlencode

    query = urlencode({"client_id": settings.oidc_client_id, "post_logout_redirect_uri": after})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
