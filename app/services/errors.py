"""Domain errors that routers and the CLI turn into messages."""


class ServiceError(Exception):
    """Bad input or a refused operation, with a message fit for the user."""


class NotFoundError(ServiceError):
    """The thing asked for does not exist."""


class ConflictError(ServiceError):
    """The operation clashes with what is stored."""


class ForbiddenError(ServiceError):
    """The caller may not do this to that thing."""
