"""Extract stage: documents in, ACLED-coded events out (see `pipeline`)."""

from .pipeline import Extractor, extract

__all__ = ["Extractor", "extract"]
