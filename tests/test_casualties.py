import pytest

from watchfloor.extract.casualties import event_arrests, event_fatalities, find_counts


def test_basic_killed():
    assert event_fatalities("An Israeli strike killed six civilians and two soldiers in Quneitra.") == 8
    assert event_fatalities("At least 12 people were killed.") == 12
    assert event_fatalities("More than 20 fighters were killed.") == 20
    assert event_fatalities("A soldier was killed in the attack.") == 1
    assert event_fatalities("A child was killed by a landmine.") == 1
    assert event_fatalities("The clashes claimed the lives of 9 fighters.") == 9
    assert event_fatalities("The attack left 4 people dead.") == 4
    assert event_fatalities("Gunmen shot dead two brothers in Daraa.") == 2
    assert event_fatalities("a dozen fighters were killed") == 12


def test_injured_not_counted():
    assert event_fatalities("Five people were wounded in the attack.") is None
    assert event_fatalities("At least 12 people were killed and 20 were wounded.") == 12
    kinds = [(c.kind, c.count) for c in find_counts("killing 3 and wounding 7")]
    assert kinds == [("killed", 3), ("injured", 7)]


def test_cumulative_not_counted():
    assert event_fatalities("Since the beginning of the year, 340 people have been killed in Deir ez-Zor.") is None
    assert event_fatalities("The war has killed more than 500,000 people since March 2011.") is None
    assert event_fatalities("In total, 30 people were killed over the past month.") is None
    s = "The strike killed 3, bringing the number of civilians killed since March to 45."
    assert event_fatalities(s) == 3
    assert [c.cumulative for c in find_counts(s)] == [False, True]
    s = "Two SDF fighters were killed in an ISIS attack, the SOHR said, adding that 120 people had been killed so far this year."
    assert event_fatalities(s) == 2


def test_toll_of_event():
    assert event_fatalities("The death toll from the bombing rose to 15.") == 15


def test_arrests_separate():
    s = "Security forces arrested 7 suspects and killed two gunmen."
    assert event_arrests(s) == 7
    assert event_fatalities(s) == 2
    assert event_arrests("Four suspects were detained in Jableh.") == 4
    assert event_arrests("General Security detained a member of an ISIS cell.") == 1
    assert event_arrests("Police arrested a cell of five in Homs.") == 5
    assert event_fatalities("Police arrested a cell of five in Homs.") is None


def test_no_number():
    assert event_fatalities("Fighting continued in the area.") is None
    assert event_fatalities("Dozens were killed in the fighting.") is None
    assert event_arrests("Fighting continued in the area.") is None
    assert event_fatalities("No one was killed.") == 0
    assert event_fatalities("In 2019, a strike hit a school.") is None


def test_spans():
    s = "On Friday, a drone strike killed four civilians."
    c = find_counts(s)[0]
    assert s[c.start:c.end] == c.text and c.count == 4 and c.kind == "killed"


@pytest.mark.parametrize("sentence,n", [
    ("Gunmen opened fire on him after the explosion of his motorcycle, killing him immediately.", 1),
    ("Gunmen opened fire on the secretary of a local party, causing his immediate death.", 1),
    ("Unknown gunmen shot dead, today, a member of the central committee.", 1),
    ("Activists documented the death of a regime army defector near the bridge.", 1),
    ("SOHR documented the killing of a member of HTS and another of Ansar al-Tawhid.", 2),
    ("19 members of regime forces and loyalists were killed, while 12 members of the Islamic State group were killed.", 31),
    ("Seven soldiers died in the clashes, while ISIS lost 11 members in the same clashes.", 18),
    ("Between one and two civilians were killed in alleged airstrikes on Sarmada.", 1),
    ("Explosion kills child in Al-Baghouz", 1),
])
def test_more_ways_to_say_killed(sentence, n):
    assert event_fatalities(sentence) == n


@pytest.mark.parametrize("sentence", [
    "Since 24th of March 2019, SOHR has documented the killing of at least 1,170 regime soldiers.",
    "Also, four civilians and 11 shepherds were killed in the same period, from late March 2019 until today.",
    "These attacks claimed the lives of 567 persons, categorised as follows:",
    "Regime jets executed nearly ten strikes on ISIS positions.",
    "Five regime soldiers killed and wounded in ambush in Daraa countryside",
])
def test_tallies_and_non_deaths_are_not_event_deaths(sentence):
    assert not event_fatalities(sentence)


def test_day_of_month_is_not_a_count():
    from watchfloor.extract.casualties import event_fatalities

    assert event_fatalities("On 15 December, two children were killed and one injured.") == 2
    assert event_fatalities("On December 15, two children were killed.") == 2
    assert event_fatalities("15 people were killed in Idlib on 3 March.") == 15


def test_count_parted_from_its_verb_by_asides():
    s = "Three men, residents said, named as A and B and C, were killed when the building collapsed."
    assert event_fatalities(s) == 3
    assert event_fatalities("Four soldiers, according to a military source, were wounded in the blast.") is None
    # a clause, not an aside: no count read across it
    assert event_fatalities("Two houses were hit, and three, the source said, were killed.") is None


def test_one_person_died_without_auxiliary():
    assert event_fatalities("A farmer died on Monday when a mine exploded near his field in Hama.") == 1
    assert event_fatalities("An elderly woman died in the fire.") == 1
    assert event_fatalities("A plan died in committee.") is None


def test_a_year_before_the_count_is_not_a_count():
    assert event_fatalities("Near Khan Shaykhun, scene of the 2017 sarin attack, at least 40 people were "
                            "killed in air raids this week.") == 40
