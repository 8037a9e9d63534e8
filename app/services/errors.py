"""Domain errors that routers and the CLI turn into messages."""

import re

# Pydantic's wording, said plainly: what a leader reads next to a field or in the outbox.
PLAIN_MESSAGES = (
    (r"Field required", "required"),
    (r"String should have at least 1 character", "required"),
    (r"String should have at most (\d+) characters?", r"too long: at most \1 characters"),
    (r"String should have at least (\d+) characters", r"too short: at least \1 characters"),
    (r"Input should be greater than or equal to (\S+)", r"should be \1 or more"),
    (r"Input should be less than or equal to (\S+)", r"should be \1 or less"),
    (r"Input should be a valid integer.*", "choose a number"),
    (r"Input should be a valid date.*", "enter a date"),
    (r"List should have at least 1 item.*", "add at least one"),
    (r"List should have at most (\d+) items.*", r"at most \1"),
    (r"value is not a valid email address.*", "not a valid e-mail address"),
)


def plain_message(message: str) -> str:
    """A validation message in plain words (`Field required` -> `required`)."""
    message = message.removeprefix("Value error, ")
    for pattern, plain in PLAIN_MESSAGES:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, plain, message)
    return message


class ServiceError(Exception):
    """Bad input or a refused operation, with a message fit for the user."""


class NotFoundError(ServiceError):
    """The thing asked for does not exist."""


class ConflictError(ServiceError):
    """The operation clashes with what is stored."""


class ForbiddenError(ServiceError):
    """The caller may not do this to that thing."""
