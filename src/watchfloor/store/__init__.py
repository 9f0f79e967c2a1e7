"""The storage interface: every read and write of the workspace database goes through `Store`.

DuckDB is embedded (no server). All SQL lives here and every value from outside is
passed as a parameter, never spliced into SQL. Each document is written with its
events in one transaction, so an interrupted ingest leaves whole documents only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

import duckdb

from ..errors import UserError
from ..models import Document, Event

SCHEMA_VERSION = 1

_EVENT_COLUMNS: dict[str, str] = {
    "event_id": "VARCHAR PRIMARY KEY",
    "doc_id": "VARCHAR NOT NULL",
    "event_date": "DATE",
    "time_precision": "INTEGER",
    "event_type": "VARCHAR",
    "sub_event_type": "VARCHAR",
    "plover_type": "VARCHAR",
    "actor1": "VARCHAR",
    "assoc_actor_1": "VARCHAR",
    "actor2": "VARCHAR",
    "assoc_actor_2": "VARCHAR",
    "inter1": "INTEGER",
    "inter2": "INTEGER",
    "country": "VARCHAR",
    "admin1": "VARCHAR",
    "admin1_pcode": "VARCHAR",
    "admin2": "VARCHAR",
    "admin2_pcode": "VARCHAR",
    "admin3": "VARCHAR",
    "admin3_pcode": "VARCHAR",
    "location": "VARCHAR",
    "latitude": "DOUBLE",
    "longitude": "DOUBLE",
    "geo_precision": "INTEGER",
    "fatalities": "INTEGER",
    "arrests": "INTEGER",
    "evidence": "VARCHAR",
    "span_start": "INTEGER",
    "span_end": "INTEGER",
    "confidence": "DOUBLE",
}

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS documents (
        id VARCHAR PRIMARY KEY,
        hash VARCHAR UNIQUE NOT NULL,
        title VARCHAR, text VARCHAR NOT NULL, pub_date DATE, url VARCHAR,
        publisher VARCHAR, language VARCHAR, source_path VARCHAR, author VARCHAR,
        retrieved_at TIMESTAMP, ingested_at TIMESTAMP NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS events ("
    + ", ".join(f"{k} {v}" for k, v in _EVENT_COLUMNS.items())
    + ")",
    """CREATE TABLE IF NOT EXISTS knowledge (
        kind VARCHAR NOT NULL, id VARCHAR NOT NULL, data JSON NOT NULL, source VARCHAR,
        PRIMARY KEY (kind, id))""",
    """CREATE TABLE IF NOT EXISTS review (
        item_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, target VARCHAR NOT NULL,
        event_id VARCHAR, doc_id VARCHAR, status VARCHAR NOT NULL DEFAULT 'pending',
        payload JSON, created_at TIMESTAMP NOT NULL, decided_at TIMESTAMP, note VARCHAR)""",
]


@dataclass
class EventFilter:
    """What `watchfloor events` and the brief select; every field optional."""

    date_from: date | None = None
    date_to: date | None = None
    governorate: str | None = None  # name or P-code
    actor: str | None = None  # substring of actor1/actor2/assoc actors, case-insensitive
    event_type: str | None = None  # event_type or sub_event_type, case-insensitive
    doc_id: str | None = None
    limit: int | None = None


# the order `_document_from_row` reads
_DOCUMENT_COLUMNS = ("id, hash, title, text, pub_date, url, publisher, language, source_path, author, "
                     "retrieved_at, ingested_at")


def _document_from_row(row: tuple) -> Document:
    (id_, _hash, title, text, pub_date, url, publisher, language, source_path, author,
     retrieved_at, _ingested) = row
    return Document(text=text, id=id_, title=title, date=pub_date, url=url, publisher=publisher,
                    language=language, source_path=source_path, author=author,
                    retrieved_at=retrieved_at)


class Store:
    """One workspace database. Use as a context manager or call `close()`."""

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise UserError(f"{self.path}: cannot open database: {exc}") from None
        if not read_only:
            for stmt in _SCHEMA:
                self.con.execute(stmt)
            self.con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # ---- documents -------------------------------------------------------------------
    def has_hash(self, doc_hash: str) -> str | None:
        """The id of the stored document with this content hash, if any."""
        row = self.con.execute("SELECT id FROM documents WHERE hash = ?", [doc_hash]).fetchone()
        return row[0] if row else None

    def _free_id(self, doc: Document) -> str:
        row = self.con.execute("SELECT hash FROM documents WHERE id = ?", [doc.id]).fetchone()
        if row is None:
            return doc.id
        return f"{doc.id}-{doc.hash[:8]}"  # same id, different text: keep both

    def add_document(self, doc: Document, events: Iterable[Event]) -> bool:
        """Store a document and its events atomically; False if the text is already stored."""
        if self.has_hash(doc.hash):
            return False
        events = list(events)
        self.con.execute("BEGIN TRANSACTION")
        try:
            new_id = self._free_id(doc)
            if new_id != doc.id:
                for ev in events:
                    ev.event_id = ev.event_id.replace(doc.id, new_id, 1)
                    ev.doc_id = new_id
                doc.id = new_id
            self.con.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [doc.id, doc.hash, doc.title, doc.text, doc.date, doc.url, doc.publisher,
                 doc.language, doc.source_path, doc.author, doc.retrieved_at, datetime.now()],
            )
            self._insert_events(events)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return True

    def _insert_events(self, events: list[Event]) -> None:
        if not events:
            return
        cols = list(_EVENT_COLUMNS)
        sql = f"INSERT INTO events ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        self.con.executemany(sql, [[getattr(ev, c) for c in cols] for ev in events])

    def replace_events(self, doc_id: str, events: list[Event]) -> None:
        """Re-extraction of one document (e.g. after a model update)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM events WHERE doc_id = ?", [doc_id])
            self._insert_events(events)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        cols = _DOCUMENT_COLUMNS
        if ids is None:
            rows = self.con.execute(f"SELECT {cols} FROM documents ORDER BY pub_date, id").fetchall()
        else:
            ids = list(ids)
            if not ids:
                return []
            rows = self.con.execute(
                f"SELECT {cols} FROM documents WHERE list_contains(?, id) ORDER BY pub_date, id", [ids]
            ).fetchall()
        return [_document_from_row(r) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        docs = self.documents([doc_id])
        return docs[0] if docs else None

    def count(self, table: str) -> int:
        if table not in {"documents", "events", "knowledge", "review"}:
            raise ValueError(table)
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    # ---- events ----------------------------------------------------------------------
    def events(self, flt: EventFilter | None = None) -> list[Event]:
        flt = flt or EventFilter()
        where, params = [], []
        if flt.date_from:
            where.append("event_date >= ?")
            params.append(flt.date_from)
        if flt.date_to:
            where.append("event_date <= ?")
            params.append(flt.date_to)
        if flt.governorate:
            where.append("(lower(admin1) = lower(?) OR upper(admin1_pcode) = upper(?))")
            params += [flt.governorate, flt.governorate]
        if flt.actor:
            where.append(
                "(contains(lower(coalesce(actor1,'') || '|' || coalesce(actor2,'') || '|' || "
                "coalesce(assoc_actor_1,'') || '|' || coalesce(assoc_actor_2,'')), lower(?)))"
            )
            params.append(flt.actor)
        if flt.event_type:
            where.append("(lower(event_type) = lower(?) OR lower(sub_event_type) = lower(?))")
            params += [flt.event_type, flt.event_type]
        if flt.doc_id:
            where.append("doc_id = ?")
            params.append(flt.doc_id)
        sql = f"SELECT {', '.join(_EVENT_COLUMNS)} FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY event_date NULLS LAST, doc_id, event_id"
        if flt.limit:
            sql += " LIMIT ?"
            params.append(int(flt.limit))
        cur = self.con.execute(sql, params)
        names = [d[0] for d in cur.description]
        out = []
        for row in cur.fetchall():
            data = dict(zip(names, row))
            if isinstance(data["event_date"], date):
                data["event_date"] = data["event_date"].isoformat()
            out.append(Event.from_dict(data))
        return out

    def latest_event_date(self) -> date | None:
        """The newest event date stored: the default "as of" for scenario tracking."""
        return self.con.execute("SELECT max(event_date) FROM events").fetchone()[0]

    # ---- knowledge (analyst's files, loaded) -----------------------------------------
    def replace_knowledge(self, kind: str, objects: Iterable[tuple[str, dict[str, Any], str]]) -> None:
        """Replace all objects of one kind with (id, data, source) triples, atomically."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM knowledge WHERE kind = ?", [kind])
            rows = [[kind, oid, json.dumps(data, default=str), src] for oid, data, src in objects]
            if rows:
                self.con.executemany("INSERT INTO knowledge VALUES (?, ?, ?, ?)", rows)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def knowledge(self, kind: str) -> list[dict[str, Any]]:
        rows = self.con.execute(
            "SELECT data FROM knowledge WHERE kind = ? ORDER BY id", [kind]
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    # ---- review queue: automatic suggestions, human decisions ------------------------
    def suggest(self, item_id: str, kind: str, target: str, event_id: str | None,
                doc_id: str | None, payload: dict[str, Any]) -> bool:
        """Add a pending suggestion unless one with this id exists (decided ones are never reset)."""
        if self.con.execute("SELECT 1 FROM review WHERE item_id = ?", [item_id]).fetchone():
            return False
        self.con.execute(
            "INSERT INTO review (item_id, kind, target, event_id, doc_id, status, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
            [item_id, kind, target, event_id, doc_id, json.dumps(payload, default=str), datetime.now()],
        )
        return True

    def decide(self, item_id: str, status: str, note: str | None = None) -> bool:
        if status not in {"accepted", "rejected", "pending"}:
            raise UserError(f"review: unknown decision {status!r} (accepted, rejected)")
        cur = self.con.execute(
            "UPDATE review SET status = ?, decided_at = ?, note = ? WHERE item_id = ? RETURNING item_id",
            [status, datetime.now(), note, item_id],
        )
        return cur.fetchone() is not None

    def review_items(self, status: str | None = None) -> list[dict[str, Any]]:
        sql = ("SELECT item_id, kind, target, event_id, doc_id, status, payload, created_at,"
               " decided_at, note FROM review")
        params: list[Any] = []
        if status:
            sql += " WHERE status = ?"
            params.append(status)
        cur = self.con.execute(sql + " ORDER BY created_at, item_id", params)
        names = [d[0] for d in cur.description]
        items = []
        for row in cur.fetchall():
            item = dict(zip(names, row))
            item["payload"] = json.loads(item["payload"]) if item["payload"] else {}
            items.append(item)
        return items
