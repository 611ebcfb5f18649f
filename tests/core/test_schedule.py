import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.core.packs import Away, PackSettings, Person, TimezoneMode
from bot.core.schedule import current_round_date, local_checkin_at, next_checkin_at

UTC = dt.UTC
ZONES = ["America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland"]


def person(tz: str, away: Away | None = None) -> Person:
    return Person("U1", "Ana", tz, away=away)


def test_checkin_stays_at_0930_local_across_daylight_saving_changes() -> None:
    settings = PackSettings()
    # US changes on 8 March 2026, the EU on 29 March, New Zealand on 5 April.
    for tz in ZONES:
        zone = ZoneInfo(tz)
        day = dt.date(2026, 3, 2)
        while day < dt.date(2026, 4, 20):
            at = local_checkin_at(settings, person(tz), day)
            local = at.astimezone(zone)
            assert (local.date(), local.hour, local.minute) == (day, 9, 30), (tz, day)
            day += dt.timedelta(days=1)


def test_next_checkin_skips_weekends_of_the_members_own_zone() -> None:
    settings = PackSettings()
    # Friday 21:00 UTC is already Saturday 10:00 in Auckland: its next check-in is Monday.
    now = dt.datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
    nxt = next_checkin_at(settings, person("Pacific/Auckland"), now)
    assert nxt is not None
    local = nxt.astimezone(ZoneInfo("Pacific/Auckland"))
    assert local.weekday() == 0 and (local.hour, local.minute) == (9, 30)
    # In Los Angeles it is still Friday 13:00: next is Monday too, not Saturday.
    nxt_la = next_checkin_at(settings, person("America/Los_Angeles"), now)
    assert nxt_la is not None and nxt_la.astimezone(ZoneInfo("America/Los_Angeles")).weekday() == 0


def test_next_checkin_skips_away_days() -> None:
    settings = PackSettings()
    now = dt.datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday
    away = Away(dt.date(2026, 12, 1), dt.date(2026, 12, 7))
    nxt = next_checkin_at(settings, person("Europe/Berlin", away), now)
    assert nxt is not None and nxt.astimezone(ZoneInfo("Europe/Berlin")).date() == dt.date(
        2026, 12, 8
    )


def test_pack_timezone_mode_uses_the_pack_clock() -> None:
    settings = PackSettings(timezone_mode=TimezoneMode.PACK, timezone="Europe/Berlin")
    now = dt.datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    nxt = next_checkin_at(settings, person("Asia/Kolkata"), now)
    assert nxt == dt.datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def test_current_round_is_the_latest_checkin_day() -> None:
    settings = PackSettings()
    saturday = dt.datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert current_round_date(settings, person("Europe/Berlin"), saturday) == dt.date(2026, 12, 4)
    tuesday = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert current_round_date(settings, person("Europe/Berlin"), tuesday) == dt.date(2026, 12, 1)
    # 23:30 UTC Tuesday is already Wednesday in Auckland.
    late = dt.datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert current_round_date(settings, person("Pacific/Auckland"), late) == dt.date(2026, 12, 2)


@given(
    st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2030, 12, 31)),
    st.sampled_from(ZONES),
    st.frozensets(st.integers(0, 6), min_size=1),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_next_checkin_is_after_now_on_a_checkin_day(
    naive: dt.datetime, tz: str, days: frozenset[int], at: dt.time
) -> None:
    settings = PackSettings(checkin_days=days, checkin_time=at)
    now = naive.replace(tzinfo=UTC)
    nxt = next_checkin_at(settings, person(tz), now)
    assert nxt is not None
    assert nxt > now
    assert nxt - now <= dt.timedelta(days=8)
    assert nxt.astimezone(ZoneInfo(tz)).weekday() in days
