"""The setup form's searchable lists, and a short form's draft keeping what it does not show."""

from __future__ import annotations

import datetime as dt

from bot.core.choices import (
    COMMON_COUNTRIES,
    COMMON_TIMEZONES,
    MAX_CHOICES,
    Choice,
    holiday_countries,
    search_countries,
    search_timezones,
    utc_offset,
)
from bot.core.packs import (
    ADMINS,
    SETTING_NAMES,
    Pack,
    PackDraft,
    PackSettings,
    TimezoneMode,
    is_holiday_country,
    is_timezone,
)

WINTER = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 15, 12, 0, tzinfo=dt.UTC)


def values(choices: list[Choice]) -> list[str]:
    return [c.value for c in choices]


def test_offsets_follow_daylight_saving_and_use_a_true_minus_sign() -> None:
    assert utc_offset("America/New_York", WINTER) == "UTC\u221205:00"
    assert utc_offset("America/New_York", SUMMER) == "UTC\u221204:00"
    assert utc_offset("Asia/Kolkata", WINTER) == "UTC+05:30"
    assert utc_offset("UTC", SUMMER) == "UTC+00:00"


def test_timezones_match_any_part_of_the_name_case_insensitively() -> None:
    (york,) = [c for c in search_timezones("york", WINTER) if c.value == "America/New_York"]
    assert york.label == "America/New_York (UTC\u221205:00)"
    assert search_timezones("YORK", SUMMER)[0].label == "America/New_York (UTC\u221204:00)"
    assert search_timezones("lagos", WINTER)[0].value == "Africa/Lagos"
    assert search_timezones("new york", WINTER)[0].value == "America/New_York"
    assert search_timezones("europe/berlin", WINTER)[0].value == "Europe/Berlin"
    assert search_timezones("Atlantis", WINTER) == []


def test_timezones_rank_exact_then_word_start_then_anywhere_canonical_first() -> None:
    # "london": the city itself first, before names that only contain it.
    assert search_timezones("london", WINTER)[0].value == "Europe/London"
    # A word start (Berlin, Kolkata) before a match inside a word (Canberra, Srednekolymsk).
    assert values(search_timezones("ber", WINTER)) == [
        "Atlantic/Bermuda",
        "Europe/Berlin",
        "Australia/Canberra",
    ]
    assert values(search_timezones("kol", WINTER)) == ["Asia/Kolkata", "Asia/Srednekolymsk"]
    # Of equal matches, the old aliases (Singapore, Japan) after the canonical names.
    assert values(search_timezones("singapore", WINTER)) == ["Asia/Singapore", "Singapore"]


def test_timezone_searches_give_at_most_100_and_empty_gives_the_common_ones() -> None:
    assert len(search_timezones("a", WINTER)) == MAX_CHOICES
    assert len(search_timezones("a", WINTER, limit=5)) == 5
    common = values(search_timezones("", WINTER))
    assert common == list(COMMON_TIMEZONES)
    assert values(search_timezones("  ", WINTER)) == common
    assert all(is_timezone(v) for v in common)


def test_countries_by_name_or_code_value_is_the_code() -> None:
    assert search_countries("ger")[0].value == "DE"
    assert search_countries("ger")[0].label == "Germany (DE)"
    assert search_countries("DE")[0].value == "DE"
    assert search_countries("de")[0].value == "DE"
    assert search_countries("deu")[0].value == "DE"
    assert search_countries("united kingdom")[0].value == "GB"
    assert search_countries("nigeria")[0].value == "NG"
    # A word start: "zealand" finds New Zealand; "ger" also finds Algeria and Niger, later.
    assert search_countries("zealand")[0].value == "NZ"
    found = values(search_countries("ger"))
    assert {"DZ", "NE", "NG"} <= set(found) and found[0] == "DE"
    assert search_countries("Narnia") == []


def test_country_searches_give_at_most_100_and_empty_gives_the_common_ones() -> None:
    assert len(search_countries("a")) == MAX_CHOICES
    assert values(search_countries("")) == list(COMMON_COUNTRIES)


def test_every_country_offered_is_one_the_holiday_calendar_accepts() -> None:
    countries = holiday_countries()
    assert len(countries) > 200
    assert countries["US"] == "United States" and countries["HK"] == "Hong Kong"
    assert all(is_holiday_country(code) and len(code) == 2 for code in countries)
    assert all(len(f"{name} ({code})") <= 75 for code, name in countries.items())


def test_a_short_forms_draft_keeps_the_packs_other_settings() -> None:
    current = PackSettings(
        timezone="Europe/Berlin",
        reminder_minutes=0,
        holiday_country="DE",
        late_limit_minutes=60,
        name_lone_wolves=True,
    )
    pack = Pack(1, 1, "C1", "team", current, "U1", ("U1", "U2"))
    typed = PackSettings(timezone="Asia/Tokyo", timezone_mode=TimezoneMode.PACK)
    draft = PackDraft(
        "C1",
        "team",
        typed,
        ("U1", "U3"),
        (),
        "U3",
        kept=(SETTING_NAMES - {"timezone", "timezone_mode"}) | {ADMINS},
    )
    done = draft.completed(pack)
    assert done.settings == current.with_changes(
        timezone="Asia/Tokyo", timezone_mode=TimezoneMode.PACK
    )
    assert done.admin_ids == ("U1", "U2") and done.member_ids == ("U1", "U3")
    assert done.kept == frozenset()
    # A new pack: the defaults for what was not shown, its creator as admin.
    fresh = draft.completed(None)
    assert fresh.settings == PackSettings(timezone="Asia/Tokyo", timezone_mode=TimezoneMode.PACK)
    assert fresh.admin_ids == ("U3",)
    # Nothing kept: the draft as it is.
    full = PackDraft("C1", "team", typed, ("U1",), ("U1",), "U1")
    assert full.completed(pack) is full
