"""Command groups that live beside their stage register here (spaCy-style registry, kept small)."""

from __future__ import annotations

import importlib

import typer

# module paths with a `register(app: typer.Typer) -> None` function
COMMAND_MODULES: list[str] = [
    "watchfloor.knowledge.cli",
]


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # stage not installed in this build
            raise
        module.register(app)
