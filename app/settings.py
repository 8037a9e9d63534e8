"""Application settings, read from WALKABOUT_* environment variables."""

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The placeholder secret: Settings refuses it outside development.
DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105  # nosec B105
ROLES = ("leader", "analyst", "executive", "admin")  # lowest to highest, as Role lists them


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WALKABOUT_", extra="ignore")

    environment: str = "development"
    database_url: str = f"sqlite:///{Path('data') / 'walkabout.db'}"
    secret_key: str = DEV_SECRET
    min_group_size: int = 5
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    login_max_failures: int = 5
    login_window_minutes: int = 15
    # Reverse proxies (addresses or networks, comma separated) whose X-Forwarded-For names
    # the client. Empty: the address a request comes from is the client's, so a spoofed
    # header never changes whose failures a login counts.
    trusted_proxies: str = ""
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 100 * 1024 * 1024
    # How long a writer waits for its turn (and for a lock) before the answer is 503.
    write_wait_seconds: float = Field(default=5.0, gt=0, le=60)
    # Requests of one process that hold a database session at once (below the engine's pool
    # of 15 connections, so no thread ever waits for a connection another waiting one holds).
    database_slots: int = Field(default=4, ge=1, le=12)
    # Writers of one process at once on PostgreSQL (SQLite takes one writer at a time anyway).
    write_slots: int = Field(default=4, ge=1, le=20)

    # Single sign-on with OpenID Connect (on when an issuer is set).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "single sign-on"
    oidc_role_claim: str = "groups"
    # What to ask the provider for; some send groups only for a scope of their own.
    oidc_scopes: str = "openid email profile"
    # group=role pairs, comma separated; the highest role a user's groups give wins.
    oidc_role_map: str = ""
    # E-mail domains allowed to sign in (comma separated); empty: any the provider vouches for.
    oidc_allowed_domains: str = ""
    # Local passwords; when off, only the break-glass account below signs in with one.
    password_login: bool = True
    break_glass_account: str = ""
    # The address users reach the app at, for links in mail and the sign-in callback
    # (empty: the address of the request).
    base_url: str = ""
    # The organisation's time zone: walk programme dates are its local dates.
    time_zone: str = "UTC"
    # Reminder e-mails (walkabout reminders send).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "walkabout@localhost"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def oidc_roles(self) -> dict[str, str]:
        """The directory's groups and the role each gives."""
        pairs = [p.strip() for p in self.oidc_role_map.split(",") if p.strip()]
        return {g.strip(): r.strip() for g, _, r in (p.rpartition("=") for p in pairs)}

    @property
    def oidc_domains(self) -> set[str]:
        return {
            d.strip().lower().lstrip("@") for d in self.oidc_allowed_domains.split(",") if d.strip()
        }

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> "Settings":
        if self.environment != "development" and self.secret_key == DEV_SECRET:
            raise ValueError("WALKABOUT_SECRET_KEY must be set outside development")
        if self.min_group_size < 3:
            raise ValueError("WALKABOUT_MIN_GROUP_SIZE may not be below 3")
        for group, role in self.oidc_roles.items():
            if not group or role not in ROLES:
                raise ValueError(
                    f"WALKABOUT_OIDC_ROLE_MAP: {group}={role} is no group=role pair "
                    f"(roles: {', '.join(ROLES)})"
                )
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"WALKABOUT_TIME_ZONE: {self.time_zone!r} is no time zone (e.g. Europe/London)"
            ) from exc
        if not self.password_login and not self.oidc_enabled:
            raise ValueError(
                "WALKABOUT_PASSWORD_LOGIN=false needs single sign-on: set WALKABOUT_OIDC_ISSUER "
                "and WALKABOUT_OIDC_CLIENT_ID"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
