"""The department directory: name, headcount (the survey's population) and division."""

from pydantic import ConfigDict
from sqlmodel import Field, SQLModel


def department_key(name: str) -> str:
    """Matching key: case- and space-insensitive."""
    return " ".join(name.split()).casefold()


class DepartmentBase(SQLModel):
    name: str = Field(max_length=200)
    headcount: int = Field(ge=0)
    division: str | None = Field(default=None, max_length=200)


class Department(DepartmentBase, table=True):
    __tablename__ = "departments"

    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(max_length=200, unique=True)
    # The roles people hold there, as the department list names them ("; " between), to
    # see whose voices the walks miss.
    roles: str | None = Field(default=None, max_length=1000)


class DepartmentCreate(DepartmentBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


class DepartmentPublic(DepartmentBase):
    id: int
