"""Ticks against the fake Slack over HTTP, with an injected clock: prompts by DM at each
member's 09:30, never twice, retried the way Slack asks, and missed when too late."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.core.delivery import TickReport
from bot.slack.notifier import UnexpectedAnswer
from bot.store.models import DeliveryRow
from tests.conftest import ANA, BO, CHANNEL, CY, SIGNING_SECRET, Harness, process_env
from tests.e2e.journey import GOOD_ANSWER, open_checkin, setup_pack

UTC = dt.UTC
# The whole pack on Berlin's clock: everyone's 09:30 is 08:30 UTC in December.
BERLIN_CLOCK = {"timezone_mode": "pack", "timezone": "Europe/Berlin"}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def prompts_to(h: Harness, user: str) -> list[dict]:
    """The prompts that reached the member's DM (failed attempts are not messages)."""
    return [m for m in h.fake.messages(f"D{user}") if "check in" in m.get("text", "").lower()]


def tick(h: Harness, when: str) -> TickReport:
    h.clock.at = at(when)
    return h.wolfpack.ticker.tick(h.clock.at)


def states(h: Harness) -> dict[str, tuple[str, str | None]]:
    with h.wolfpack.db.session() as s:
        return {r.key: (r.state, r.last_error) for r in s.scalars(select(DeliveryRow))}


def test_each_member_is_prompted_at_0930_local_once(bot: Harness) -> None:
    setup_pack(bot, values={"reminder": "0"})
    # Tue 1 Dec: 09:30 in Berlin is 08:30 UTC; in Kolkata 04:00 UTC; in Los Angeles 17:30 UTC.
    report = tick(bot, "2026-12-01T04:00:00+00:00")
    assert (report.sent, len(prompts_to(bot, CY)), len(prompts_to(bot, ANA))) == (1, 1, 0)
    report = tick(bot, "2026-12-01T08:29:00+00:00")
    assert report.sent == 0
    report = tick(bot, "2026-12-01T08:30:00+00:00")
    assert report.sent == 1 and len(prompts_to(bot, ANA)) == 1
    again = tick(bot, "2026-12-01T08:30:00+00:00")
    assert (again.queued, again.sent) == (0, 0)
    tick(bot, "2026-12-01T17:30:00+00:00")
    assert [len(prompts_to(bot, u)) for u in (ANA, BO, CY)] == [1, 1, 1]
    prompt = prompts_to(bot, BO)[0]
    labels = [
        e["text"]["text"] for b in prompt["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Check in", "Skip today", "I'm away…"]
    # Nothing reaches the channel: prompts and reminders are private.
    assert bot.fake.messages(CHANNEL) == []


def test_down_over_0930_back_at_1015_sends_back_at_1300_misses(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA], "reminder": "0"})
    report = tick(bot, "2026-12-01T10:15:00+01:00")
    assert report.sent == 1 and len(prompts_to(bot, ANA)) == 1
    report = tick(bot, "2026-12-02T13:00:00+01:00")
    assert (report.sent, report.missed) == (0, 1)
    assert len(prompts_to(bot, ANA)) == 1
    assert states(bot)[f"prompt:1:{ANA}:2026-12-02"] == ("missed", "too_late")


def test_rate_limits_server_errors_and_permanent_errors(bot: Harness) -> None:
    setup_pack(
        bot,
        values={**BERLIN_CLOCK, "members": [ANA, BO, CY], "reminder": "0"},
    )
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=2)
    bot.fake.fail_next("chat.postMessage", status=500, times=3)
    # What Slack answers a message addressed to a user it does not know.
    bot.fake.error_next("chat.postMessage", "channel_not_found")
    first = tick(bot, "2026-12-01T08:30:00+00:00")
    # Three members, one call each: the 429, then 500s, then channel_not_found, in queue order.
    assert first.sent + first.retrying + first.failed == 3
    for seconds in (3, 20, 50, 110, 240):
        tick(bot, f"2026-12-01T08:{30 + seconds // 60:02d}:{seconds % 60:02d}+00:00")
    final = states(bot)
    sent = [k for k, (state, _) in final.items() if state == "sent"]
    failed = {k: e for k, (state, e) in final.items() if state == "failed"}
    assert len(sent) == 2 and list(failed.values()) == ["channel_not_found"]
    for user in (ANA, BO, CY):
        assert len(prompts_to(bot, user)) <= 1
    calls_before = len(bot.fake.calls)
    tick(bot, "2026-12-01T09:30:00+00:00")
    assert len(bot.fake.calls) == calls_before


def test_no_prompt_after_answering_or_while_away(bot: Harness) -> None:
    setup_pack(
        bot,
        values={**BERLIN_CLOCK, "members": [ANA, BO], "reminder": "0"},
    )
    bot.clock.at = at("2026-12-01T07:00:00+00:00")
    bot.side.submit(open_checkin(bot, ANA), user=ANA, values=GOOD_ANSWER)
    bot.side.command("/checkin", "away 2026-12-01 2026-12-02", user=BO, channel=CHANNEL)
    report = tick(bot, "2026-12-01T08:30:00+00:00")
    assert (report.sent, report.queued) == (0, 1)
    assert prompts_to(bot, ANA) == [] and prompts_to(bot, BO) == []


def test_reminder_only_when_not_answered(bot: Harness) -> None:
    setup_pack(bot, values={**BERLIN_CLOCK, "members": [ANA, BO]})
    tick(bot, "2026-12-01T08:30:00+00:00")
    bot.side.submit(open_checkin(bot, ANA), user=ANA, values=GOOD_ANSWER)
    report = tick(bot, "2026-12-01T10:30:00+00:00")
    assert report.sent == 1
    reminders = [
        c.args
        for c in bot.fake.calls_to("chat.postMessage")
        if "reminder" in c.args.get("text", "")
    ]
    assert [r["channel"] for r in reminders] == [f"D{BO}"]


def test_wolfpack_tick_twice_sends_nothing_new(bot: Harness, database_url: str) -> None:
    setup_pack(bot, values={"members": [ANA], "reminder": "0"})
    env = process_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=bot.fake.url,
        DATABASE_URL=database_url,
    )

    def run() -> dict[str, int]:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "tick", "--now", "2026-12-01T09:45:00+01:00"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        lines = done.stdout.strip().splitlines()
        assert len(lines) == 1
        return json.loads(lines[0])

    first, second = run(), run()
    assert (first["queued"], first["sent"]) == (1, 1)
    assert (second["queued"], second["sent"], second["failed"]) == (0, 0, 0)
    assert len(prompts_to(bot, ANA)) == 1


def test_429_waits_the_retry_after_then_delivers_once(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA], "reminder": "0"})
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=2)
    assert tick(bot, "2026-12-01T08:30:00+00:00").retrying == 1
    calls = len(bot.fake.calls)
    assert tick(bot, "2026-12-01T08:30:01+00:00").sent == 0
    assert len(bot.fake.calls) == calls
    assert tick(bot, "2026-12-01T08:30:02+00:00").sent == 1
    assert len(prompts_to(bot, ANA)) == 1
    assert states(bot)[f"prompt:1:{ANA}:2026-12-01"] == ("sent", None)


def test_prompt_buttons_skip_and_away(bot: Harness) -> None:
    setup_pack(
        bot,
        values={**BERLIN_CLOCK, "members": [ANA, BO], "reminder": "0"},
    )
    tick(bot, "2026-12-01T08:30:00+00:00")
    prompt = prompts_to(bot, ANA)[0]
    reply, _ = bot.side.click(
        "prompt_skip", "1:2026-12-01", user=ANA, channel=f"D{ANA}", message_ts=prompt["ts"]
    )
    assert reply.status == 200
    assert bot.fake.messages(f"D{ANA}")[0]["text"] == "Skipped Tue 1 Dec. See you next round."
    bot.fake.wait_for(lambda f: "1 skipped" in json.dumps(f.messages(CHANNEL)))

    bot.side.click("prompt_away", "1", user=BO, channel=f"D{BO}")
    view = bot.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "away"
    bad = bot.side.submit(
        view, user=BO, values={"away_start": "2026-12-10", "away_end": "2026-12-03"}
    )
    assert bad.json()["response_action"] == "errors"
    assert "ends before it starts" in bad.json()["errors"]["away_end"]
    good = bot.side.submit(
        view, user=BO, values={"away_start": "2026-12-02", "away_end": "2026-12-04"}
    )
    assert good.json()["response_action"] == "update"
    report = tick(bot, "2026-12-02T08:30:00+00:00")
    # Bo is away from the 2nd: only his prompt of the 1st; Ana's first prompt now says skipped.
    assert len(prompts_to(bot, BO)) == 1 and len(bot.fake.messages(f"D{ANA}")) == 2
    assert report.sent == 1


def test_profiles_are_read_again_daily(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO], "reminder": "0"})
    bot.fake.add_user(BO, name="Bo", tz="Asia/Tokyo")
    tick(bot, "2026-12-01T12:00:00+00:00")
    assert "Asia/Tokyo" not in json.dumps(
        bot.side.command("/wolfpack", "members", user=ANA, channel=CHANNEL)[0].message()
    )
    tick(bot, "2026-12-02T10:01:00+00:00")
    listing = json.dumps(
        bot.side.command("/wolfpack", "members", user=ANA, channel=CHANNEL)[0].message()
    )
    assert "Asia/Tokyo" in listing


def _abandon_claims(h: Harness, now: dt.datetime) -> list:
    """What a sender that died after claiming leaves behind: claimed rows, outcome unknown."""
    with h.wolfpack.db.transaction("T0001") as tx:
        return tx.deliveries.claim(now, now + dt.timedelta(minutes=2), 100)


def test_a_send_whose_sender_died_is_found_in_slack_not_sent_again(bot: Harness) -> None:
    setup_pack(
        bot,
        values={**BERLIN_CLOCK, "members": [ANA, BO], "reminder": "0"},
    )
    now = at("2026-12-01T08:30:00+00:00")
    bot.wolfpack.ticker.plan("T0001", now, TickReport())
    claimed = {d.due.user_id: d for d in _abandon_claims(bot, now)}
    assert set(claimed) == {ANA, BO} and not any(d.uncertain for d in claimed.values())
    # Ana's message reached Slack before the sender died; Bo's did not.
    with bot.wolfpack.db.transaction("T0001") as tx:
        pack = tx.packs.all()[0]
        ana = tx.people.get(ANA)
    assert ana is not None
    bot.wolfpack.workspace("T0001").notifier.send_prompt(
        pack, ana, dt.date(2026, 12, 1), reminder=False, key=claimed[ANA].due.key
    )
    # Still claimed: nobody touches the rows.
    assert tick(bot, "2026-12-01T08:31:00+00:00").sent == 0
    report = tick(bot, "2026-12-01T08:33:00+00:00")
    assert report.sent == 2
    assert len(prompts_to(bot, ANA)) == 1 and len(prompts_to(bot, BO)) == 1
    ts = prompts_to(bot, ANA)[0]["ts"]
    with bot.wolfpack.db.session() as s:
        row = s.scalars(
            select(DeliveryRow).where(DeliveryRow.key == str(claimed[ANA].due.key))
        ).one()
        assert (row.state, row.message_ts, row.in_flight) == ("sent", ts, False)
    # Ana's DM channel was not known when her prompt went out: the search found it, and it is
    # stored for her next prompt.
    assert dm_channel(bot, ANA) == f"D{ANA}"


def dm_channel(h: Harness, user: str) -> str | None:
    with h.wolfpack.db.transaction("T0001") as tx:
        person = tx.people.get(user)
    assert person is not None
    return person.dm_channel


def prompt_channels(h: Harness, user: str) -> list[str]:
    """Where each prompt to the member was addressed, in order."""
    return [
        str(c.args["channel"])
        for c in h.fake.calls_to("chat.postMessage")
        if c.args.get("metadata") and c.args.get("channel") in (user, f"D{user}", "DGONE")
    ]


def test_the_first_prompt_goes_to_the_user_id_and_later_ones_to_the_dm_slack_named(
    bot: Harness,
) -> None:
    setup_pack(bot, values={"members": [ANA], "reminder": "0"})
    opens = len(bot.fake.calls_to("conversations.open"))
    assert tick(bot, "2026-12-01T08:30:00+00:00").sent == 1
    assert dm_channel(bot, ANA) == f"D{ANA}"
    assert tick(bot, "2026-12-02T08:30:00+00:00").sent == 1
    assert prompt_channels(bot, ANA) == [ANA, f"D{ANA}"]
    assert len(prompts_to(bot, ANA)) == 2
    # One call a prompt: no DM is ever opened to send one.
    assert len(bot.fake.calls_to("conversations.open")) == opens

    # A stored channel Slack no longer knows: the prompt goes to the user ID again, and the
    # channel Slack answers with replaces the stored one.
    with bot.wolfpack.db.transaction("T0001") as tx:
        tx.people.set_dm_channel(ANA, "DGONE")
    assert tick(bot, "2026-12-03T08:30:00+00:00").sent == 1
    assert prompt_channels(bot, ANA)[2:] == ["DGONE", ANA]
    assert dm_channel(bot, ANA) == f"D{ANA}"
    assert len(prompts_to(bot, ANA)) == 3


def test_sends_are_recorded_even_when_a_later_send_raises(bot: Harness) -> None:
    """Sent prompts are recorded several at a time; a send that raises something unexpected
    ends the tick, and what went out before it is recorded all the same."""
    setup_pack(bot, values={**BERLIN_CLOCK, "members": [ANA, BO, CY], "reminder": "0"})
    # Slack answers the third prompt `ok` without the message's ts: not a Slack error the
    # notifier knows, so it raises out of the tick as a bug would.
    bot.fake.answer_next("chat.postMessage", {"ok": True}, after=2)
    with pytest.raises(UnexpectedAnswer):
        tick(bot, "2026-12-01T08:30:00+00:00")
    final = {k: v for k, v in states(bot).items() if k.endswith(":2026-12-01")}
    assert sorted(state for state, _ in final.values()) == ["pending", "sent", "sent"]
    sent = [c.args["channel"] for c in bot.fake.calls_to("chat.postMessage")]
    assert len(sent) == 3
    for user in sent[:2]:
        assert final[f"prompt:1:{user}:2026-12-01"] == ("sent", None)
        assert dm_channel(bot, user) == f"D{user}"
    # The third stays claimed and in flight: once its claim runs out, its next sender looks
    # in Slack first, finds nothing, and sends it.
    assert tick(bot, "2026-12-01T08:31:00+00:00").sent == 0
    assert tick(bot, "2026-12-01T08:33:00+00:00").sent == 1
    assert [len(prompts_to(bot, u)) for u in (ANA, BO, CY)] == [1, 1, 1]


def test_holidays_from_the_setup_form(bot: Harness) -> None:
    ack = setup_pack(bot, values={"holiday_country": "XX", "holiday_dates": "2026-12-31 tomorrow"})
    assert set(ack["errors"]) == {"holiday_country", "holiday_dates"}
    view = bot.fake.calls_to("views.update")[-1].args["view"]
    ack = bot.side.submit(
        view,
        user=ANA,
        values={
            "members": [ANA],
            "reminder": "0",
            "holiday_country": "de",
            "holiday_dates": "2026-12-28\n2026-12-29",
        },
    ).json()
    assert ack["response_action"] == "update"
    # Thu 24 Dec is a working day in Germany; Fri 25 Dec a public holiday; Mon 28 and Tue 29
    # the pack's own days off; Wed 30 a working day again.
    for day in ("24", "25", "28", "29", "30"):
        tick(bot, f"2026-12-{day}T09:31:00+01:00")
    dates = sorted(json.dumps(m["blocks"]) for m in prompts_to(bot, ANA))
    assert len(prompts_to(bot, ANA)) == 2
    assert all("Dec" in d for d in dates)
    with bot.wolfpack.db.session() as s:
        keys = sorted(r.key for r in s.scalars(select(DeliveryRow)) if r.state == "sent")
    assert keys == [f"prompt:1:{ANA}:2026-12-24", f"prompt:1:{ANA}:2026-12-30"]


def test_a_pack_set_up_on_a_saturday_is_owed_nothing_from_before_it(bot: Harness) -> None:
    """Set up on Saturday 5 Dec at 11:00 in Berlin, after Friday's 16:00 summary slot: the
    first tick posts no summary of the week before, prompts nobody for Thursday or Friday and
    records nothing as missed; Monday's rounds are the first, each member's at their own
    09:30."""
    bot.clock.at = at("2026-12-05T10:00:00+00:00")
    setup_pack(bot, values={"members": [ANA, BO, CY], "reminder": "0"}, before=dt.timedelta(0))
    first = tick(bot, "2026-12-05T10:01:00+00:00")
    assert (first.queued, first.sent, first.missed) == (0, 0, 0)
    assert states(bot) == {}
    assert not [m for m in bot.fake.messages(CHANNEL) if "summary" in m.get("text", "").lower()]
    assert [len(prompts_to(bot, u)) for u in (ANA, BO, CY)] == [0, 0, 0]
    # Kolkata's 09:30 is 04:00 UTC, Berlin's 08:30, Los Angeles' 17:30.
    for when in ("04:01", "08:31", "17:31"):
        report = tick(bot, f"2026-12-07T{when}:00+00:00")
        assert (report.sent, report.missed) == (1, 0), when
    assert [len(prompts_to(bot, u)) for u in (ANA, BO, CY)] == [1, 1, 1]
