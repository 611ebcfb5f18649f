"""The setup form over signed HTTP: a short form a team lead fills in a minute, More settings
expanding it in place without losing what was typed, timezones and holiday countries searched
from lists the bot serves, and hidden settings kept as they are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.packs import DEFAULT_QUESTIONS, Pack, PackDraft, PackSettings, TimezoneMode
from bot.core.usecases import packs
from tests.conftest import ANA, BO, CHANNEL, CY, TEAM, Harness
from tests.e2e.journey import more_settings, open_setup, stored_view
from tests.slack.limits import check_view

MINUS = "\u2212"


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def the_pack(h: Harness) -> Pack:
    return packs.pack_settings(h.wolfpack.workspace(TEAM), CHANNEL, ANA).pack


def suggestions(
    h: Harness, action_id: str, typed: str, view: dict[str, Any]
) -> list[dict[str, Any]]:
    """The options the bot gives Slack as the admin types `typed` into a list."""
    reply = h.side.suggest(action_id, typed, user=ANA, view=view)
    assert reply.status == 200, reply.body
    options: list[dict[str, Any]] = reply.json()["options"]
    assert len(options) <= 100
    return options


def test_the_short_form_its_lists_more_settings_and_what_it_keeps(bot: Harness) -> None:
    h = bot
    short = open_setup(h)
    check_view(short)
    fields = inputs(short)
    assert len(fields) <= 8
    assert set(fields) >= {"members", "checkin_days", "checkin_time", "timezone", "votes"}
    assert not set(fields) & {"reminder", "admins", "holiday_country", "q_progress"}
    buttons = [e for b in short["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["text"]["text"], e["action_id"]) for e in buttons] == [
        ("More settings", "setup_more")
    ]
    # The timezone is a searched list starting at the admin's own zone (Ana: Berlin).
    zone = fields["timezone"]
    assert zone["type"] == "external_select" and zone["min_query_length"] <= 1
    assert zone["initial_option"]["value"] == "Europe/Berlin"
    assert zone["initial_option"]["text"]["text"] == "Europe/Berlin (UTC+01:00)"

    # Typing in the lists: the bot answers Slack's signed options requests; offsets are those
    # of the injected clock's date (1 December: winter in New York; 1 July: summer).
    shown = stored_view(h, short)
    york = [o for o in suggestions(h, "timezone", "york", shown) if "New_York" in o["value"]]
    assert york == [
        {
            "text": {
                "type": "plain_text",
                "text": f"America/New_York (UTC{MINUS}05:00)",
                "emoji": True,
            },
            "value": "America/New_York",
        }
    ]
    winter = h.clock.at
    h.clock.at = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)
    summer = suggestions(h, "timezone", "York", shown)[0]["text"]["text"]
    assert summer == f"America/New_York (UTC{MINUS}04:00)"
    h.clock.at = winter
    assert suggestions(h, "timezone", "lagos", shown)[0]["value"] == "Africa/Lagos"
    assert len(suggestions(h, "timezone", "", shown)) > 10
    germany = suggestions(h, "holiday_country", "ger", shown)[0]
    assert (germany["value"], germany["text"]["text"]) == ("DE", "Germany (DE)")
    assert suggestions(h, "holiday_country", "DE", shown)[0]["value"] == "DE"

    # A value the list never offered is refused on its field, and nothing is saved.
    forged = h.side.submit(short, user=ANA, values={"timezone": "Mars/Olympus"}).json()
    assert forged["response_action"] == "errors" and set(forged["errors"]) == {"timezone"}

    # More settings, after typing: the same modal grows every field, keeping what was typed.
    typed: dict[str, Any] = {
        "members": [ANA, BO],
        "checkin_days": ["0", "2"],
        "checkin_time": "08:15",
        "timezone_mode": "pack",
        "timezone": "Asia/Tokyo",
        "summary_day": "3",
        "summary_time": "17:30",
        "votes": "named",
    }
    full = more_settings(h, short, values=typed)
    update = h.fake.calls_to("views.update")[-1].args
    assert update["view_id"] == shown["id"] and update["hash"] == shown["hash"]
    check_view(full)
    every = inputs(full)
    assert len(every) > 8 and set(every) >= set(fields) | {
        "admins",
        "reminder",
        "late_limit",
        "holiday_country",
        "holiday_dates",
        "lone_wolves",
        "q_progress",
        "q_extra",
    }
    assert not [e for b in full["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert every["members"]["initial_users"] == [ANA, BO]
    assert [o["value"] for o in every["checkin_days"]["initial_options"]] == ["0", "2"]
    assert every["checkin_time"]["initial_time"] == "08:15"
    assert every["timezone_mode"]["initial_option"]["value"] == "pack"
    assert every["timezone"]["initial_option"]["text"]["text"] == "Asia/Tokyo (UTC+09:00)"
    assert every["summary_day"]["initial_option"]["value"] == "3"
    assert every["summary_time"]["initial_time"] == "17:30"
    assert every["votes"]["initial_option"]["value"] == "named"
    assert every["admins"]["initial_users"] == [ANA]
    assert every["holiday_country"]["type"] == "external_select"

    # The short form saved as it was typed: the settings it hides take their defaults.
    ack = h.side.submit(short, user=ANA, values=typed).json()
    assert ack["response_action"] == "update", ack
    pack = the_pack(h)
    assert pack.settings == PackSettings().with_changes(
        checkin_days=frozenset({0, 2}),
        checkin_time=dt.time(8, 15),
        timezone_mode=TimezoneMode.PACK,
        timezone="Asia/Tokyo",
        summary_day=3,
        summary_time=dt.time(17, 30),
        anonymous=False,
    )
    assert pack.settings.questions == DEFAULT_QUESTIONS and pack.admin_ids == (ANA,)

    # Editing: the full form sets what the short one hides...
    full = more_settings(h, open_setup(h))
    hidden = {
        "admins": [ANA, BO],
        "reminder": "0",
        "late_limit": "60",
        "holiday_country": "DE",
        "holiday_dates": "2026-12-24",
        "lone_wolves": ["name"],
        "q_extra": "Any wins this week?",
    }
    ack = h.side.submit(full, user=ANA, values=hidden).json()
    assert ack["response_action"] == "update", ack
    edited = the_pack(h).settings
    assert (edited.reminder_minutes, edited.late_limit_minutes) == (0, 60)
    assert edited.holiday_country == "DE" and edited.name_lone_wolves
    assert edited.question("extra_1") is not None

    # ...and a later short form leaves all of it as it is, changing only what it shows.
    short = open_setup(h)
    assert inputs(short)["timezone"]["initial_option"]["value"] == "Asia/Tokyo"
    ack = h.side.submit(short, user=ANA, values={"checkin_time": "10:00"}).json()
    assert ack["response_action"] == "update", ack
    after = the_pack(h)
    assert after.settings == edited.with_changes(checkin_time=dt.time(10, 0))
    assert after.admin_ids == (ANA, BO)
    # The full form shows each hidden setting's current value, the country by its name.
    every = inputs(more_settings(h, short))
    assert every["holiday_country"]["initial_option"]["text"]["text"] == "Germany (DE)"
    assert every["reminder"]["initial_option"]["value"] == "0"
    assert every["late_limit"]["initial_option"]["value"] == "60"

    # Someone who is not an admin cannot save the admin's form, nor expand it.
    refused = h.side.submit(short, user=CY, values={"checkin_time": "06:00"})
    assert "Only this pack's admins can change its setup" in refused.body
    before = len(h.fake.calls_to("views.update"))
    pressed = h.side.view_action(stored_view(h, short), "setup_more", "more", user=CY)
    assert pressed.status == 200
    h.fake.wait_for(lambda f: len(f.calls_to("views.update")) > before)
    notice = h.fake.calls_to("views.update")[-1].args["view"]
    assert "Only this pack's admins" in str(notice) and "callback_id" not in notice
    assert the_pack(h).settings == after.settings


def test_a_hidden_settings_problem_is_shown_where_the_short_form_can_show_it(bot: Harness) -> None:
    """A pack left without admins (its only admin forgot themselves): a workspace admin's
    short form cannot keep that, and says so on a field it shows, naming More settings."""
    short = open_setup(bot)
    assert bot.side.submit(short, user=ANA).json()["response_action"] == "update"
    ws = bot.wolfpack.workspace(TEAM)
    pack = the_pack(bot)
    with ws.unit() as uow:
        uow.packs.save(
            PackDraft(CHANNEL, pack.name, pack.settings, (ANA, BO, CY), (), ANA), bot.clock.at
        )
    assert the_pack(bot).admin_ids == ()
    ack = bot.side.submit(open_setup(bot), user=ANA).json()
    assert ack == {
        "response_action": "errors",
        "errors": {"members": "More settings: A pack needs at least one admin."},
    }
    full = more_settings(bot, open_setup(bot))
    ack = bot.side.submit(full, user=ANA, values={"admins": [ANA]}).json()
    assert ack["response_action"] == "update", ack
    assert the_pack(bot).admin_ids == (ANA,)
