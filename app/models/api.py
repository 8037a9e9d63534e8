"""Shapes the JSON API answers with that belong to no one table: lists and errors."""

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class ItemList(BaseModel, Generic[T]):
    """Every list endpoint: the items and how many there are in all."""

    items: list[T]
    total: int


class ErrorItem(BaseModel):
    """One thing wrong with a request: the field (or file line) and why."""

    field: str | None = None
    line: int | None = None
    message: str


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer: a sentence, or one entry per thing wrong."""

    detail: str | list[ErrorItem]


# Documented on every API route: what each error answer holds.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "no valid bearer token (or page session)"),
        (403, "the caller's role may not do this"),
        (404, "no such thing"),
        (409, "clashes with what is stored"),
        (413, "the request body is over the limit"),
        (422, "the request is not valid: each field (or file line) and why"),
        (503, "the database is busy: try again after Retry-After seconds"),
    )
}
