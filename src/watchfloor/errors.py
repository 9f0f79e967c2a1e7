"""Errors a user can cause and fix: the CLI prints them as one line, never a traceback."""


class UserError(Exception):
    """Bad input, a missing file, a malformed knowledge file: the message names where and what."""


class InputRejected(UserError):
    """One input (file, line, feed entry) cannot be used; the others still go in."""
