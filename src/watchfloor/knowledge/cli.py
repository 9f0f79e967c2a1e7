"""Commands: `kb check|load`, `scenarios`, `agreements`, `review`, `export stix`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..errors import UserError

kb_app = typer.Typer(help="Check and load the analyst's knowledge files.", no_args_is_help=True)
export_app = typer.Typer(help="Export the knowledge base.", no_args_is_help=True)


def _cli():
    from .. import cli

    return cli


def _as_of(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _cli().fail(f"--as-of: {value!r} is not a date (use YYYY-MM-DD)")


def _format(value: str) -> str:
    if value not in ("table", "json"):
        _cli().fail(f"--format: {value!r} is not one of table, json")
    return value


def _run(fn, *args, **kwargs):
    """Call the API; a user mistake becomes one `error:` line and exit code 2."""
    try:
        return fn(*args, **kwargs)
    except UserError as exc:
        _cli().fail(str(exc))


# ---- kb ---------------------------------------------------------------------------------
@kb_app.command("check")
def kb_check() -> None:
    """Validate the knowledge files: `file:line: message` for each problem, exit 2 on errors."""
    from .loader import check_workspace

    cli = _cli()
    kb = _run(check_workspace, cli.get_workspace())
    for issue in kb.issues:
        cli.out.print(str(issue), markup=False, soft_wrap=True)
    counts = ", ".join(f"{v} {k}" for k, v in kb.summary().items())
    if kb.errors:
        cli.out.print(f"{len(kb.errors)} error(s), {len(kb.warnings)} warning(s) in the knowledge files",
                      markup=False)
        raise typer.Exit(2)
    cli.out.print(f"knowledge OK: {counts}" + (f" ({len(kb.warnings)} warning(s))" if kb.warnings else ""),
                  markup=False)


@kb_app.command("load")
def kb_load() -> None:
    """Validate and load the knowledge files into the database (the files stay the truth)."""
    from .loader import KnowledgeError, load_workspace

    cli = _cli()
    try:
        kb = load_workspace(cli.get_workspace())
    except KnowledgeError as exc:
        for issue in exc.issues:
            cli.out.print(str(issue), markup=False, soft_wrap=True)
        cli.fail(f"{len(exc.issues)} error(s) in the knowledge files; nothing loaded")
    except UserError as exc:
        cli.fail(str(exc))
    cli.out.print("loaded: " + ", ".join(f"{v} {k}" for k, v in kb.summary().items()), markup=False)


# ---- scenarios --------------------------------------------------------------------------
def scenarios_command(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluate as of this date (default: the newest event's date)."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    trend_days: Optional[int] = typer.Option(None, "--trend-days", help="Compare with N days earlier (default: the set's trend_days, 30)."),
) -> None:
    """Scenario probabilities from priors and fired indicators, with trend and evidence."""
    from .scenarios import ARROWS, compute_scenario_sets, scenarios_json

    cli = _cli()
    fmt = _format(fmt)
    results = _run(compute_scenario_sets, cli.get_workspace(), _as_of(as_of), trend_days=trend_days)
    day = date.fromisoformat(results[0].as_of) if results else (_as_of(as_of) or date.today())
    if fmt == "json":
        cli.out.print_json(json.dumps(scenarios_json(results, day), ensure_ascii=False))
        return
    if not results:
        cli.out.print("no scenario sets (add YAML files under knowledge/scenarios/)", markup=False)
    for r in results:
        t = Table(title=f"{r.name} — as of {r.as_of} (trend vs {r.trend_days} days earlier)", title_justify="left")
        for col in ("scenario", "prior", "probability", "trend", "evidence"):
            t.add_column(col, justify="right" if col in ("prior", "probability") else "left",
                         overflow="fold", no_wrap=col == "trend")
        for s in r.scenarios:
            ev = "; ".join(f"{e.indicator} (LR {e.lr:g}, {e.effect}: {', '.join(e.doc_ids)})" for e in s.evidence)
            t.add_row(s.name, f"{s.prior:.2f}", f"{s.probability:.2f}",
                      f"{ARROWS[s.trend]} {s.trend} ({s.probability - s.previous_probability:+.2f})", ev or "—")
        cli.out.print(t)
        m = Table(title="Indicators × scenarios (likelihood ratios; ACH matrix)", title_justify="left",
                  caption="diag: diagnosticity, max log LR − min log LR; events: matches in window (min_count)",
                  caption_justify="left")
        m.add_column("indicator", overflow="fold")
        for s in r.scenarios:
            m.add_column(s.id, justify="right", overflow="fold")
        m.add_column("diag", justify="right")
        m.add_column("events", justify="right")
        m.add_column("fired")
        for i in sorted(r.indicators, key=lambda i: -i.diagnosticity):
            m.add_row(i.id, *[f"{i.lr[s.id]:g}" for s in r.scenarios], f"{i.diagnosticity:.2f}",
                      f"{i.count} ({i.min_count})", "yes" if i.fired else "no")
        cli.out.print(m)


# ---- agreements -------------------------------------------------------------------------
def agreements_command(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Status as of this date (default today)."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Each provision's current status, since when, on what evidence; events touching it since."""
    from .agreements import agreement_status

    cli = _cli()
    fmt = _format(fmt)
    day = _as_of(as_of)
    results = _run(agreement_status, cli.get_workspace(), day)
    if fmt == "json":
        cli.out.print_json(json.dumps({"as_of": (day or date.today()).isoformat(),
                                       "agreements": [a.to_dict() for a in results]}, ensure_ascii=False))
        return
    if not results:
        cli.out.print("no agreements (add YAML files under knowledge/agreements/)", markup=False)
    for a in results:
        t = Table(title=f"{a.name} ({a.date}; parties: {', '.join(a.parties)})", title_justify="left")
        for col in ("provision", "status", "since", "evidence", "new events to review"):
            t.add_column(col, overflow="fold", no_wrap=col in ("status", "since"))
        for p in a.provisions:
            sugg = "; ".join(f"{s['event_date'] or '?'} {s['doc_id']} [{s['status']}] ({s['item_id']})"
                             for s in p.suggestions)
            t.add_row(f"{p.id}: {p.text}", p.status, p.since, ", ".join(p.evidence) or "—", sugg or "—")
        cli.out.print(t)


# ---- review -----------------------------------------------------------------------------
def review_command(
    accept: List[str] = typer.Option([], "--accept", help="Accept this item id (repeatable)."),
    reject: List[str] = typer.Option([], "--reject", help="Reject this item id (repeatable)."),
    show_all: bool = typer.Option(False, "--all", help="List decided items too, not only pending ones."),
    note: Optional[str] = typer.Option(None, "--note", help="Note stored with the decision."),
) -> None:
    """List pending suggestions (indicator matches, events touching provisions); accept or reject them."""
    from .review import decide, review_list

    cli = _cli()
    ws = cli.get_workspace()
    if accept or reject:
        overlap = set(accept) & set(reject)
        if overlap:
            cli.fail(f"review: {sorted(overlap)[0]!r} is both accepted and rejected")
        _run(review_list, ws)  # make sure suggestions exist before deciding
        missing = _run(decide, ws, accept, "accepted", note) + _run(decide, ws, reject, "rejected", note)
        if missing:
            cli.fail(f"review: no such item {missing[0]!r} (see `watchfloor review --all`)")
        cli.out.print(f"{len(accept)} accepted, {len(reject)} rejected", markup=False)
        return
    items = _run(review_list, ws, include_decided=show_all)
    if not items:
        cli.out.print("nothing to review", markup=False)
        return
    cli.out.print(f"{len(items)} item(s) to review" if not show_all else f"{len(items)} item(s)", markup=False)
    for it in items:  # plain lines, so ids stay whole and can be copied
        p = it["payload"]
        what = (f"indicator {p.get('indicator')} ({p.get('set')})" if it["kind"] == "indicator"
                else f"provision {it['target']}")
        cli.out.print(f"[{it['status']}] {it['item_id']}", markup=False, soft_wrap=True)
        cli.out.print(f"    {what}; event {it['event_id']} of {p.get('event_date') or '?'} in doc {it['doc_id']}",
                      markup=False, soft_wrap=True)
        if p.get("evidence"):
            cli.out.print(f"    \"{p['evidence']}\"", markup=False, soft_wrap=True)
    cli.out.print("accept or reject with: watchfloor review --accept ID --reject ID", markup=False)


# ---- export -----------------------------------------------------------------------------
@export_app.command("stix")
def export_stix_command(
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: stdout)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Scenario probabilities as of this date."),
) -> None:
    """STIX 2.1 bundle: actors, relations, reports, judgements, agreements, scenarios."""
    from .stix import export_stix

    cli = _cli()
    bundle = _run(export_stix, cli.get_workspace(), _as_of(as_of))
    text = json.dumps(bundle, indent=2, ensure_ascii=False)
    if output is None:
        typer.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        cli.fail(f"{output}: cannot write: {exc.strerror}")
    cli.err.print(f"wrote {output} ({len(bundle['objects'])} STIX objects)", markup=False)


def register(app: typer.Typer) -> None:
    """Add the knowledge commands to the `watchfloor` app (safe to call twice)."""
    if getattr(app, "_watchfloor_knowledge_registered", False):
        return
    app._watchfloor_knowledge_registered = True
    app.add_typer(kb_app, name="kb")
    app.command("scenarios")(scenarios_command)
    app.command("agreements")(agreements_command)
    app.command("review")(review_command)
    existing = next((g for g in app.registered_groups if g.name == "export"), None)
    if existing is not None and existing.typer_instance is not None:
        existing.typer_instance.command("stix")(export_stix_command)
    else:
        app.add_typer(export_app, name="export")
