"""The simulated calendar of tests/scheduler/test_calendar.py: scenarios drawn by hypothesis
(packs set up at any moment, members on the world's odd clocks, days away, their own working
hours, joining and leaving, the bot down for minutes to days) and their run against the real
tick, the real database and the fake Slack over HTTP, with what Slack received tick by tick."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from bot.core.checkins import AnswerInput
from bot.core.errors import UserError
from bot.core.hours import Hours
from bot.core.packs import Away, PackDraft, PackSettings, TimezoneMode
from bot.core.usecases import checkins, packs
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.fake_slack.workspace import Call
from bot.wiring import Wolfpack
from tests.conftest import TEAM, FixedClock

# The odd clocks: +5:45, +12:45 (+13:45 in summer), -9:30, and both sides of the date line
# (+14 and -11, a day apart at the same instant); then ordinary ones, with and without
# daylight saving, north and south, and Lord Howe's half-hour change.
ODD_ZONES = (
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Marquesas",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
)
ZONES = (
    *ODD_ZONES,
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Africa/Casablanca",
)
MINUTE = dt.timedelta(minutes=1)
# Runs start anywhere in these two years, so some cross a daylight-saving change.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPAN_MINUTES = 2 * 365 * 24 * 60


@dataclass(frozen=True)
class PackPlan:
    """A pack set up `at` minutes into the run with these members, the first its admin."""

    at: int
    settings: PackSettings
    members: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    """Something a member does `at` minutes into the run: joins or leaves a pack's channel,
    says they are away (from `days[0]` to `days[1]` days after their today) or back, or sets
    their own working hours (None: back to the pack's)."""

    at: int
    kind: str
    user: str
    pack: int = 0
    days: tuple[int, int] = (0, 0)
    hours: Hours | None = None


@dataclass(frozen=True)
class Scenario:
    start: dt.datetime
    minutes: int
    zones: dict[str, str]
    # Out of 100, how likely a member is to answer (or, one time in three, skip) a prompt.
    diligence: dict[str, int]
    packs: tuple[PackPlan, ...]
    events: tuple[Event, ...]
    # Seeds the gaps between ticks (see `gaps`).
    seed: int


# --- strategies ------------------------------------------------------------------------------

times = st.builds(
    dt.time,
    st.integers(0, 23),
    st.sampled_from([0, 0, 15, 30, 45]) | st.integers(0, 59),
)
day_sets = st.frozensets(st.integers(0, 6), min_size=1)


@st.composite
def pack_settings(draw: st.DrawFn, start: dt.date, days: int) -> PackSettings:
    holidays = st.integers(0, days).map(lambda n: start + dt.timedelta(days=n))
    return PackSettings(
        checkin_days=draw(st.sampled_from([frozenset(range(5)), frozenset(range(7))]) | day_sets),
        checkin_time=draw(times),
        timezone_mode=draw(st.sampled_from([TimezoneMode.MEMBER] * 2 + [TimezoneMode.PACK])),
        timezone=draw(st.sampled_from(ZONES)),
        reminder_minutes=draw(st.sampled_from([0, 30, 120]) | st.integers(0, 24 * 60)),
        late_limit_minutes=draw(
            st.sampled_from([180, 180, 180, 30, 600]) | st.integers(0, 24 * 60)
        ),
        summary_day=draw(st.integers(0, 6)),
        summary_time=draw(times),
        holiday_dates=draw(st.frozensets(holidays, max_size=3)),
    )


@st.composite
def own_hours(draw: st.DrawFn) -> Hours:
    start = draw(times)
    length = draw(st.sampled_from([8 * 60, 10 * 60]) | st.integers(60, 24 * 60))
    end = (dt.datetime.combine(dt.date.min, start) + dt.timedelta(minutes=length)).time()
    days = draw(st.none() | day_sets)
    # As a member types them, so that the command's parser reads them.
    return Hours.parse(str(Hours(start, end, days)))


@st.composite
def scenarios(draw: st.DrawFn, weeks: int) -> Scenario:
    minutes = weeks * 7 * 24 * 60
    start = EPOCH + draw(st.integers(0, SPAN_MINUTES)) * MINUTE
    count = draw(st.integers(2, 6))
    users = [f"U{i:02d}" for i in range(count)]
    zones = {u: draw(st.sampled_from(ZONES)) for u in users}
    diligence = {u: draw(st.sampled_from([0, 50, 90, 100])) for u in users}
    plans = []
    for i in range(draw(st.integers(1, 2))):
        chosen = draw(st.lists(st.sampled_from(users), min_size=1, max_size=count, unique=True))
        at = 0 if i == 0 else draw(st.integers(0, minutes // 2))
        settings = draw(pack_settings(start.date(), weeks * 7))
        plans.append(PackPlan(at, settings, tuple(chosen)))
    moments = st.integers(0, minutes)
    members = st.sampled_from(users)
    which = st.integers(0, len(plans) - 1)
    event = st.one_of(
        st.builds(Event, moments, st.sampled_from(["join", "leave"]), members, which),
        st.builds(
            Event,
            moments,
            st.just("away"),
            members,
            days=st.tuples(st.integers(-3, 14), st.integers(0, 10)),
        ),
        st.builds(Event, moments, st.just("back"), members),
        st.builds(Event, moments, st.just("hours"), members, hours=st.none() | own_hours()),
    )
    # Some members set their own hours from the start.
    early = st.builds(Event, st.just(0), st.just("hours"), members, hours=own_hours())
    events = draw(st.lists(early, max_size=2)) + draw(st.lists(event, max_size=14))
    return Scenario(
        start=start,
        minutes=minutes,
        zones=zones,
        diligence=diligence,
        packs=tuple(plans),
        events=tuple(sorted(events, key=lambda e: e.at)),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def gaps(rng: random.Random, minutes: int) -> list[int]:
    """Minutes between ticks: the bot up for a burst of ticks every few minutes to three
    hours, then down for minutes to days."""
    found: list[int] = []
    total = 0
    while total < minutes:
        step = rng.choice([5, 15, 30, 45, 60, 60, 90, 120, 180]) + rng.choice([0, 0, 0, 1, 7])
        for _ in range(rng.randint(3, 60)):
            found.append(step)
            total += step
        down = rng.choice([10, 60, 4 * 60, 13 * 60, 30 * 60, 3 * 24 * 60])
        found.append(rng.randint(down // 2, down))
        total += found[-1]
    return found


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Membership:
    active: bool
    joined_at: dt.datetime


@dataclass(frozen=True)
class State:
    """What the model says holds at a moment: memberships by (pack id, user), each member's
    own hours and days away."""

    members: dict[tuple[int, str], Membership]
    hours: dict[str, Hours | None]
    away: dict[str, Away | None]


@dataclass(frozen=True)
class Tick:
    at: dt.datetime
    calls: list[Call]
    state: State


@dataclass
class Run:
    """A scenario run: the packs by id (settings, set up when), the ticks and what Slack
    received in each."""

    scenario: Scenario
    settings: dict[int, PackSettings] = field(default_factory=dict)
    created: dict[int, dt.datetime] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)
    ticks: list[Tick] = field(default_factory=list)
    members: dict[tuple[int, str], Membership] = field(default_factory=dict)
    hours: dict[str, Hours | None] = field(default_factory=dict)
    away: dict[str, Away | None] = field(default_factory=dict)
    # Answers and skips given: when, to which pack, by whom, for which round.
    reactions: list[tuple[dt.datetime, int, str, dt.date]] = field(default_factory=list)

    def snapshot(self) -> State:
        copied = {k: Membership(m.active, m.joined_at) for k, m in self.members.items()}
        return State(copied, dict(self.hours), dict(self.away))


def simulate(scenario: Scenario, wolfpack: Wolfpack, fake: FakeSlack, clock: FixedClock) -> Run:
    run = Run(scenario)
    for user, zone in scenario.zones.items():
        fake.add_user(user, name=f"Member {user}", tz=zone)
    for i, plan in enumerate(scenario.packs):
        fake.add_channel(f"C{i}", name=f"pack-{i}", members=plan.members)
    pending: list[tuple[int, Any]] = [(p.at, (i, p)) for i, p in enumerate(scenario.packs)]
    pending += [(e.at, e) for e in scenario.events]
    pending.sort(key=lambda item: item[0])
    now = scenario.start
    end = scenario.start + scenario.minutes * MINUTE
    for gap in gaps(random.Random(scenario.seed), scenario.minutes):
        now += gap * MINUTE
        if now > end:
            break
        while pending and scenario.start + pending[0][0] * MINUTE <= now:
            at, what = pending.pop(0)
            clock.at = scenario.start + at * MINUTE
            _apply(run, wolfpack, what)
        clock.at = now
        before = len(fake.calls)
        wolfpack.ticker.tick(now)
        # Every call was answered before the tick returned: the record is complete.
        calls = fake.calls[before:]
        run.ticks.append(Tick(now, calls, run.snapshot()))
        _react(run, wolfpack, calls)
    assert fake.errors == [], fake.errors
    return run


def _apply(run: Run, wolfpack: Wolfpack, what: Any) -> None:
    ws = wolfpack.workspace(TEAM)
    now = ws.now()
    if isinstance(what, tuple):
        index, plan = what
        draft = PackDraft(
            f"C{index}",
            f"pack-{index}",
            plan.settings,
            plan.members,
            plan.members[:1],
            plan.members[0],
        )
        pack, created = packs.save_pack(ws, plan.members[0], draft)
        assert created
        run.settings[pack.id], run.created[pack.id] = plan.settings, now
        run.names[f"pack-{index}"] = pack.id
        for user in plan.members:
            run.members[(pack.id, user)] = Membership(True, now)
            run.hours.setdefault(user, None)
            run.away.setdefault(user, None)
        return
    event: Event = what
    pack_id = run.names.get(f"pack-{event.pack}")
    if event.kind in ("join", "leave"):
        if pack_id is None:
            return
        known = run.members.get((pack_id, event.user))
        if event.kind == "join":
            joined = packs.member_joined(ws, f"C{event.pack}", event.user)
            assert joined == (known is None or not known.active)
            if joined:
                run.members[(pack_id, event.user)] = Membership(True, now)
                run.hours.setdefault(event.user, None)
                run.away.setdefault(event.user, None)
        else:
            left = packs.member_left(ws, f"C{event.pack}", event.user)
            assert left == (known is not None and known.active)
            if known is not None:
                known.active = False
        return
    if event.user not in run.hours:
        return  # not known to the bot yet
    if event.kind == "away":
        today = now.astimezone(ZoneInfo(run.scenario.zones[event.user])).date()
        start = today + dt.timedelta(days=event.days[0])
        last = max(start + dt.timedelta(days=event.days[1]), today)
        run.away[event.user] = checkins.set_away(ws, event.user, str(start), str(last))
    elif event.kind == "back":
        assert checkins.back(ws, event.user) == (run.away[event.user] is not None)
        run.away[event.user] = None
    else:
        text = "default" if event.hours is None else str(event.hours)
        run.hours[event.user] = checkins.set_hours(ws, event.user, text)


def _react(run: Run, wolfpack: Wolfpack, calls: list[Call]) -> None:
    """Members answer (or skip) some of the prompts they just received, at once."""
    ws = wolfpack.workspace(TEAM)
    for call in calls:
        key = delivery_key(call)
        if key is None or not key.startswith("prompt:"):
            continue
        _, pack, user, day = key.split(":")
        roll = zlib.crc32(key.encode()) % 300
        if roll % 100 >= run.scenario.diligence[user]:
            continue
        try:
            if roll < 100:
                # The round skipped is the one open now, which need not be the prompt's.
                landed = checkins.skip(ws, int(pack), user).value
            else:
                landed = dt.date.fromisoformat(day)
                given = AnswerInput(texts={"progress": "Shipped", "focus": "Docs"}, alignment=4)
                checkins.submit(ws, int(pack), user, landed, given)
        except UserError:
            continue  # the round closed before they got to it
        run.reactions.append((ws.now(), int(pack), user, landed))


def delivery_key(call: Call) -> str | None:
    """The delivery key a scheduled message carries in its metadata (prompts, reminders and
    summaries), if any."""
    if call.method != "chat.postMessage":
        return None
    metadata = call.args.get("metadata")
    if not isinstance(metadata, dict):
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return key if isinstance(key, str) else None
