"""The Web API client the bot shares across threads.

Bolt deep-copies each request, with its client and its `respond` helper, before handing it to a
lazy listener (the bot uses none, but an app built on it may), and a plain SSLContext cannot be
copied. Both the client and the context hold no
per-request state, so they copy as themselves: that is also what keeps one SSL context for every
call (slack_sdk otherwise builds a new one per call)."""

from __future__ import annotations

import ssl
from typing import Any

from slack_sdk import WebClient


class SharedSSLContext(ssl.SSLContext):
    def __deepcopy__(self, memo: dict[int, Any]) -> SharedSSLContext:
        return self


def shared_ssl_context() -> SharedSSLContext:
    """What ssl.create_default_context() gives for talking to servers, but shareable."""
    context = SharedSSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    return context


class SharedWebClient(WebClient):
    def __deepcopy__(self, memo: dict[int, Any]) -> SharedWebClient:
        return self
