"""Signed links to the map page. A link carries the workspace, the pack, the member and when it
was issued, signed with a key derived from the Slack signing secret for this purpose alone (so
no new secret is needed, and a signature made here is good for nothing else). How old a link
is, is judged by the use case against the app's clock (bot/core/map.py MapGrant)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from bot.core.map import MapGrant

PURPOSE = "wolfpack.map-link.v1"
MAP_PATH = "/map"
LINK_PARAM = "t"
# Far longer than any link this module makes: a longer one is refused before it is verified.
MAX_TOKEN = 1000


class SignedLinks:
    """Makes the links `/wolfpack map` sends and reads them back (None unless intact)."""

    def __init__(self, signing_secret: str, public_url: str) -> None:
        self._serializer = URLSafeSerializer(
            signing_secret,
            salt=PURPOSE,
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
        )
        self._base = public_url.rstrip("/")

    def url(self, grant: MapGrant) -> str:
        return f"{self._base}{MAP_PATH}?{urlencode({LINK_PARAM: self.token(grant)})}"

    def token(self, grant: MapGrant) -> str:
        issued = int(grant.issued_at.timestamp())
        token: str = self._serializer.dumps([grant.team_id, grant.pack_id, grant.user_id, issued])
        return token

    def grant(self, token: str) -> MapGrant | None:
        """The grant a token carries, or None when it was not made here or was altered."""
        if not token or len(token) > MAX_TOKEN:
            return None
        try:
            payload: Any = self._serializer.loads(token)
        except BadSignature:
            return None
        if not (isinstance(payload, list) and len(payload) == 4):
            return None
        team_id, pack_id, user_id, issued = payload
        if not (
            isinstance(team_id, str)
            and isinstance(user_id, str)
            and type(pack_id) is int
            and type(issued) is int
        ):
            return None
        try:
            issued_at = dt.datetime.fromtimestamp(issued, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return MapGrant(team_id, pack_id, user_id, issued_at)
