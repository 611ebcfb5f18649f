from hypothesis import given
from hypothesis import strategies as st

from bot.slack.mrkdwn import chunks, clip, escape


def test_escape_neutralises_mentions_and_links() -> None:
    assert (
        escape("<!channel> <@U1> <https://x|y> a&b")
        == "&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt; a&amp;b"
    )


@given(st.text())
def test_escaped_text_has_no_control_sequences(text: str) -> None:
    out = escape(text)
    assert "<" not in out and ">" not in out
    assert out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@given(st.text(alphabet="ab&<> \n", max_size=400), st.integers(10, 60))
def test_chunks_keep_entities_whole_and_fit(text: str, limit: int) -> None:
    pieces = chunks(escape(text), limit)
    for piece in pieces:
        assert len(piece) <= limit
        assert not piece.endswith(("&", "&a", "&am", "&l", "&g", "&amp", "&lt", "&gt"))
    clipped = clip(escape(text), limit)
    assert len(clipped) <= limit
