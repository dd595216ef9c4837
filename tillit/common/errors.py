"""The one error type users see: a code for programs, a whole sentence for people."""

from __future__ import annotations


class ApplicationError(Exception):
    """An error the user can act on.

    `code` is stable and machine-readable (``"file.encoding"``); `message` is a whole,
    translated sentence that names the file, row, column and value where there is one,
    and says what to do.
    """

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **context: object) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        self.context = context

    def __str__(self) -> str:
        return self.message


class NotFound(ApplicationError):
    """Raised by selectors for both "does not exist" and "not yours" (the same 404)."""

    code = "not_found"


class ValidationFailed(ApplicationError):
    """A service refused its input; `field_errors` maps field names to sentences."""

    code = "invalid"

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None, **kw: object):
        super().__init__(message, **kw)
        self.field_errors = field_errors or {}
