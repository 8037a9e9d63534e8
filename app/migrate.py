"""Apply and check Alembic migrations from code (CLI and tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.db import get_engine, unit_of_work

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> None:
    """Bring the database to the newest schema (idempotent)."""
    engine = get_engine(database_url)
    config = alembic_config(database_url)
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    from app.services.score_counts import backfill_score_counts

    with unit_of_work(engine) as session:
        backfill_score_counts(session)
