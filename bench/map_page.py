"""The map page (`GET /map?t=…`) of one pack, served by the real HTTP stack: how long a request
takes (each reads the pack and runs the analysis again: that is what keeps the page up to date)
and how large the page is, for packs of several sizes. With `--shots DIR` it also saves the
page as Debian's headless Chromium shows it at a desktop's and a phone's width.

    python bench/map_page.py [--members 10 30 60] [--statements 30] [--requests 40]
                             [--shots DIR] [--open-voting]

Each pack: members in three planted camps (sizes 2:2:1), `--statements` statements every member
votes on (10 % of the votes flipped), two statements everyone agrees with, a reason on each side
of every vote on the first statement, one passed and one open proposal. SQLite, the fake Slack
(no network), one request at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from bot.config import load_settings
from bot.core.packs import PackDraft, PackSettings
from bot.core.proposals import Outcome, Position
from bot.core.statements import VoteValue
from bot.core.usecases.map import issue_link
from bot.core.usecases.packs import save_pack
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.votes import camps
from bot.wiring import Wolfpack, build

TEAM = "T0001"
SECRET = "bench-signing-secret"
PUBLIC_URL = "https://wolfpack.example.test"
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
VOTED = NOW - dt.timedelta(days=1)


class Clock:
    def now(self) -> dt.datetime:
        return NOW


def seed(
    wolfpack: Wolfpack, fake: FakeSlack, channel: str, members: int, statements: int, named: bool
) -> str:
    """A pack in `channel`; the user id of its first member."""
    third = max(1, members // 5)
    sizes = (2 * third, 2 * third, members - 4 * third)
    votes = camps(sizes, statements, 0.1, seed=members)
    users = {m: f"U{channel}{m.upper()}" for m in sorted({v.member for v in votes})}
    for member, user in users.items():
        fake.add_user(user, name=f"Member {member}", tz="Europe/Berlin")
    fake.add_channel(channel, name=channel.lower(), members=list(users.values()))
    first = next(iter(users.values()))
    draft = PackDraft(
        channel,
        f"Pack of {members}",
        PackSettings(timezone="Europe/Berlin", anonymous=not named),
        tuple(users.values()),
        (first,),
        first,
    )
    pack, _ = save_pack(wolfpack.workspace(TEAM), first, draft)
    with wolfpack.db.transaction(TEAM) as tx:
        ids = {}
        for j in range(statements + 2):
            text = f"Statement {j}: we should do thing number {j} before the others"
            ids[f"s{j}"] = tx.statements.add(pack.id, text, text.lower(), first, VOTED)[0].id
        for v in votes:
            reason = ("Because it helps" if v.vote == 1 else "It costs too much") * (
                v.statement == "s0"
            )
            tx.statements.vote(
                ids[v.statement], pack.id, users[v.member], VoteValue(v.vote), reason, VOTED
            )
        for user in users.values():
            for j in (statements, statements + 1):
                tx.statements.vote(ids[f"s{j}"], pack.id, user, VoteValue.AGREE, "", VOTED)
        passed = tx.proposals.add(pack.id, "Ship it", first, VOTED + dt.timedelta(hours=5), VOTED)
        for user in list(users.values())[:3]:
            tx.proposals.respond(passed.id, user, Position.AGREE, "", VOTED)
        tx.proposals.close(passed.id, Outcome.PASSED, VOTED + dt.timedelta(hours=5))
        tx.proposals.add(pack.id, "Try pairing", first, NOW + dt.timedelta(days=1), VOTED)
    return first


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (our own server)
        return response.status, response.read()


def shots(urls: dict[int, str], out: Path) -> None:
    """Full-page PNGs at 1280 and 375 CSS pixels wide, one pair per pack size."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="wolfpack-chromium-")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    out.mkdir(parents=True, exist_ok=True)
    try:
        for members, url in urls.items():
            for label, width, mobile in (("desktop", 1280, False), ("phone", 375, True)):
                metrics = {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile}
                driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
                driver.get(url)
                height = driver.execute_script("return document.documentElement.scrollHeight")
                metrics["height"] = int(height)
                driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
                path = out / f"map-{members}-{label}.png"
                path.write_bytes(driver.get_screenshot_as_png())
                print(f"saved {path}")
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--statements", type=int, default=30)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--open-voting", action="store_true", help="named dots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, FakeSlack(team_id=TEAM) as fake:
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.url,
                "DATABASE_URL": f"sqlite:///{folder}/bench.db",
                "WOLFPACK_PUBLIC_URL": PUBLIC_URL,
            },
            env_file=None,
        )
        wolfpack = build(settings, clock=Clock())
        server = wolfpack.serve_http().start()
        urls: dict[int, str] = {}
        try:
            print("| members | statements | votes | page | request, median | p95 |")
            print("|---|---|---|---|---|---|")
            for members in args.members:
                channel = f"C{members}"
                reader = seed(wolfpack, fake, channel, members, args.statements, args.open_voting)
                link = issue_link(wolfpack.workspace(TEAM), channel, reader).url
                url = server.url + link.removeprefix(PUBLIC_URL)
                urls[members] = url
                status, page = fetch(url)  # the first request also warms the imports
                assert status == 200 and page.count(b'class="member"') == members
                times = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    fetch(url)
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
                votes = members * (args.statements + 2)
                size = f"{len(page) / 1024:.0f} KiB"
                print(
                    f"| {members} | {args.statements + 2} | {votes} | {size} | "
                    f"{statistics.median(times):.0f} ms | {p95:.0f} ms |"
                )
                named = re.search(rb"Member [abc]\d", page) is not None
                assert named == args.open_voting, "names only with open voting"
        finally:
            if args.shots is not None:
                shots(urls, args.shots)
            wolfpack.close()


if __name__ == "__main__":
    main()
