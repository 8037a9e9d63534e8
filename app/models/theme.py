"""The shared list of themes that conversations (and surveys) are coded against."""

from sqlmodel import Field, SQLModel


class Theme(SQLModel, table=True):
    __tablename__ = "themes"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    name_key: str = Field(max_length=100, unique=True)
    is_active: bool = True


class ThemePublic(SQLModel):
    id: int
    name: str
    is_active: bool
