"""The analytic brief: sourced, checked, in Markdown, HTML or PDF.

    from watchfloor.brief import render_brief
    result = render_brief(ws, date(2025, 11, 1), date(2025, 11, 30), fmt="html", output=Path("b.html"))
    result.problems   # [] when every factual sentence is supported by the documents it cites

`build_brief` gives the content (`Brief`), `render_brief` renders, checks and writes it,
`check_brief_file` checks a brief written earlier. See docs/brief.md.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import UserError
from .build import Brief, build_brief
from .check import check_brief_file, check_text, statements_from_html, statements_from_markdown

FORMATS = ("md", "html", "pdf")

__all__ = ["FORMATS", "Brief", "BriefResult", "build_brief", "render_brief", "check_brief_file",
           "check_brief_text"]


@dataclass
class BriefResult:
    problems: list[str] = field(default_factory=list)  # each names the sentence and the source
    statements: int = 0  # sourced statements checked
    output: Path | None = None  # the file written (None: stdout, check only, or refused)
    written: bool = False
    text: str | None = None  # the Markdown or HTML (not for PDF)
    brief: Brief | None = None


def check_brief_text(ws, text: str, fmt: str = "md") -> tuple[list[str], int]:
    """Check brief text (Markdown or HTML) against the workspace's documents."""
    from .check import store_documents

    return check_text(ws, text, "html" if fmt == "html" else "md", store_documents(ws))


def render_brief(ws, date_from: date | None = None, date_to: date | None = None, *,
                 topic: str | None = None, style: str | None = None, fmt: str = "md",
                 output: Path | str | None = None, check_only: bool = False,
                 allow_unsourced: bool = False) -> BriefResult:
    """Build, check and write the brief.

    `check_only`: only check; if `output` names an existing Markdown/HTML brief, that file is
    checked, else the brief that would be generated. A brief that fails the check is not
    written unless `allow_unsourced`.
    """
    if fmt not in FORMATS:
        raise UserError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    out = Path(output) if output is not None else None
    if check_only and out is not None and out.is_file():
        from .check import store_documents

        text = out.read_text(encoding="utf-8", errors="replace") if out.suffix.lower() != ".pdf" else ""
        problems = check_brief_file(ws, out)
        is_html = out.suffix.lower() in (".html", ".htm") or text.lstrip().lower().startswith("<!doctype html")
        stmts = statements_from_html(text) if is_html else statements_from_markdown(text)
        return BriefResult(problems, sum(1 for s in stmts if s.cites))
    if fmt == "pdf" and out is None and not check_only:
        raise UserError("--format pdf needs --output FILE")

    from .render import render_html, render_markdown, render_pdf

    brief = build_brief(ws, date_from, date_to, topic=topic, style=style)
    figure_dir = f"{out.stem}_files" if out is not None else None
    md = render_markdown(brief, figure_dir=figure_dir if fmt == "md" else None)
    docs = brief.documents
    problems, n = check_text(ws, md, "md", lambda ids: {i: docs[i] for i in ids if i in docs}, brief.labels)
    result = BriefResult(problems, n, brief=brief)
    if check_only or (problems and not allow_unsourced):
        return result

    if fmt == "md":
        result.text = md
    elif fmt == "html":
        result.text = render_html(brief)
    if out is None:
        sys.stdout.write(result.text or "")
        sys.stdout.flush()
        return result
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        out.write_bytes(render_pdf(brief))
    else:
        out.write_text(result.text or "", encoding="utf-8")
        if fmt == "md" and brief.figures:
            fdir = out.parent / figure_dir
            fdir.mkdir(exist_ok=True)
            for fig in brief.figures:
                (fdir / f"{fig.name}.png").write_bytes(fig.png)
    result.output = out
    result.written = True
    return result
