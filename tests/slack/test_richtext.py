"""Rich-text answers: mentions read from Slack's rich_text_value, stored as `<@U…>` tokens, shown
as names and restored for editing; everything typed stays text."""

from __future__ import annotations

from typing import Any

from bot.devtools.simulate import mention, rich_text
from bot.slack import richtext

NAMES = {"U0ALBA": "Alba", "U0BRAM": "Bram <b> & co"}


def test_mentions_become_tokens_and_collaborators_in_order_once() -> None:
    value = rich_text(
        "Paired with ", mention("U0ALBA"), " and ", mention("U0BRAM"), ", then ", mention("U0ALBA")
    )
    text, people = richtext.read(value)
    assert text == "Paired with <@U0ALBA> and <@U0BRAM>, then <@U0ALBA>"
    assert people == ("U0ALBA", "U0BRAM")
    assert richtext.to_mrkdwn(text, NAMES) == (
        "Paired with @Alba and @Bram &lt;b&gt; &amp; co, then @Alba"
    )
    assert richtext.to_plain(text, NAMES) == "Paired with @Alba and @Bram <b> & co, then @Alba"


def test_hostile_typed_text_never_becomes_a_mention_or_a_ping() -> None:
    typed = "<!channel> & *bold* <@U0ALBA> <@U0BRAM|Bram> <https://evil.example|ok> &amp;"
    text, people = richtext.read(rich_text(typed))
    assert people == ()
    assert richtext.mentions(text) == ()
    shown = richtext.to_mrkdwn(text, NAMES)
    for live in ("<!channel>", "<@U0ALBA>", "<@U0BRAM|", "<https://"):
        assert live not in shown
    assert "@Alba" not in shown
    # Shown exactly as typed (Slack unescapes the entities), with `*` left as typed.
    assert shown == (
        "&lt;!channel&gt; &amp; *bold* &lt;@U0ALBA&gt; &lt;@U0BRAM|Bram&gt; "
        "&lt;https://evil.example|ok&gt; &amp;amp;"
    )
    assert richtext.to_plain(text, NAMES) == typed
    # Editing gives back what was typed, as text, not as a mention.
    assert richtext.to_rich_text(text) == rich_text(typed)


def test_a_stored_text_with_live_markup_is_still_escaped() -> None:
    """Whatever is stored (an old answer, a hand-made row), only `<@U…>` tokens are names."""
    shown = richtext.to_mrkdwn("<!here> *x* <@U0ALBA> <#C1> & <@nobody>", NAMES)
    assert shown == "&lt;!here&gt; *x* @Alba &lt;#C1&gt; &amp; &lt;@nobody&gt;"


def test_unknown_people_are_named_without_their_id() -> None:
    assert richtext.to_mrkdwn("with <@U0ZED>", {}) == "with @someone"


def test_editing_restores_text_and_mentions() -> None:
    value = rich_text("Fixed <b> & ", mention("U0ALBA"), " tests")
    text, _ = richtext.read(value)
    assert richtext.to_rich_text(text) == value
    assert richtext.to_rich_text("") is None
    assert richtext.read(richtext.to_rich_text(text)) == (text, ("U0ALBA",))


def test_lists_quotes_broadcasts_and_odd_elements() -> None:
    value: dict[str, Any] = {
        "type": "rich_text",
        "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "Done:\n"}]},
            {
                "type": "rich_text_list",
                "style": "bullet",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "a"}]},
                    {"type": "rich_text_section", "elements": [mention("U0BRAM")]},
                ],
            },
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "q"}]},
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "broadcast", "range": "channel"},
                    {"type": "emoji", "name": "tada"},
                    {"type": "link", "url": "https://x.example", "text": "<x>"},
                    {"type": "user", "user_id": "<!channel>"},
                    "junk",
                ],
            },
            {"type": "mystery"},
        ],
    }
    text, people = richtext.read(value)
    assert people == ("U0BRAM",)
    assert text == "Done:\n\n• a\n• <@U0BRAM>\n&gt; q\n@channel:tada:&lt;x&gt;"
    assert "<!channel>" not in richtext.to_mrkdwn(text, NAMES)
    assert richtext.read(None) == ("", ())
    assert richtext.read({"type": "rich_text", "elements": "nope"}) == ("", ())
