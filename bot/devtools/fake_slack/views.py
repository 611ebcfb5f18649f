"""views.*: modals (open, push, update with hash and external_id checks) and App Home tabs."""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.devtools.fake_slack.params import SlackError, text_arg
from bot.devtools.fake_slack.workspace import Workspace

_VIEW_BLOCKS_MAX = 100


class ViewMethods(Workspace):
    def _view_json(
        self, view: Any, *, kind: str | None, previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            raise SlackError("invalid_arguments")
        if kind is not None and view["type"] != kind:
            raise SlackError("invalid_arguments")
        blocks = view.get("blocks", [])
        if not isinstance(blocks, list) or len(blocks) > _VIEW_BLOCKS_MAX:
            raise SlackError("invalid_arguments")
        view_id = previous["id"] if previous else self._next_id("V")
        external_id = view.get("external_id") or (previous or {}).get("external_id") or ""
        if external_id and any(
            v.get("external_id") == external_id and v["id"] != view_id for v in self.views.values()
        ):
            raise SlackError("duplicate_external_id")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": blocks,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ids)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": previous["root_view_id"] if previous else view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "external_id": external_id,
            "bot_id": self.bot_id,
        }
        for key in ("title", "submit", "close"):
            if key in view:
                stored[key] = view[key]
        self.views[view_id] = stored
        return copy.deepcopy(stored)

    def open_view(self, external_id: str) -> dict[str, Any]:
        """A modal as Slack keeps it (with its id and hash, as a button pressed in it sends it),
        found by the external_id the app gave it."""
        found = [v for v in list(self.views.values()) if v["external_id"] == external_id]
        if not found:
            raise KeyError(f"no open view {external_id}")
        return copy.deepcopy(found[-1])

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger_id = text_arg(args, "trigger_id")
        if not trigger_id:
            raise SlackError("invalid_arguments")
        if trigger_id in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        view = self._view_json(args.get("view"), kind="modal")
        self._used_triggers.add(trigger_id)
        return {"view": view}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id, external_id = text_arg(args, "view_id"), text_arg(args, "external_id")
        if not view_id and not external_id:
            raise SlackError("invalid_arguments")
        previous = self.views.get(view_id) if view_id else None
        if external_id and not view_id:
            previous = next(
                (v for v in self.views.values() if v["external_id"] == external_id), None
            )
        if previous is None or previous["type"] == "home":
            raise SlackError("not_found")
        expected = text_arg(args, "hash")
        if expected and expected != previous["hash"]:
            raise SlackError("hash_conflict")
        return {"view": self._view_json(args.get("view"), kind="modal", previous=previous)}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = text_arg(args, "user_id")
        if user_id not in self.users:
            raise SlackError("user_not_found")
        previous = self.home_views.get(user_id)
        expected = text_arg(args, "hash")
        if expected and previous is not None and expected != previous["hash"]:
            raise SlackError("hash_conflict")
        view = self._view_json(args.get("view"), kind="home", previous=previous)
        self.home_views[user_id] = view
        return {"view": view}
