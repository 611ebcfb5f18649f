"""Errors that carry a message meant for the person who caused them."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; `message` is shown to them as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(UserError):
    pass


class NotAllowed(UserError):
    pass


class Expired(NotAllowed):
    """Something that worked for a while (a signed link) and no longer does."""


class FieldErrors(UserError):
    """Invalid form input: maps a field key to a message shown under that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
