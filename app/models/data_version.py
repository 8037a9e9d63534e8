"""How far the data pages are built from has moved on: counters that triggers on every table
such a page reads add one to, in the writing transaction (see app/services/data_version.py)."""

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class DataVersion(SQLModel, table=True):
    __tablename__ = "data_versions"

    # A few rows, not one: concurrent PostgreSQL writers add to the row of their own backend
    # and do not queue on one row's lock. The version is the sum.
    shard: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(default=0, sa_type=BigInteger)
