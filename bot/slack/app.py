"""The Bolt App: built from its parts, never at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor

from slack_bolt import App
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.core.usecases.workspace import Workspace
from bot.slack.dedupe import DedupingApp, EventDedupe
from bot.slack.later import Later
from bot.slack.listeners import (
    blockers,
    checkins,
    home,
    installs,
    packs,
    privacy,
    proposals,
    statements,
    summary,
)
from bot.slack.middleware import WorkspaceMiddleware
from bot.slack.router import Router


class _TokenFromEnvironment(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself whenever an App gets no token,
    then warns at every start that the client it was given wins. That client holds the same
    token: the warning says nothing, and only it is dropped."""

    text = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != self.text


_TOKEN_FILTER = _TokenFromEnvironment()


def build_bolt_app(
    workspace_for: Callable[[str], Workspace],
    *,
    client: WebClient,
    signing_secret: str | None,
    listener_executor: Executor,
    token_verification: bool = True,
    process_before_response: bool = True,
    authorize: Authorize | None = None,
    oauth_settings: OAuthSettings | None = None,
    uninstalled: installs.Uninstalled | None = None,
    dedupe: EventDedupe | None = None,
) -> App:
    """Listeners ack on the request's own thread (process_before_response), so a request costs
    no polling wait for the ack; work Slack need not wait for runs on `listener_executor`,
    which the caller sizes (`Later`). With `dedupe`, an event Slack delivers again has no
    second effect."""
    logger = logging.getLogger("bot.slack.bolt")
    if logger.level == logging.NOTSET:
        # Bolt compares the logger's own level with DEBUG (not isEnabledFor) before it builds
        # its debug lines, for each middleware of every request: at NOTSET it builds them all,
        # for the handler to drop. The level in force now is the one LOG_LEVEL set.
        logger.setLevel(logger.getEffectiveLevel())
    if _TOKEN_FILTER not in logger.filters:
        logger.addFilter(_TOKEN_FILTER)
    app = DedupingApp(
        client=client,
        # Bolt takes an Authorize instance as it is (its type hint says only callables).
        authorize=authorize,  # type: ignore[arg-type]
        oauth_settings=oauth_settings,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        # The HTTP front verifies signatures before Bolt sees a request; Socket Mode needs none.
        request_verification_enabled=False,
        token_verification_enabled=token_verification,
        listener_executor=listener_executor,
        logger=logger,
        ignoring_self_events_enabled=True,
        url_verification_enabled=True,
        ssl_check_enabled=True,
    )
    app.dedupe = dedupe if process_before_response else None
    app.use(WorkspaceMiddleware(workspace_for, Later(listener_executor)))
    router = Router()
    for feature in (packs, privacy, checkins, blockers, statements, proposals, summary, home):
        feature.register(router)
    installs.register(router, uninstalled or (lambda team_id, enterprise_id: None))
    router.install(app)
    return app
