"""A workspace: a folder with `watchfloor.toml`, the database and the analyst's knowledge files.

`Workspace` is the Python API the CLI is a thin layer over: `init`, `ingest`,
`events`, `brief`. Stages stay in their own modules; this class only wires them.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .config import KNOWLEDGE_KINDS, Config, resolve_workspace_root, write_default_config
from .errors import UserError
from .models import Document, Event, IngestReport, Rejection
from .store import EventFilter, Store


class Workspace:
    def __init__(self, root: Path | str | None = None) -> None:
        self.root = resolve_workspace_root(root)
        self.config = Config.load(self.root)

    # ---- creation --------------------------------------------------------------------
    @classmethod
    def init(cls, root: Path | str, title: str | None = None) -> "Workspace":
        root = Path(root)
        if (root / "watchfloor.toml").exists():
            raise UserError(f"{root}: already a watchfloor workspace")
        if root.exists() and not root.is_dir():
            raise UserError(f"{root}: exists and is not a folder")
        root.mkdir(parents=True, exist_ok=True)
        write_default_config(root, title or root.resolve().name)
        for kind in KNOWLEDGE_KINDS:
            (root / "knowledge" / kind).mkdir(parents=True, exist_ok=True)
        (root / "reports").mkdir(exist_ok=True)
        ws = cls(root)
        with ws.store():
            pass  # creates the database with its schema
        return ws

    @contextmanager
    def store(self, read_only: bool = False) -> Iterator[Store]:
        if read_only and not self.config.database_path.exists():
            read_only = False  # first use: create it
        st = Store(self.config.database_path, read_only=read_only)
        try:
            yield st
        finally:
            st.close()

    # ---- stages ----------------------------------------------------------------------
    def extractor(self):
        from .extract import Extractor

        return Extractor(pipeline=self.config.spacy_pipeline, actors_dir=self.config.knowledge_dir / "actors",
                         typing_backend=self.config.typing_backend)

    def ingest(self, paths: Iterable[str | Path], stdin: object | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> IngestReport:
        """Read, extract and store; each document with its events in one transaction."""
        from .ingest import ingest

        from .knowledge import KnowledgeError, refresh_suggestions

        with self.store() as st:
            report = ingest(st, paths, self.extractor(), max_bytes=self.config.max_file_bytes,
                            stdin=stdin, on_progress=on_progress)
            if report.new:
                try:
                    report.suggestions = refresh_suggestions(self, store=st)
                except KnowledgeError as exc:
                    report.warnings.append(
                        f"knowledge files have errors, no review suggestions made ({exc}); "
                        "run `watchfloor kb check`")
            return report

    def events(self, flt: EventFilter | None = None) -> list[Event]:
        with self.store(read_only=True) as st:
            return st.events(flt)

    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        with self.store(read_only=True) as st:
            return st.documents(ids)

    def brief(self, date_from: date | None = None, date_to: date | None = None, **options):
        """Build the brief (see `watchfloor.brief.build_brief`) for this workspace."""
        from .brief import build_brief

        return build_brief(self, date_from=date_from, date_to=date_to, **options)


__all__ = ["Workspace", "EventFilter", "Rejection"]
