"""Application settings, read from WALKABOUT_* environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The placeholder secret: Settings refuses it outside development.
DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105  # nosec B105


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

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> "Settings":
        if self.environment != "development" and self.secret_key == DEV_SECRET:
            raise ValueError("WALKABOUT_SECRET_KEY must be set outside development")
        if self.min_group_size < 3:
            raise ValueError("WALKABOUT_MIN_GROUP_SIZE may not be below 3")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
