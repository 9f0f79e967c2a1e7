"""The shared-instance getter behind Geocoder.default(), EventClassifier.default() and the rest."""

import threading
import time

import pytest

from watchfloor.lazy import shared


def test_built_once_even_when_threads_race():
    calls = []

    def build():
        calls.append(1)
        time.sleep(0.05)
        return object()

    get = shared(build)
    got = []
    threads = [threading.Thread(target=lambda: got.append(get())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(x) for x in got}) == 1


def test_a_failed_build_is_tried_again():
    attempts = []

    def build():
        attempts.append(1)
        if len(attempts) == 1:
            raise ImportError("extra not installed")
        return "ok"

    get = shared(build)
    with pytest.raises(ImportError):
        get()
    assert get() == "ok" and get() == "ok" and len(attempts) == 2
