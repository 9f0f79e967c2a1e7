"""Offline figures: a map of Syria's governorates with the period's events, events by type per week.

matplotlib only (Agg, no pyplot state, no tiles, no downloads). Governorate outlines
are the simplified OCHA admin1 polygons shipped in `data/geo/admin1.geojson`
(`watchfloor.geocode.ADMIN1_GEOJSON`), read lazily. Labels are English: matplotlib
does not shape Arabic, so Arabic names are not drawn on figures.
"""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from ..models import ACLED_TAXONOMY, Event

TYPE_COLOURS = {
    "Battles": "#b2182b",
    "Explosions/Remote violence": "#ef8a62",
    "Violence against civilians": "#762a83",
    "Protests": "#67a9cf",
    "Riots": "#2166ac",
    "Strategic developments": "#7f7f7f",
}
_FONT = ["DejaVu Sans", "sans-serif"]


@dataclass
class Figure:
    name: str  # file stem: map, timeline
    png: bytes
    caption: str
    alt: str


def _admin1_path() -> Path | None:
    try:
        from ..geocode import ADMIN1_GEOJSON

        path = Path(ADMIN1_GEOJSON)
    except (ImportError, AttributeError):
        path = Path(__file__).resolve().parent.parent / "data" / "geo" / "admin1.geojson"
    return path if path.exists() else None


@lru_cache(maxsize=2)
def _governorates(path: str) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for f in data.get("features", []):
        geom = f.get("geometry") or {}
        if geom.get("type") == "Polygon":
            polys = [geom["coordinates"]]
        elif geom.get("type") == "MultiPolygon":
            polys = geom["coordinates"]
        else:
            continue
        props = f.get("properties") or {}
        out.append({"pcode": props.get("pcode") or props.get("admin1_pcode"),
                    "name": props.get("name") or props.get("admin1") or "", "polys": polys})
    return out


def _new_figure(w: float, h: float):
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(w, h), dpi=150)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


def event_map(events: list[Event], period: str) -> Figure | None:
    """Governorates shaded by the number of events, events as points sized by fatalities."""
    path = _admin1_path()
    if path is None:
        return None
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.patches import Polygon as MplPolygon

    govs = _governorates(str(path))
    counts = Counter(e.admin1_pcode for e in events if e.admin1_pcode)
    top = max(counts.values(), default=0)
    cmap = colormaps["Oranges"]
    norm = Normalize(vmin=0, vmax=max(top, 1))
    fig = _new_figure(7.0, 6.0)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_aspect(1 / 0.80)  # ~cos(36.5°): degrees look square at Syria's latitude
    ax.axis("off")
    xs, ys = [], []
    for g in govs:
        n = counts.get(g["pcode"], 0)
        face = cmap(0.12 + 0.45 * norm(n)) if n else "#f4f4f0"
        for poly in g["polys"]:
            ring = poly[0]
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
            ax.add_patch(MplPolygon(ring, closed=True, facecolor=face, edgecolor="#555555", linewidth=0.6))
        # label at the centroid of the largest ring
        ring = max((p[0] for p in g["polys"]), key=len)
        cx = sum(p[0] for p in ring) / len(ring)
        cy = sum(p[1] for p in ring) / len(ring)
        label = g["name"] + (f"\n{n}" if n else "")
        ax.text(cx, cy, label, fontsize=6, ha="center", va="center", color="#222222", family=_FONT,
                alpha=0.85)
    if xs:
        ax.set_xlim(min(xs) - 0.1, max(xs) + 0.1)
        ax.set_ylim(min(ys) - 0.1, max(ys) + 0.1)
    by_type: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.latitude is not None and e.longitude is not None:
            by_type[e.event_type].append(e)
    for etype, evs in by_type.items():
        ax.scatter([e.longitude for e in evs], [e.latitude for e in evs],
                   s=[14 + 10 * min(e.fatalities or 0, 20) for e in evs],
                   c=TYPE_COLOURS.get(etype, "#333333"), edgecolors="white", linewidths=0.5,
                   alpha=0.9, zorder=3, label=f"{etype} ({len(evs)})")
    if by_type:
        ax.legend(loc="lower right", fontsize=6.5, frameon=True, framealpha=0.9, prop={"family": _FONT, "size": 6.5})
    ax.set_title(f"Events, {period}", fontsize=9, family=_FONT)
    located = sum(len(v) for v in by_type.values())
    caption = (f"Events of the period by governorate (shading: number of events) and location "
               f"(points: {located} events with coordinates, size by fatalities). "
               "Boundaries: OCHA COD-AB, simplified.")
    return Figure("map", _png(fig), caption, "Map of Syria's governorates with the period's events")


def _week(d: date) -> date:
    return d - timedelta(days=d.weekday())


def events_by_week(events: list[Event], date_from: date | None, date_to: date | None) -> Figure | None:
    """Stacked bars: events by ACLED event type per week (weeks start on Monday)."""
    dated = []
    for e in events:
        try:
            dated.append((date.fromisoformat(str(e.event_date)[:10]), e))
        except (TypeError, ValueError):
            continue
    if not dated:
        return None
    first = _week(date_from or min(d for d, _ in dated))
    last = _week(date_to or max(d for d, _ in dated))
    weeks = []
    w = first
    while w <= last and len(weeks) < 160:
        weeks.append(w)
        w += timedelta(days=7)
    index = {w: i for i, w in enumerate(weeks)}
    types = [t for t in ACLED_TAXONOMY if any(e.event_type == t for _, e in dated)]
    types += sorted({e.event_type for _, e in dated} - set(types))
    fig = _new_figure(7.0, 2.8)
    ax = fig.add_subplot(1, 1, 1)
    bottom = [0] * len(weeks)
    for t in types:
        vals = [0] * len(weeks)
        for d, e in dated:
            i = index.get(_week(d))
            if i is not None and e.event_type == t:
                vals[i] += 1
        ax.bar(range(len(weeks)), vals, bottom=bottom, color=TYPE_COLOURS.get(t, "#333333"), label=t, width=0.8)
        bottom = [b + v for b, v in zip(bottom, vals)]
    step = max(1, len(weeks) // 10)
    ax.set_xticks(range(0, len(weeks), step))
    ax.set_xticklabels([f"{w.day} {w:%b}" for w in weeks[::step]], fontsize=7, family=_FONT)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylabel("events", fontsize=7, family=_FONT)
    ax.yaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=6.5, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              prop={"family": _FONT, "size": 6.5})
    caption = "Events by type per week (weeks starting Monday)."
    return Figure("events_by_week", _png(fig), caption, "Bar chart of events by type per week")
