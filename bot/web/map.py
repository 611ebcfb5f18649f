"""`GET /map?t=<signed link>`: the read-only opinion map of the pack the link names, as the member
it was issued to sees it. The link is the only key: no Slack sign-in. An altered link, one
made elsewhere, an expired one, a pack that is gone or a member who left get a short page
saying so (403 or 404), never another pack's data."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlencode

from bot.core.errors import Expired, NotAllowed, NotFound
from bot.core.usecases.map import map_page
from bot.core.usecases.workspace import Workspace
from bot.web.links import LINK_PARAM, SignedLinks
from bot.web.page import STYLE_HASH, render_map, render_refusal

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]

NOT_VALID = "This link is not valid"
NOT_VALID_TEXT = "It may have been cut short or changed. Ask for a new one with /wolfpack map."
EXPIRED_TITLE = "This link has expired"
NO_ACCESS = "This map is not available"
LIVE_PARAM = "live"
SORRY = "Something went wrong showing this map (ref {ref}). Please try again in a moment."

# The page loads nothing from elsewhere and runs no script: its one style sheet is allowed by
# its hash, and it may not be framed. The token is in the address, so no Referer carries it
# anywhere and no cache keeps the page.
HEADERS = (
    (
        "Content-Security-Policy",
        f"default-src 'none'; style-src '{STYLE_HASH}'; img-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'",
    ),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)
_STATUS = {
    200: "200 OK",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    500: "500 Internal Server Error",
}


class MapApp:
    """The page as a WSGI app. `workspaces` gives a workspace's use-case view by team id (the
    one the verified link names)."""

    def __init__(self, links: SignedLinks, workspaces: Callable[[str], Workspace]) -> None:
        self.links = links
        self.workspaces = workspaces

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            page = render_refusal("Read-only page", "This page can only be read.")
            return _answer(start_response, 405, page, method, [("Allow", "GET, HEAD")])
        status, page = self.page(str(environ.get("QUERY_STRING", "")))
        return _answer(start_response, status, page, method)

    def page(self, query: str) -> tuple[int, str]:
        """(status, HTML) for the link's query string."""
        try:
            fields = parse_qs(query, max_num_fields=5)
        except ValueError:  # more fields than any link of ours has
            fields = {}
        given = fields.get(LINK_PARAM, [])
        grant = self.links.grant(given[0]) if len(given) == 1 else None
        if grant is None:
            return 403, render_refusal(NOT_VALID, NOT_VALID_TEXT)
        try:
            view = map_page(self.workspaces(grant.team_id), grant)
        except Expired as error:
            return 403, render_refusal(EXPIRED_TITLE, error.message)
        except NotFound as error:
            return 404, render_refusal(NO_ACCESS, error.message)
        except NotAllowed as error:
            return 403, render_refusal(NO_ACCESS, error.message)
        except Exception:
            ref = secrets.token_hex(4)
            log.exception("map page failed (ref %s)", ref)
            return 500, render_refusal("Something went wrong", SORRY.format(ref=ref))
        # The reader may stop the page reloading itself (`live=0`), and start it again.
        live = fields.get(LIVE_PARAM) != ["0"]
        toggle = {LINK_PARAM: given[0], **({LIVE_PARAM: "0"} if live else {})}
        return 200, render_map(view, grant.expires_at, live=live, toggle="?" + urlencode(toggle))


def _answer(
    start_response: StartResponse,
    status: int,
    page: str,
    method: str,
    extra: list[tuple[str, str]] | None = None,
) -> Iterable[bytes]:
    data = page.encode("utf-8")
    start_response(
        _STATUS[status],
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(data))),
            *HEADERS,
            *(extra or []),
        ],
    )
    return [b""] if method == "HEAD" else [data]
