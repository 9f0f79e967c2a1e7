"""Render a `Brief` as Markdown, HTML (Jinja2, autoescape on) or PDF (WeasyPrint, from the HTML)."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup, escape

from .build import SECTIONS, Brief, Text
from .check import NOCHECK_CLOSE, NOCHECK_OPEN
from .citations import md_escape

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLE_NAMES = {"apa": "APA (7th edition)", "chicago": "Chicago author-date (16th edition)"}


def anchor(doc_id: str) -> str:
    return "ref-" + quote(doc_id, safe="-._~")


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# ---- Markdown -------------------------------------------------------------------------------

def _md_analyst(text: str) -> str:
    # the analyst's Markdown stays Markdown, but raw HTML does not pass
    return text.replace("<", "&lt;").replace(">", "&gt;")


def md_text(t: Text, labels: dict[str, str]) -> str:
    out = []
    for p in t.parts:
        if isinstance(p, list):
            links = "; ".join(f"[{md_escape(labels.get(d, d))}](#{anchor(d)})" for d in p)
            out.append(f" ({links})")
        else:
            out.append(_md_analyst(p) if t.analyst else md_escape(p))
    return "".join(out).strip()


def _cell(text: str) -> str:
    return md_escape(" ".join(str(text).split())).replace("|", "\\|")


def render_markdown(brief: Brief, figure_dir: str | None = None) -> str:
    """The brief as Markdown; figures are linked from `figure_dir` (relative), omitted when None."""
    L = brief.labels
    titles = {s.key: s.title for s in SECTIONS}
    out: list[str] = [f"# {md_escape(brief.title)}", ""]
    out += [NOCHECK_OPEN,
            f"**Analytic brief, {md_escape(brief.period)}**" + (f" — topic: {md_escape(brief.topic)}" if brief.topic else ""),
            "",
            f"*Generated {brief.generated.isoformat()} by watchfloor from {brief.n_documents} reports and "
            f"{brief.n_events} coded events. Citations: {STYLE_NAMES.get(brief.style, brief.style)}.*",
            NOCHECK_CLOSE, ""]

    out += [f"## {titles['summary']}", ""]
    out += [f"- {md_text(t, L)}" for t in brief.summary] + [""]

    out += [f"## {titles['key']}", "", NOCHECK_OPEN, md_escape(brief.intro), NOCHECK_CLOSE, ""]
    if brief.key:
        out += [" ".join(md_text(t, L) for t in brief.key), ""]
    if brief.other_developments:
        out += ["### Other significant developments", ""]
        out += [f"- {md_text(t, L)}" for t in brief.other_developments] + [""]

    out += [f"## {titles['background']}", "", "### Timeline", ""]
    if brief.timeline:
        out += [f"- **{md_escape(e.when)}** — {md_text(e.text, L)}" for e in brief.timeline]
        if brief.timeline_more:
            out += ["", NOCHECK_OPEN, f"*… and {brief.timeline_more} later developments (see `watchfloor events`).*",
                    NOCHECK_CLOSE]
    else:
        out += [NOCHECK_OPEN, "*No events in the period.*", NOCHECK_CLOSE]
    out.append("")
    for n, fig in enumerate(brief.figures, 1):
        heading = "Map" if fig.name == "map" else "Events by type per week"
        out += [f"### {heading}", "", NOCHECK_OPEN]
        if figure_dir is not None:
            out += [f"![{md_escape(fig.alt)}]({figure_dir}/{fig.name}.png)", ""]
        else:
            out += ["*(Figure omitted on standard output: write the brief to a file with -o to get it.)*", ""]
        out += [f"*Figure {n}. {md_escape(fig.caption)}*", NOCHECK_CLOSE, ""]

    out += [f"## {titles['actors']}", "", NOCHECK_OPEN]
    if brief.actors:
        out += ["| Actor | Type | Role | Events (as actor 1 / actor 2) |", "|---|---|---|---|"]
        out += [f"| {_cell(a.name)} | {_cell(a.kind)} | {_cell(a.role)} | {a.as_actor1} / {a.as_actor2} |"
                for a in brief.actors]
    else:
        out.append("*No actors in the knowledge files or the period's events.*")
    out += [NOCHECK_CLOSE, ""]

    out += [f"## {titles['implications']}", ""]
    if brief.implications:
        for heading, texts in brief.implications:
            out += [f"### {md_escape(heading)}", ""]
            for t in texts:
                out += [md_text(t, L), ""]
    else:
        out += [NOCHECK_OPEN, "*No judgements for this topic in knowledge/judgements/.*", NOCHECK_CLOSE, ""]

    out += [f"## {titles['strategic']}", ""]
    if brief.agreements:
        for ag in brief.agreements:
            out += [f"### {md_escape(ag.name)}", "", NOCHECK_OPEN,
                    f"*Signed {md_escape(ag.date)}; parties: {md_escape(ag.parties)}.*", "",
                    "| Provision | Status | Since |", "|---|---|---|"]
            out += [f"| {_cell(p.text)} | {_cell(p.status)} | {_cell(p.since)} |" for p in ag.provisions]
            out += [NOCHECK_CLOSE, ""]
            if ag.changes:
                out += ["**Changes in the period**", ""] + [f"- {md_text(t, L)}" for t in ag.changes] + [""]
            else:
                out += [NOCHECK_OPEN, "*No status changes in the period.*", NOCHECK_CLOSE, ""]
            if ag.watch:
                out += ["**Events of the period touching its provisions (to review)**", ""]
                out += [f"- {md_text(t, L)}" for t in ag.watch] + [""]
    else:
        out += [NOCHECK_OPEN, md_escape(brief.agreements_note or ""), NOCHECK_CLOSE, ""]

    out += [f"## {titles['scenarios']}", ""]
    if brief.scenarios:
        for sb in brief.scenarios:
            out += [f"### {md_escape(sb.name)}", "", NOCHECK_OPEN]
            if sb.question:
                out += [f"*{md_escape(sb.question)}* (as of {md_escape(sb.as_of)})", ""]
            out += [f"| Scenario | Probability | Trend ({sb.trend_days} days) | Prior |", "|---|---|---|---|"]
            out += [f"| {_cell(r.name)} | {_pct(r.probability)} | {r.arrow} {r.trend} (was {_pct(r.previous)}) | {_pct(r.prior)} |"
                    for r in sb.rows]
            out += ["", "**Indicators that moved them**", ""]
            if sb.indicators:
                out += [f"- {md_text(t, L)}" for t in sb.indicators]
            else:
                out.append("*No indicator fired.*")
            out += [NOCHECK_CLOSE, ""]
    else:
        out += [NOCHECK_OPEN, md_escape(brief.scenarios_note or ""), NOCHECK_CLOSE, ""]

    out += [f"## {titles['conclusion']}", ""]
    if brief.conclusion:
        for t in brief.conclusion:
            out += [md_text(t, L), ""]
    else:
        out += [NOCHECK_OPEN, "*No conclusion written (knowledge/judgements/conclusion.md).*", NOCHECK_CLOSE, ""]

    out += [f"## {titles['references']}", ""]
    for r in brief.references:
        out += [f'<a id="{anchor(r.doc_id)}"></a>{r.markdown}', ""]
    if not brief.references:
        out += ["*No sources cited.*", ""]
    return "\n".join(out).rstrip() + "\n"


# ---- HTML -----------------------------------------------------------------------------------

_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def html_text(t: Text, labels: dict[str, str]) -> Markup:
    out = []
    for p in t.parts:
        if isinstance(p, list):
            links = "; ".join(f'<a href="#{escape(anchor(d))}">{escape(labels.get(d, d))}</a>' for d in p)
            out.append(f' <span class="cite">({links})</span>')
        else:
            s = str(escape(p))
            if t.analyst:
                s = _EM.sub(r"<em>\1</em>", _STRONG.sub(r"<strong>\1</strong>", s))
            out.append(s)
    return Markup("".join(out).strip())


def _env():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = _pct
    env.globals["anchor"] = anchor
    return env


def render_html(brief: Brief, for_pdf: bool = False) -> str:
    env = _env()
    labels = brief.labels
    figures = [{"name": f.name, "caption": f.caption, "alt": f.alt,
                "src": "data:image/png;base64," + base64.b64encode(f.png).decode("ascii")}
               for f in brief.figures]
    return env.get_template("brief.html.j2").render(
        b=brief, t=lambda text: html_text(text, labels), figures=figures,
        titles={s.key: s.title for s in SECTIONS}, style_name=STYLE_NAMES.get(brief.style, brief.style),
        for_pdf=for_pdf,
    )


def render_pdf(brief: Brief) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=render_html(brief, for_pdf=True), base_url=str(TEMPLATES)).write_pdf()
