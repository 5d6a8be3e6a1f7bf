"""Errors a user can act on.

`InputError` carries a one-line message naming the file, sheet, row or key at fault. The CLI
prints it and exits with code 2; it never shows a traceback for bad input.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input or usage: the message is the whole explanation, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


def short_error(exc: BaseException, limit: int = 160) -> str:
    """A library's error message on one line, cut to `limit` characters, for the end of an
    InputError message ("... (cannot open zip file)"); the exception's type when it says
    nothing."""
    return " ".join(str(exc).split())[:limit] or type(exc).__name__
