"""Scoring against the development sets in ../shared/data (`watchfloor eval`, `make eval`).

Each module has `run(shared_dir) -> dict` and `report(figures) -> str`. The figures
printed here are the ones docs/benchmarks.md records, with the command.
"""

from __future__ import annotations

import importlib
from pathlib import Path

EVALUATIONS = {
    "typing": "watchfloor.evaluate.typing",   # case2021 dev: ACLED sub-event typing
    "ucdp": "watchfloor.evaluate.ucdp",       # UCDP-AEC Syria: main event place, dyad, date, deaths
    "geo": "watchfloor.evaluate.geo",         # place mentions to governorate/district
    "re3d": "watchfloor.evaluate.re3d",       # actor spans
}


def run_evaluations(name: str, shared: Path, typing_backend: str = "linear") -> str:
    """`typing_backend` is the extractor's for the main-event scores (ucdp); the typing
    evaluation always measures both backends, the others do not type events."""
    from ..errors import UserError

    names = list(EVALUATIONS) if name == "all" else [name]
    unknown = [n for n in names if n not in EVALUATIONS]
    if unknown:
        raise UserError(f"eval: unknown evaluation {unknown[0]!r} (one of {', '.join(EVALUATIONS)}, all)")
    parts = []
    for n in names:
        module = importlib.import_module(EVALUATIONS[n])
        figures = module.run(Path(shared), typing_backend) if n == "ucdp" else module.run(Path(shared))
        parts.append(f"== {n} ==\n{module.report(figures)}")
    return "\n\n".join(parts)
