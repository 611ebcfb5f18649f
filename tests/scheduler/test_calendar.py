"""A year in the calendar, simulated: packs set up at any moment of any weekday, members on
every kind of clock (Kathmandu's +5:45, Chatham's +12:45, the Marquesas' -9:30, Kiritimati's
+14 and Pago Pago's -11 on either side of the date line, daylight saving north and south),
days away, their own working hours, members joining and leaving, and the bot down for minutes
to days between ticks; the real tick, database (SQLite) and fake Slack over HTTP, weeks of
simulated time. What Slack received must show:

1. no direct message outside its recipient's working hours at the moment it was sent, nor to
   anyone who was no member of its pack then;
2. at most one prompt per member and round;
3. no reminder without its round's prompt delivered before it (by the reminder delay);
4. no prompt for a round before the pack existed or the member joined, on a day they were
   away or a holiday, or once they had left;
5. no figure or signal in a weekly summary ("heard from X of Y", expected check-ins) or a
   lone-wolf DM ("missed N of the last M rounds") about a round before the pack or the member
   existed;
6. one weekly summary at most per pack and ISO week, reporting the week of its slot, none for
   a slot before the pack; a lone-wolf DM speaks of a week already summarised, once;
7. a prompt is planned for its round's check-in time, inside its member's working hours, and
   sent neither before that nor past the pack's late limit;
8. no prompt or reminder is missed when the bot ticked inside its member's working hours
   before the late limit;
and the delivery table agrees with what Slack received, tick by tick.

The default run is the same cases on every run (derandomized), with two kept ones (below). A
longer, random one:

    WOLFPACK_CALENDAR_EXAMPLES=60 WOLFPACK_CALENDAR_WEEKS=12 \\
        python -m pytest --no-cov -p no:cacheprovider -q -s tests/scheduler/test_calendar.py

`-s` shows how many cases and simulated weeks ran. A failing case is printed, not shrunk (each
one is seconds of ticking), as a Scenario to keep with `@example`; add `Phase.shrink` to the
phases below to look for a smaller one.

Two more things are checked and reported as an expected failure until they hold: the
summary's expected check-ins and the lone-wolf "missed" signals count no round whose prompt
never reached the member (the bot was down past the late limit, the member's working hours
were over, or the round was never planned).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, example, given, settings

from bot.core.hours import Hours
from bot.core.packs import PackSettings, TimezoneMode
from bot.devtools.fake_slack import FakeSlack
from tests.conftest import TEAM, FixedClock, start_bot
from tests.scheduler.calendar_checks import check
from tests.scheduler.calendar_world import Event, PackPlan, Scenario, scenarios, simulate

EXAMPLES = int(os.environ.get("WOLFPACK_CALENDAR_EXAMPLES", "0"))
WEEKS = int(os.environ.get("WOLFPACK_CALENDAR_WEEKS", "6"))
SHOWN = 12
TWO_WEEKS = 14 * 24 * 60

# Cases the generator once found, kept: a night shift (22:00-10:00) whose Monday 09:30 check-in
# falls in Sunday's night, which is no working night; and a pack whose bot is down over its
# Sunday summary until the Monday after (seed 371 gives that downtime).
NIGHT_SHIFT = Scenario(
    start=dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC),
    minutes=TWO_WEEKS,
    zones={"U00": "Asia/Kolkata", "U01": "Pacific/Chatham"},
    diligence={"U00": 0, "U01": 100},
    packs=(PackPlan(0, PackSettings(reminder_minutes=0), ("U00", "U01")),),
    events=(Event(0, "hours", "U00", hours=Hours.parse("22:00-10:00 mon-fri")),),
    seed=0,
)
LATE_SUMMARY = Scenario(
    start=dt.datetime(2026, 1, 1, 11, 58, tzinfo=dt.UTC),
    minutes=TWO_WEEKS,
    zones={"U00": "Pacific/Chatham"},
    diligence={"U00": 90},
    packs=(
        PackPlan(
            0,
            PackSettings(
                checkin_days=frozenset({6}),
                checkin_time=dt.time(18, 30),
                timezone_mode=TimezoneMode.PACK,
                timezone="Australia/Sydney",
                reminder_minutes=212,
                summary_day=6,
                summary_time=dt.time(18, 21),
                late_limit_minutes=600,
            ),
            ("U00",),
        ),
    ),
    events=(),
    seed=371,
)


def test_a_year_in_the_calendar_keeps_every_promise(tmp_path: Path, sqlite_template: Path) -> None:
    totals = {"cases": 0, "weeks": 0.0, "ticks": 0, "messages": 0, "answers": 0}
    started = time.monotonic()

    @settings(
        max_examples=EXAMPLES or 10,
        deadline=None,
        derandomize=not EXAMPLES,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenario=scenarios(WEEKS))
    @example(scenario=NIGHT_SHIFT)
    @example(scenario=LATE_SUMMARY)
    def run_one(scenario: Scenario) -> None:
        case = tmp_path / f"case{totals['cases']}.db"
        shutil.copy(sqlite_template, case)
        clock = FixedClock(scenario.start)
        with FakeSlack(team_id=TEAM, bot_user_id="UBOT") as fake:
            wolfpack = start_bot(f"sqlite:///{case}", fake, clock)
            try:
                run = simulate(scenario, wolfpack, fake, clock)
                found = check(run, wolfpack)
            finally:
                wolfpack.close()
        case.unlink()
        totals["cases"] += 1
        totals["weeks"] += scenario.minutes / (7 * 24 * 60)
        totals["ticks"] += len(run.ticks)
        totals["messages"] += sum(len(t.calls) for t in run.ticks)
        totals["answers"] += len(run.reactions)
        # Figures and signals about rounds whose prompt never reached the member.
        assert not found.undelivered, "\n".join(found.undelivered[:SHOWN])
        assert not found.broken, "\n".join(found.broken[:SHOWN])

    run_one()
    print(
        f"\ncalendar: {totals['cases']} cases, {totals['weeks']:.0f} simulated weeks ({WEEKS} a "
        f"generated case), {totals['ticks']} ticks, {totals['messages']} Slack calls, "
        f"{totals['answers']} answers, {time.monotonic() - started:.0f} s"
    )
