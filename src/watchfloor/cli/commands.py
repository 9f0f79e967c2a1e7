"""Core commands: init, ingest, extract, events, brief, geocode, eval, bench."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import UserError
from . import app, err, fail, get_workspace, out


def _date_option(value: Optional[str], name: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name}: {value!r} is not a date (use YYYY-MM-DD)")


@app.command()
def init(
    directory: Path = typer.Argument(..., help="Folder to create (or an empty existing one)."),
    title: Optional[str] = typer.Option(None, help="Workspace title shown on briefs."),
) -> None:
    """Create a workspace: watchfloor.toml, the database and knowledge folders."""
    from ..workspace import Workspace

    ws = Workspace.init(directory, title=title)
    out.print(f"created workspace {ws.root} (database {ws.config.database_path.name}, knowledge/, reports/)")


@app.command()
def ingest(
    paths: List[str] = typer.Argument(..., help="Files, folders (recursive) or - for stdin."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the summary line."),
) -> None:
    """Read reports, extract their events and store each document once."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    ws = get_workspace()
    progress = Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=err, transient=True, disable=quiet or not err.is_terminal)
    with progress:
        task = progress.add_task("ingest", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = ws.ingest(paths, on_progress=on_progress)
    for rej in report.rejected:
        err.print(f"rejected: {rej}", markup=False, soft_wrap=True)
    out.print(
        f"{len(report.new)} new, {len(report.duplicate)} duplicate, {len(report.rejected)} rejected; "
        f"{report.events} events extracted",
        markup=False,
    )
    for warning in report.warnings:
        err.print(f"warning: {warning}", markup=False, soft_wrap=True)
    if report.suggestions:
        out.print(f"{report.suggestions} new suggestion(s) to review: watchfloor review", markup=False)


@app.command()
def extract(
    files: List[str] = typer.Argument(..., help="Files (text, Markdown, HTML, JSONL, feeds) or - for stdin."),
    format: str = typer.Option("jsonl", "--format", "-f", help="jsonl or csv."),
    ref_date: Optional[str] = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) for relative dates."),
    pipeline: Optional[str] = typer.Option(None, "--pipeline", help="Installed spaCy pipeline to use."),
    typing_backend: str = typer.Option("linear", "--typing-backend", help="linear (fast), embed or embed-large (slower, more accurate; need their extras)."),
) -> None:
    """Extract events from documents to stdout (stateless: nothing is stored)."""
    from ..config import DEFAULT_PIPELINE
    from ..export import write_events
    from ..extract import Extractor
    from ..ingest import read_paths
    from ..models import Rejection

    if format not in ("jsonl", "csv"):
        fail(f"--format: {format!r} is not one of jsonl, csv")
    ref = _date_option(ref_date, "--date")
    extractor = Extractor(pipeline=pipeline or DEFAULT_PIPELINE, typing_backend=typing_backend)
    events = []
    bad = 0
    for item in read_paths(files):
        if isinstance(item, Rejection):
            bad += 1
            err.print(f"rejected: {item}", markup=False, soft_wrap=True)
            continue
        events.extend(extractor.extract(item, ref_date=ref or item.date))
        if format == "jsonl":
            write_events(events, sys.stdout, "jsonl")
            events = []
    if format == "csv":
        write_events(events, sys.stdout, "csv")
    sys.stdout.flush()
    if bad:
        raise typer.Exit(1)


@app.command()
def events(
    date_from: Optional[str] = typer.Option(None, "--from", help="First event date (YYYY-MM-DD)."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Last event date (YYYY-MM-DD)."),
    governorate: Optional[str] = typer.Option(None, "--governorate", "-g", help="Name or P-code (e.g. SY09)."),
    actor: Optional[str] = typer.Option(None, "--actor", "-a", help="Part of an actor's name."),
    type_: Optional[str] = typer.Option(None, "--type", "-t", help="Event type or sub-event type."),
    format: str = typer.Option("table", "--format", "-f", help="table, csv, jsonl, parquet or geojson."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (parquet needs one)."),
    limit: Optional[int] = typer.Option(None, help="At most this many events."),
) -> None:
    """List and export stored events, filtered."""
    from ..export import FORMATS, print_table, write_events
    from ..store import EventFilter

    flt = EventFilter(_date_option(date_from, "--from"), _date_option(date_to, "--to"),
                      governorate, actor, type_, limit=limit)
    if format != "table" and format not in FORMATS:
        fail(f"--format: {format!r} is not one of table, {', '.join(FORMATS)}")
    evs = get_workspace().events(flt)
    if format == "table":
        print_table(evs, out)
        return
    if format == "parquet" and output is None:
        fail("--format parquet needs --output FILE")
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        with open(output, "wb" if format == "parquet" else "w", encoding=None if format == "parquet" else "utf-8") as fh:
            write_events(evs, fh, format)
        err.print(f"{len(evs)} events written to {output}", markup=False)
    else:
        write_events(evs, sys.stdout, format)


@app.command()
def brief(
    date_from: Optional[str] = typer.Option(None, "--from", help="Start of the period (YYYY-MM-DD)."),
    date_to: Optional[str] = typer.Option(None, "--to", help="End of the period (YYYY-MM-DD)."),
    topic: Optional[str] = typer.Option(None, "--topic", help="Judgement topic to include."),
    style: Optional[str] = typer.Option(None, "--style", help="Citation style: apa or chicago."),
    format: str = typer.Option("md", "--format", "-f", help="md, html or pdf."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default stdout)."),
    check: bool = typer.Option(False, "--check", help="Only check that every statement is sourced."),
    allow_unsourced: bool = typer.Option(False, "--allow-unsourced", help="Write even if the check fails."),
) -> None:
    """Write the analytic brief for the workspace (Markdown, HTML or PDF)."""
    from ..brief import FORMATS, render_brief

    if format not in FORMATS:
        fail(f"--format: {format!r} is not one of {', '.join(FORMATS)}")
    ws = get_workspace()
    result = render_brief(ws, _date_option(date_from, "--from"), _date_option(date_to, "--to"),
                          topic=topic, style=style or ws.config.citation_style, fmt=format,
                          output=output, check_only=check, allow_unsourced=allow_unsourced)
    for problem in result.problems:
        err.print(f"unsupported: {problem}", markup=False, soft_wrap=True)
    if check:
        if result.problems:
            raise typer.Exit(1)
        out.print(f"brief check passed: {result.statements} statements, all sourced", markup=False)
        return
    if result.problems and not allow_unsourced:
        fail("the brief has statements its sources do not support (see above); "
             "fix them or pass --allow-unsourced")
    if output:
        err.print(f"brief written to {output}", markup=False)


@app.command()
def geocode(text: str = typer.Argument(..., help="Text whose places to resolve.")) -> None:
    """Show each place found in TEXT, its candidates and the choice made."""
    from ..geocode import Geocoder, format_explanation

    out.print(format_explanation(Geocoder.default().find(text)), markup=False, soft_wrap=True)


@app.command("eval")
def eval_(
    name: str = typer.Argument("all", help="typing, ucdp, geo, re3d or all."),
    shared: Path = typer.Option(Path("../shared"), help="Folder with the development data (data/...)."),
    typing_backend: str = typer.Option("linear", "--typing-backend",
                                       help="Typing backend for the main-event scores (ucdp): linear, embed or embed-large."),
) -> None:
    """Score extraction and geocoding on the development sets in ../shared/data."""
    from ..evaluate import run_evaluations

    if not (shared / "data").is_dir():
        fail(f"{shared}: no development data here (expected {shared}/data); pass --shared")
    out.print(run_evaluations(name, shared, typing_backend), markup=False, soft_wrap=True)


@app.command()
def bench(
    corpus: Path = typer.Option(Path("../shared/data/corpora/guardian_syria_sample.csv"), help="CSV with a text column."),
    jobs: int = typer.Option(2, help="Worker processes for both passes."),
) -> None:
    """Time `watchfloor extract` against a bare spaCy pass over the same texts."""
    from ..evaluate.bench import run_bench

    if not corpus.is_file():
        fail(f"{corpus}: no such file")
    out.print(run_bench(corpus, jobs=jobs), markup=False)
