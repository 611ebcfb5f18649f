"""Bolt's authorize for many workspaces: the workspace's stored bot token (refreshed first when
it is about to expire), checked with auth.test once per token rather than on every request."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

TokenFor = Callable[[str, str | None], str | None]
CACHE_MAX = 10_000


class TokenAuthorize(Authorize):
    def __init__(self, token_for: TokenFor) -> None:
        self.token_for = token_for
        self._cache: dict[str, AuthorizeResult] = {}
        self._lock = threading.Lock()

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **kwargs: Any,
    ) -> AuthorizeResult | None:
        if team_id is None:
            return None  # org-wide installations are not supported
        token = self.token_for(team_id, enterprise_id)
        if token is None:
            log.info("no installation for workspace %s", team_id)
            return None
        with self._lock:
            cached = self._cache.get(token)
        if cached is not None:
            return cached
        try:
            response = context.client.auth_test(token=token)
        except SlackApiError as error:
            log.warning("the token of %s does not work: %s", team_id, error.response.get("error"))
            return None
        result = AuthorizeResult.from_auth_test_response(
            auth_test_response=response,
            bot_token=token,
            user_token=None,
            bot_scopes=None,
            user_scopes=None,
        )
        with self._lock:
            if len(self._cache) >= CACHE_MAX:
                self._cache.clear()
            self._cache[token] = result
        return result
