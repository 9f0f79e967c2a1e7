from datetime import date
from pathlib import Path

import pytest

from watchfloor.extract.actors import ActorMatcher, assign_roles

D2021 = date(2021, 6, 1)
D2025 = date(2025, 6, 1)


@pytest.fixture(scope="module")
def m():
    return ActorMatcher.default()


def names(m, text, on=D2025):
    return [(x.mention, x.name) for x in m.find(text, on)]


def test_spelling_variants(m):
    for text in ["Hay'at Tahrir al-Sham", "Hayat Tahrir al Sham", "HTS", "Tahrir al-Sham"]:
        assert names(m, text, D2021) == [(text, "HTS: Hayat Tahrir al-Sham")]
    for text in ["ISIS", "Isis", "ISIL", "Daesh", "Da’esh", "Islamic State", "IS militants", "ISIS cells"]:
        assert names(m, text)[0][1] == "Islamic State (Syria)", text


def test_case_awareness(m):
    assert names(m, "This is what it is.") == []
    assert names(m, "IS fighters attacked") == [("IS fighters", "Islamic State (Syria)")]
    assert names(m, "us and them") == []


def test_possessive_hyphen_article(m):
    found = names(m, "Israel's army and the SDF's fighters met Kurdish-led forces and the coalition.")
    assert ("Israel's army", "Military Forces of Israel") in found
    assert ("SDF's fighters", "SDF: Syrian Democratic Forces") in found  # possessive joins "SDF fighters"
    assert names(m, "the YPG's commander")[0] == ("YPG", "YPG: People's Protection Units")
    assert ("Kurdish-led forces", "SDF: Syrian Democratic Forces") in found
    assert ("the coalition", "Global Coalition Against Daesh") in found


def test_country_name_only_as_actor(m):
    assert names(m, "Israel struck a base.")[0][1] == "Military Forces of Israel"
    assert names(m, "He fled to Turkey.") == []


def test_arabic(m):
    found = names(m, "اشتباكات بين قوات سوريا الديمقراطية وداعش، واعتقل الأمن العام ثلاثة")
    ids = [n for _, n in found]
    assert ids == ["SDF: Syrian Democratic Forces", "Islamic State (Syria)", "Police Forces of Syria (2024-) General Security"]
    assert found[1][0] == "داعش"  # the proclitic و is left out of the span


def test_time_bounds(m):
    assert names(m, "the Syrian army", D2021) == [("Syrian army", "Military Forces of Syria (2000-2024)")]
    assert names(m, "the Syrian army", D2025) == [("Syrian army", "Military Forces of Syria (2024-)")]
    assert names(m, "government forces", date(2024, 12, 1))[0][1] == "Military Forces of Syria (2000-2024)"
    assert names(m, "security forces", D2025)[0][1] == "Police Forces of Syria (2024-)"
    # Nusra after 2017 is HTS (successor)
    assert names(m, "Nusra Front", date(2014, 1, 1))[0][1] == "Jabhat al Nusra"
    assert names(m, "Nusra Front", date(2019, 1, 1))[0][1] == "HTS: Hayat Tahrir al-Sham"


def test_longest_non_overlapping_in_order(m):
    found = m.find("US-led coalition warplanes and Turkish-backed Syrian National Army", D2021)
    assert [x.actor_id for x in found] == ["global-coalition", "sna"]
    assert found[0].start < found[1].start and found[0].end <= found[1].start
    text = "Civilians fled as regime forces advanced."
    for x in m.find(text, D2021):
        assert text[x.start:x.end] == x.mention


def test_get_and_actors(m):
    assert m.get("sdf")["name"] == "SDF: Syrian Democratic Forces"
    assert len(m.actors()) > 40
    assert all(a.get("inter") in range(1, 9) for a in m.actors())


def test_workspace_override(tmp_path: Path):
    f = tmp_path / "local.yaml"
    f.write_text("actors:\n  - id: local-militia\n    name: Local Militia\n    aliases: [Lions of the Valley]\n    inter: 3\n"
                 "  - id: sdf\n    name: SDF (local name)\n    aliases: [SDF]\n    inter: 2\n", encoding="utf-8")
    m = ActorMatcher.from_files([f])
    assert [x.name for x in m.find("Lions of the Valley clashed with the SDF")] == ["Local Militia", "SDF (local name)"]


def roles(m, text, sub=None, on=D2025):
    a1, a2 = assign_roles(text, m.find(text, on), sub)
    return (a1 and a1.actor_id, a2 and a2.actor_id)


def test_roles_active(m):
    assert roles(m, "Israeli warplanes struck positions of the Syrian army.") == ("israel-military", "syria-military-2024")
    assert roles(m, "General Security arrested three ISIS members in Homs.", "Arrests") == ("general-security", "isis")
    assert roles(m, "ISIS fighters ambushed a Syrian army patrol.") == ("isis", "syria-military-2024")


def test_roles_passive(m):
    assert roles(m, "Two SDF fighters were killed by ISIS cells.") == ("isis", "sdf")
    assert roles(m, "Three ISIS members were arrested by General Security.") == ("general-security", "isis")
    assert roles(m, "Civilians were killed in an attack by unidentified gunmen.") == ("unidentified-armed-group", "civilians")


def test_roles_between_and_with(m):
    assert roles(m, "Clashes broke out between the SDF and Turkish-backed factions.") == ("sdf", "sna")
    assert roles(m, "Government forces clashed with Druze fighters in Sweida.") == ("syria-military-2024", "druze-militias")


def test_roles_victims_only(m):
    assert roles(m, "A child was killed in Daraa.", "Attack") == (None, "civilians")
    assert roles(m, "Nothing happened.") == (None, None)


def test_victim_stands_for_the_force_he_serves(m):
    s = "Unknown gunmen shot dead a man working for the military security service in Daraa."
    a1, a2 = assign_roles(s, m.find(s, on=date(2021, 1, 1)), "Attack")
    assert a1.name == "Unidentified Armed Group (Syria)"
    assert a2.name == "Military Forces of Syria (2000-2024)"


def test_reporting_sources_are_tagged(m):
    ids = {a["id"] for a in m.actors() if "source" in (a.get("tags") or [])}
    assert {"sohr", "reporting-sources"} <= ids
    found = m.find("SOHR activists and local sources said SANA reported it.", on=date(2021, 1, 1))
    assert {x.actor_id for x in found} <= ids


def test_owned_or_named_generic_forces_are_their_owner():
    """'the SDF's internal security forces (Asayish)' is the SDF's Asayish, not the state police."""
    from datetime import date

    from watchfloor.extract.actors import ActorMatcher

    m = ActorMatcher.default()
    on = date(2025, 12, 4)
    names = [x.name for x in m.find("The SDF's internal security forces (Asayish) closed the road.", on=on)]
    assert names == ["SDF: Syrian Democratic Forces", "Asayish: Kurdish internal security forces"]
    assert [x.mention for x in m.find("Security forces (General Security) arrested two men.", on=on)] == ["General Security"]
    assert len(m.find("Security forces arrested two men.", on=on)) == 1  # alone, still an actor


def test_agent_nouns_are_not_the_action():
    """'Two fighters of the SDF were killed': the SDF is hit, though 'fighters' comes first."""
    from watchfloor.extract.actors import ActorMatcher, assign_roles

    s = "Two fighters of the Syrian Democratic Forces were killed when a roadside bomb exploded near Raqqa."
    a1, a2 = assign_roles(s, ActorMatcher.default().find(s), "Remote explosive/landmine/IED")
    assert a1 is None and a2.actor_id == "sdf"


def test_a_character_whose_lower_case_is_longer_keeps_offsets():
    from watchfloor.extract.actors import ActorMatcher

    text = "İstanbul talks: the SDF said Turkish forces shelled Tal Tamr."
    found = ActorMatcher.default().find(text)
    assert any(text[m.start:m.end] == "SDF" for m in found)


def test_generic_force_after_another_countrys_adjective_is_not_syrias(m):
    # a country with an entry: the adjective names it, and the span takes the adjective in
    assert names(m, "Turkish police arrested five men.", D2021) == [("Turkish police", "Military Forces of Turkey")]
    # a country without one: no actor rather than a wrong one
    assert names(m, "a critic of the Saudi regime", D2021) == []
    assert names(m, "Egyptian government forces fired", D2021) == []
    assert names(m, "Saudi-led coalition jets struck", D2021) == []
    # unchanged: Syria's own forces, Kurdish forces, and the US-led coalition
    assert names(m, "Syrian police arrested two men", D2021) == [("Syrian police", "Police Forces of Syria (2000-2024)")]
    assert names(m, "the regime shelled Idlib", D2021) == [("the regime", "Government of Syria (2000-2024)")]
    assert names(m, "Kurdish security forces arrested", D2021)[0][0] == "Kurdish security forces"
    assert names(m, "US-led coalition forces", D2021)[0][1] == "Global Coalition Against Daesh"
