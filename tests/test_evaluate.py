"""The evaluation's conversions between our event record and the gold sets' conventions."""

from types import SimpleNamespace

from watchfloor.evaluate.ucdp import ucdp_dyad, ucdp_side


def _event(actor1=None, actor2=None, sub="Shelling/artillery/missile attack"):
    return SimpleNamespace(actor1=actor1, actor2=actor2, sub_event_type=sub)


def test_ucdp_side_names():
    assert ucdp_side("Islamic State") == "IS"
    assert ucdp_side("Syrian Democratic Forces") == "SDF"
    assert ucdp_side("Syrian Observatory for Human Rights") is None
    assert ucdp_side(None) is None


def test_civilians_hit_by_shelling_count_in_the_armed_dyad():
    ev = _event("Military Forces of Syria (2000-2024)", "Civilians (Syria)")
    assert ucdp_dyad(ev, []) == {"Government of Syria", "Syrian insurgents"}
    # the report names the other party: it wins over the usual adversary
    assert ucdp_dyad(ev, ["IS", "Government of Syria", "IS"]) == {"Government of Syria", "IS"}


def test_deliberate_killing_of_civilians_stays_one_sided():
    ev = _event("Islamic State", "Civilians (Syria)", sub="Attack")
    assert ucdp_dyad(ev, ["SDF"]) == {"IS", "Civilians"}


def test_unknown_perpetrator_takes_the_parties_the_report_names():
    ev = _event(None, "Civilians (Syria)", sub="Remote explosive/landmine/IED")
    assert ucdp_dyad(ev, ["SDF", "IS", "SDF"]) == {"SDF", "IS"}
    assert ucdp_dyad(ev, []) == {None}


def test_two_named_parties_are_kept():
    ev = _event("Syrian National Army", "Syrian Democratic Forces", sub="Armed clash")
    assert ucdp_dyad(ev, ["Government of Syria"] * 5) == {"SNA", "SDF"}


def test_killing_protesters_is_one_sided():
    ev = _event("Syrian Democratic Forces", "Protesters (Syria)", sub="Excessive force against protesters")
    assert ucdp_dyad(ev, ["IS"]) == {"SDF", "Civilians"}


def test_typing_report_prints_each_backend_and_why_one_was_left_out():
    from watchfloor.evaluate import typing as T
    from watchfloor.extract.classify import EventClassifier

    gold = ["Air/drone strike", "Arrests", "none:natural_disaster", "Peaceful protest"]
    texts = ["Warplanes bombed the town.", "Police arrested five men.", "An earthquake hit the coast.",
             "Thousands marched peacefully."]
    fig = T.score(gold, EventClassifier.default().predict_many(texts))
    figures = {"data": {"own": 1, "synthetic": 2, "dev": 4}, "hyper": {}, "cv": fig, "no_dev": fig,
               "embed": {"hyper": {"mix": 0.4}, "cv": fig, "no_dev": fig},
               "embed-large": {"skipped": "no GPU here"},
               "shipped_on_dev_trained_on_it": {"weighted_f1_25": 1.0}, "seconds": 1.0}
    text = T.report(figures)
    assert "embedding backend (MiniLM fine-tuned" in text and "per class (embed, 5-fold CV)" in text
    assert "large embedding backend (mpnet): skipped - no GPU here" in text
