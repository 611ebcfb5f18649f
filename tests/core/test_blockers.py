"""The rules of a blocker's life: raised, updated, resolved or taken back by check-ins; asked
about again at the next check-in; followed up after two working days of the pack; counted in
the week."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.blockers import (
    Blocker,
    BlockerStatus,
    Change,
    change_for,
    follow_up_day,
    needs_follow_up,
    open_for_words,
    still_blocking,
    week_figures,
    working_days_after,
)
from bot.core.packs import PackSettings
from bot.core.schedule import DeliveryKey, DueKind

RAISED = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)  # a Tuesday


def blocker(**changes: object) -> Blocker:
    fields: dict[str, object] = {
        "id": 1,
        "pack_id": 7,
        "user_id": "UBO",
        "text": "Waiting on the API keys",
        "round_id": 10,
        "answer_id": 100,
        "round_date": RAISED.date(),
        "raised_at": RAISED,
    }
    fields.update(changes)
    return Blocker(**fields)  # type: ignore[arg-type]


def test_an_answer_raises_updates_or_leaves_the_open_blocker() -> None:
    assert change_for(None, 10, "") is Change.NONE
    assert change_for(None, 10, "Waiting on the API keys") is Change.RAISE
    open_one = blocker()
    # A new text, in the same round or a later one: the same blocker, its text updated.
    assert change_for(open_one, 10, "Waiting on the API keys and a review") is Change.UPDATE
    assert change_for(open_one, 11, "Still the keys") is Change.UPDATE
    assert change_for(open_one, 11, "Waiting on the API keys") is Change.NONE


def test_an_empty_answer_resolves_in_a_later_round_and_takes_back_in_the_same_one() -> None:
    open_one = blocker()
    assert change_for(open_one, 11, "") is Change.RESOLVE
    assert change_for(open_one, 10, "") is Change.WITHDRAW
    # Once the pack was asked about it, clearing it resolves it: the offers still count.
    assert change_for(blocker(asked_at=RAISED), 10, "") is Change.RESOLVE


def test_the_form_asks_again_only_about_a_blocker_of_an_earlier_round() -> None:
    open_one = blocker()
    assert still_blocking(open_one, 11) == open_one
    assert still_blocking(open_one, None) == open_one  # the round has no row yet
    assert still_blocking(open_one, 10) is None
    assert still_blocking(None, 11) is None
    assert still_blocking(blocker(status=BlockerStatus.RESOLVED), 11) is None


def test_a_prompt_carries_the_follow_up_once_and_only_for_an_earlier_round() -> None:
    wednesday = dt.date(2026, 12, 2)
    assert needs_follow_up(blocker(), wednesday)
    assert not needs_follow_up(blocker(), RAISED.date())
    assert not needs_follow_up(blocker(followed_up_at=RAISED), wednesday)
    assert not needs_follow_up(blocker(status=BlockerStatus.RESOLVED), wednesday)
    assert not needs_follow_up(None, wednesday)
    # Claimed by a prompt whose sender stopped before the outcome was known: that prompt,
    # sent again, still carries it; any other message does not.
    claimed = blocker(followed_up_at=RAISED, followed_up_by="prompt:1:U1:2026-12-02")
    assert needs_follow_up(claimed, wednesday, "prompt:1:U1:2026-12-02")
    assert not needs_follow_up(claimed, wednesday, "prompt:1:U1:2026-12-03")
    assert not needs_follow_up(claimed, wednesday)


def test_two_working_days_skip_the_weekend() -> None:
    settings = PackSettings()
    thursday = dt.date(2026, 12, 3)
    assert working_days_after(settings, thursday, 2) == dt.date(2026, 12, 7)  # Monday
    friday_raised = blocker(round_date=dt.date(2026, 12, 4))
    assert follow_up_day(settings, friday_raised) == dt.date(2026, 12, 8)  # Tuesday
    assert follow_up_day(settings, blocker()) == dt.date(2026, 12, 3)  # Tue -> Thu


def test_two_working_days_skip_holidays_and_days_without_check_ins() -> None:
    # Christmas and Boxing Day are German holidays: raised on Wednesday 23 December, the
    # second working day after is Monday 28.
    german = PackSettings(holiday_country="DE")
    assert working_days_after(german, dt.date(2026, 12, 23), 2) == dt.date(2026, 12, 28)
    own = PackSettings(holiday_dates=frozenset({dt.date(2026, 12, 2)}))
    assert working_days_after(own, dt.date(2026, 12, 1), 2) == dt.date(2026, 12, 4)
    mon_wed = PackSettings(checkin_days=frozenset({0, 2}))
    assert working_days_after(mon_wed, dt.date(2026, 12, 1), 2) == dt.date(2026, 12, 7)


def test_the_weeks_figures_count_raised_helped_resolved_and_the_median_time_open() -> None:
    start = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=7)
    found = [
        blocker(id=1, helpers=("UANA",), resolved_at=RAISED + dt.timedelta(days=1)),
        blocker(id=2, resolved_at=RAISED + dt.timedelta(days=3)),
        blocker(id=3, helpers=("UCY", "UANA")),
        # Raised the week before, resolved this week after 8 days.
        blocker(
            id=4,
            raised_at=RAISED - dt.timedelta(days=7),
            resolved_at=RAISED + dt.timedelta(days=1),
        ),
        # Raised and resolved before the week: not counted.
        blocker(
            id=5,
            raised_at=RAISED - dt.timedelta(days=9),
            resolved_at=RAISED - dt.timedelta(days=8),
        ),
    ]
    figures = week_figures(found, start, end)
    assert (figures.raised, figures.helped, figures.resolved) == (3, 2, 3)
    assert figures.typically_open == dt.timedelta(days=3)
    assert week_figures([blocker(id=6)], start, end).typically_open is None
    even = week_figures(found[:2], start, end)
    assert even.typically_open == dt.timedelta(days=2)


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (dt.timedelta(minutes=20), "under an hour"),
        (dt.timedelta(minutes=70), "1 hour"),
        (dt.timedelta(hours=5, minutes=10), "5 hours"),
        (dt.timedelta(hours=26), "1 day"),
        (dt.timedelta(days=2, hours=3), "2 days"),
    ],
)
def test_time_open_in_plain_words(span: dt.timedelta, words: str) -> None:
    assert open_for_words(span) == words


def test_the_follow_up_key_names_its_blocker_and_member_and_reads_back() -> None:
    key = DeliveryKey.blocker_follow_up(7, 42, "UBO")
    assert str(key) == "blocker-follow-up:7:42:UBO"
    assert DeliveryKey.parse(str(key)) == key
    assert key.kind is DueKind.BLOCKER_FOLLOW_UP and key.user_id == "UBO"
    with pytest.raises(ValueError, match="blocker"):
        DeliveryKey(DueKind.BLOCKER_FOLLOW_UP, 7, user_id="UBO")
    with pytest.raises(ValueError):
        DeliveryKey.parse("blocker-follow-up:7:x:UBO")
