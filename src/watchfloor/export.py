"""Write events as CSV, JSONL, Parquet or GeoJSON, and as a terminal table."""

from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from .models import Event

FORMATS = ("csv", "jsonl", "parquet", "geojson")


def write_events(events: Iterable[Event], fh: IO, fmt: str) -> None:
    events = list(events)
    if fmt == "jsonl":
        for ev in events:
            fh.write(json.dumps(ev.to_dict(), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(fh, fieldnames=Event.field_names(), lineterminator="\n")
        writer.writeheader()
        for ev in events:
            writer.writerow(ev.to_dict())
    elif fmt == "geojson":
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [ev.longitude, ev.latitude]}
                if ev.latitude is not None and ev.longitude is not None else None,
                "properties": ev.to_dict(),
            }
            for ev in events
        ]
        json.dump({"type": "FeatureCollection", "features": features}, fh, ensure_ascii=False)
        fh.write("\n")
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = _arrow_schema()
        table = pa.Table.from_pylist([ev.to_dict() for ev in events], schema=schema)
        pq.write_table(table, fh)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _arrow_schema():
    import dataclasses

    import pyarrow as pa

    kinds = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}
    cols = []
    for f in dataclasses.fields(Event):
        base = str(f.type).split("|")[0].strip()
        cols.append(pa.field(f.name, kinds.get(base, pa.string())))
    return pa.schema(cols)


def print_table(events: list[Event], console) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False)
    for col in ("date", "type", "actor1", "actor2", "location", "admin1", "deaths", "doc"):
        table.add_column(col, overflow="fold")
    for ev in events:
        cells = (ev.event_date or "", ev.sub_event_type, ev.actor1 or "", ev.actor2 or "",
                 ev.location or "", ev.admin1 or "", "" if ev.fatalities is None else str(ev.fatalities),
                 ev.doc_id)
        table.add_row(*(Text(c) for c in cells))  # Text: outside words are never rich markup
    console.print(table)
    console.print(f"{len(events)} events", markup=False)
