"""`wolfpack demo`: two weeks of a pack of seven, offline. A fake Slack Web API runs in this
process, the real bot serves HTTP on 127.0.0.1, simulated people drive it with signed requests
exactly as Slack would, and the real tick runs the schedule hour by hour on a simulated clock:
prompts at each member's 09:30, check-ins from the DM button, statements and votes, split
alerts, a thread discussion and the second round it triggers, a proposal that is blocked and
revised, and on the second Friday the weekly consensus summary with its chart and the private
note to the pack's lone wolf."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from bot.config import load_settings
from bot.devtools.blocks_text import posted_message, posted_text
from bot.devtools.demo_files import free_port, make_folder, save_map
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SlackSide, Value, mention, rich_text
from bot.store.models import AnswerRow
from bot.wiring import Wolfpack, build

TEAM, CHANNEL = "TDEMO", "CWOLVES"
ALBA, BRAM, CHIDI, DEV, ELI, FERN, GUS = (
    "UALBA",
    "UBRAM",
    "UCHIDI",
    "UDEV",
    "UELI",
    "UFERN",
    "UGUS",
)
PEOPLE = (
    (ALBA, "Alba", "Europe/Madrid"),
    (BRAM, "Bram", "Europe/Amsterdam"),
    (CHIDI, "Chidi", "Africa/Lagos"),
    (DEV, "Dev", "Asia/Kolkata"),
    (ELI, "Eli", "America/New_York"),
    (FERN, "Fern", "America/Los_Angeles"),
    (GUS, "Gus", "Pacific/Auckland"),
)
NAMES = {user: name for user, name, _ in PEOPLE}
ZONES = {user: zone for user, _, zone in PEOPLE}

# What each member works on, with whom, and how aligned they feel (week 1, week 2). Gus works
# alone every day: the pack's lone wolf.
WORK: dict[str, tuple[str, str, tuple[str, ...], tuple[int, int]]] = {
    ALBA: ("Merged the importer fixes", "The CSV importer", (BRAM,), (5, 5)),
    BRAM: ("Reviewed the importer with Alba", "Release notes", (ALBA,), (4, 4)),
    CHIDI: ("Profiled the sync job", "Sync speed", (DEV,), (3, 4)),
    DEV: ("Prototype of the web dashboard", "Dashboard charts", (CHIDI,), (2, 3)),
    ELI: ("Docs for <!channel> escaping & friends", "The docs site", (FERN,), (4, 4)),
    FERN: ("Onboarding flow sketches", "Onboarding", (ELI,), (4, 5)),
    GUS: ("Rewrote the sync core on my own", "The Rust sync engine", (), (2, 2)),
}
BLOCKERS = {
    (CHIDI, 0): "Waiting on staging database access",
    (CHIDI, 1): "Waiting on staging database access",
    (DEV, 7): "Design review keeps slipping",
    (DEV, 8): "Design review keeps slipping",
    (DEV, 9): "Design review keeps slipping; the dashboard waits on it",
}

CLI = "Ship the CLI before the web UI"
RUST = "Rewrite the sync engine in Rust"
REVIEW = "Every pull request gets a review within a day"
FREEZE = "Freeze features for the last week of December"
ASYNC = "Move standups to async only"
DESIGNER = "Hire a designer before the next release"
DOCS = "Write the docs with every feature, not after"
STATEMENTS = {
    ALBA: CLI,
    GUS: RUST,
    BRAM: REVIEW,
    CHIDI: FREEZE,
    ELI: ASYNC,
    FERN: DESIGNER,
    DEV: DOCS,
}
A, D, P = "1", "-1", "0"
# The planted map: two splits (the CLI, Rust) and five statements most agree on, each of which
# Gus rejects.
VOTES: dict[str, dict[str, str]] = {
    CLI: {ALBA: A, BRAM: A, CHIDI: D, DEV: D, ELI: A, FERN: D, GUS: D},
    RUST: {ALBA: D, BRAM: D, CHIDI: A, DEV: A, ELI: D, FERN: P, GUS: A},
    REVIEW: {ALBA: A, BRAM: A, CHIDI: A, DEV: A, ELI: A, FERN: A, GUS: D},
    FREEZE: {ALBA: A, BRAM: A, CHIDI: A, DEV: P, ELI: A, FERN: A, GUS: D},
    ASYNC: {ALBA: A, BRAM: P, CHIDI: A, DEV: A, ELI: A, FERN: A, GUS: D},
    DESIGNER: {ALBA: A, BRAM: A, CHIDI: P, DEV: A, ELI: P, FERN: A, GUS: D},
    DOCS: {ALBA: A, BRAM: A, CHIDI: A, DEV: A, ELI: A, FERN: A, GUS: D},
}
REASONS = {
    (CLI, ALBA): "Our users live in terminals",
    (CLI, DEV): "Customers judge us by the web UI",
    (CLI, FERN): "Sales demos need the web UI",
    (RUST, GUS): "The Go version will not scale",
    (RUST, ALBA): "A rewrite stalls everything else for months",
}

# Monday of week 1 begins in Auckland at 11:00 UTC on Sunday.
START = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 11, 30)
END = dt.datetime(2026, 12, 11, 15, 0, tzinfo=dt.UTC)  # Friday of week 2, 16:00 in Madrid
# How long past END the schedule may run for the last summary's lone-wolf notes to go out.
NOTES_WAIT = dt.timedelta(days=3)


class DemoClock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


class Pack:
    """The simulated people, acting through signed requests against the running bot."""

    def __init__(self, wolfpack: Wolfpack, fake: FakeSlack, side: SlackSide) -> None:
        self.wolfpack, self.fake, self.side = wolfpack, fake, side
        self.log: list[str] = []

    def settle(self) -> None:
        """Waits until every answer is in its round thread, so the simulated clock never jumps
        an hour while a post is still under way (its claim would look stale at once)."""

        def settled(_: FakeSlack) -> bool:
            with self.wolfpack.db.session() as session:
                busy = session.scalar(
                    select(func.count())
                    .select_from(AnswerRow)
                    .where(
                        AnswerRow.status == "answered",
                        or_(
                            AnswerRow.published_version < AnswerRow.version,
                            AnswerRow.publish_claimed_until.is_not(None),
                        ),
                    )
                )
            return busy == 0

        self.fake.wait_for(settled, timeout=30)

    def command(self, command: str, text: str, user: str) -> dict[str, Any]:
        reply, _ = self.side.command(command, text, user=user, channel=CHANNEL)
        if reply.status != 200:
            raise RuntimeError(f"{command} {text}: HTTP {reply.status} {reply.body}")
        return reply.message() if reply.body else {}

    def last_view(self, method: str = "views.open") -> dict[str, Any]:
        view: dict[str, Any] = self.fake.calls_to(method)[-1].args["view"]
        return view

    def submit(self, view: dict[str, Any], user: str, values: dict[str, Value]) -> None:
        reply = self.side.submit(view, user=user, values=values)
        if reply.status != 200 or (reply.body and "errors" in reply.body):
            raise RuntimeError(f"{view.get('callback_id')}: {reply.body}")

    def click(self, action: str, value: str, user: str, channel: str, ts: str) -> None:
        reply, _ = self.side.click(action, value, user=user, channel=channel, message_ts=ts)
        if reply.status != 200:
            raise RuntimeError(f"{action}: HTTP {reply.status}")

    def setup(self) -> None:
        self.command("/wolfpack", "setup", ALBA)
        self.fake.wait_for(lambda f: bool(f.calls_to("views.update")))
        # The reminder is under More settings, pressed first as a team lead would.
        shown = self.fake.open_view(self.last_view("views.update")["external_id"])
        self.side.view_action(shown, "setup_more", "more", user=ALBA)
        self.fake.wait_for(lambda f: len(f.calls_to("views.update")) > 1)
        self.submit(self.last_view("views.update"), ALBA, {"reminder": "0"})

    def check_in(self, user: str, day_number: int) -> None:
        """Presses `Check in` on today's DM prompt and fills in the modal."""
        prompts = [
            m
            for m in self.fake.messages(f"D{user}")
            if any(
                e.get("action_id") == "checkin_open"
                for b in m.get("blocks", [])
                for e in b.get("elements", [])
            )
        ]
        if not prompts:
            return
        prompt = prompts[-1]
        opened = len(self.fake.calls_to("views.open"))
        self.click("checkin_open", self.pack_value(prompt), user, f"D{user}", prompt["ts"])
        self.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
        progress, focus, partners, alignment = WORK[user]
        with_partners: list[str | dict[str, Any]] = [progress]
        for partner in partners:
            with_partners += [" with " if len(with_partners) == 1 else " and ", mention(partner)]
        values: dict[str, Value] = {
            # Who they worked with: the people @mentioned in what moved forward.
            "q:progress": rich_text(*with_partners),
            "q:focus": focus,
            "q:alignment": str(alignment[0 if day_number < 5 else 1]),
        }
        # Unblocked, they clear the "Still blocked by this?" that a blocker left open brings.
        values["q:blockers"] = BLOCKERS.get((user, day_number), "")
        posted = f"{NAMES[user]} checked in"

        def replies(f: FakeSlack) -> int:
            return sum(1 for m in f.messages(CHANNEL) if m.get("text") == posted)

        before = replies(self.fake)
        self.submit(self.last_view(), user, values)
        # The answer reaches the round thread after the ack; the simulated clock only moves on
        # once it is there, as it would in real time.
        self.fake.wait_for(lambda f: replies(f) > before, timeout=30)
        self.log.append("checkin")

    @staticmethod
    def pack_value(prompt: dict[str, Any]) -> str:
        for block in prompt.get("blocks", []):
            for element in block.get("elements", []):
                if element.get("action_id") == "checkin_open":
                    return str(element["value"])
        raise RuntimeError("a prompt without its Check in button")

    def vote(self, user: str, choices: dict[str, str], reasons: dict[str, str]) -> None:
        """Opens `/direction` and answers what it asks among `choices`, again while it asks
        more (it shows five statements at a time)."""
        while True:
            self.command("/direction", "", user)
            view = self.last_view()
            values: dict[str, Value] = {}
            for block in view.get("blocks", []):
                block_id = block.get("block_id", "")
                if block_id.startswith("vote:") and block["label"]["text"] in choices:
                    sid = block_id.split(":")[1]
                    values[f"vote:{sid}"] = choices[block["label"]["text"]]
                    values[f"reason:{sid}"] = reasons.get(block["label"]["text"], "")
            if not values:
                return
            self.submit(view, user, values)
            self.log.extend(["vote"] * (len(values) // 2))

    def thread_reply(self, user: str, thread_ts: str, text: str) -> None:
        ts = f"{self.wolfpack.clock.now().timestamp():.6f}"
        event = {
            "type": "message",
            "channel": CHANNEL,
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": thread_ts,
        }
        self.side.event(event)

    def message_with(self, *texts: str) -> dict[str, Any]:
        """The latest channel message (thread replies included) that holds all these texts."""

        def matches(message: dict[str, Any]) -> bool:
            raw = json.dumps(message, ensure_ascii=False)
            return all(t in raw for t in texts)

        self.fake.wait_for(lambda f: any(matches(m) for m in f.messages(CHANNEL)), timeout=30)
        return next(m for m in reversed(self.fake.messages(CHANNEL)) if matches(m))

    def respond(self, proposal: dict[str, Any], user: str, position: str, reason: str) -> None:
        value = next(
            e["value"]
            for b in proposal["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["value"].endswith(f":{position}")
        )
        opened = len(self.fake.calls_to("views.open"))
        self.click("proposal_respond", value, user, CHANNEL, proposal["ts"])
        if reason:
            self.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
            self.submit(self.last_view(), user, {"reason": reason})


def _local(user: str, at: dt.datetime) -> dt.datetime:
    return at.astimezone(ZoneInfo(ZONES[user]))


def run_demo(out: Path, *, stream: TextIO | None = None) -> int:
    stream = stream or sys.stdout
    make_folder(out)
    secret = secrets.token_hex(16)
    clock = DemoClock(START - dt.timedelta(hours=2))
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(team_id=TEAM) as fake:
        for user_id, name, tz in PEOPLE:
            fake.add_user(user_id, name=name, tz=tz, is_admin=user_id == ALBA)
        fake.add_channel(CHANNEL, name="wolves", members=[p[0] for p in PEOPLE])
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-demo",
                "SLACK_SIGNING_SECRET": secret,
                "SLACK_API_URL": fake.url,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.db'}",
                "WOLFPACK_PUBLIC_URL": f"http://127.0.0.1:{port}",
            },
            env_file=None,
        )
        wolfpack = build(settings, clock=clock)
        server = wolfpack.serve_http(port=port).start()
        try:
            pack = Pack(
                wolfpack, fake, SlackSide(f"{server.url}/slack/events", secret, team_id=TEAM)
            )
            summary_post = _two_weeks(pack, clock)
            notes = _lone_wolf_notes(fake)
            uploads = [f for f in fake.uploaded_files.values() if f["completed"]]
            counts = Counter(c.method for c in fake.calls)
            log = Counter(pack.log)
            page = save_map(pack.side, fake, ALBA, CHANNEL, out)
        finally:
            wolfpack.close()

    print(
        f"Two weeks of #wolves ({len(PEOPLE)} people in 7 timezones), simulated hour by hour:\n"
        f"  {counts['chat.postMessage']} messages posted, {log['checkin']} check-ins, "
        f"{log['vote']} votes, {len(fake.calls_to('views.open'))} modals opened, "
        f"{len(uploads)} charts uploaded (one per weekly summary).\n",
        file=stream,
    )
    # Exactly what the fake Slack received: the summary as posted, then each private note.
    print(posted_text(summary_post, NAMES), file=stream)
    for user, note in notes:
        print(f"--- privately, to {NAMES.get(user, user)} only ---", file=stream)
        print(posted_text(note, NAMES), file=stream)
    (out / "summary.json").write_text(
        json.dumps(
            {"text": summary_post["text"], "blocks": summary_post["blocks"]},
            indent=2,
            ensure_ascii=False,
        )
    )
    chart = out / "summary-chart.png"
    chart.write_bytes(uploads[-1]["content"])
    print(f"\nBlock Kit JSON written to {out / 'summary.json'}", file=stream)
    print(f"Chart written to {chart}", file=stream)
    print(f"Opinion map page (as /wolfpack map's link opens it) written to {page}", file=stream)
    return 0


def _is_summary(args: dict[str, Any]) -> bool:
    return args.get("channel") == CHANNEL and "Weekly consensus" in json.dumps(args)


def _is_note(args: dict[str, Any]) -> bool:
    return str(args.get("text", "")).startswith("*Just for you*")


def _lone_wolf_notes(fake: FakeSlack) -> list[tuple[str, dict[str, Any]]]:
    """The private lone-wolf notes posted after the last summary, as posted: (user id,
    message)."""
    posts = [c.args for c in fake.calls_to("chat.postMessage")]
    last = max(i for i, args in enumerate(posts) if _is_summary(args))
    return [
        (str(args.get("channel", "")).removeprefix("D"), posted_message(args))
        for args in posts[last:]
        if _is_note(args)
    ]


def _two_weeks(pack: Pack, clock: DemoClock) -> dict[str, Any]:
    """Runs the fortnight; returns the arguments of the summary's chat.postMessage."""
    pack.setup()
    days = [MONDAY + dt.timedelta(days=d) for d in range(12)]
    day_numbers = {day: n for n, day in enumerate(d for d in days if d.weekday() < 5)}
    now = START
    while now <= END:
        clock.at = now
        pack.wolfpack.ticker.tick(now)
        for user in NAMES:
            local = _local(user, now)
            number = day_numbers.get(local.date())
            if number is None or local.hour != 10:
                continue
            if (user, number) == (FERN, 3):
                pack.command("/checkin", "skip", user)
                continue
            if user == ELI and number == 7:
                pack.command("/checkin", "away 2026-12-09 2026-12-11", user)
                continue
            pack.check_in(user, number)
            _plot(pack, user, number)
        pack.settle()
        now += dt.timedelta(hours=1)
    summary_posts = [c.args for c in pack.fake.calls_to("chat.postMessage") if _is_summary(c.args)]
    # A lone-wolf note waits for its member's working hours: the schedule runs on, hour by
    # hour, until the notes of the last summary are out (Monday morning in Auckland).
    flagged = "got the details privately" in json.dumps(summary_posts[-1])
    until = now + NOTES_WAIT
    while flagged and now <= until and not _notes_out(pack.fake):
        clock.at = now
        pack.wolfpack.ticker.tick(now)
        pack.settle()
        now += dt.timedelta(hours=1)
    return posted_message(summary_posts[-1])


def _notes_out(fake: FakeSlack) -> bool:
    posts = [c.args for c in fake.calls_to("chat.postMessage")]
    last = max(i for i, args in enumerate(posts) if _is_summary(args))
    return any(_is_note(args) for args in posts[last:])


def _plot(pack: Pack, user: str, number: int) -> None:
    """What happens after a member's check-in on a given working day of the fortnight."""
    if number == 0:
        pack.command("/direction", f"add {STATEMENTS[user]}", user)
    elif number == 1 and user == ALBA:
        # After Tuesday's stand-up in Europe everyone goes through the statements, Gus last.
        for voter in NAMES:
            mine = {text: votes[voter] for text, votes in VOTES.items()}
            reasons = {text: REASONS.get((text, voter), "") for text in VOTES}
            pack.vote(voter, mine, reasons)
    elif number == 5 and user == DEV:
        # Monday of week 2: both splits are talked over in their alerts' threads.
        alert = pack.message_with(f"The pack is split on: {CLI}")
        pack.thread_reply(DEV, alert["ts"], "What if the web UI ships in January, as a beta?")
        pack.thread_reply(CHIDI, alert["ts"], "A January beta works for me.")
        rust = pack.message_with(f"The pack is split on: {RUST}")
        pack.thread_reply(BRAM, rust["ts"], "A rewrite now would eat the whole quarter.")
    elif number == 5 and user == ALBA:
        # Alba turns the CLI split into a proposal from the alert's button.
        alert = pack.message_with(f"The pack is split on: {CLI}")
        opened = len(pack.fake.calls_to("views.open"))
        pack.click("split_propose", _statement_id(alert), ALBA, CHANNEL, alert["ts"])
        pack.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
        pack.submit(
            pack.last_view(),
            ALBA,
            {"text": "Ship the CLI in December; the web UI follows in January", "closes": "2d"},
        )
    elif number == 6:
        # Tuesday of week 2: the second round for those asked again, and positions taken.
        if user == CHIDI:
            pack.vote(CHIDI, {CLI: A}, {CLI: "The January beta answers my worry"})
        if user == FERN:
            pack.vote(FERN, {RUST: D}, {RUST: "Not before the release"})
        proposal = pack.message_with("Ship the CLI in December")
        position, reason = {
            GUS: ("block", "The web UI is what customers pay for"),
            DEV: ("disagree", "January is too late for the demo"),
            FERN: ("abstain", ""),
        }.get(user, ("agree", ""))
        pack.respond(proposal, user, position, reason)
    elif number == 7 and user == ALBA:
        # The proposal closed blocked on Wednesday morning: Alba revises it.
        outcome = pack.message_with("proposal_revise")
        value = next(
            e["value"]
            for b in outcome["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "proposal_revise"
        )
        opened = len(pack.fake.calls_to("views.open"))
        pack.click("proposal_revise", value, ALBA, CHANNEL, outcome["ts"])
        pack.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
        pack.submit(
            pack.last_view(),
            ALBA,
            {
                "text": "Ship the CLI in December and a web UI beta for two customers alongside",
                "closes": "36h",
            },
        )
    elif number == 8:
        revised = pack.message_with("web UI beta for two customers")
        position, reason = {GUS: ("disagree", "Still the wrong order")}.get(user, ("agree", ""))
        if user != ELI:  # away
            pack.respond(revised, user, position, reason)


def _statement_id(alert: dict[str, Any]) -> str:
    return next(
        str(e["value"])
        for b in alert["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "split_propose"
    )
