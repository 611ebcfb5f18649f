"""The first user journey through real signed HTTP: setup, check-in, the round thread, edit."""

from __future__ import annotations

import json

from bot.devtools.simulate import mention, rich_text
from tests.conftest import ANA, BO, CHANNEL, CY, DEE, HELPER_BOT, Harness
from tests.e2e.journey import GOOD_ANSWER, last_view, more_settings, open_checkin, setup_pack

HOSTILE = "<!channel> ping <@U123> see <https://evil.example|ok> & more"


def channel_posts(h: Harness, thread: bool) -> list[dict]:
    return [
        c.args
        for c in h.fake.calls_to("chat.postMessage")
        if c.args["channel"] == CHANNEL and bool(c.args.get("thread_ts")) == thread
    ]


def test_setup_makes_a_pack_of_the_channels_humans(bot: Harness) -> None:
    ack = setup_pack(bot)
    assert ack["response_action"] == "update"
    assert "created" in json.dumps(ack["view"])
    loading = bot.fake.calls_to("views.open")[0].args["view"]
    assert "Loading" in json.dumps(loading)
    setup_view = last_view(bot, "views.update", "wolfpack_setup")
    members_block = next(b for b in setup_view["blocks"] if b.get("block_id") == "members")
    assert sorted(members_block["element"]["initial_users"]) == sorted([ANA, BO, CY])
    reply, _ = bot.side.command("/wolfpack", "members", user=BO, channel=CHANNEL)
    listing = reply.message()["text"] + json.dumps(reply.message().get("blocks", []))
    assert "3 members" in listing
    for user in (ANA, BO, CY):
        assert f"<@{user}>" in listing
    assert HELPER_BOT not in listing and "UBOT" not in listing


def test_checkin_lands_in_the_round_thread_escaped(bot: Harness) -> None:
    setup_pack(bot)
    view = open_checkin(bot, BO)
    labels = [b["label"]["text"] for b in view["blocks"] if b.get("block_id", "").startswith("q:")]
    assert labels[0] == "What did you move forward since the last check-in?"
    assert len(labels) == 4
    assert not any(b.get("block_id") == "share_priority" for b in view["blocks"])
    progress = rich_text(HOSTILE, " with ", mention(CY))
    ack = bot.side.submit(
        view, user=BO, values={**GOOD_ANSWER, "q:blockers": HOSTILE, "q:progress": progress}
    )
    assert ack.status == 200 and ack.body == ""
    bot.fake.wait_for(
        lambda f: len(channel_posts(bot, thread=True)) == 1 and bool(f.calls_to("chat.update"))
    )
    bot.fake.wait_for(
        lambda f: any(c.args["channel"].startswith("D") for c in f.calls_to("chat.postMessage"))
    )

    parents = channel_posts(bot, thread=False)
    assert len(parents) == 1
    thread_ts = bot.fake.messages(CHANNEL)[0]["ts"]
    reply = channel_posts(bot, thread=True)[0]
    assert reply["thread_ts"] == thread_ts
    reply_text = json.dumps(reply["blocks"])
    # Blockers come first, escaped; the collaborator is named, not mentioned.
    assert reply["blocks"][1]["text"]["text"].startswith(":warning:")
    assert (
        "&lt;!channel&gt; ping &lt;@U123&gt; see &lt;https://evil.example|ok&gt; &amp; more"
        in reply_text
    )
    assert "&amp; more with @Cy" in reply_text and f"<@{CY}>" not in reply_text
    assert "Alignment" not in reply_text and "4/5" not in reply_text
    header = bot.fake.messages(CHANNEL)[0]["text"]
    assert "heard from 1 of 3" in header

    for call in bot.fake.calls:
        raw = json.dumps(call.args)
        for live in ("<!channel>", "<@U123>", "<https://evil.example|ok>"):
            assert live not in raw, (call.method, live)

    dm = next(
        c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"].startswith("D")
    )
    assert dm["channel"] == f"D{BO}"
    shown_buttons = {
        e["action_id"]: e["text"]["text"]
        for b in dm["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert shown_buttons == {
        "direction_step": "Where is the pack heading?",
        "checkin_edit": "Edit",
    }


def test_editing_updates_the_same_reply(bot: Harness) -> None:
    setup_pack(bot)
    bot.side.submit(open_checkin(bot, BO), user=BO, values=GOOD_ANSWER)
    bot.fake.wait_for(
        lambda f: any(c.args["channel"].startswith("D") for c in f.calls_to("chat.postMessage"))
    )
    reply_ts = next(m["ts"] for m in bot.fake.messages(CHANNEL) if m.get("thread_ts"))
    dm = next(
        c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"].startswith("D")
    )
    answer_id = next(
        e["value"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
    )

    click, _ = bot.side.click("checkin_edit", answer_id, user=BO, channel=f"D{BO}")
    assert click.status == 200
    view = bot.fake.calls_to("views.open")[-1].args["view"]
    progress = next(b for b in view["blocks"] if b.get("block_id") == "q:progress")
    assert progress["element"]["initial_value"] == rich_text("Shipped the CLI parser")
    ack = bot.side.submit(
        view, user=BO, values={"q:progress": "Shipped the CLI parser and its tests"}
    )
    assert ack.status == 200
    bot.fake.wait_for(
        lambda f: any(
            c.args.get("ts") == reply_ts and "its tests" in json.dumps(c.args)
            for c in f.calls_to("chat.update")
        )
    )
    assert len([m for m in bot.fake.messages(CHANNEL) if m.get("thread_ts")]) == 1
    # Another member cannot edit it.
    click, _ = bot.side.click("checkin_edit", answer_id, user=CY, channel=f"D{CY}")
    assert "gone" in json.dumps(bot.fake.calls_to("views.open")[-1].args["view"])


def test_bad_input_gets_field_errors(bot: Harness) -> None:
    setup_pack(bot)
    view = open_checkin(bot, BO)
    ack = bot.side.submit(
        view, user=BO, values={"q:progress": "   ", "q:focus": "x" * 1600, "q:alignment": "3"}
    )
    assert ack.status == 200
    body = ack.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"q:progress", "q:focus"}
    assert "1500" in body["errors"]["q:focus"]
    assert channel_posts(bot, thread=True) == []


def test_setup_form_errors(bot: Harness) -> None:
    ack = setup_pack(
        bot, values={"timezone": "Mars/Olympus", "checkin_days": [], "checkin_time": "25:00"}
    )
    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == {"timezone", "checkin_days", "checkin_time"}
    assert "Mars/Olympus" in ack["errors"]["timezone"]
    view = more_settings(bot, last_view(bot, "views.update", "wolfpack_setup"))
    ack = bot.side.submit(
        view, user=ANA, values={"members": [ANA, HELPER_BOT], "admins": []}
    ).json()
    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == {"members", "admins"}
    assert "Helper" in ack["errors"]["members"]
    reply, _ = bot.side.command("/wolfpack", "members", user=ANA, channel=CHANNEL)
    assert "no pack" in reply.message()["text"]


def test_setup_refuses_when_the_bot_is_not_in_the_channel(bot: Harness) -> None:
    bot.fake.add_channel("COTHER", name="other", members=[ANA], bot_is_member=False)
    reply, _ = bot.side.command("/wolfpack", "setup", user=ANA, channel="COTHER")
    assert reply.status == 200
    bot.fake.wait_for(lambda f: bool(f.calls_to("views.update")))
    assert "/invite @Wolfpack" in json.dumps(bot.fake.calls_to("views.update")[-1].args["view"])


def test_non_members_and_unknown_subcommands_get_friendly_answers(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO]})
    reply, _ = bot.side.command("/checkin", "", user=CY, channel=CHANNEL)
    assert reply.status == 200
    assert "not a member" in reply.message()["text"]
    reply, _ = bot.side.command("/checkin", "dance <!here>", user=BO, channel=CHANNEL)
    text = reply.message()["text"]
    assert "I don't know `/checkin dance`" in text and "/checkin skip" in text
    reply, _ = bot.side.command("/wolfpack", "<!channel>", user=BO, channel=CHANNEL)
    assert (
        "<!channel>" not in reply.message()["text"]
        and "&lt;!channel&gt;" in reply.message()["text"]
    )
    reply, _ = bot.side.command("/checkin", "help", user=DEE, channel=CHANNEL)
    assert "/checkin away" in reply.message()["text"]


def test_skip_away_back_and_history(bot: Harness) -> None:
    setup_pack(bot)
    reply, _ = bot.side.command("/checkin", "away 2026-12-20 2027-01-03", user=CY, channel=CHANNEL)
    assert "away 2026-12-20 to 2027-01-03" in reply.message()["text"]
    reply, _ = bot.side.command("/checkin", "away 2027-01-03 2026-12-20", user=CY, channel=CHANNEL)
    assert "ends before it starts" in reply.message()["text"]
    reply, _ = bot.side.command("/checkin", "back", user=CY, channel=CHANNEL)
    assert reply.message()["text"] == "Welcome back!"
    reply, _ = bot.side.command("/checkin", "skip", user=ANA, channel=CHANNEL)
    assert reply.message()["text"].startswith("Skipped Tue 1 Dec")
    bot.fake.wait_for(lambda f: any("1 skipped" in json.dumps(m) for m in f.messages(CHANNEL)))
    bot.side.submit(open_checkin(bot, BO), user=BO, values=GOOD_ANSWER)
    bot.fake.wait_for(lambda f: any(m.get("thread_ts") for m in f.messages(CHANNEL)))
    reply, _ = bot.side.command("/checkin", "history 3", user=BO, channel=CHANNEL)
    assert "Shipped the CLI parser" in json.dumps(reply.message()["blocks"])
    reply, _ = bot.side.command("/checkin", "history lots", user=BO, channel=CHANNEL)
    assert "how many" in reply.message()["text"]
