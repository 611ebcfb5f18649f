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


def stored_view(h: Harness, view: dict[str, Any]) -> dict[str, Any]:
    """The fake Slack's copy of a modal the bot sent (by its external_id): with the id and hash
    Slack gives it, as a button pressed in it sends it."""
    return h.fake.open_view(view["external_id"])


def more_settings(
    h: Harness, view: dict[str, Any], *, admin: str = ANA, values: dict[str, Value] | None = None
) -> dict[str, Any]:
    """Presses **More settings** on the short setup form after changing `values`; returns the
    full form the bot updates the modal to."""
    before = len(h.fake.calls_to("views.update"))
    reply = h.side.view_action(
        stored_view(h, view), "setup_more", "more", user=admin, values=values
    )
    assert reply.status == 200, reply.body
    h.fake.wait_for(lambda f: len(f.calls_to("views.update")) > before)
    return last_view(h, "views.update", "wolfpack_setup")


def open_setup(h: Harness, *, admin: str = ANA, channel: str = CHANNEL) -> dict[str, Any]:
    """Runs `/wolfpack setup`; returns the (short) form the loading modal is updated to."""
    before = len(h.fake.calls_to("views.update"))
    reply, _ = h.side.command("/wolfpack", "setup", user=admin, channel=channel)
    assert reply.status == 200, reply.body
    h.fake.wait_for(
        lambda f: any(
            c.args["view"].get("callback_id") == "wolfpack_setup"
            for c in f.calls_to("views.update")[before:]
        )
    )
    return last_view(h, "views.update", "wolfpack_setup")


def full_enough(
    h: Harness, view: dict[str, Any], *, admin: str = ANA, values: dict[str, Value] | None = None
) -> dict[str, Any]:
    """The setup form to submit `values` in: the short one, or, when they name a setting it
    hides, the full one (after More settings, with the others typed in first)."""
    shown = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    if values and not set(values) <= shown:
        typed = {k: v for k, v in values.items() if k in shown}
        view = more_settings(h, view, admin=admin, values=typed)
        missing = set(values) - {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
        assert not missing, f"the setup form has no field {sorted(missing)}"
    return view


def setup_pack(
    h: Harness,
    *,
    admin: str = ANA,
    values: dict[str, Value] | None = None,
    before: dt.timedelta = dt.timedelta(days=1),
) -> dict[str, Any]:
    """Runs `/wolfpack setup` in the team channel and submits the modal; returns the ack.
    Values for settings the short form hides are filled in after pressing More settings."""
    view = full_enough(h, open_setup(h, admin=admin), admin=admin, values=values)
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
