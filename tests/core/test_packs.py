import datetime as dt

import pytest

from bot.core.checkins import AnswerInput, validate_answer
from bot.core.errors import FieldErrors
from bot.core.packs import PackSettings, parse_away, parse_time


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": " Europe/Berlin"}, "timezone"),
        ({"checkin_days": frozenset()}, "checkin_days"),
        ({"reminder_minutes": -5}, "reminder"),
        ({"questions": ()}, "questions"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(FieldErrors) as raised:
        PackSettings().with_changes(**changes).validated()
    assert field in raised.value.errors


def test_default_settings_are_valid() -> None:
    assert PackSettings(timezone="Europe/Berlin").validated()


@pytest.mark.parametrize("text", ["25:00", "9:30", "09:60", "", "noon"])
def test_times_outside_a_24_hour_clock_are_refused(text: str) -> None:
    assert parse_time(text) is None


def test_times_parse() -> None:
    assert parse_time("09:30") == dt.time(9, 30)
    assert parse_time("23:59") == dt.time(23, 59)


def test_away_period_must_end_after_it_starts() -> None:
    today = dt.date(2026, 12, 1)
    with pytest.raises(FieldErrors) as raised:
        parse_away("2026-12-20", "2026-12-10", today)
    assert "ends before it starts" in raised.value.errors["end"]
    with pytest.raises(FieldErrors):
        parse_away("20-12-2026", "2027-01-03", today)
    away = parse_away("2026-12-20", "2027-01-03", today)
    assert away.covers(dt.date(2026, 12, 25)) and not away.covers(dt.date(2027, 1, 4))


def test_answers_need_required_fields_and_fit_the_limits() -> None:
    settings = PackSettings()
    with pytest.raises(FieldErrors) as raised:
        validate_answer(settings, AnswerInput({"progress": "  ", "focus": "x" * 1501}, (), 3), "U1")
    assert set(raised.value.errors) == {"progress", "focus"}
    with pytest.raises(FieldErrors) as raised:
        validate_answer(settings, AnswerInput({"progress": "a", "focus": "b"}, (), None), "U1")
    assert set(raised.value.errors) == {"alignment"}
    clean = validate_answer(
        settings,
        AnswerInput(
            {"progress": " shipped ", "focus": "tests", "blockers": ""}, ("U1", "U2", "U2"), 4
        ),
        "U1",
    )
    assert clean.texts == {"progress": "shipped", "focus": "tests"}
    assert clean.collaborators == ("U2",)
