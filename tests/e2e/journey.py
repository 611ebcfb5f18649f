"""Steps of the user journey shared by the end-to-end tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.devtools.simulate import Value
from tests.conftest import ANA, CHANNEL, Harness


def last_view(h: Harness, method: str, callback_id: str | None = None) -> dict[str, Any]:
    calls = [
        c
        for c in h.fake.calls_to(method)
        if callback_id is None or c.args["view"].get("callback_id") == callback_id
    ]
    assert calls, f"no {method} call with callback_id {callback_id}"
    view: dict[str, Any] = calls[-1].args["view"]
    return view


def setup_pack(
    h: Harness,
    *,
    admin: str = ANA,
    values: dict[str, Value] | None = None,
    before: dt.timedelta = dt.timedelta(days=1),
) -> dict[str, Any]:
    """Runs `/wolfpack setup` in the team channel and submits the modal; returns the ack."""
    reply, _ = h.side.command("/wolfpack", "setup", user=admin, channel=CHANNEL)
    assert reply.status == 200, reply.body
    h.fake.wait_for(
        lambda f: any(
            c.args["view"].get("callback_id") == "wolfpack_setup"
            for c in f.calls_to("views.update")
        )
    )
    view = last_view(h, "views.update", "wolfpack_setup")
    # The pack is set up `before` the harness's time (default: a day earlier), so the rounds a
    # test ticks through are the pack's own: nothing is owed for a time before it existed.
    now = h.clock.at
    h.clock.at = now - before
    try:
        submitted = h.side.submit(view, user=admin, values=values)
    finally:
        h.clock.at = now
    assert submitted.status == 200, submitted.body
    result: dict[str, Any] = submitted.json()
    return result


def open_checkin(h: Harness, user: str) -> dict[str, Any]:
    before = len(h.fake.calls_to("views.open"))
    reply, _ = h.side.command("/checkin", "", user=user, channel=CHANNEL)
    assert reply.status == 200, reply.body
    opened = h.fake.calls_to("views.open")
    assert len(opened) == before + 1, f"no modal opened: {reply.body}"
    view: dict[str, Any] = opened[-1].args["view"]
    assert view["callback_id"] == "checkin"
    return view


GOOD_ANSWER: dict[str, Value] = {
    "q:progress": "Shipped the CLI parser",
    "q:focus": "Docs for the CLI",
    "q:alignment": "4",
}
