"""Planning and delivering prompts for 10,000 members in 500 packs against the local fake Slack
(no rate limit), over HTTP and over HTTPS (a self-signed certificate on 127.0.0.1, since Slack is
HTTPS), and in the same run the same number of messages posted by a bare slack_sdk WebClient
loop to the same fake: the baseline our bookkeeping is measured against.

Run: `python bench/delivery.py [--packs 500] [--per-pack 20] [--database-url URL]`
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from slack_sdk import WebClient

from bot.config import load_settings
from bot.core.delivery import TickReport
from bot.core.packs import PackDraft, PackSettings, Person, TimezoneMode
from bot.devtools.fake_slack import FakeSlack
from bot.slack.blocks.checkins import prompt_message
from bot.wiring import Wolfpack, build

TEAM = "T0001"
DAY1 = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
DAY2 = DAY1 + dt.timedelta(days=1)


def certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-days", "1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def populate(wolfpack: Wolfpack, fake: FakeSlack, packs: int, per_pack: int) -> list[str]:
    settings = PackSettings(timezone="UTC", timezone_mode=TimezoneMode.PACK, reminder_minutes=0)
    everyone: list[str] = []
    with wolfpack.db.transaction(TEAM) as tx:
        for p in range(packs):
            users = [f"U{p:04d}{i:03d}" for i in range(per_pack)]
            for user in users:
                tx.people.upsert(Person(user, user, "UTC"), DAY1)
                fake.add_user(user, name=user, tz="UTC")
            draft = PackDraft(f"C{p:05d}", f"pack-{p}", settings, tuple(users), users[:1], users[0])
            pack, _ = tx.packs.save(draft, DAY1)
            tx.members.replace(pack.id, users, DAY1)
            everyone += users
    return everyone


def timed(label: str, count: int, seconds: float, baseline: float | None = None) -> float:
    rate = count / seconds
    ratio = f"  {rate / baseline:4.2f} of the bare client" if baseline else ""
    print(f"  {label:44s} {count:6d} in {seconds:6.2f} s  {rate:7.0f}/s{ratio}")
    return rate


def run(scheme: str, fake: FakeSlack, database_url: str, packs: int, per_pack: int) -> None:
    print(f"\n{scheme}: {packs} packs x {per_pack} members")
    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_URL": fake.url, "DATABASE_URL": database_url},
        env_file=None,
    )
    wolfpack = build(settings)
    try:
        users = populate(wolfpack, fake, packs, per_pack)
        n = len(users)

        # The baseline posts the very message the bot posts (text, blocks and metadata), so
        # the difference is the bot's own work: planning, the queue and its bookkeeping.
        with wolfpack.db.transaction(TEAM) as tx:
            pack = tx.packs.all()[0]
        text, blocks = prompt_message(pack, DAY1.date(), reminder=False)
        metadata = {"event_type": "wolfpack_delivery", "event_payload": {"key": "k"}}
        bare = WebClient(token="xoxb-bench", base_url=fake.url, ssl=wolfpack.client.ssl)
        started = time.perf_counter()
        for user in users:
            bare.chat_postMessage(channel=f"D{user}", text=text, blocks=blocks, metadata=metadata)
        base = timed("bare WebClient loop (one SSL context)", n, time.perf_counter() - started)
        if scheme == "https":
            sample = users[:200]
            default = WebClient(token="xoxb-bench", base_url=fake.url)
            started = time.perf_counter()
            for user in sample:
                default.chat_postMessage(
                    channel=f"D{user}", text=text, blocks=blocks, metadata=metadata
                )
            timed(
                "bare WebClient, a new SSL context per call",
                len(sample),
                time.perf_counter() - started,
                base,
            )

        report = TickReport()
        started = time.perf_counter()
        wolfpack.ticker.plan(TEAM, DAY1, report)
        timed("plan a tick (insert the queue rows)", report.queued, time.perf_counter() - started)
        started = time.perf_counter()
        wolfpack.ticker.plan(TEAM, DAY1, TickReport())
        timed("plan it again (every key exists)", n, time.perf_counter() - started)

        started = time.perf_counter()
        wolfpack.ticker.deliver(TEAM, DAY1, report)
        timed(
            "deliver, day 1 (first prompt to each member)",
            report.sent,
            time.perf_counter() - started,
            base,
        )
        assert report.sent == n, report

        day2 = TickReport()
        started = time.perf_counter()
        wolfpack.ticker.plan(TEAM, DAY2, day2)
        wolfpack.ticker.deliver(TEAM, DAY2, day2)
        timed(
            "plan + deliver, day 2 (DM channels known)",
            day2.sent,
            time.perf_counter() - started,
            base,
        )
        assert day2.sent == n, day2
    finally:
        wolfpack.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packs", type=int, default=500)
    parser.add_argument("--per-pack", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cert, key = certificate(folder)
        # Clients trust the system's CA bundle; add the test certificate to a copy of it, so a
        # client that builds its SSL context per call pays for loading the whole bundle, as it
        # would against Slack.
        bundle = folder / "bundle.pem"
        system = ssl.get_default_verify_paths().cafile
        bundle.write_bytes((Path(system).read_bytes() if system else b"") + cert.read_bytes())
        os.environ["SSL_CERT_FILE"] = str(bundle)
        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(cert, key)
        for scheme, context in (("http", None), ("https", server)):
            url = args.database_url or f"sqlite:///{folder / (scheme + '.db')}"
            with FakeSlack(team_id=TEAM, ssl_context=context) as fake:
                run(scheme, fake, url, args.packs, args.per_pack)


if __name__ == "__main__":
    main()
