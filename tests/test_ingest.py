"""Ingest: every input kind, each kind of bad input, duplicates and interrupted runs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from watchfloor.ingest import ingest, read_paths
from watchfloor.models import Document, Event, Rejection
from watchfloor.store import Store

HTML = """<!DOCTYPE html><html><head><title>Raid near Hajin | Example Wire</title>
<meta property="og:site_name" content="Example Wire">
<meta property="article:published_time" content="2025-11-20T08:00:00Z">
<meta property="og:title" content="Raid near Hajin"></head>
<body><nav>Home | World | Sport</nav><article><h1>Raid near Hajin</h1>
<p>Coalition forces and the SDF carried out a raid on an ISIS hideout near the town of Hajin in the
eastern Deir ez-Zor countryside on Wednesday, the coalition said in a statement.</p>
<p>Two suspected members of the group were detained during the operation, which lasted several hours,
and weapons and documents were seized from the site according to the statement.</p></article>
<footer>Copyright Example Wire</footer></body></html>"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Syria Feed</title>
<item><title>Clashes in Sweida</title><link>https://example.org/a</link>
<pubDate>Fri, 21 Nov 2025 10:00:00 GMT</pubDate>
<description>Clashes broke out between local gunmen and security forces in Sweida on Friday.</description></item>
<item><title>Empty one</title><link>https://example.org/b</link><description></description></item>
</channel></rss>"""


def _collect(paths):
    items = list(read_paths(paths))
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, Rejection)]


def test_reads_text_markdown_front_matter(tmp_path: Path):
    (tmp_path / "a.md").write_text("---\ntitle: A report\ndate: 2025-11-09\npublisher: MoI\nid: r1\n---\n\nBody text here.\n")
    (tmp_path / "b.txt").write_text("Plain text report about Homs.")
    docs, rejected = _collect([tmp_path])
    assert not rejected
    by_id = {d.id: d for d in docs}
    assert by_id["r1"].title == "A report" and by_id["r1"].date == date(2025, 11, 9)
    assert by_id["r1"].publisher == "MoI"
    # front matter is blanked, not cut, so offsets into the stored text stay valid
    assert by_id["r1"].text.strip() == "Body text here."
    plain = [d for d in docs if d.id != "r1"][0]
    assert plain.source_path.endswith("b.txt") and plain.language == "en"


def test_reads_html_with_metadata(tmp_path: Path):
    (tmp_path / "page.html").write_text(HTML)
    docs, rejected = _collect([tmp_path / "page.html"])
    assert not rejected and len(docs) == 1
    d = docs[0]
    assert "Hajin" in d.text and "Copyright" not in d.text and "Home | World" not in d.text
    assert d.date == date(2025, 11, 20)
    assert d.title == "Raid near Hajin"
    assert d.publisher == "Example Wire"


def test_reads_feed_entries_and_rejects_empty_entry(tmp_path: Path):
    (tmp_path / "feed.xml").write_text(FEED)
    docs, rejected = _collect([tmp_path / "feed.xml"])
    assert len(docs) == 1 and docs[0].publisher == "Example Syria Feed"
    assert docs[0].date == date(2025, 11, 21) and docs[0].url == "https://example.org/a"
    assert len(rejected) == 1 and "entry2" in rejected[0].where and "no text" in rejected[0].reason


def test_jsonl_good_and_bad_lines(tmp_path: Path):
    lines = [
        json.dumps({"id": "d1", "text": "Airstrike on Idlib.", "date": "2025-11-02", "publisher": "X"}),
        "{not json",
        json.dumps({"id": "d2", "date": "2025-11-02"}),
        json.dumps({"id": "d3", "text": "Shelling in Daraa.", "date": "the other day-ish"}),
        json.dumps(["a list"]),
        "",
        json.dumps({"id": "d4", "text": "Clashes in Raqqa."}),
    ]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n")
    docs, rejected = _collect([tmp_path / "docs.jsonl"])
    assert [d.id for d in docs] == ["d1", "d4"]
    where = {r.where.rsplit(":", 1)[1]: r.reason for r in rejected}
    assert set(where) == {"2", "3", "4", "5"}
    assert "malformed JSON" in where["2"]
    assert "'text'" in where["3"]
    assert "'date'" in where["4"]
    assert "JSON object" in where["5"]


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("empty.txt", b"   \n", "empty"),
        ("bin.txt", b"\x00\x01\x02PK\x03\x04" * 10, "binary"),
        ("latin1.txt", "Caf\xe9 in Homs".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_files_rejected_with_reason(tmp_path: Path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    docs, rejected = _collect([tmp_path / name])
    assert not docs and len(rejected) == 1
    assert rejected[0].where.endswith(name) and reason in rejected[0].reason


def test_oversize_and_missing(tmp_path: Path):
    (tmp_path / "big.txt").write_text("x" * 2000)
    items = list(read_paths([tmp_path / "big.txt", tmp_path / "nope.txt"], max_bytes=1000))
    assert all(isinstance(i, Rejection) for i in items)
    assert "limit" in items[0].reason and "no such file" in items[1].reason


def test_stdin_is_sniffed(tmp_path: Path):
    import io

    data = (json.dumps({"id": "s1", "text": "A report."}) + "\n").encode()
    items = list(read_paths(["-"], stdin=io.BytesIO(data)))
    assert isinstance(items[0], Document) and items[0].id == "s1"


class _CountingExtractor:
    """Stands in for the real extractor: ingest's job is storage, not coding."""

    def __init__(self, fail_on: str | None = None):
        self.fail_on = fail_on
        self.calls = 0

    def extract(self, doc: Document):
        self.calls += 1
        if self.fail_on and self.fail_on in doc.text:
            raise KeyboardInterrupt  # the user pressing Ctrl-C mid-run
        return [Event(doc_id=doc.id, event_id=f"{doc.id}-e1", event_date="2025-11-01", time_precision=1,
                      event_type="Battles", sub_event_type="Armed clash", evidence=doc.text[:20],
                      span_start=0, span_end=20, confidence=0.9)]


def _write_reports(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"r{i:02d}.txt").write_text(f"Report number {i}: clashes near Homs.")


def test_duplicates_are_noops(tmp_path: Path):
    _write_reports(tmp_path / "in", 3)
    with Store(tmp_path / "db.duckdb") as st:
        r1 = ingest(st, [tmp_path / "in"], _CountingExtractor())
        r2 = ingest(st, [tmp_path / "in"], _CountingExtractor())
        assert (len(r1.new), len(r1.duplicate)) == (3, 0)
        assert (len(r2.new), len(r2.duplicate)) == (0, 3)
        assert st.count("documents") == 3 and st.count("events") == 3


def test_interrupted_ingest_is_consistent_and_rerun_completes(tmp_path: Path):
    _write_reports(tmp_path / "in", 6)
    db = tmp_path / "db.duckdb"
    with Store(db) as st:
        with pytest.raises(KeyboardInterrupt):
            ingest(st, [tmp_path / "in"], _CountingExtractor(fail_on="number 3"))
    with Store(db) as st:
        # the three finished documents are there, each with its events, nothing half-written
        assert st.count("documents") == 3 and st.count("events") == 3
        report = ingest(st, [tmp_path / "in"], _CountingExtractor())
        assert (len(report.new), len(report.duplicate)) == (3, 3)
        assert st.count("documents") == 6 and st.count("events") == 6


def test_bad_files_do_not_stop_good_ones(tmp_path: Path):
    _write_reports(tmp_path / "in", 2)
    (tmp_path / "in" / "bad.txt").write_bytes(b"\xff\xfe\x00\x00garbage")
    (tmp_path / "in" / "lines.jsonl").write_text('{"id": "j1", "text": "Ok report."}\n{broken\n')
    with Store(tmp_path / "db.duckdb") as st:
        report = ingest(st, [tmp_path / "in"], _CountingExtractor())
    assert len(report.new) == 3
    assert sorted(str(r).split(": ")[0].rsplit("/", 1)[1] for r in report.rejected) == ["bad.txt", "lines.jsonl:2"]


def test_extractor_error_rejects_only_that_document(tmp_path: Path):
    class Broken(_CountingExtractor):
        def extract(self, doc):
            if "number 1" in doc.text:
                raise ValueError("boom")
            return super().extract(doc)

    _write_reports(tmp_path / "in", 3)
    with Store(tmp_path / "db.duckdb") as st:
        report = ingest(st, [tmp_path / "in"], Broken())
        assert len(report.new) == 2 and len(report.rejected) == 1
        assert "extraction failed" in report.rejected[0].reason
