"""A posted Block Kit message as the plain text a reader sees (what `wolfpack demo` prints)."""

from __future__ import annotations

import json

from bot.devtools.blocks_text import blocks_text, mrkdwn_text, posted_message, posted_text


def test_markup_escapes_and_tokens_read_as_plain_text() -> None:
    text = (
        "*Passed*: “R&amp;D &lt;team&gt;” closes <!date^1795903200^{date_short_pretty}|Sat 28 Nov>"
        " · _new_ · pair with <@UDEV> in <#CWOLVES|wolves> · `/direction` · 2*3*4 snake_case_name"
    )
    assert mrkdwn_text(text, {"UDEV": "Dev"}) == (
        "Passed: “R&D <team>” closes Sat 28 Nov · new · pair with @Dev in #wolves · /direction"
        " · 2*3*4 snake_case_name"
    )
    assert mrkdwn_text("<@UNKNOWN>") == "@UNKNOWN"


def test_blocks_read_one_paragraph_each_with_buttons_in_brackets() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Weekly consensus"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Where we agree*\n1. “A”"}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "a"}, {"type": "mrkdwn", "text": "b"}],
        },
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Discuss"}},
                {"type": "button", "text": {"type": "plain_text", "text": "Details"}},
            ],
        },
    ]
    expected = "Weekly consensus\n\nWhere we agree\n1. “A”\n\na · b\n\n[Discuss] [Details]\n"
    assert blocks_text(blocks) == expected
    message = posted_message({"text": "fallback", "blocks": json.dumps(blocks)})
    assert message["blocks"] == blocks and posted_text(message) == expected
    assert posted_text(posted_message({"text": "*only* text"})) == "only text\n"
