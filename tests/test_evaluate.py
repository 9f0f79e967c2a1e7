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
