"""The map page over real HTTP, with `/wolfpack map` signed as Slack signs it and the fake
Slack: a member gets a link by DM that opens their pack's map; the page escapes user text,
names nobody in an anonymous pack, shows no other pack's or workspace's data, sends headers
that keep the link and the page to the reader, and refuses links that expired, were altered,
or whose pack or member is gone."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest

from bot.core.map import LINK_LIFETIME, MapGrant
from bot.core.usecases.map import EXPIRED, MAP_NOT_MEMBER, NOT_AVAILABLE
from bot.devtools.fake_slack import FakeSlack
from bot.web.links import SignedLinks
from bot.web.page import STYLE_HASH
from tests.conftest import ANA, CHANNEL, DEE, SIGNING_SECRET, TEAM, FixedClock, start_bot
from tests.slack.limits import check_message
from tests.web.packs import (
    AGAINST_REASON,
    CAMPS,
    DECIDED,
    FOR_REASON,
    HOSTILE,
    OPEN_PROPOSAL,
    OTHER_TEAM,
    OTHER_TEAM_STATEMENT,
    PUBLIC_URL,
    SHARED,
    SIDE,
    SIDE_STATEMENT,
    Served,
    ask_for_link,
    camp_pack,
    fetch,
    local,
    name,
    serve,
    side_packs,
    start,
    token_of,
    user,
)


@pytest.fixture
def served(sqlite_url: str, fake_slack: FakeSlack, clock: FixedClock) -> Iterator[Served]:
    yield from serve(sqlite_url, fake_slack, clock)


def test_a_member_gets_a_link_by_dm_that_opens_the_map(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    link = ask_for_link(h, user("a0"))
    dm = h.fake.messages(f"D{user('a0')}")[-1]
    check_message(dm["blocks"], dm["text"])
    shown = json.dumps(dm["blocks"])
    assert "30 minutes" in shown and f"<{link}|Open the opinion map of" in shown
    assert "Compilers &amp; &lt;Co&gt;" in shown  # the pack's name, escaped for mrkdwn
    page = fetch(local(link, served.base))
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    body = page.body
    assert body.count('class="member"') == len(CAMPS)  # Ana has not voted: not on the map
    assert "Group 1" in body and "Group 2" in body
    assert ">You<" in body
    for text in SHARED:
        assert text in body  # common ground
    assert FOR_REASON.replace("<", "&lt;").replace(">", "&gt;") in body
    assert AGAINST_REASON in body
    assert DECIDED in body and "Passed" in body and OPEN_PROPOSAL in body
    assert '<meta http-equiv="refresh" content="60">' in body


def test_the_page_escapes_user_text(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    body = fetch(local(ask_for_link(h, ANA), served.base)).body
    assert "<script" not in body.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ship it" in body
    assert "<b>" not in body
    assert "Compilers &amp; &lt;Co&gt;" in body
    assert HOSTILE not in body


def test_an_anonymous_pack_page_names_nobody(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    body = fetch(local(ask_for_link(h, user("b1")), served.base)).body
    for member in CAMPS:
        assert name(member) not in body
        assert user(member) not in body
    assert ANA not in body and "Ana" not in body
    assert "votes are anonymous" in body


def test_a_pack_with_open_voting_labels_the_dots(served: Served) -> None:
    h = served.harness
    camp_pack(h, anonymous=False)
    body = fetch(local(ask_for_link(h, user("a0")), served.base)).body
    labels = re.findall(r'<text class="label"[^>]*>([^<]*)</text>', body)
    assert sorted(labels) == sorted(["You", *(name(m) for m in CAMPS[1:])])
    assert user("a1") not in body  # names, never Slack ids


def test_the_page_shows_only_its_own_pack(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    side_packs(h)
    body = fetch(local(ask_for_link(h, ANA), served.base)).body
    assert SHARED[0] in body
    assert SIDE_STATEMENT not in body and OTHER_TEAM_STATEMENT not in body
    # Ana's link for the side pack (asked in its channel) shows it, and nothing of the other.
    side = fetch(local(ask_for_link(h, ANA, channel=SIDE), served.base)).body
    assert SIDE_STATEMENT in side
    assert SHARED[0] not in side and OTHER_TEAM_STATEMENT not in side


def test_a_link_for_another_workspace_never_opens_this_ones_pack(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    """Pack ids are shared by every workspace in the database: a link naming the other
    workspace and this pack's id (signed with the right key) finds nothing there."""
    for s in serve(database_url, fake_slack, clock):
        h = s.harness
        pack = camp_pack(h)
        side_packs(h)
        links = SignedLinks(SIGNING_SECRET, s.base)
        crossed = links.url(MapGrant(OTHER_TEAM, pack.id, ANA, clock.at))
        page = fetch(crossed)
        assert page.status in (403, 404)
        assert SHARED[0] not in page.body and HOSTILE not in page.body
        mine = fetch(links.url(MapGrant(TEAM, pack.id, ANA, clock.at)))
        assert mine.status == 200 and SHARED[0] in mine.body


def test_the_page_keeps_itself_and_its_link_private(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    page = fetch(local(ask_for_link(h, ANA), served.base))
    headers = {k.lower(): v for k, v in page.headers.items()}
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert f"style-src '{STYLE_HASH}'" in policy and "unsafe-inline" not in policy
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert "<script" not in page.body and "http://" not in page.body.replace(
        "http://www.w3.org/2000/svg", ""
    )
    # The link's token is in the page only where the page links to itself (the switch that
    # stops it reloading), never elsewhere.
    token = token_of(ask_for_link(h, ANA))
    assert page.body.count(token) == 1
    assert f'<a href="?t={token}&amp;live=0">Stop reloading</a>' in page.body


def test_an_expired_link_is_refused(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    url = local(ask_for_link(h, ANA), served.base)
    h.clock.advance(seconds=LINK_LIFETIME.total_seconds() - 1)
    assert fetch(url).status == 200
    h.clock.advance(seconds=1)
    page = fetch(url)
    assert page.status == 403
    assert EXPIRED in page.body and SHARED[0] not in page.body


def test_an_altered_link_is_refused(served: Served) -> None:
    h = served.harness
    pack = camp_pack(h)
    url = local(ask_for_link(h, ANA), served.base)
    token = token_of(url)
    payload, signature = token.rsplit(".", 1)
    changed = [
        url.replace(token, payload + "." + signature[:-1] + ("A" if signature[-1] != "A" else "B")),
        url.replace(token, token[:-5]),
        url + "&t=" + token,
        served.base + "/map",
        served.base + "/map?t=",
        # The same grant signed with the signing secret itself, not the page's own key.
        served.base + "/map?t=" + _signed_with(SIGNING_SECRET, "other purpose", pack.id),
    ]
    for bad in changed:
        page = fetch(bad)
        assert page.status == 403, bad
        assert "not valid" in page.body and SHARED[0] not in page.body


def _signed_with(secret: str, salt: str, pack_id: int) -> str:
    from itsdangerous import URLSafeSerializer

    token: str = URLSafeSerializer(secret, salt=salt).dumps([TEAM, pack_id, ANA, 1_800_000_000])
    return token


def test_a_member_who_left_or_a_pack_gone_is_refused(served: Served) -> None:
    h = served.harness
    pack = camp_pack(h)
    url = local(ask_for_link(h, user("a2")), served.base)
    with h.wolfpack.db.transaction(TEAM) as tx:
        tx.members.replace(pack.id, [ANA, *(user(m) for m in CAMPS if m != "a2")], h.clock.at)
    page = fetch(url)
    assert page.status == 403 and SHARED[0] not in page.body
    links = SignedLinks(SIGNING_SECRET, served.base)
    gone = fetch(links.url(MapGrant(TEAM, pack.id + 100, ANA, h.clock.at)))
    assert gone.status == 404


def test_only_get_and_head(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    url = local(ask_for_link(h, ANA), served.base)
    assert fetch(url, "POST").status == 405
    head = fetch(url, "HEAD")
    assert head.status == 200 and head.body == ""


def test_a_non_member_is_refused_and_gets_no_dm(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    reply, _ = h.side.command("/wolfpack", "map", user=DEE, channel=CHANNEL)
    assert reply.status == 200
    assert MAP_NOT_MEMBER.split(".")[0] in reply.body
    assert h.fake.messages(f"D{DEE}") == []


def test_without_a_public_address_the_page_is_not_available(
    sqlite_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    wolfpack = start_bot(sqlite_url, fake_slack, clock)
    server = wolfpack.serve_http().start()
    try:
        from bot.devtools.simulate import SlackSide
        from tests.conftest import Harness

        h = Harness(
            wolfpack,
            fake_slack,
            SlackSide(f"{server.url}/slack/events", SIGNING_SECRET, team_id=TEAM),
            clock,
        )
        camp_pack(h)
        reply, _ = h.side.command("/wolfpack", "map", user=ANA, channel=CHANNEL)
        assert "WOLFPACK_PUBLIC_URL" in reply.body
        assert NOT_AVAILABLE.split(":")[0] in reply.body
        assert h.fake.messages(f"D{ANA}") == []
    finally:
        wolfpack.close()


def test_the_link_names_the_public_address(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    link = ask_for_link(h, ANA)
    assert link.startswith(f"{PUBLIC_URL}/map?t=")
    grant = SignedLinks(SIGNING_SECRET, PUBLIC_URL).grant(token_of(link))
    assert grant is not None
    assert (grant.team_id, grant.user_id) == (TEAM, ANA)
    assert grant.issued_at == h.clock.at
    assert grant.expires_at == h.clock.at + dt.timedelta(minutes=30)


def test_links_are_issued_only_once_the_page_is_served(
    sqlite_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    """A bot in Socket Mode serves no page: with a public address set, it still issues no
    link until this process serves HTTP."""
    wolfpack = start(sqlite_url, fake_slack, clock)
    try:
        assert wolfpack.workspace(TEAM).map_links is None
        wolfpack.http_app()
        assert wolfpack.workspace(TEAM).map_links is not None
    finally:
        wolfpack.close()


def test_a_failure_reading_the_pack_shows_a_reference_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from wsgiref.util import setup_testing_defaults

    from bot.core.usecases.workspace import Workspace
    from bot.web.map import MapApp

    def broken(team_id: str) -> Workspace:
        raise RuntimeError("database on fire")

    links = SignedLinks(SIGNING_SECRET, PUBLIC_URL)
    environ: dict[str, object] = {}
    setup_testing_defaults(environ)
    grant = MapGrant(TEAM, 1, ANA, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    environ["QUERY_STRING"] = "t=" + links.token(grant)
    answered: list[str] = []
    body = b"".join(MapApp(links, broken)(environ, lambda status, headers: answered.append(status)))
    assert answered == ["500 Internal Server Error"]
    ref = re.search(r"ref ([0-9a-f]{8})", body.decode())
    assert ref is not None and "database on fire" not in body.decode()
    assert ref.group(1) in caplog.text and "database on fire" in caplog.text


def test_page_requests_are_counted_by_outcome(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    link = local(ask_for_link(h, user("a0")), served.base)
    assert fetch(link).status == 200
    assert fetch(link[:-2]).status == 403  # altered
    assert fetch(link, method="POST").status == 405
    h.clock.advance(minutes=31)
    assert fetch(link).status == 403  # expired
    metrics = fetch(served.base + "/metrics").body
    counted = {
        outcome: float(found.group(1))
        for outcome in ("ok", "refused", "not_found", "error")
        if (
            found := re.search(
                rf'wolfpack_page_requests_total{{outcome="{outcome}",page="map"}} (\S+)', metrics
            )
        )
    }
    assert counted == {"ok": 1.0, "refused": 3.0, "not_found": 0.0, "error": 0.0}
    assert 'wolfpack_page_seconds_count{page="map"} 4.0' in metrics


def test_the_reader_can_stop_the_page_reloading_itself(served: Served) -> None:
    h = served.harness
    camp_pack(h)
    link = local(ask_for_link(h, user("a0")), served.base)
    live = fetch(link).body
    refresh = '<meta http-equiv="refresh" content="60">'
    assert refresh in live
    (stop,) = re.findall(r'<a href="(\?[^"]+)">Stop reloading</a>', live)
    still = fetch(served.base + "/map" + stop.replace("&amp;", "&")).body
    assert refresh not in still and "does not reload itself" in still
    (again,) = re.findall(r'<a href="(\?[^"]+)">Reload every minute</a>', still)
    assert refresh in fetch(served.base + "/map" + again.replace("&amp;", "&")).body
    # The switch is no key: without the link's own token it opens nothing.
    assert fetch(served.base + "/map?live=0").status == 403
