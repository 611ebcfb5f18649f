"""Slack's Block Kit limits (SPEC §7), checked on anything the bot builds."""

from __future__ import annotations

from typing import Any

LIMITS = {"section": 3000, "header": 150, "button": 75, "option": 75}


def check_message(blocks: list[dict[str, Any]], text: str | None = None) -> None:
    assert len(blocks) <= 50, f"{len(blocks)} blocks in a message"
    if text is not None:
        assert len(text) <= 40000
    for block in blocks:
        _check_block(block)


def check_view(view: dict[str, Any]) -> None:
    assert len(view["blocks"]) <= 100, f"{len(view['blocks'])} blocks in a view"
    if view["type"] == "modal":
        for key in ("title", "submit", "close"):
            if key in view:
                assert len(view[key]["text"]) <= 24, (key, view[key]["text"])
    assert len(view.get("private_metadata", "")) <= 3000
    for key in ("callback_id", "external_id"):
        assert len(view.get(key, "")) <= 255
    for block in view["blocks"]:
        _check_block(block)


def _check_block(block: dict[str, Any]) -> None:
    assert len(block.get("block_id", "")) <= 255
    kind = block["type"]
    if kind == "section":
        assert len(block["text"]["text"]) <= 3000
    elif kind == "header":
        assert len(block["text"]["text"]) <= 150
    elif kind == "context":
        assert len(block["elements"]) <= 10
        for element in block["elements"]:
            assert len(element.get("text", "")) <= 3000
    elif kind == "input":
        assert len(block["label"]["text"]) <= 2000
        _check_element(block["element"])
    elif kind == "actions":
        assert len(block["elements"]) <= 25
        for element in block["elements"]:
            _check_element(element)


def _check_element(element: dict[str, Any]) -> None:
    assert len(element.get("action_id", "")) <= 255
    if element["type"] == "button":
        assert len(element["text"]["text"]) <= 75
        assert len(element.get("value", "")) <= 2000
    options = element.get("options", [])
    if element["type"] in ("checkboxes", "radio_buttons"):
        assert len(options) <= 10
    assert len(options) <= 100
    for option in options:
        assert len(option["text"]["text"]) <= 75
        assert len(option["value"]) <= 150
