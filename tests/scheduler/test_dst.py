"""Prompts through real ticks, the real HTTP server and the fake Slack, across the weeks when
the US, the EU and New Zealand change their clocks on different dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SlackSide
from bot.store.models import DeliveryRow
from tests.conftest import ANA, BO, CY, DEE, SIGNING_SECRET, TEAM, FixedClock, Harness, start_bot
from tests.e2e.journey import setup_pack

UTC = dt.UTC
ZONES = {
    ANA: "Europe/Berlin",
    BO: "America/Los_Angeles",
    CY: "Asia/Kolkata",
    DEE: "Pacific/Auckland",
}
WINDOWS = [  # Friday to Tuesday around each change
    (dt.datetime(2026, 3, 6, tzinfo=UTC), dt.datetime(2026, 3, 10, tzinfo=UTC)),  # US, 8 Mar
    (dt.datetime(2026, 3, 27, tzinfo=UTC), dt.datetime(2026, 3, 31, tzinfo=UTC)),  # EU, 29 Mar
    (dt.datetime(2026, 4, 3, tzinfo=UTC), dt.datetime(2026, 4, 7, tzinfo=UTC)),  # NZ, 5 Apr
]


@pytest.fixture
def sqlite_bot(sqlite_url: str, fake_slack: FakeSlack, clock: FixedClock) -> Iterator[Harness]:
    clock.at = dt.datetime(2026, 3, 2, tzinfo=UTC)
    wolfpack = start_bot(sqlite_url, fake_slack, clock)
    server = wolfpack.serve_http().start()
    try:
        side = SlackSide(f"{server.url}/slack/events", SIGNING_SECRET, team_id=TEAM)
        yield Harness(wolfpack, fake_slack, side, clock)
    finally:
        wolfpack.close()


def expected(start: dt.datetime, end: dt.datetime) -> set[tuple[str, dt.datetime]]:
    found = set()
    for user, tz in ZONES.items():
        zone = ZoneInfo(tz)
        day = (start - dt.timedelta(days=1)).date()
        while day <= end.date() + dt.timedelta(days=1):
            at = dt.datetime.combine(day, dt.time(9, 30), tzinfo=zone)
            if day.weekday() < 5 and start <= at < end:
                found.add((user, at.astimezone(UTC)))
            day += dt.timedelta(days=1)
    return found


def test_prompts_stay_at_0930_local_through_clock_changes(sqlite_bot: Harness) -> None:
    h = sqlite_bot
    setup_pack(h, values={"members": list(ZONES), "reminder": "0"})
    want: set[tuple[str, dt.datetime]] = set()
    for start, end in WINDOWS:
        want |= expected(start, end)
        now = start
        while now < end:
            h.clock.at = now
            h.wolfpack.ticker.tick(now)
            now += dt.timedelta(minutes=30)
    with h.wolfpack.db.session() as s:
        rows = s.scalars(
            select(DeliveryRow).where(DeliveryRow.state == "sent", DeliveryRow.kind == "prompt")
        ).all()
        got = {(r.user_id, r.due_at) for r in rows}
        # Each prompt went out at the tick of its own due time, not later.
        assert all(r.updated_at == r.due_at for r in rows)
    assert got == want
    for user, at in got:
        local = at.astimezone(ZoneInfo(ZONES[user]))
        assert (local.hour, local.minute) == (9, 30) and local.weekday() < 5
    # One DM per prompt; each window holds two working-day mornings for everyone. (Nobody
    # answers, so Friday's weekly summary also tells each member privately they went quiet.)
    prompts = [
        m for u in ZONES for m in h.fake.messages(f"D{u}") if "check in" in m["text"].lower()
    ]
    assert len(prompts) == len(want) == 4 * 2 * 3
