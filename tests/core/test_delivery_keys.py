"""Delivery keys: written exactly as the queue has always stored them, and read back from
exactly those strings and nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.schedule import DeliveryKey, DueKind, IsoWeek

ids = st.integers(min_value=0, max_value=2**63 - 1)
user_ids = st.one_of(
    st.from_regex(r"[UW][A-Z0-9]{2,12}", fullmatch=True),
    st.text(st.characters(blacklist_characters=":"), min_size=1, max_size=20),
)
days = st.dates()
# Years that have a week 53 (a Thursday on 1 January, or a Wednesday in a leap year).
week_53 = (
    st.integers(min_value=1, max_value=9998)
    .filter(lambda year: dt.date(year, 12, 28).isocalendar()[1] == 53)
    .map(lambda year: IsoWeek(year, 53))
)
weeks = st.one_of(days.map(IsoWeek.of), week_53)

keys = st.one_of(
    st.builds(DeliveryKey.prompt, ids, user_ids, days),
    st.builds(DeliveryKey.reminder, ids, user_ids, days),
    st.builds(DeliveryKey.summary, ids, weeks),
    st.builds(DeliveryKey.proposal_reminder, ids, ids, user_ids),
    st.builds(DeliveryKey.proposal_close, ids, ids),
    st.builds(DeliveryKey.lone_wolf, ids, user_ids, weeks),
)


@given(keys)
def test_a_key_reads_back_as_itself(key: DeliveryKey) -> None:
    assert DeliveryKey.parse(str(key)) == key


@given(ids, ids, user_ids, days, weeks)
def test_keys_are_written_as_they_always_were(
    pack_id: int, proposal_id: int, user_id: str, day: dt.date, week: IsoWeek
) -> None:
    # The strings the schedule and the tick built by hand before keys had a type.
    year, number = week.year, week.week
    assert [
        str(DeliveryKey.prompt(pack_id, user_id, day)),
        str(DeliveryKey.reminder(pack_id, user_id, day)),
        str(DeliveryKey.summary(pack_id, week)),
        str(DeliveryKey.proposal_reminder(pack_id, proposal_id, user_id)),
        str(DeliveryKey.proposal_close(pack_id, proposal_id)),
        str(DeliveryKey.lone_wolf(pack_id, user_id, week)),
    ] == [
        f"{DueKind.PROMPT.value}:{pack_id}:{user_id}:{day.isoformat()}",
        f"{DueKind.REMINDER.value}:{pack_id}:{user_id}:{day.isoformat()}",
        f"summary:{pack_id}:{year}-W{number:02d}",
        f"{DueKind.PROPOSAL_REMINDER.value}:{pack_id}:{proposal_id}:{user_id}",
        f"{DueKind.PROPOSAL_CLOSE.value}:{pack_id}:{proposal_id}",
        f"{DueKind.LONE_WOLF.value}:{pack_id}:{user_id}:{year}-W{number:02d}",
    ]


# Keys as they are in the queues of running installations.
STORED = [
    ("prompt:1:UANA:2026-12-01", DeliveryKey.prompt(1, "UANA", dt.date(2026, 12, 1))),
    (
        "reminder:12:U024BE7LH:2026-03-29",
        DeliveryKey.reminder(12, "U024BE7LH", dt.date(2026, 3, 29)),
    ),
    ("summary:3:2026-W49", DeliveryKey.summary(3, IsoWeek(2026, 49))),
    ("summary:3:2027-W01", DeliveryKey.summary(3, IsoWeek(2027, 1))),
    ("summary:3:2026-W53", DeliveryKey.summary(3, IsoWeek(2026, 53))),
    ("proposal-reminder:4:17:UCY", DeliveryKey.proposal_reminder(4, 17, "UCY")),
    ("proposal-close:4:17", DeliveryKey.proposal_close(4, 17)),
    ("lone-wolf:2:UBO:2026-W48", DeliveryKey.lone_wolf(2, "UBO", IsoWeek(2026, 48))),
]


@pytest.mark.parametrize(("text", "key"), STORED, ids=[t for t, _ in STORED])
def test_stored_keys_read_as_their_parts(text: str, key: DeliveryKey) -> None:
    parsed = DeliveryKey.parse(text)
    assert parsed == key and str(parsed) == text


def test_each_kind_names_what_it_needs() -> None:
    day = dt.date(2026, 12, 1)
    prompt = DeliveryKey.parse("prompt:1:UANA:2026-12-01")
    assert (prompt.kind, prompt.pack_id, prompt.user_id, prompt.day) == (
        DueKind.PROMPT,
        1,
        "UANA",
        day,
    )
    assert (prompt.week, prompt.proposal_id) == (None, None)
    reminder = DeliveryKey.parse("proposal-reminder:4:17:UCY")
    assert (reminder.kind, reminder.pack_id, reminder.proposal_id, reminder.user_id) == (
        DueKind.PROPOSAL_REMINDER,
        4,
        17,
        "UCY",
    )
    closing = DeliveryKey.parse("proposal-close:4:17")
    assert (closing.proposal_id, closing.user_id) == (17, None)
    wolf = DeliveryKey.parse("lone-wolf:2:UBO:2026-W48")
    assert (wolf.kind, wolf.user_id, wolf.week) == (DueKind.LONE_WOLF, "UBO", IsoWeek(2026, 48))


@pytest.mark.parametrize(
    "text",
    [
        "",
        ":",
        "prompt",
        "prompt:1",
        "prompt:1:UANA",
        "prompt:1:UANA:2026-12-01:extra",
        "prompt:1::2026-12-01",
        "nudge:1:UANA:2026-12-01",
        "PROMPT:1:UANA:2026-12-01",
        "proposal_close:4:17",
        "prompt:x:UANA:2026-12-01",
        "prompt:-1:UANA:2026-12-01",
        "prompt:+1:UANA:2026-12-01",
        "prompt:01:UANA:2026-12-01",
        "prompt: 1:UANA:2026-12-01",
        "prompt:1:UANA:2026-13-01",
        "prompt:1:UANA:2026-02-30",
        "prompt:1:UANA:20261201",
        "prompt:1:UANA:2026-12-1",
        "prompt:1:UANA:2026-W49",
        "reminder:1:UANA:2026-12-01T09:30",
        "summary:3:2026-12-04",
        "summary:3:2025-W53",
        "summary:3:2026-W00",
        "summary:3:2026-W1",
        "summary:3:2026-w49",
        "summary:3:02026-W49",
        "summary:3:2026-W49:UANA",
        "proposal-close:4:x",
        "proposal-close:4:17.0",
        "proposal-close:4:1_7",
        "proposal-close:4:\u0663",
        "proposal-close:4:17:UCY",
        "proposal-reminder:4:17",
        "proposal-reminder:4:UCY:17",
        "lone-wolf:2:UBO:2026-12-01",
        "lone-wolf:2:UBO",
        "lone-wolf:2:2026-W48",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        DeliveryKey.parse(text)


@pytest.mark.parametrize(
    "build",
    [
        lambda: DeliveryKey(DueKind.PROMPT, 1),
        lambda: DeliveryKey(DueKind.PROPOSAL_CLOSE, 1, proposal_id=2, user_id="U1"),
        lambda: DeliveryKey.prompt(1, "U:1", dt.date(2026, 12, 1)),
        lambda: DeliveryKey.prompt(1, "", dt.date(2026, 12, 1)),
        lambda: DeliveryKey.prompt(-1, "U1", dt.date(2026, 12, 1)),
        lambda: DeliveryKey.prompt(1, "U1", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)),
        lambda: DeliveryKey.proposal_close(1, -2),
        lambda: DeliveryKey.proposal_close(True, 2),
        lambda: IsoWeek(2025, 53),
        lambda: IsoWeek(2026, 0),
    ],
)
def test_a_key_that_could_not_be_read_back_is_never_made(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()


def test_the_iso_week_of_a_day() -> None:
    assert IsoWeek.of(dt.date(2027, 1, 1)) == IsoWeek(2026, 53)
    assert IsoWeek.of(dt.date(2024, 12, 30)) == IsoWeek(2025, 1)
    assert str(IsoWeek(2026, 5)) == "2026-W05"
