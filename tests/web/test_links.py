"""Signed links to the map page: a link made here reads back as the same grant; one altered,
made with another key or for another purpose, or carrying anything but the four fields, reads
as nothing. WOLFPACK_PUBLIC_URL, the links' address, is checked at start-up."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer

from bot.config import ConfigError, load_settings
from bot.core.map import MapGrant
from bot.web.links import PURPOSE, SignedLinks

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
AT = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
LINKS = SignedLinks(SECRET, "https://wolfpack.example.test/")


def test_a_link_reads_back_as_its_grant() -> None:
    grant = MapGrant("T0001", 7, "UANA", AT)
    url = LINKS.url(grant)
    assert url.startswith("https://wolfpack.example.test/map?t=")
    assert LINKS.grant(url.split("?t=", 1)[1]) == grant


@given(
    team=st.text(min_size=1, max_size=20),
    pack=st.integers(min_value=1, max_value=2**40),
    user=st.text(min_size=1, max_size=20),
    seconds=st.integers(min_value=0, max_value=4_000_000_000),
)
def test_any_grant_round_trips(team: str, pack: int, user: str, seconds: int) -> None:
    grant = MapGrant(team, pack, user, dt.datetime.fromtimestamp(seconds, dt.UTC))
    assert LINKS.grant(LINKS.token(grant)) == grant


def test_an_altered_link_reads_as_nothing() -> None:
    token = LINKS.token(MapGrant("T0001", 7, "UANA", AT))
    payload, signature = token.rsplit(".", 1)
    other = LINKS.token(MapGrant("T0001", 8, "UANA", AT))
    for bad in (
        payload + "." + signature[::-1],
        other.rsplit(".", 1)[0] + "." + signature,  # another pack, this signature
        token[:-1],
        token + "A",
        "",
        "x" * 5000,
        payload,
    ):
        assert LINKS.grant(bad) is None, bad


def test_another_key_or_purpose_reads_as_nothing() -> None:
    grant = MapGrant("T0001", 7, "UANA", AT)
    assert SignedLinks("another-secret", "https://x").grant(LINKS.token(grant)) is None
    fields = ["T0001", 7, "UANA", int(AT.timestamp())]
    # Signed with the signing secret itself, or for another purpose: not a map link.
    for salt in ("itsdangerous", "wolfpack.other-purpose"):
        forged = URLSafeSerializer(SECRET, salt=salt).dumps(fields)
        assert LINKS.grant(forged) is None
    kwargs = {"key_derivation": "hmac", "digest_method": hashlib.sha256}
    same = URLSafeSerializer(SECRET, salt=PURPOSE, signer_kwargs=kwargs).dumps(fields)
    assert LINKS.grant(same) == grant


def test_a_signed_payload_of_another_shape_reads_as_nothing() -> None:
    kwargs = {"key_derivation": "hmac", "digest_method": hashlib.sha256}
    signer = URLSafeSerializer(SECRET, salt=PURPOSE, signer_kwargs=kwargs)
    for payload in (
        {"team": "T0001"},
        ["T0001", 7, "UANA"],
        ["T0001", "7", "UANA", 1],
        ["T0001", 7, "UANA", 1.5],
        ["T0001", True, "UANA", 1],
        [1, 7, "UANA", 1],
        ["T0001", 7, "UANA", 10**20],
    ):
        assert LINKS.grant(signer.dumps(payload)) is None, payload


def test_the_public_address_is_checked() -> None:
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    given_url = {**base, "WOLFPACK_PUBLIC_URL": "https://wolfpack.example.com/ "}
    settings = load_settings(given_url, env_file=None)
    assert settings.wolfpack_public_url == "https://wolfpack.example.com"
    assert load_settings(base, env_file=None).wolfpack_public_url is None
    for bad in ("wolfpack.example.com", "ftp://x.example", "https://", "https://x/?t=1"):
        with pytest.raises(ConfigError, match="WOLFPACK_PUBLIC_URL"):
            load_settings({**base, "WOLFPACK_PUBLIC_URL": bad}, env_file=None)
