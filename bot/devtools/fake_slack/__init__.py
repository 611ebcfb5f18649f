"""A fake of Slack's Web API served over real HTTP on 127.0.0.1, for the tests and for the
offline `wolfpack demo`.

It records every call, answers the methods the bot uses the way Slack does (same response
shapes, same error codes), refuses methods Slack does not have, and can be told to fail
(429 with Retry-After, 5xx, or an `ok: false` error) so retries can be exercised end to end
through the real `slack_sdk.WebClient`.

Only the standard library is used, so the offline demo can run it without test dependencies;
the Socket Mode side (`socket_mode`, served on first use of `FakeSlack.socket`) needs the
`websockets` library of the development extra.

The modules: `server` (the `FakeSlack` class: lifecycle, inspection, dispatch of each call),
`http` (the HTTP server and request handler), `faults` (injected failures), `workspace` (users,
channels, messages and the tokens Slack knows), `params` (reading a call's parameters), one
module per group of Web API methods (`oauth`, `conversations`, `chat`, `views`, `files`),
`known_methods` (the allow-list of method names), and `socket_mode` (the WebSocket that
`apps.connections.open` hands out).
"""

from bot.devtools.fake_slack.known_methods import load_known_methods
from bot.devtools.fake_slack.server import FakeSlack
from bot.devtools.fake_slack.workspace import Call

__all__ = ["Call", "FakeSlack", "load_known_methods"]
