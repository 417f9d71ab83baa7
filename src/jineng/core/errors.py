"""Domain errors that every view, API and importer turns into a clear, field-naming message."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. `field` names the input at fault (or "" for the whole request)."""

    status = 400

    def __init__(self, message: str, *, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}


class NotFound(DomainError):
    """Missing *or* outside the actor's scope: callers cannot tell which (no existence leak)."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, code="not_found")


class Forbidden(DomainError):
    """The actor sees the record but may not do this to it."""

    status = 403

    def __init__(self, message: str = "You may not do this.") -> None:
        super().__init__(message, code="forbidden")


class Conflict(DomainError):
    status = 409
