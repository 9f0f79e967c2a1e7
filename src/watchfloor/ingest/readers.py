"""Read documents from files, folders, feeds, JSONL and stdin.

Each reader yields `Document`s and `Rejection`s: a bad file or line becomes one
rejection naming where and why, and reading goes on with the rest.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from ..models import Document, Rejection

DEFAULT_MAX_BYTES = 20_000_000
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".feed"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | JSONL_SUFFIXES

Item = Document | Rejection

_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LATIN = re.compile(r"[A-Za-z]")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def guess_language(text: str) -> str:
    """Cheap script-based guess; enough to route Arabic text away from the English pipeline."""
    sample = text[:4000]
    return "ar" if len(_ARABIC.findall(sample)) > len(_LATIN.findall(sample)) else "en"


def parse_date(value: object, where: str) -> date | None:
    """ISO dates and datetimes (the forms JSONL, front matter and feeds use)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    import dateparser  # slow to import; only for the unusual formats

    parsed = dateparser.parse(text, settings={"PREFER_DAY_OF_MONTH": "first"})
    if parsed is None:
        raise ValueError(f"{where}: field 'date': cannot read {text!r} as a date (use YYYY-MM-DD)")
    return parsed.date()


def _decode(raw: bytes, where: str) -> str | Rejection:
    if not raw.strip():
        return Rejection(where, "empty file")
    if b"\x00" in raw[:8192]:
        return Rejection(where, "binary file (not text, HTML, JSONL or a feed)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(where, f"not valid UTF-8 (byte {exc.start}): re-save the file as UTF-8")


def sniff_kind(text: str, suffix: str = "") -> str:
    """Decide how to read a file: by suffix, else by its first characters."""
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix in TEXT_SUFFIXES:
        return "text"
    head = text.lstrip()[:500].lower()
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("<?xml") and ("<rss" in head or "<feed" in head or "<rdf" in head):
        return "feed"
    if head.startswith("<rss") or head.startswith("<feed"):
        return "feed"
    if head.startswith("<!doctype html") or head.startswith("<html") or "<body" in head:
        return "html"
    return "text"


def read_text_document(text: str, where: str, now: datetime) -> Iterator[Item]:
    """Plain text or Markdown, with optional YAML front matter (title, date, publisher, url)."""
    meta: dict = {}
    m = _FRONT_MATTER.match(text)
    if m:
        try:
            meta = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            yield Rejection(where, f"front matter is not valid YAML: {str(exc).splitlines()[0]}")
            return
        if not isinstance(meta, dict):
            yield Rejection(where, "front matter must be a mapping of fields")
            return
        # keep offsets meaningful: blank out the front matter rather than cutting it
        text = " " * m.end() + text[m.end():]
    body = text.strip()
    if not body:
        yield Rejection(where, "no text after the front matter")
        return
    if meta.get("title") is None:
        first = body.splitlines()[0].strip()
        if first.startswith("#"):
            meta["title"] = first.lstrip("#").strip()
    yield document_from_fields(text.rstrip(), meta, where, now)


def document_from_fields(text: str, fields: dict, where: str, now: datetime) -> Document | Rejection:
    """A document from the fields JSONL lines and front matter share (id, title, date, ...)."""
    try:
        doc_date = parse_date(fields.get("date"), where)
    except ValueError as exc:
        return Rejection(where, str(exc).split(": ", 1)[1])
    title = fields.get("title")
    return Document(
        text=text,
        id=str(fields["id"]) if fields.get("id") not in (None, "") else "",
        title=str(title) if title else None,
        date=doc_date,
        url=fields.get("url"),
        publisher=fields.get("publisher"),
        author=fields.get("author"),
        language=fields.get("language") or guess_language(text),
        source_path=where,
        retrieved_at=now,
    )


def read_html(html: str, where: str, now: datetime, url: str | None = None) -> Iterator[Item]:
    """Main text through trafilatura; title, date and publisher from the page's metadata."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True)
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        yield Rejection(where, f"cannot parse HTML: {exc}")
        return
    if extracted is None:
        yield Rejection(where, "HTML page has no main text")
        return
    data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    text = (data.get("text") or "").strip()
    if not text:
        yield Rejection(where, "HTML page has no main text")
        return
    try:
        doc_date = parse_date(data.get("date"), where)
    except ValueError:
        doc_date = None
    yield Document(
        text=text,
        title=data.get("title"),
        date=doc_date,
        url=data.get("url") or url,
        publisher=data.get("sitename") or data.get("hostname"),
        author=data.get("author"),
        language=data.get("language") or guess_language(text),
        source_path=where,
        retrieved_at=now,
    )


def _html_to_text(fragment: str) -> str:
    import lxml.html

    if "<" not in fragment:
        return fragment.strip()
    try:
        return lxml.html.fromstring(fragment).text_content().strip()
    except Exception:
        return re.sub(r"<[^>]+>", " ", fragment).strip()


def read_feed(text: str, where: str, now: datetime) -> Iterator[Item]:
    """An RSS/Atom feed saved to disk: one document per entry."""
    import feedparser

    parsed = feedparser.parse(text)
    if parsed.bozo and not parsed.entries:
        yield Rejection(where, f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}")
        return
    publisher = parsed.feed.get("title")
    for i, entry in enumerate(parsed.entries, 1):
        entry_where = f"{where}#entry{i}"
        content = ""
        if entry.get("content"):
            content = " ".join(c.get("value", "") for c in entry["content"])
        content = _html_to_text(content or entry.get("summary", ""))
        if not content:
            yield Rejection(entry_where, "feed entry has no text")
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        yield Document(
            text=content,
            id=str(entry.get("id") or "") if entry.get("id") and len(str(entry.get("id"))) <= 64 else "",
            title=entry.get("title"),
            date=date(*stamp[:3]) if stamp else None,
            url=entry.get("link"),
            publisher=publisher,
            author=entry.get("author"),
            language=guess_language(content),
            source_path=entry_where,
            retrieved_at=now,
        )


JSONL_FIELDS = {"id", "text", "date", "title", "url", "publisher", "language", "author"}


def read_jsonl(text: str, where: str, now: datetime) -> Iterator[Item]:
    """One document a line: `id`, `text`, `date`, optional `title`, `url`, `publisher`, `language`."""
    for lineno, line in enumerate(text.splitlines(), 1):
        line_where = f"{where}:{lineno}"
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(line_where, f"malformed JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield Rejection(line_where, "each line must be a JSON object")
            continue
        body = obj.get("text")
        if not isinstance(body, str) or not body.strip():
            yield Rejection(line_where, "field 'text' is missing or empty")
            continue
        for key in ("id", "title", "url", "publisher", "language", "author"):
            if obj.get(key) is not None and not isinstance(obj[key], (str, int)):
                yield Rejection(line_where, f"field '{key}' must be a string")
                break
        else:
            yield document_from_fields(body, obj, line_where, now)


def read_content(raw: bytes, where: str, suffix: str = "", max_bytes: int = DEFAULT_MAX_BYTES,
                 now: datetime | None = None) -> Iterator[Item]:
    """Read bytes already in hand (a file's or stdin's) into documents and rejections."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    if len(raw) > max_bytes:
        yield Rejection(where, f"file is {len(raw):,} bytes, over the {max_bytes:,}-byte limit")
        return
    text = _decode(raw, where)
    if isinstance(text, Rejection):
        yield text
        return
    kind = sniff_kind(text, suffix)
    if kind == "jsonl":
        yield from read_jsonl(text, where, now)
    elif kind == "html":
        yield from read_html(text, where, now)
    elif kind == "feed":
        yield from read_feed(text, where, now)
    else:
        yield from read_text_document(text, where, now)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | Rejection]:
    """Files as given; folders recursively (known suffixes only, hidden files skipped)."""
    for p in paths:
        path = Path(p)
        if str(p) == "-":
            yield path
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts) \
                        and child.suffix.lower() in KNOWN_SUFFIXES:
                    yield child
        elif path.is_file():
            yield path
        else:
            yield Rejection(str(path), "no such file or folder")


def read_paths(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES,
               stdin: object | None = None) -> Iterator[Item]:
    """Everything `ingest` and `extract` accept: files, folders, `-` for stdin."""
    import sys

    for path in expand_paths(paths):
        if isinstance(path, Rejection):
            yield path
            continue
        if str(path) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            raw = stream.read()
            if isinstance(raw, str):
                raw = raw.encode("utf-8")
            yield from read_content(raw, "<stdin>", "", max_bytes)
            continue
        try:
            size = path.stat().st_size
            if size > max_bytes:
                yield Rejection(str(path), f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
                continue
            raw = path.read_bytes()
        except OSError as exc:
            yield Rejection(str(path), f"cannot read: {exc.strerror}")
            continue
        yield from read_content(raw, str(path), path.suffix.lower(), max_bytes)
