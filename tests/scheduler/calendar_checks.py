"""What a simulated calendar run (tests/scheduler/calendar_world.py) must show: the invariants,
read from what Slack received tick by tick and from the delivery table, against a model of
working hours and rounds written here from their definitions, apart from the bot's own."""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.hours import DEFAULT_END, Hours
from bot.core.packs import Away, PackSettings, TimezoneMode
from bot.store.models import DeliveryRow
from bot.wiring import Wolfpack
from tests.scheduler.calendar_world import Run, State, delivery_key

DAY = dt.timedelta(days=1)
# The tick that delivered each prompt, by pack, member and round.
Delivered = dict[tuple[int, str | None, dt.date], int]
# "heard from 2 of 3", or "of the 2 members a check-in reached this week (3 in the pack)".
HEARD = re.compile(
    r"heard from (\d+) of (?:(\d+)|the (\d+) members a check-in reached this week "
    r"\((\d+) in the pack\))",
    re.IGNORECASE,
)
NOBODY_REACHED = "No check-in reached anyone this week"
STARTING = re.compile(r"Wolfpack is set up for .+?: no check-in has reached anyone yet")
EXPECTED = re.compile(r"(\d+) of (\d+) (?:expected )?check-ins answered")
# Summaries and notes name their week by its Monday ("week of 7 Dec"), never its ISO number.
WEEK_OF = r"week of ([0-9]{1,2} [A-Z][a-z]{2})"
LONE = re.compile(r"Just for you\S* · (.+?) · " + WEEK_OF)
MISSED = re.compile(r"missed \d+ of the last \d+ rounds \(([^)\n]*)")
WEEK = re.compile(r"Weekly consensus · .+? · " + WEEK_OF)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def iso_week(week_of: str, at: dt.datetime) -> str:
    """ "7 Dec", said at `at`, as its ISO week ("2026-W50"): the Monday of that day and month
    nearest to `at`."""
    day, month = week_of.split()
    mondays = [
        dt.date(year, MONTHS.index(month) + 1, int(day))
        for year in (at.year - 1, at.year, at.year + 1)
    ]
    monday = min(mondays, key=lambda d: abs(d - at.date()))
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# --- the model: working hours and rounds, from their definitions -----------------------------


def zone(settings: PackSettings, tz: str) -> ZoneInfo:
    return ZoneInfo(settings.timezone if settings.timezone_mode is TimezoneMode.PACK else tz)


def working_day(
    settings: PackSettings, own: Hours | None
) -> tuple[dt.time, dt.time, frozenset[int]]:
    """Start, end and days of a member's working hours: their own, or from the pack's check-in
    time to 18:00 (two hours from 16:00 on) on its check-in days."""
    if own is not None:
        return own.start, own.end, own.days or settings.checkin_days
    start = settings.checkin_time
    if start < dt.time(16, 0):
        return start, DEFAULT_END, settings.checkin_days
    end = (dt.datetime.combine(dt.date.min, start) + dt.timedelta(hours=2)).time()
    return start, end, settings.checkin_days


def inside_hours(settings: PackSettings, tz: str, own: Hours | None, at: dt.datetime) -> bool:
    """Whether the wall clock at `at` is inside a working day that starts on one of its days
    (today's, or yesterday's running past midnight)."""
    start, end, days = working_day(settings, own)
    wall = at.astimezone(zone(settings, tz)).replace(tzinfo=None)
    for back in (0, 1):
        day = wall.date() - back * DAY
        if day.weekday() not in days:
            continue
        opens = dt.datetime.combine(day, start)
        closes = dt.datetime.combine(day + DAY * (end <= start), end)
        if opens <= wall < closes:
            return True
    return False


def round_opens(settings: PackSettings, tz: str, own: Hours | None, day: dt.date) -> dt.datetime:
    """The check-in instant of `day`: the pack's time, or the start of the member's own hours
    that day when the pack's time is outside them."""
    wall = dt.datetime.combine(day, settings.checkin_time).replace(tzinfo=zone(settings, tz))
    if own is not None and not inside_hours(settings, tz, own, wall):
        wall = dt.datetime.combine(day, own.start).replace(tzinfo=wall.tzinfo)
    return wall.astimezone(dt.UTC).astimezone(wall.tzinfo)


def is_round(settings: PackSettings, own: Hours | None, away: Away | None, day: dt.date) -> bool:
    if day.weekday() not in settings.checkin_days or day in settings.holiday_dates:
        return False
    if own is not None and own.days is not None and day.weekday() not in own.days:
        return False
    return away is None or not away.covers(day)


# --- what was sent ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One chat.postMessage a tick made: to a member's DM (`user`) or a pack's channel."""

    tick: int
    at: dt.datetime
    state: State
    kind: str
    pack: int
    user: str | None
    key: str | None
    text: str
    blocks: str


def sent_by_ticks(run: Run) -> list[Sent]:
    users = set(run.scenario.zones)
    found = []
    for i, tick in enumerate(run.ticks):
        for call in tick.calls:
            if call.method != "chat.postMessage":
                continue
            channel = str(call.args.get("channel"))
            user = channel if channel in users else channel[1:] if channel[1:] in users else None
            key = delivery_key(call)
            text = str(call.args.get("text") or "")
            blocks = json.dumps(call.args.get("blocks") or [])
            if key is not None:
                kind, pack = key.split(":")[0], int(key.split(":")[1])
            else:
                lone = LONE.search(text)
                assert user is not None and lone is not None, f"a tick sent {channel}: {text}"
                kind, pack = "lone-wolf", run.names[lone[1]]
            assert (user is None) == (kind == "summary"), f"{kind} to {channel}"
            found.append(Sent(i, tick.at, tick.state, kind, pack, user, key, text, blocks))
    return found


# --- the invariants --------------------------------------------------------------------------


@dataclass
class Findings:
    """Broken invariants: `broken` must stay empty; `undelivered` lists the summary's figures
    and signals about rounds whose prompt never reached the member (see test_calendar)."""

    broken: list[str]
    undelivered: list[str]


def check(run: Run, wolfpack: Wolfpack) -> Findings:
    found = Findings([], [])
    sent = sent_by_ticks(run)
    _direct_messages(run, sent, found)
    _prompts(run, sent, found)
    _summaries(run, sent, found)
    _table(run, sent, wolfpack, found)
    return found


def _tz(run: Run, user: str) -> str:
    return run.scenario.zones[user]


def _owed_since(run: Run, state: State, pack: int, user: str) -> dt.datetime | None:
    """When the member began to be owed rounds, or None when they are no member at all."""
    member = state.members.get((pack, user))
    if member is None or not member.active:
        return None
    return max(run.created[pack], member.joined_at)


def _direct_messages(run: Run, sent: list[Sent], found: Findings) -> None:
    """1. No DM outside its recipient's working hours when it was sent, nor to anyone who is
    no member of its pack then."""
    for s in sent:
        if s.user is None:
            continue
        if _owed_since(run, s.state, s.pack, s.user) is None:
            found.broken.append(f"{s.kind} {s.key or s.pack} to {s.user} at {s.at}: no member")
        settings = run.settings[s.pack]
        if not inside_hours(settings, _tz(run, s.user), s.state.hours[s.user], s.at):
            local = s.at.astimezone(zone(settings, _tz(run, s.user)))
            found.broken.append(
                f"{s.kind} {s.key or s.pack} to {s.user} at {local:%a %Y-%m-%d %H:%M %Z}, "
                f"outside hours {s.state.hours[s.user] or 'of the pack'}"
            )


def _prompts(run: Run, sent: list[Sent], found: Findings) -> None:
    """2. One prompt per member and round; 3. a reminder only after its round's delivered
    prompt; 4. no prompt before the pack or the member, on a day away, or after they left."""
    counts = Counter(s.key for s in sent if s.kind in ("prompt", "reminder"))
    found.broken += [f"{key} sent {n} times" for key, n in counts.items() if n > 1]
    prompts = {s.key: s for s in sent if s.kind == "prompt"}
    for s in sent:
        if s.kind not in ("prompt", "reminder"):
            continue
        assert s.key is not None and s.user is not None
        _, _, _, day_text = s.key.split(":")
        day = dt.date.fromisoformat(day_text)
        settings = run.settings[s.pack]
        if s.kind == "reminder":
            prompt = prompts.get(s.key.replace("reminder:", "prompt:"))
            if prompt is None or prompt.tick >= s.tick:
                found.broken.append(f"{s.key} at {s.at} without a prompt delivered before it")
            elif s.at < prompt.at + dt.timedelta(minutes=settings.reminder_minutes):
                found.broken.append(f"{s.key} at {s.at}, sooner than the delay after {prompt.at}")
        since = _owed_since(run, s.state, s.pack, s.user)
        own = s.state.hours[s.user]
        if since is None:
            found.broken.append(f"{s.key} at {s.at}: not a member then")
        elif round_opens(settings, _tz(run, s.user), own, day) < since:
            found.broken.append(f"{s.key} at {s.at}: a round before {since} (pack or member)")
        if not is_round(settings, own, s.state.away[s.user], day):
            away = s.state.away[s.user]
            found.broken.append(f"{s.key} at {s.at}: no round that day (away {away})")


def _week_rounds(run: Run, s: Sent, user: str, start: dt.date, until: dt.datetime) -> set[dt.date]:
    """The rounds of `user` in the pack that opened from `start` to `until`, owed when `s` was
    sent."""
    settings, state = run.settings[s.pack], s.state
    since = _owed_since(run, state, s.pack, user)
    if since is None:
        return set()
    own, away, tz = state.hours[user], state.away[user], _tz(run, user)
    today = s.at.astimezone(zone(settings, tz)).date()
    days = (start + n * DAY for n in range((today - start).days + 1))
    return {
        d
        for d in days
        if is_round(settings, own, away, d) and since <= round_opens(settings, tz, own, d) <= until
    }


def _summaries(run: Run, sent: list[Sent], found: Findings) -> None:
    """5. The summary's figures and the lone-wolf signals count no round before the pack or
    the member, and (`undelivered`) none whose prompt never reached them; 6. one summary a
    pack and ISO week, none for a slot before the pack was set up."""
    delivered: Delivered = {
        (s.pack, s.user, dt.date.fromisoformat(s.key.split(":")[3])): s.tick
        for s in sent
        if s.kind == "prompt" and s.key is not None
    }
    weeks: Counter[tuple[int, str]] = Counter()
    notes: Counter[tuple[int, str | None, str]] = Counter()
    for s in sent:
        settings = run.settings[s.pack]
        if s.kind == "summary":
            assert s.key is not None
            reported = WEEK.search(s.text)
            if reported is None:
                # A pack nothing has reached yet gets a short note, no figures.
                assert STARTING.search(s.text) is not None, s.text
                weeks[(s.pack, s.key.split(":")[2])] += 1
                _starting(run, s, delivered, found)
                continue
            week = iso_week(reported[1], s.at)
            weeks[(s.pack, week)] += 1
            if week != s.key.split(":")[2]:
                found.broken.append(f"{s.key} sent at {s.at} reports week {week}")
            local = s.at.astimezone(ZoneInfo(settings.timezone))
            back = (local.weekday() - settings.summary_day) % 7
            slot = dt.datetime.combine(local.date() - back * DAY, settings.summary_time)
            slot = slot.replace(tzinfo=local.tzinfo)
            if slot > local:
                slot -= 7 * DAY
            if slot < run.created[s.pack]:
                found.broken.append(f"{s.key} at {s.at}: its slot {slot} is before the pack")
            _participation(run, s, delivered, found)
        elif s.kind == "lone-wolf":
            lone = LONE.search(s.text)
            assert lone is not None
            week = iso_week(lone[2], s.at)
            notes[(s.pack, s.user, week)] += 1
            # A note may wait days for its member's working hours, never for its summary.
            if (s.pack, week) not in weeks:
                found.broken.append(
                    f"lone wolf {s.user} of pack {s.pack} at {s.at} speaks of week {week}, "
                    "which has no summary yet"
                )
            _lone_wolf(run, s, delivered, found)
    found.broken += [
        f"{n} summaries of pack {p} report {w}" for (p, w), n in weeks.items() if n > 1
    ]
    found.broken += [
        f"{n} notes to {u} of pack {p} for {w}" for (p, u, w), n in notes.items() if n > 1
    ]


def _participation(run: Run, s: Sent, delivered: Delivered, found: Findings) -> None:
    """The figures of the week the summary reports, up to when it was sent or the week's end."""
    assert s.key is not None
    year, week = s.key.split(":")[2].split("-W")
    monday = dt.date.fromisocalendar(int(year), int(week), 1)
    ends = dt.datetime.combine(monday + 7 * DAY, dt.time()).replace(
        tzinfo=ZoneInfo(run.settings[s.pack].timezone)
    )
    heard, expected = HEARD.search(s.text), EXPECTED.search(s.blocks)
    members = [u for (p, u), m in s.state.members.items() if p == s.pack and m.active]
    if heard is None:
        assert NOBODY_REACHED.lower() in s.text.lower(), s.text
        heard_from, reached, in_pack = 0, 0, len(members)
    else:
        heard_from = int(heard[1])
        reached = int(heard[2] or heard[3])
        in_pack = int(heard[2] or heard[4])
    # The rounds each member answered or skipped this week, before the summary (members react
    # after the tick that reached them): they count whatever the prompts did.
    reacted = {
        (user, day)
        for at, pack, user, day in run.reactions
        if pack == s.pack and user in members and at < s.at and monday <= day < monday + 7 * DAY
    }
    if (heard_from, in_pack) != (len({u for u, _ in reacted}), len(members)) or not (
        heard_from <= reached <= in_pack
    ):
        found.broken.append(
            f"{s.key}: heard from {heard_from} of {reached} reached ({in_pack} in the pack), "
            f"{len(members)} members"
        )
    if expected is None:
        return
    answered, counted = int(expected[1]), int(expected[2])
    owed: set[tuple[str, dt.date]] = set()
    prompted: set[tuple[str, dt.date]] = set()
    for user in members:
        for day in _week_rounds(run, s, user, monday, min(s.at, ends)):
            owed.add((user, day))
            if delivered.get((s.pack, user, day), s.tick + 1) <= s.tick:
                prompted.add((user, day))
    if answered > counted or counted > len(owed | reacted):
        found.broken.append(f"{s.key}: {answered} of {counted} expected, {len(owed)} rounds owed")
    if counted > len(prompted | reacted):
        found.undelivered.append(
            f"{s.key}: {counted} check-ins expected, only {len(prompted)} rounds prompted"
        )


def _starting(run: Run, s: Sent, delivered: Delivered, found: Findings) -> None:
    """The note of a pack nothing has reached: no prompt of the pack was delivered before it,
    and nobody answered. (A tick sends summaries before prompts: a prompt of the same tick
    came after.)"""
    before = [k for k, tick in delivered.items() if k[0] == s.pack and tick < s.tick]
    answered = [r for r in run.reactions if r[1] == s.pack and r[0] < s.at]
    if before or answered:
        found.broken.append(
            f"{s.key} at {s.at}: a 'nothing reached yet' note after {len(before)} prompts and "
            f"{len(answered)} answers"
        )


def _lone_wolf(run: Run, s: Sent, delivered: Delivered, found: Findings) -> None:
    assert s.user is not None
    missed = MISSED.search(s.text)
    if missed is None:
        return
    days = [dt.date.fromisoformat(d) for d in DATE.findall(missed[1])]
    owed = _week_rounds(run, s, s.user, s.at.date() - 30 * DAY, s.at)
    strays = [str(d) for d in days if d not in owed]
    if strays:
        found.broken.append(f"lone wolf {s.user} of pack {s.pack} at {s.at}: not rounds {strays}")
    unprompted = [str(d) for d in days if delivered.get((s.pack, s.user, d), s.tick + 1) > s.tick]
    if unprompted:
        none = " (prompted for none)" if len(unprompted) == len(days) else ""
        found.undelivered.append(
            f"lone wolf {s.user} of pack {s.pack} at {s.at}: missed {len(days)} rounds, never "
            f"prompted for {', '.join(unprompted)}{none}"
        )


def _table(run: Run, sent: list[Sent], wolfpack: Wolfpack, found: Findings) -> None:
    """The delivery table and Slack agree: each prompt, reminder and summary recorded sent is
    in Slack once, and each one Slack has is recorded sent, at the tick that sent it."""
    with wolfpack.db.session() as session:
        rows = session.scalars(select(DeliveryRow)).all()
    recorded = {r.key: r for r in rows if r.state == "sent" and r.kind != "lone-wolf"}
    keyed = {s.key: s for s in sent if s.key is not None}
    for key in recorded.keys() - keyed.keys():
        found.broken.append(f"{key} recorded sent, never reached Slack")
    for key, s in keyed.items():
        row = recorded.get(key)
        if row is None:
            found.broken.append(f"{key} reached Slack at {s.at}, recorded {_state(rows, key)}")
        elif row.updated_at != s.at:
            found.broken.append(f"{key} reached Slack at {s.at}, recorded at {row.updated_at}")
    _planned(run, rows, keyed, found)


def _planned(
    run: Run, rows: Sequence[DeliveryRow], keyed: dict[str, Sent], found: Findings
) -> None:
    """7. A prompt is planned for its round's check-in time, inside its member's working hours
    as they were then, and sent neither before it nor past the pack's late limit; 8. a prompt
    or reminder is not missed when the bot ticked inside those hours before that limit."""
    states = {t.at: t.state for t in run.ticks}
    times = [t.at for t in run.ticks]
    for row in rows:
        if row.kind not in ("prompt", "reminder"):
            continue
        assert row.user_id is not None
        state, settings = states[row.created_at], run.settings[row.pack_id]
        own, tz = state.hours[row.user_id], _tz(run, row.user_id)
        if row.kind == "prompt" and row.due_at != round_opens(settings, tz, own, row.local_date):
            found.broken.append(f"{row.key} due at {row.due_at}, not its check-in time")
        if not inside_hours(settings, tz, own, row.due_at):
            local = row.due_at.astimezone(zone(settings, tz))
            found.broken.append(
                f"{row.key} due at {local:%a %Y-%m-%d %H:%M %Z}, outside hours "
                f"{own or 'of the pack'} ({row.state}, {row.last_error})"
            )
        s = keyed.get(row.key)
        late = dt.timedelta(minutes=settings.late_limit_minutes)
        if s is not None and not row.due_at <= s.at <= row.due_at + late:
            found.broken.append(f"{row.key} due at {row.due_at}, sent at {s.at}")
        if row.state == "missed":
            first = bisect.bisect_left(times, row.due_at)
            for tick in run.ticks[first : bisect.bisect_right(times, row.due_at + late)]:
                if _could_send(run, tick.state, row, tick.at):
                    found.broken.append(f"{row.key} missed, though the bot ticked at {tick.at}")
                    break


def _could_send(run: Run, state: State, row: DeliveryRow, at: dt.datetime) -> bool:
    """Whether a prompt or reminder could go at `at`: to an active member, on a day that is
    still one of their rounds, inside their working hours."""
    settings, user = run.settings[row.pack_id], row.user_id
    assert user is not None
    own, tz = state.hours[user], _tz(run, user)
    return (
        _owed_since(run, state, row.pack_id, user) is not None
        and is_round(settings, own, state.away[user], row.local_date)
        and inside_hours(settings, tz, own, at)
    )


def _state(rows: object, key: str) -> str:
    states = [r.state for r in rows if r.key == key]  # type: ignore[attr-defined]
    return states[0] if states else "nowhere"
