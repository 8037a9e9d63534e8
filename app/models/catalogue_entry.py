"""The service catalogue: what counts as an emergency, how fast IT answers, how to ask."""

from pydantic import ConfigDict
from sqlmodel import Field, SQLModel


class CatalogueEntryBase(SQLModel):
    name: str = Field(max_length=100)
    emergency: str = Field(default="", max_length=1000)  # by impact on the organisation
    response_time: str = Field(default="", max_length=100)
    resolution_time: str = Field(default="", max_length=100)
    how_to_ask: str = Field(default="", max_length=500)


class CatalogueEntry(CatalogueEntryBase, table=True):
    __tablename__ = "service_entries"

    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(max_length=100, unique=True)
    is_active: bool = True


class CatalogueEntryCreate(CatalogueEntryBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


class CatalogueEntryPublic(CatalogueEntryBase):
    id: int
    is_active: bool
