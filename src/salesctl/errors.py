"""The error hierarchy: every refusal a service raises, each with its exit code (SPEC section 2)."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    CHECK_FAILED = 1
    INVALID = 2
    PERMISSION = 3
    NOT_FOUND = 4
    CONFLICT = 5


class SalesctlError(Exception):
    """Base class: carries a one-line message for stderr and an exit code."""

    exit_code: ExitStatus = ExitStatus.INVALID

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidInput(SalesctlError):
    """Usage error or invalid value: names the field and what is accepted."""

    exit_code = ExitStatus.INVALID


class NotInitialised(InvalidInput):
    pass


class PermissionDenied(SalesctlError):
    exit_code = ExitStatus.PERMISSION


class NotFound(SalesctlError):
    exit_code = ExitStatus.NOT_FOUND


class Conflict(SalesctlError):
    exit_code = ExitStatus.CONFLICT
