from datetime import date

from watchfloor.extract.dates import find_dates

FRI = date(2025, 12, 19)  # a Friday


def one(text, ref=FRI):
    found = find_dates(text, ref)
    assert len(found) == 1, found
    return found[0]


def test_weekdays():
    assert one("On Friday, jets struck.").date == FRI  # ref is a Friday
    assert one("on Tuesday").date == date(2025, 12, 16)
    d = one("Friday night clashes")
    assert (d.date, d.precision, d.text) == (FRI, 1, "Friday night")
    assert one("last Friday").date == date(2025, 12, 12)
    d = one("on Sunday and Monday")
    assert (d.date, d.end_date, d.precision) == (date(2025, 12, 14), date(2025, 12, 15), 2)


def test_weekday_to_come_dates_nothing():
    # a day announced in the future tense dates no past event, and none may inherit it
    assert find_dates("The council said a curfew will begin on Sunday at midnight.", FRI) == []
    assert find_dates("Talks are due to resume on Monday in Amman.", FRI) == []
    # the tense of another clause does not count
    assert one("The army said on Tuesday it would respond.").date == date(2025, 12, 16)


def test_relative_days():
    assert one("yesterday").date == date(2025, 12, 18)
    assert one("today").date == FRI
    assert one("last night").date == date(2025, 12, 18)
    assert one("this morning").date == FRI
    assert one("two days ago").date == date(2025, 12, 17)
    assert one("on the 13th").date == date(2025, 12, 13)
    assert one("on the 25th").date == date(2025, 11, 25)
    assert all(d.relative for d in find_dates("yesterday", FRI))


def test_absolute_forms():
    for text in ["December 13", "13 December", "Dec. 13, 2025", "2025-12-13", "13/12/2025", "on Saturday 13 December"]:
        d = one(text)
        assert (d.date, d.precision) == (date(2025, 12, 13), 1), text


def test_week_and_month_precision():
    d = one("last week")
    assert (d.date, d.precision) == (date(2025, 12, 12), 2)
    assert (one("earlier this month").date, one("earlier this month").precision) == (date(2025, 12, 1), 3)
    assert one("last month").date == date(2025, 11, 1)
    d = one("in November")
    assert (d.date, d.precision) == (date(2025, 11, 1), 3)


def test_month_without_year_across_year_boundary():
    ref = date(2026, 1, 3)
    assert one("on 30 December", ref).date == date(2025, 12, 30)
    assert one("in December", ref).date == date(2025, 12, 1)
    assert one("January 2", ref).date == date(2026, 1, 2)
    assert one("January 5", ref).date == date(2026, 1, 5)  # a few days after ref allowed
    assert one("January 20", ref).date == date(2025, 1, 20)


def test_ranges():
    d = one("between 5 and 7 December")
    assert (d.date, d.end_date, d.precision) == (date(2025, 12, 5), date(2025, 12, 7), 2)
    d = one("from 3 to 9 March")
    assert (d.date, d.end_date) == (date(2025, 3, 3), date(2025, 3, 9))
    d = one("from 1 to 20 November 2025")
    assert d.precision == 3


def test_not_dates():
    assert find_dates("since 2019", FRI) == []
    assert find_dates("They may march on the city.", FRI) == []
    assert find_dates("12 people were killed", FRI) == []
    d = one("the March 2025 agreement")
    assert (d.date, d.precision) == (date(2025, 3, 1), 3)


def test_spans_and_no_ref():
    text = "Clashes erupted on Tuesday 5 March near Daraa."
    d = one(text, date(2024, 3, 8))
    assert text[d.start:d.end] == d.text == "Tuesday 5 March"
    assert find_dates("yesterday", None) == []
    assert find_dates("13 December 2024", None)[0].date == date(2024, 12, 13)


def test_years_ago_date_history_to_the_month():
    # "the chemical attack that killed dozens a year ago" is history: the pipeline drops an event dated so
    d = one("the chemical attack that killed dozens of people a year ago")
    assert (d.date, d.precision, d.relative) == (date(2024, 12, 1), 3, True)
    assert one("three years ago").date == date(2022, 12, 1)
