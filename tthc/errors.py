"""The one root of every error a user can cause or meet, and the command's exit status for each.

Every module raises a subclass of :class:`TthcError` with a Vietnamese message (naming the file, row and
column where there is one); the command line prints the message and exits with ``exit_code``. Anything
else that escapes is a bug in the workbench, not a user's mistake.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INPUT = 2      # the input, a parameter or the environment is not usable (nothing was written)
EXIT_FAILED = 3     # a notebook or the export failed, or another run holds the output folder


class TthcError(Exception):
    """A problem the user can act on; ``str(error)`` is the Vietnamese message."""

    exit_code = EXIT_INPUT


class RunFailed(TthcError):
    """The run started and stopped on the way (a notebook cell, the export, a held output folder)."""

    exit_code = EXIT_FAILED
