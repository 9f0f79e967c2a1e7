"""Store: filters, atomic writes, knowledge and review persistence, hostile filter values."""

from __future__ import annotations

from datetime import date

from watchfloor.models import Document, Event
from watchfloor.store import EventFilter, Store


def _event(doc_id, n, day, sub, etype, admin1, pcode, actor1, actor2=None):
    return Event(doc_id=doc_id, event_id=f"{doc_id}-e{n}", event_date=day, time_precision=1,
                 event_type=etype, sub_event_type=sub, evidence="...", span_start=0, span_end=3,
                 confidence=0.8, actor1=actor1, actor2=actor2, admin1=admin1, admin1_pcode=pcode,
                 country="Syria")


def _fill(st: Store):
    st.add_document(Document(text="doc one", id="d1", date=date(2025, 11, 1)), [
        _event("d1", 1, "2025-11-01", "Arrests", "Strategic developments", "Homs", "SY04",
               "Police Forces of Syria (2024-)", "Islamic State (Syria)"),
        _event("d1", 2, "2025-11-03", "Air/drone strike", "Explosions/Remote violence", "Deir-ez-Zor", "SY09",
               "Global Coalition Against Daesh", "Islamic State (Syria)"),
    ])
    st.add_document(Document(text="doc two", id="d2", date=date(2025, 12, 1)), [
        _event("d2", 1, "2025-12-01", "Armed clash", "Battles", "Rural Damascus", "SY03",
               "Military Forces of Syria (2024-)", "Islamic State (Syria)"),
    ])


def test_filters(tmp_path):
    with Store(tmp_path / "w.duckdb") as st:
        _fill(st)
        assert len(st.events()) == 3
        assert [e.event_id for e in st.events(EventFilter(governorate="sy09"))] == ["d1-e2"]
        assert [e.event_id for e in st.events(EventFilter(governorate="Homs"))] == ["d1-e1"]
        assert len(st.events(EventFilter(actor="coalition"))) == 1
        assert len(st.events(EventFilter(actor="islamic state"))) == 3
        assert len(st.events(EventFilter(event_type="Battles"))) == 1
        assert len(st.events(EventFilter(event_type="arrests"))) == 1
        assert len(st.events(EventFilter(date_from=date(2025, 11, 2), date_to=date(2025, 11, 30)))) == 1
        assert st.events(EventFilter(doc_id="d2"))[0].event_date == "2025-12-01"


def test_hostile_filter_values_are_data_not_sql(tmp_path):
    with Store(tmp_path / "w.duckdb") as st:
        _fill(st)
        assert st.events(EventFilter(actor="x' OR '1'='1")) == []
        assert st.events(EventFilter(governorate="'; DROP TABLE events; --")) == []
        assert st.count("events") == 3


def test_same_id_different_text_keeps_both(tmp_path):
    with Store(tmp_path / "w.duckdb") as st:
        assert st.add_document(Document(text="first text", id="x"), [])
        assert st.add_document(Document(text="second text", id="x"), [])
        assert not st.add_document(Document(text="first   text", id="y"), [])  # same content
        assert st.count("documents") == 2


def test_knowledge_and_review_persist(tmp_path):
    db = tmp_path / "w.duckdb"
    with Store(db) as st:
        st.replace_knowledge("actors", [("a", {"id": "a", "name": "A"}, "f.yaml")])
        assert st.suggest("ind1:e1", "indicator", "ind1", "e1", "d1", {"why": "match"})
        assert not st.suggest("ind1:e1", "indicator", "ind1", "e1", "d1", {})
        assert st.decide("ind1:e1", "rejected", "not relevant")
    with Store(db) as st:
        assert st.knowledge("actors") == [{"id": "a", "name": "A"}]
        # an automated rerun never resets what the analyst decided
        assert not st.suggest("ind1:e1", "indicator", "ind1", "e1", "d1", {})
        item = st.review_items()[0]
        assert item["status"] == "rejected" and item["note"] == "not relevant"
