"""The Web API client the bot shares across threads.

Bolt deep-copies each request, with its client and its `respond` helper, before handing it to a
lazy listener (the bot uses none, but an app built on it may), and a plain SSLContext cannot be
copied. Both the client and the context hold no
per-request state, so they copy as themselves: that is also what keeps one SSL context for every
call (slack_sdk otherwise builds a new one per call)."""

from __future__ import annotations

import ssl
from typing import Any
from urllib.request import HTTPSHandler, Request, build_opener

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
    """A WebClient with one urllib opener for all its calls. Given an SSL context, slack_sdk
    opens each call with a new opener (urllib's ten handlers made and registered, the proxy
    settings read from the environment): about 0.2 ms of CPU a call, more than half of what a
    call to a local server costs in all. The proxy settings are read once, here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opener = build_opener(HTTPSHandler(context=self.ssl))

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedWebClient:
        return self

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith(("http://", "https://")):
            return super()._perform_urllib_http_request_internal(url, req)
        with self._opener.open(req, timeout=self.timeout) as response:
            body: bytes = response.read()
            if response.headers.get_content_type() == "application/gzip":
                return {"status": response.code, "headers": response.headers, "body": body}
            charset = response.headers.get_content_charset() or "utf-8"
            return {
                "status": response.code,
                "headers": response.headers,
                "body": body.decode(charset),
            }
