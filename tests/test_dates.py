"""The one date parser (periods.read_date): the forms people write, on the command line, in imports
and in meeting minutes; weekdays alone look forward or back by field; refusals list the forms."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import query

TUESDAY = date(2026, 11, 24)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-30", date(2026, 11, 30)), ("2026/11/30", date(2026, 11, 30)), ("2026.11.30", date(2026, 11, 30)),
    ("20261130", date(2026, 11, 30)), ("11-30", date(2026, 11, 30)), ("11/30", date(2026, 11, 30)),
    ("2026年11月30日", date(2026, 11, 30)), ("11月30日", date(2026, 11, 30)), ("2026/1/5", date(2026, 1, 5)),
    ("今天", TUESDAY), ("today", TUESDAY), ("昨天", date(2026, 11, 23)), ("明天", date(2026, 11, 25)),
    ("后天", date(2026, 11, 26)), ("yesterday", date(2026, 11, 23)),
    ("下周一", date(2026, 11, 30)), ("next monday", date(2026, 11, 30)),
    ("上周五", date(2026, 11, 20)), ("last friday", date(2026, 11, 20)),
    ("01-05", date(2027, 1, 5)),  # written in late November: the coming January
])
def test_forms_people_write(text, expected):
    from salesctl.periods import read_date

    assert read_date(text, TUESDAY) == expected


@pytest.mark.parametrize("text", ["friday", "Fri", "周五", "星期五", "礼拜五"])
def test_a_weekday_alone_looks_forward_or_back_by_field(text):
    from salesctl.periods import read_date

    assert read_date(text, TUESDAY, ahead="forward") == date(2026, 11, 27)
    assert read_date(text, TUESDAY, ahead="back") == date(2026, 11, 20)
    assert read_date(text, date(2026, 11, 27), ahead="after") == date(2026, 12, 4)


@pytest.mark.parametrize("text", ["2026-13-01", "11/31", "someday", "下周八", "2026年2月30日", ""])
def test_refusals_list_the_accepted_forms(text):
    from salesctl.errors import InvalidInput
    from salesctl.periods import parse_date

    with pytest.raises(InvalidInput) as caught:
        parse_date(text, "date", TUESDAY)
    assert "2026/11/30" in caught.value.message and "下周一" in caught.value.message


def test_visit_follow_up_friday_on_a_tuesday_is_this_coming_friday(demo, cli):
    result = cli("visit", "log", "上海永安自动化", "--contact", "刘军", "--content", "回访", "--result", "满意",
                 "--follow-up", "friday", "--at", "2026/11/23", "--format", "json", as_="wang.fang",
                 now="2026-11-24T17:30:00+08:00")
    assert result.exit_code == 0, result
    assert result.json()["follow_up"] == "2026-11-27"
    stored = query(demo, "select follow_up from visit where content = '回访'")
    assert str(stored[0][0])[:10] == "2026-11-27"


def test_at_with_slashes_and_date_in_chinese(demo, cli):
    now = "2026-12-01T17:30:00+08:00"
    visit = cli("visit", "log", "上海永安自动化", "--contact", "刘军", "--content", "回访", "--result", "满意",
                "--at", "2026/11/30", "--format", "json", as_="wang.fang", now=now)
    assert visit.exit_code == 0, visit
    assert visit.json()["at"].startswith("2026-11-30")
    report = cli("report", "daily", "--date", "11月30日", "--format", "json", as_="wang.fang", now=now)
    assert report.exit_code == 0, report
    assert report.json()["period"] == "2026-11-30"


def test_a_bad_date_on_the_command_line_is_exit_2_listing_the_forms(demo, cli):
    result = cli("report", "daily", "--date", "someday", as_="wang.fang")
    assert result.exit_code == 2
    assert "--date" in result.stderr and "2026年11月30日" in result.stderr and "last friday" in result.stderr
