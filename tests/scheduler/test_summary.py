"""The weekly consensus summary through the tick: posted once per pack at the pack's time with
its chart, within Slack's limits, escaped, anonymous, and each lone wolf told privately."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import select

from bot.core.checkins import AnswerInput, AnswerStatus
from bot.core.delivery import TickReport
from bot.core.statements import VoteValue
from bot.core.usecases import summary as summaries
from bot.devtools.simulate import Value
from bot.store.models import DeliveryRow
from tests.conftest import ANA, BO, CHANNEL, CY, SIGNING_SECRET, TEAM, Harness
from tests.e2e.journey import full_enough, setup_pack
from tests.slack.limits import check_message

UTC = dt.UTC
HOSTILE = "<!channel> ship it & <https://evil.example|docs> <@U999>"
# Friday 4 December 2026, 16:00 in Berlin: the default summary time of a pack Ana set up.
SUMMARY_AT = "2026-12-04T16:00:00+01:00"
SECOND = "CSECOND"
TWO_WEEKS = dt.timedelta(days=14)
PNG = b"\x89PNG\r\n\x1a\n"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def channel_posts(h: Harness) -> list[Any]:
    return [c for c in h.fake.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL]


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def plant_week(
    h: Harness,
    members: list[str],
    statements: list[str],
    *,
    day: dt.date,
    channel: str = CHANNEL,
) -> None:
    """Votes and check-ins written through the repositories, as the flows would."""
    now = dt.datetime.combine(day, dt.time(10), tzinfo=UTC)
    with h.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(channel)
        assert pack is not None
        ids = [
            tx.statements.add(pack.id, text, text.lower(), members[0], now)[0].id
            for text in statements
        ]
        for i, user in enumerate(members):
            for j, sid in enumerate(ids):
                value = VoteValue.AGREE if (i + j) % 3 else VoteValue.DISAGREE
                tx.statements.vote(sid, pack.id, user, value, f"{HOSTILE} {i}", now)
            rnd = tx.rounds.get_or_create(pack.id, day, now)
            given = AnswerInput(
                texts={"progress": "x", "focus": "y", "blockers": HOSTILE},
                collaborators=(members[(i + 1) % len(members)],),
                alignment=1 + i % 5,
            )
            tx.answers.save(rnd.id, pack.id, user, AnswerStatus.ANSWERED, given, now)


def prompt_days(h: Harness, days: list[dt.date], *, until: dt.datetime) -> None:
    """Ticks at each member's 09:30 of these days (Cy's in Kolkata, Ana's in Berlin, Bo's in
    Los Angeles: 04:00, 08:30 and 17:30 UTC in December) before `until`, so that the day's
    prompts reach the members who have not answered yet."""
    for day in days:
        for time in (dt.time(4, 0), dt.time(8, 30), dt.time(17, 30)):
            when = dt.datetime.combine(day, time, tzinfo=UTC)
            if when < until:
                h.clock.at = when
                assert h.wolfpack.ticker.tick(when).failed == 0


def setup_second_pack(h: Harness) -> None:
    h.fake.add_channel(SECOND, name="second", members=[ANA, BO, CY])
    before = len(h.fake.calls_to("views.update"))
    h.side.command("/wolfpack", "setup", user=ANA, channel=SECOND)
    h.fake.wait_for(lambda f: len(f.calls_to("views.update")) > before)
    view = h.fake.calls_to("views.update")[-1].args["view"]
    assert view["callback_id"] == "wolfpack_setup"
    values: dict[str, Value] = {"members": [BO, CY], "reminder": "0"}
    view = full_enough(h, view, values=values)
    reply = h.side.submit(view, user=ANA, values=values)
    assert reply.status == 200, reply.body


def test_summary_through_wolfpack_tick_is_posted_once_with_its_chart(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY], "reminder": "0"})
    setup_second_pack(bot)
    plant_week(
        bot, [ANA, BO, CY], [f"{HOSTILE} statement {n}" for n in range(4)], day=dt.date(2026, 12, 3)
    )
    # The second pack's week reached its members too: it gets a summary with figures, not the
    # note of a pack no round has reached yet.
    plant_week(bot, [ANA, BO, CY], ["second"], day=dt.date(2026, 12, 3), channel=SECOND)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": bot.fake.url,
        "DATABASE_URL": str(bot.wolfpack.settings.database_url),
    }

    def run(when: str) -> dict[str, int]:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "tick", "--now", when],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        lines = done.stdout.strip().splitlines()
        assert len(lines) == 1, done.stdout
        result: dict[str, int] = json.loads(lines[0])
        return result

    before = run("2026-12-04T15:59:00+01:00")
    assert channel_posts(bot) == [] and before["failed"] == 0
    first = run(SUMMARY_AT)
    second = run(SUMMARY_AT)
    # One message and one chart per pack: the second pack's went to its own channel.
    other = [c for c in bot.fake.calls_to("chat.postMessage") if c.args.get("channel") == SECOND]
    assert len(other) == 1 and "Weekly consensus" in json.dumps(other[0].args)
    done = [f for f in bot.fake.uploaded_files.values() if f["completed"]]
    assert sorted(f["channel"] for f in done) == sorted([CHANNEL, SECOND])
    posts = channel_posts(bot)
    assert len(posts) == 1, [p.args.get("text") for p in posts]
    uploads = [f for f in done if f["channel"] == CHANNEL]
    assert len(uploads) == 1
    (posted,) = [m for m in bot.fake.messages(CHANNEL) if not m.get("upload")]
    assert (uploads[0]["channel"], uploads[0]["thread_ts"]) == (CHANNEL, posted["ts"])
    assert uploads[0]["content"].startswith(PNG)
    image = Image.open(io.BytesIO(uploads[0]["content"]))
    assert image.format == "PNG" and image.size[0] >= 600
    assert first["failed"] == 0 and second["sent"] == 0 and second["queued"] == 0

    message = posts[0].args
    blocks = (
        json.loads(message["blocks"]) if isinstance(message["blocks"], str) else message["blocks"]
    )
    check_message(blocks, message["text"])
    texts = [*strings(blocks), message["text"]]
    joined = "\n".join(texts)
    assert "Weekly consensus" in joined
    # Short: three members are too few for camps (SPEC §4.4), said in the full report only.
    assert len(blocks) <= 8 and "Opinion groups" not in joined
    for text in texts:
        assert "<!" not in text and "<@" not in text and "<http" not in text, text
        assert "&amp;amp;" not in text
    # Anonymous by default: no member's id anywhere in the channel's summary.
    for user in (ANA, BO, CY):
        assert user not in joined


def test_thirty_members_and_sixty_statements_stay_within_block_kit_limits(
    bot: Harness,
) -> None:
    members = [f"U{n:03d}" for n in range(30)]
    for n, user in enumerate(members):
        bot.fake.add_user(user, name=f"{HOSTILE} {n}", tz="Europe/Berlin")
    bot.fake.add_channel("CBIG", name="big", members=[ANA, *members])
    setup_pack(bot, values={"members": members, "reminder": "0"})
    plant_week(
        bot,
        members,
        [f"{HOSTILE} {'long ' * 40}{n}"[:280] for n in range(60)],
        day=dt.date(2026, 12, 3),
    )
    bot.clock.at = at(SUMMARY_AT)
    report = bot.wolfpack.ticker.tick(bot.clock.at)
    assert report.failed == 0
    (post,) = channel_posts(bot)
    blocks = post.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    check_message(blocks, post.args["text"])
    assert len(blocks) <= 50
    joined = "\n".join(strings(blocks))
    assert "more" in joined  # long lists are cut with "and N more"
    assert "<!channel>" not in joined


def test_each_lone_wolf_gets_a_private_dm_and_the_channel_only_counts(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY], "reminder": "0"})
    with bot.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        for day in (dt.date(2026, 12, d) for d in (1, 2, 3, 4)):
            now = dt.datetime.combine(day, dt.time(10), tzinfo=UTC)
            rnd = tx.rounds.get_or_create(pack.id, day, now)
            for user in (ANA, BO):
                given = AnswerInput(
                    texts={"progress": "x", "focus": "y"},
                    collaborators=() if user == ANA else (CY,),
                    alignment=4,
                )
                tx.answers.save(rnd.id, pack.id, user, AnswerStatus.ANSWERED, given, now)
    # Ana and Bo answered before their prompts; Cy's reached Cy, who stayed silent.
    prompt_days(bot, [dt.date(2026, 12, d) for d in (1, 2, 3, 4)], until=at(SUMMARY_AT))
    bot.clock.at = at(SUMMARY_AT)
    report = bot.wolfpack.ticker.tick(bot.clock.at)
    assert report.failed == 0
    (post,) = channel_posts(bot)
    joined = "\n".join(strings(post.args["blocks"]))
    alone = [t for t in strings(post.args["blocks"]) if "alone" in t.lower()]
    assert alone and "1 person" in alone[0]
    # Counts only: Ana shows up among the longest streaks, never as a lone wolf.
    assert all("Ana" not in t for t in alone) and "Cy" not in joined
    dm_ana = [m for m in bot.fake.messages(f"D{ANA}") if "no collaborator" in json.dumps(m)]

    def dm_cy() -> list[object]:
        return [m for m in bot.fake.messages(f"D{CY}") if "missed" in json.dumps(m)]

    # Friday 16:00 in Berlin is 20:30 in Kolkata: Cy's note waits for their next working
    # hours, Monday from 09:30 their time.
    assert len(dm_ana) == 1 and dm_cy() == [] and report.waiting == 1
    assert not [m for m in bot.fake.messages(f"D{BO}") if "summary" in json.dumps(m).lower()]
    # Ticking again sends nothing new, however often, until then.
    again = bot.wolfpack.ticker.tick(bot.clock.at)
    assert (again.sent, again.queued) == (0, 0)
    kolkata = ZoneInfo("Asia/Kolkata")
    monday = dt.datetime(2026, 12, 7, 9, 30, tzinfo=kolkata)
    for now in (
        dt.datetime(2026, 12, 5, 9, 30, tzinfo=kolkata),  # Saturday: not a working day
        monday - dt.timedelta(minutes=1),
    ):
        assert bot.wolfpack.ticker.tick(now).sent == 0 and dm_cy() == []
    bot.wolfpack.ticker.tick(monday)  # also Cy's Monday prompt
    assert len(dm_cy()) == 1
    # Sent in week 50, it speaks of the week its summary reported.
    assert "week of 30 Nov" in dm_cy()[0]["text"] and "week of 7 Dec" not in dm_cy()[0]["text"]
    with bot.wolfpack.db.session() as s:
        keys = {r.key: r.state for r in s.scalars(select(DeliveryRow))}
    assert keys[f"lone-wolf:{pack.id}:{ANA}:2026-W49"] == "sent"


def test_a_lone_wolf_away_is_told_once_back_not_while_away(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO], "reminder": "0"})
    with bot.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        for day in (dt.date(2026, 12, d) for d in (1, 2, 3)):
            now = dt.datetime.combine(day, dt.time(10), tzinfo=UTC)
            rnd = tx.rounds.get_or_create(pack.id, day, now)
            for user in (ANA, BO):
                given = AnswerInput(
                    texts={"progress": "x", "focus": "y"},
                    collaborators=() if user == ANA else (ANA,),
                    alignment=4,
                )
                tx.answers.save(rnd.id, pack.id, user, AnswerStatus.ANSWERED, given, now)
    bot.clock.at = dt.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    reply, _ = bot.side.command("/checkin", "away 2026-12-04 2026-12-08", user=ANA, channel=CHANNEL)
    assert reply.status == 200, reply.body

    def dm_ana() -> list[object]:
        return [m for m in bot.fake.messages(f"D{ANA}") if "no collaborator" in json.dumps(m)]

    bot.clock.at = at(SUMMARY_AT)
    report = bot.wolfpack.ticker.tick(bot.clock.at)
    assert report.failed == 0 and len(channel_posts(bot)) == 1
    # Ana's note waits while she is away, whatever her working hours say.
    berlin = ZoneInfo("Europe/Berlin")
    for day in (7, 8):
        assert bot.wolfpack.ticker.tick(dt.datetime(2026, 12, day, 11, 0, tzinfo=berlin)).sent == 0
    assert dm_ana() == []
    with bot.wolfpack.db.session() as s:
        row = s.scalars(
            select(DeliveryRow).where(DeliveryRow.key == f"lone-wolf:{pack.id}:{ANA}:2026-W49")
        ).one()
    assert (row.state, row.last_error) == ("pending", "away")
    # Back on Wednesday: told once, in her working hours.
    for hour in (0, 11, 12):
        bot.wolfpack.ticker.tick(dt.datetime(2026, 12, 9, hour, 0, tzinfo=berlin))
    assert len(dm_ana()) == 1


def test_a_summary_sent_late_into_the_next_week_reports_its_own_week(bot: Harness) -> None:
    setup_pack(
        bot,
        values={
            "members": [ANA, BO, CY],
            "reminder": "0",
            "summary_day": "6",
            "summary_time": "20:00",
        },
    )
    # Week 49's prompts reach everyone at their 09:30: Cy's in Kolkata is 04:00 UTC, Ana's in
    # Berlin 08:30 UTC, Bo's in Los Angeles 17:30 UTC.
    bot.wolfpack.ticker.tick(at("2026-11-30T17:30:00+00:00"))
    for day in range(1, 5):
        for hour in ("04:00", "08:30", "17:30"):
            bot.wolfpack.ticker.tick(at(f"2026-12-0{day}T{hour}:00+00:00"))
    # Its summary is due on Sunday 6 December at 20:00 in Berlin; the bot is down until
    # Monday 09:00, in week 50, and posts it then.
    bot.wolfpack.ticker.tick(at("2026-12-07T09:00:00+01:00"))
    bot.wolfpack.ticker.tick(at("2026-12-13T20:00:00+01:00"))
    late, on_time = (post.args for post in channel_posts(bot))
    assert "· week of 30 Nov:" in late["text"] and "· week of 7 Dec:" in on_time["text"]
    # Week 49 as it ended: Tuesday to Friday for Ana and Cy, Monday to Friday for Bo, whose
    # Monday 09:30 in Los Angeles came after the pack was set up; not Cy's round of Monday 7,
    # opened before 09:00 in Berlin.
    assert "0 of 13 check-ins answered" in "\n".join(strings(late["blocks"]))


def test_a_failed_chart_upload_is_retried_without_posting_the_summary_again(
    bot: Harness,
) -> None:
    # Set up weeks before: its summary has figures and a chart, even of a quiet week.
    setup_pack(bot, values={"members": [ANA, BO, CY], "reminder": "0"}, before=TWO_WEEKS)
    bot.fake.fail_next("files.completeUploadExternal", status=500)
    bot.clock.at = at(SUMMARY_AT)
    first = bot.wolfpack.ticker.tick(bot.clock.at)
    assert first.retrying == 1 and len(channel_posts(bot)) == 1
    later = at(SUMMARY_AT) + dt.timedelta(minutes=5)
    second = bot.wolfpack.ticker.tick(later)
    assert second.sent >= 1
    assert len(channel_posts(bot)) == 1
    assert len([f for f in bot.fake.uploaded_files.values() if f["completed"]]) == 1


def test_summary_of_a_pack_named_by_its_settings_names_lone_wolves(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY], "reminder": "0"})
    with bot.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        from bot.core.packs import PackDraft

        tx.packs.save(
            PackDraft(
                CHANNEL,
                pack.name,
                pack.settings.with_changes(name_lone_wolves=True),
                (ANA, BO, CY),
                pack.admin_ids,
                pack.created_by,
            ),
            at(SUMMARY_AT),
        )
    # Every prompt of the week reached its member, and nobody answered.
    prompt_days(bot, [dt.date(2026, 12, d) for d in (1, 2, 3, 4)], until=at(SUMMARY_AT))
    bot.clock.at = at(SUMMARY_AT)
    bot.wolfpack.ticker.tick(bot.clock.at)
    (post,) = channel_posts(bot)
    joined = "\n".join(strings(post.args["blocks"]))
    assert "Bo" in joined and "Cy" in joined


def test_a_summary_whose_sender_died_after_posting_is_not_posted_again(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY], "reminder": "0"}, before=TWO_WEEKS)
    now = at(SUMMARY_AT)
    bot.wolfpack.ticker.plan(TEAM, now, TickReport())
    with bot.wolfpack.db.transaction(TEAM) as tx:
        claimed = [
            d
            for d in tx.deliveries.claim(now, now + dt.timedelta(minutes=2), 100)
            if d.due.kind.value == "summary"
        ]
    (delivery,) = claimed
    # The message reached Slack; the process died before it could record so.
    ws = bot.wolfpack.workspace(TEAM)
    summary = summaries.build(ws, delivery.due.pack_id, now)
    assert summary is not None
    summaries.post(ws, summary, delivery.due.key, retry=False)
    assert len(channel_posts(bot)) == 1
    later = now + dt.timedelta(minutes=3)
    assert bot.wolfpack.ticker.tick(later).failed == 0
    assert len(channel_posts(bot)) == 1
    uploads = [f for f in bot.fake.uploaded_files.values() if f["completed"]]
    (posted,) = [m for m in bot.fake.messages(CHANNEL) if not m.get("upload")]
    assert [u["thread_ts"] for u in uploads] == [posted["ts"]]
