"""The `watchfloor` command: a thin layer over the Python API.

User errors (`UserError`) end as one line on stderr and exit code 2, never a traceback.
Command groups of other stages register themselves through `register(app)` hooks.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..errors import UserError

app = typer.Typer(
    help="watchfloor: conflict reports in, coded events and a sourced brief out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


class State:
    workspace: Optional[Path] = None


@app.callback()
def _root(
    workspace: Optional[Path] = typer.Option(
        None, "--workspace", "-w", envvar="WATCHFLOOR_WORKSPACE",
        help="Workspace folder (default: the current folder).",
    ),
) -> None:
    State.workspace = workspace


def get_workspace():
    """The workspace every command works on (`--workspace`, WATCHFLOOR_WORKSPACE or cwd)."""
    from ..workspace import Workspace

    return Workspace(State.workspace)


def fail(message: str) -> None:
    err.print(f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(2)


def main() -> None:
    from . import commands  # noqa: F401  (registers the core commands)
    from .plugins import register_all

    register_all(app)
    try:
        app()
    except UserError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted: the database holds every document completed so far; "
                  "run the same command again to finish", markup=False)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
