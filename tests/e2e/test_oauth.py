"""Many workspaces through Slack's OAuth install flow, against the fake Slack: each workspace's
commands see and change only its own packs, tokens are encrypted at rest, uninstalling one stops
its work and deletes its tokens while the other keeps going, and rotating tokens are refreshed
by one process at a time."""

from __future__ import annotations

import datetime as dt
import http.cookies
import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.error import HTTPError

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.config import ConfigError, load_settings
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SlackSide
from bot.store.models import (
    SLACK_BOTS,
    SLACK_INSTALLATIONS,
    SLACK_OAUTH_STATES,
    PackRow,
    WorkspaceRow,
)
from bot.wiring import Wolfpack, build
from tests.conftest import SIGNING_SECRET, FixedClock

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret"
KEY = Fernet.generate_key().decode()
ALPHA, BETA = "TALPHA", "TBETA"
ADMIN_A, ADMIN_B, MEMBER_A = "UADA", "UADB", "UMEMA"
CHANNEL_A, CHANNEL_B = "CALPHA", "CBETA"


@dataclass
class Multi:
    wolfpack: Wolfpack
    fake: FakeSlack
    url: str
    clock: FixedClock

    def side(self, team_id: str) -> SlackSide:
        return SlackSide(f"{self.url}/slack/events", SIGNING_SECRET, team_id=team_id)


def settings_for(database_url: str, fake: FakeSlack, key: str = KEY) -> dict[str, str]:
    return {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "WOLFPACK_ENCRYPTION_KEY": key,
    }


@pytest.fixture
def multi(database_url: str, clock: FixedClock) -> Iterator[Multi]:
    with FakeSlack(team_id=ALPHA) as fake:
        fake.oauth_client = (CLIENT_ID, CLIENT_SECRET)
        fake.add_user(ADMIN_A, name="Ada", tz="Europe/Berlin", is_admin=True)
        fake.add_user(MEMBER_A, name="Mo", tz="Europe/Berlin")
        fake.add_user(ADMIN_B, name="Bea", tz="America/New_York", is_admin=True)
        fake.add_channel(CHANNEL_A, name="alpha", members=[ADMIN_A, MEMBER_A])
        fake.add_channel(CHANNEL_B, name="beta", members=[ADMIN_B])
        wolfpack = build(
            load_settings(settings_for(database_url, fake), env_file=None), clock=clock
        )
        server = wolfpack.serve_http().start()
        try:
            yield Multi(wolfpack, fake, server.url, clock)
        finally:
            wolfpack.close()


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def install(m: Multi, team_id: str, code: str) -> str:
    """Opens the install page, approves in Slack, follows the redirect back; the page text."""
    status, headers, page = get(f"{m.url}/slack/install")
    assert status == 200, page
    state = re.search(r"state=([\w-]+)", page)
    assert state is not None, page
    cookie = http.cookies.SimpleCookie(headers["Set-Cookie"])
    name = "slack-app-oauth-state"
    m.fake.expect_install(code, team_id, team_id.title())
    status, _, page = get(
        f"{m.url}/slack/oauth_redirect?code={code}&state={state.group(1)}",
        cookie=f"{name}={cookie[name].value}",
    )
    assert status == 200, page
    return page


def setup_pack(m: Multi, team_id: str, admin: str, channel: str) -> None:
    side = m.side(team_id)
    before = len(m.fake.calls_to("views.update"))
    reply, _ = side.command("/wolfpack", "setup", user=admin, channel=channel)
    assert reply.status == 200, reply.body
    m.fake.wait_for(lambda f: len(f.calls_to("views.update")) > before)
    view = m.fake.calls_to("views.update")[-1].args["view"]
    # The reminder is under More settings: the form is expanded in place first.
    stored = m.fake.open_view(view["external_id"])
    assert side.view_action(stored, "setup_more", "more", user=admin).status == 200
    m.fake.wait_for(lambda f: len(f.calls_to("views.update")) > before + 1)
    view = m.fake.calls_to("views.update")[-1].args["view"]
    assert side.submit(view, user=admin, values={"reminder": "0"}).status == 200


def token_of(m: Multi, team_id: str) -> str:
    return next(t for t, team in m.fake.token_teams.items() if team == team_id)


def test_two_workspaces_installed_through_oauth_stay_apart(multi: Multi) -> None:
    m = multi
    install(m, ALPHA, "code-alpha")
    install(m, BETA, "code-beta")
    assert len(m.fake.calls_to("oauth.v2.access")) == 2
    setup_pack(m, ALPHA, ADMIN_A, CHANNEL_A)
    setup_pack(m, BETA, ADMIN_B, CHANNEL_B)
    # Each workspace's requests go out with its own token.
    alpha, beta = token_of(m, ALPHA), token_of(m, BETA)
    opened = m.fake.calls_to("views.open")
    assert {c.token for c in opened} == {alpha, beta}
    # Beta cannot see or change Alpha's pack, even naming Alpha's channel.
    reply, _ = m.side(BETA).command("/wolfpack", "members", user=ADMIN_B, channel=CHANNEL_A)
    assert reply.status == 200 and MEMBER_A not in reply.body and ADMIN_A not in reply.body
    reply, _ = m.side(ALPHA).command("/wolfpack", "members", user=ADMIN_A, channel=CHANNEL_A)
    assert f"<@{MEMBER_A}>" in reply.body
    with m.wolfpack.db.session() as s:
        packs = s.execute(select(PackRow.workspace_id, PackRow.channel_id)).all()
    assert len({w for w, _ in packs}) == 2 and {c for _, c in packs} == {CHANNEL_A, CHANNEL_B}
    # auth.test once per token (at install, and when first authorizing), not per request.
    tested = len(m.fake.calls_to("auth.test"))
    for _ in range(3):
        for team, admin, channel in ((ALPHA, ADMIN_A, CHANNEL_A), (BETA, ADMIN_B, CHANNEL_B)):
            reply, _ = m.side(team).command("/wolfpack", "members", user=admin, channel=channel)
            assert reply.status == 200
    assert len(m.fake.calls_to("auth.test")) == tested <= 4


def test_tokens_are_unreadable_in_the_database(multi: Multi, database_url: str) -> None:
    m = multi
    install(m, ALPHA, "code-alpha")
    with m.wolfpack.engine.connect() as conn:
        rows = conn.execute(select(SLACK_BOTS.c.bot_token)).all()
        rows += conn.execute(select(SLACK_INSTALLATIONS.c.bot_token)).all()
    assert len(rows) == 2
    token = token_of(m, ALPHA)
    for (stored,) in rows:
        # A Fernet token (base64, so "xox" can turn up in it by chance; the token cannot).
        assert stored and stored.startswith("gAAAAA") and token not in stored
        assert Fernet(KEY.encode()).decrypt(stored.encode()).decode() == token
    # A key that opens none of them stops start-up with a clear message.
    with pytest.raises(ConfigError, match="WOLFPACK_ENCRYPTION_KEY: does not decrypt"):
        build(
            load_settings(
                settings_for(database_url, m.fake, Fernet.generate_key().decode()), env_file=None
            ),
            migrate=False,
        )
    # The new key first and the old one after it: rotation, everything still opens.
    rotated = f"{Fernet.generate_key().decode()},{KEY}"
    other = build(load_settings(settings_for(database_url, m.fake, rotated), env_file=None))
    try:
        assert other.oauth is not None and other.oauth.keeper.bot_token(ALPHA) == token
    finally:
        other.close()


def test_uninstalling_one_workspace_stops_its_work_and_deletes_its_tokens(
    multi: Multi,
) -> None:
    m = multi
    install(m, ALPHA, "code-alpha")
    install(m, BETA, "code-beta")
    setup_pack(m, ALPHA, ADMIN_A, CHANNEL_A)
    setup_pack(m, BETA, ADMIN_B, CHANNEL_B)
    event = {"type": "app_uninstalled"}
    for retry in (None, 1):  # a redelivery changes nothing more
        assert m.side(ALPHA).event(event, event_id="EvUNINSTALL", retry=retry).status == 200
    with m.wolfpack.engine.connect() as conn:
        teams = {t for (t,) in conn.execute(select(SLACK_BOTS.c.team_id))}
        teams |= {t for (t,) in conn.execute(select(SLACK_INSTALLATIONS.c.team_id))}
    assert teams == {BETA}
    assert m.wolfpack.db.team_ids() == [BETA]
    # Stamped by the bot's clock, as everything it records.
    with m.wolfpack.engine.connect() as conn:
        stamps = dict(conn.execute(select(WorkspaceRow.team_id, WorkspaceRow.uninstalled_at)).all())
    assert stamps == {ALPHA: m.clock.at, BETA: None}
    # Tuesday 09:30 in Berlin and New York: only Beta's members are prompted.
    m.fake.reset_calls()
    report = m.wolfpack.tick(dt.datetime(2026, 12, 1, 14, 31, tzinfo=dt.UTC))
    assert report.failed == 0
    sent_to = {c.args.get("channel") for c in m.fake.calls_to("chat.postMessage")}
    # A member's first prompt is addressed to their user ID (Slack posts it in the DM).
    assert sent_to == {ADMIN_B}
    assert {c.token for c in m.fake.calls} <= {token_of(m, BETA), None}
    # Alpha's requests now find no installation; Beta's still work.
    reply, _ = m.side(BETA).command("/wolfpack", "members", user=ADMIN_B, channel=CHANNEL_B)
    assert reply.status == 200 and f"<@{ADMIN_B}>" in reply.body
    # Installing again brings Alpha back.
    install(m, ALPHA, "code-alpha-again")
    assert sorted(m.wolfpack.db.team_ids()) == sorted([ALPHA, BETA])


def test_expired_oauth_states_are_purged_by_the_tick(multi: Multi) -> None:
    m = multi
    for _ in range(3):
        assert get(f"{m.url}/slack/install")[0] == 200

    def states() -> int:
        with m.wolfpack.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(SLACK_OAUTH_STATES)) or 0)

    assert states() == 3
    m.wolfpack.tick(dt.datetime.now(dt.UTC))
    assert states() == 3  # not expired yet (ten minutes)
    m.wolfpack.tick(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11))
    assert states() == 0


def test_a_rotating_token_is_refreshed_once_across_processes(
    multi: Multi, database_url: str
) -> None:
    m = multi
    m.fake.rotation_seconds = 60  # expires within the refresh margin: refresh at first use
    install(m, ALPHA, "code-alpha")
    first = token_of(m, ALPHA)
    m.fake.rotation_seconds = 12 * 3600  # the refreshed token lasts
    # A second process on the same database, as a replica would be.
    other = build(load_settings(settings_for(database_url, m.fake), env_file=None))
    try:
        keepers = [m.wolfpack.oauth, other.oauth]
        assert keepers[0] is not None and keepers[1] is not None
        got: list[str | None] = []
        start = threading.Barrier(6)

        def use(index: int) -> None:
            keeper = keepers[index % 2]
            assert keeper is not None
            start.wait()
            got.append(keeper.keeper.bot_token(ALPHA))

        threads = [threading.Thread(target=use, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        other.close()
    refreshes = [
        c for c in m.fake.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"
    ]
    # One refresh for six callers in two processes: the single-use refresh token was spent
    # once, and every caller got the same new token.
    assert len(refreshes) == 1, [json.dumps(c.args) for c in refreshes]
    assert len(got) == 6 and len(set(got)) == 1
    assert got[0] != first and m.fake.token_teams.get(got[0] or "") == ALPHA
