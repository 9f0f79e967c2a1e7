"""Extraction glue: main event choice, headline + lede, tallies, sources, counts per place."""

from datetime import date

import pytest

from watchfloor.extract import Extractor
from watchfloor.models import Document


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def run(ex, text, day=date(2021, 3, 10)):
    return ex.extract(Document(text=text, id="t", date=day))


def test_cumulative_tally_in_a_later_sentence_is_not_counted(ex):
    text = (
        "Gunmen kill soldier in Tafas\n"
        "Daraa province: unknown gunmen shot dead a regime soldier in the town of Tafas in the western "
        "countryside of Daraa on Tuesday.\n"
        "Since the beginning of the year, activists have documented more than 300 attacks in the province. "
        "These attacks claimed the lives of 210 people, categorised as follows:\n"
        "- 80 civilians, including 12 women\n"
        "- 130 regime soldiers and collaborators\n"
    )
    events = run(ex, text)
    assert events and events[0].fatalities == 1
    assert events[0].admin1_pcode == "SY12"
    assert all(e.fatalities != 210 for e in events)


def test_headline_and_lede_fold_into_one_main_event(ex):
    text = (
        "Desert ambush | Nearly ten soldiers killed in IED blast in Homs desert\n"
        "An IED exploded on Monday near a military bus in the eastern countryside of Homs, killing eight "
        "soldiers and wounding four others.\n"
        "Separately, Russian warplanes carried out airstrikes on positions in the Raqqa desert.\n"
    )
    events = run(ex, text)
    main = events[0]
    assert main.admin1_pcode == "SY04"
    assert main.fatalities == 8  # the lede's count, not the headline's rounded one
    assert main.span_start == 0  # the headline is part of its evidence
    assert sum(1 for e in events if e.admin1_pcode == "SY04") == 1


def test_source_actor_is_not_a_participant(ex):
    text = (
        "The Syrian Observatory for Human Rights said regime forces shelled the town of Kafr Nabl in "
        "southern Idlib on Sunday, killing two civilians, SOHR activists reported."
    )
    events = run(ex, text)
    assert events
    for e in events:
        assert "Observatory" not in (e.actor1 or "") and "Observatory" not in (e.actor2 or "")
        assert e.actor1 != "Reporting sources" and e.actor2 != "Reporting sources"
    assert events[0].actor1 == "Military Forces of Syria (2000-2024)"


def test_count_goes_to_the_place_of_its_clause(ex):
    text = (
        "Three rebels were killed in a landmine explosion in the Idlib countryside on Monday, while regime "
        "forces shelled positions in the Hama countryside."
    )
    events = run(ex, text)
    by_a1 = {e.admin1_pcode: e for e in events}
    assert by_a1["SY07"].fatalities == 3
    assert "SY05" in by_a1 and not by_a1["SY05"].fatalities


def test_three_governorates_give_three_events(ex):
    text = ("The Interior Ministry dismantled ISIS cells in rural Homs, Deir ez-Zor and the Damascus "
            "countryside, arresting 12 members.")
    events = run(ex, text, date(2025, 3, 10))
    assert sorted(e.admin1_pcode for e in events) == ["SY03", "SY04", "SY09"]


def test_direction_gives_the_district_when_clear(ex):
    text = "Unknown gunmen shot dead a member of the regime forces in the western countryside of Daraa on Monday."
    events = run(ex, text)
    assert events[0].admin1_pcode == "SY12"
    assert events[0].admin2_pcode == "SY1200" and events[0].geo_precision == 2


def test_one_sided_event_gets_the_other_side_from_the_report(ex):
    text = (
        "An IED exploded on Monday in a military vehicle near Tafas in the western countryside of Daraa, "
        "killing two regime soldiers. Rebel factions have stepped up attacks on regime checkpoints in the area."
    )
    main = run(ex, text)[0]
    assert main.fatalities == 2
    assert main.actor2 == "Military Forces of Syria (2000-2024)"  # the target, as the sentence says
    assert main.actor1 == "Opposition Rebels (Syria)"  # the side the report sets against it


def test_one_sided_event_never_gets_an_ally_as_the_other_side():
    """The SDF hit by a bomb in a report that also names its Coalition partner: the Coalition is
    not the attacker; ISIS, named in the report, is the side the report implies."""
    from watchfloor.extract import Extractor
    from watchfloor.models import Document

    text = ("Two fighters of the Syrian Democratic Forces were killed on Wednesday when a roadside bomb "
            "exploded near the village of al-Karamah, east of Raqqa city.\n\n"
            "No group claimed responsibility, but ISIS cells have carried out similar attacks in the area. "
            "SDF commanders asked the Coalition for more support.")
    ev = Extractor().extract(Document(text=text, id="t", date=__import__("datetime").date(2025, 12, 4)))[0]
    assert ev.actor2 == "SDF: Syrian Democratic Forces"
    assert ev.actor1 != "Global Coalition Against Daesh"
    assert ev.fatalities == 2


def test_opinion_pieces_are_not_coded():
    from datetime import date

    from watchfloor.extract import Extractor
    from watchfloor.models import Document

    text = "ISIS fighters attacked an army checkpoint near Palmyra, killing three soldiers."
    ex = Extractor()
    assert ex.extract(Document(text=text, id="a", date=date(2025, 12, 1), title="Ambush near Palmyra"))
    assert ex.extract(Document(text=text, id="b", date=date(2025, 12, 1), title="Opinion: the desert war")) == []


def test_one_side_named_twice_acts_in_arrests():
    """'The SDF's internal security forces (Asayish) ... arrested two men': the Asayish arrested;
    the SDF and its Asayish are one side, not arrester and arrested."""
    from datetime import date

    from watchfloor.extract import Extractor
    from watchfloor.models import Document

    text = ("The SDF's internal security forces (Asayish) closed the road near Raqqa for several hours "
            "and arrested two men suspected of planting a roadside bomb.")
    (ev,) = Extractor().extract(Document(text=text, id="t", date=date(2025, 12, 4)))
    assert ev.sub_event_type == "Arrests" and ev.arrests == 2
    assert ev.actor1 == "Asayish: Kurdish internal security forces"
    assert ev.actor2 != "SDF: Syrian Democratic Forces"


def test_armed_groups_are_arrested_not_arresting():
    from datetime import date

    from watchfloor.extract import Extractor
    from watchfloor.models import Document

    text = ("Coalition forces conducted a raid near al-Shuhayl in Deir ez-Zor on Saturday. "
            "An ISIS provincial official was captured at a residence near the town of al-Shuhayl.")
    evs = Extractor().extract(Document(text=text, id="t", date=date(2025, 10, 27)))
    arrests = [e for e in evs if e.sub_event_type == "Arrests"]
    assert arrests and arrests[0].actor2 == "Islamic State (Syria)"
    assert arrests[0].actor1 != "Islamic State (Syria)"


def test_standing_states_are_not_events():
    from datetime import date

    from watchfloor.extract import Extractor
    from watchfloor.models import Document

    text = ("France has been a member of the Coalition since 2014 and kept special forces and aircraft "
            "in the campaign against ISIS in Iraq and Syria.")
    assert Extractor().extract(Document(text=text, id="t", date=date(2025, 11, 3))) == []


def test_headline_counting_killed_and_wounded_reports_the_event(ex):
    text = (
        "Roadside bomb | Four regime soldiers killed and wounded in blast in Homs desert\n"
        "Homs province: sources have reported that a roadside bomb hit a military truck near the town of "
        "Al-Sukhnah in the eastern countryside of Homs on Monday. "
        "The blast left one soldier dead and three others injured.\n"
        "Since the beginning of the year, activists have documented more than 300 attacks in the desert. "
        "These attacks claimed the lives of 210 people, categorised as follows:\n"
        "- 80 civilians, including 12 women\n"
        "- 130 fighters of factions that signed reconciliation deals with the regime.\n"
    )
    events = run(ex, text)
    assert events and events[0].admin1_pcode == "SY04"
    assert events[0].fatalities == 1
    assert not any("130 fighters" in e.evidence and e is events[0] for e in events)


def test_items_of_a_tally_list_are_background(ex):
    from watchfloor.extract.sentences import split_sentences

    text = ("Since the beginning of the year, activists have documented more than 300 attacks. "
            "These attacks claimed the lives of 210 people, categorised as follows:\n"
            "- 80 civilians, including 12 women\n"
            "- 130 fighters of factions that signed reconciliation deals with the regime.\n")
    sents = split_sentences(text)
    items = [i for i, (s, e) in enumerate(sents) if text[s:e].startswith("-")]
    assert items and all(ex._is_tally(text, sents, i) for i in items)
    assert not ex._is_tally("Intro line here.\n- a list item\n", split_sentences("Intro line here.\n- a list item\n"), 1)


def test_headline_counting_killed_and_wounded_counts_as_harm():
    from watchfloor.extract.pipeline import _reports_harm

    assert _reports_harm("Five regime soldiers killed and wounded in ambush in Daraa countryside")
    assert _reports_harm("Three civilians injured in shelling on Idlib")
    assert not _reports_harm("Regime forces shell Idlib countryside")


def test_one_place_named_twice_locates_the_sentence(ex):
    text = ("Activists reported that a farmer died in a mine explosion on Monday in Ain Al-Arab (Kobani) near "
            "the border.\nOther news followed.\n")
    events = run(ex, text)
    assert events and events[0].admin2_pcode == "SY0206"
    assert events[0].fatalities == 1


def test_lede_without_headline_leads_and_takes_the_next_place(ex):
    text = (
        "Geolocation\n"
        "At least one civilian was killed and two were injured in a missile strike on the afternoon of March 8, 2021.\n"
        "Local sources said the missile hit farmland near the town of Atmeh.\n"
        "Separately, warplanes carried out airstrikes on the outskirts of Idlib city on Monday.\n"
        "Regime forces shelled the town of Kafr Nabl in southern Idlib on Monday.\n"
    )
    events = run(ex, text)
    assert events and events[0].fatalities == 1
    assert events[0].admin1_pcode == "SY07" and events[0].location == "Atmeh"


def test_topic_before_the_bar_is_a_label_not_the_place(ex):
    text = (
        "Unrest in Hama | Unknown gunmen shoot dead a teacher in Kafr Zita\n"
        "Hama province: unknown gunmen shot dead a school teacher in the town of Kafr Zita in the northern "
        "countryside of Hama on Monday evening, local sources said.\n"
    )
    events = run(ex, text)
    assert [(e.location, e.admin2_pcode) for e in events] == [("Kafr Zeita", "SY0505")]  # no event in Hama city
    assert events[0].fatalities == 1


def test_topic_telling_the_harm_keeps_its_place(ex):
    text = (
        "After death of five fighters in Sahl Al-Ghab | Clashes continue on the Idlib frontlines\n"
        "Regime forces killed five opposition fighters with a guided missile in Sahl Al-Ghab in the western "
        "countryside of Hama, while clashes continued in southern Idlib.\n"
    )
    assert run(ex, text)[0].admin1_pcode == "SY05"


def test_headline_town_refines_the_body_region(ex):
    region = (
        "Gunmen kill former rebel commander in Jasim\n"
        "Daraa province: a former rebel commander was shot dead by unidentified gunmen in the Daraa "
        "countryside, activists said on Sunday.\n"
    )
    events = run(ex, region)
    assert [(e.location, e.geo_precision) for e in events] == [("Jasim", 1)]
    direction = (
        "Two soldiers killed in attack near Jasim\n"
        "Daraa governorate: two regime soldiers were killed and others injured in an attack by unknown gunmen "
        "on a checkpoint in the western countryside of Daraa last night.\n"
    )
    events = run(ex, direction)
    assert [(e.location, e.admin2_pcode, e.fatalities) for e in events] == [("Jasim", "SY1203", 2)]


def test_a_fatal_event_outranks_a_decree_in_the_lede(ex):
    text = (
        "Curfew in Jarablus | Protests spread, and a protester is shot dead\n"
        "The local council in Jarablus imposed a curfew on the town on Sunday after days of unrest.\n"
        "Meanwhile, police opened fire with live ammunition on demonstrators in the town of Jarablus in the "
        "Aleppo countryside on Sunday, killing one young man and wounding two others.\n"
    )
    events = run(ex, text, date(2021, 6, 7))
    assert events
    main = events[0]
    assert main.fatalities == 1
    assert main.event_type != "Strategic developments"


def test_a_death_count_in_the_opening_paragraphs_is_an_event_however_it_is_worded(ex):
    # the second sentence is worded like a monitor's note, which the typing model alone reads as
    # no event; its count of the dead makes it the report's fatal event
    text = (
        "Regime forces and ISIS cells fight in the desert east of Salamiyah\n"
        "Heavy fighting went on for a second day in the eastern countryside of Hama on Tuesday.\n"
        "Activists have documented the deaths of seven regime soldiers, while nine members of the "
        "organisation were killed.\n"
    )
    events = run(ex, text, date(2021, 2, 3))
    assert events
    assert any(e.fatalities == 16 for e in events)
    assert events[0].admin1_pcode == "SY05"


def test_a_death_count_far_down_a_report_is_not_news(ex):
    filler = "Officials met in the capital to discuss reconstruction and the return of refugees. " * 9
    text = ("Talks on reconstruction resume in Damascus\n" + filler +
            "More than 400 fighters have died on that front in the past decade.\n")
    assert all(not e.fatalities for e in run(ex, text, date(2021, 2, 3)))


def test_a_crawl_marker_line_does_not_hide_the_headline(ex):
    text = (
        "7c2e\n"
        "Northern Hama | Two soldiers killed in rocket attack by opposition factions\n"
        "Two regime soldiers were killed on Monday when opposition factions fired rockets at their "
        "positions near Kafr Nabudah in the northern countryside of Hama.\n"
    )
    main = run(ex, text, date(2021, 3, 9))[0]
    assert main.fatalities == 2
    assert main.location == "Kafr Nabudah"
    assert main.span_start == text.index("Northern Hama")  # the headline is part of its evidence


def test_a_town_in_the_countryside_named_by_direction_is_one_location(ex):
    # the direction guesses a district of Daraa; the town named beside it settles the place
    text = ("Unknown gunmen shot dead a former opposition commander near the town of Nawa in the "
            "western countryside of Daraa on Sunday.")
    events = run(ex, text, date(2021, 3, 9))
    assert [e.location for e in events] == ["Nawa"]


def test_an_event_told_by_province_then_by_town_is_one_event(ex):
    text = (
        "Daraa province: activists have documented a new assassination in the province of Daraa on Sunday.\n"
        "Unknown gunmen opened fire on a former rebel, killing him immediately, in the town of Jasim in "
        "northern rural Daraa.\n"
    )
    events = run(ex, text, date(2021, 3, 9))
    attacks = [e for e in events if e.sub_event_type == events[0].sub_event_type]
    assert events[0].location == "Jasim" and events[0].fatalities == 1
    assert len(attacks) == 1


def test_public_extract_works_after_the_extract_subpackage_is_imported():
    """`watchfloor.extract` names the function and the subpackage; importing the
    subpackage (as the workspace does) must not turn the documented call into a TypeError."""
    import watchfloor
    import watchfloor.extract.pipeline  # noqa: F401 - rebinds watchfloor.extract to the module

    for _ in range(2):
        events = watchfloor.extract("Gunmen killed two shepherds near Raqqa on Monday.", date="2025-03-05")
        assert events and events[0].fatalities == 2
        assert events[0].event_date == "2025-03-03"


def test_being_held_in_detention_is_no_arrest_event(ex):
    day = date(2025, 3, 5)
    assert run(ex, "The woman is being held in a Kurdish-run detention centre in Hasakah.", day) == []
    arrested = run(ex, "Asayish forces arrested four ISIS suspects in Hasakah on Monday.", day)
    assert [(e.sub_event_type, e.arrests) for e in arrested] == [("Arrests", 4)]


def test_a_protest_needs_protesters(ex):
    day = date(2025, 3, 5)
    said = run(ex, '"Today\'s arrests demonstrate the resolve of our partners and our people to finish '
                   'this struggle," the spokesman said.', day)
    assert [e.sub_event_type for e in said if e.event_type == "Protests"] == []
    quoted = run(ex, "The Syrian Democratic Forces, the Coalition's partner in the east, said in a short statement "
                     'that the strike was carried out "in coordination with our units".', day)
    assert [e.sub_event_type for e in quoted if e.event_type == "Protests"] == []  # an air strike is no strike
    rally = run(ex, "Hundreds of residents protested in Suwayda on Friday against the rising price of fuel.", day)
    assert [e.sub_event_type for e in rally] == ["Peaceful protest"]


def test_an_event_named_by_a_past_year_is_history(ex):
    day = date(2018, 2, 20)
    told = run(ex, "Eastern Ghouta, the scene of a 2013 chemical weapons attack using sarin gas, is under siege again.", day)
    assert [e for e in told if e.sub_event_type == "Chemical weapon"] == []
    # the same words with a date of their own are news
    news = run(ex, "On Sunday, a chemical attack using chlorine gas hit Douma in Eastern Ghouta, medics said.", day)
    assert news and news[0].sub_event_type == "Chemical weapon"
