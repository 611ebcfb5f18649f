"""files.getUploadURLExternal and files.completeUploadExternal: Slack's two-step upload, with the
bytes themselves sent to the upload URL in between (see `_store_upload`)."""

from __future__ import annotations

import copy
from abc import abstractmethod
from typing import Any

from bot.devtools.fake_slack.params import SlackError, text_arg
from bot.devtools.fake_slack.workspace import Workspace


class FileMethods(Workspace):
    @property
    @abstractmethod
    def base_url(self) -> str:
        """Where the upload URLs point: the fake's own HTTP root."""

    def _store_upload(self, file_id: str, raw: bytes) -> bool:
        """The bytes posted to a file's upload URL; False if no such upload was started."""
        with self._changed:
            stored = self.uploaded_files.get(file_id)
            if stored is not None:
                stored["content"] = raw
                stored["uploaded"] = True
            self._changed.notify_all()
        return stored is not None

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = text_arg(args, "filename")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None
        if not filename or length <= 0:
            raise SlackError("invalid_arguments")
        file_id = self._next_id("F")
        self.uploaded_files[file_id] = {
            "id": file_id,
            "filename": filename,
            "length": length,
            "alt_txt": args.get("alt_txt"),
            "content": b"",
            "uploaded": False,
            "completed": False,
            "title": None,
            "channel": None,
            "initial_comment": None,
            "thread_ts": None,
        }
        return {"upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments")
        channel_ids = [c for c in text_arg(args, "channels").split(",") if c]
        if text_arg(args, "channel_id"):
            channel_ids.insert(0, text_arg(args, "channel_id"))
        channels = [self._resolve(c) for c in channel_ids]
        if any(c is None for c in channels):
            raise SlackError("channel_not_found")
        if any(c is not None and not c.bot_is_member for c in channels):
            raise SlackError("not_in_channel")
        done: list[dict[str, Any]] = []
        for entry in entries:
            file_id = str(entry.get("id")) if isinstance(entry, dict) else ""
            stored = self.uploaded_files.get(file_id)
            if stored is None or stored["completed"]:
                raise SlackError("file_not_found")
            done.append({"id": file_id, "title": entry.get("title") or stored["filename"]})
        thread_ts = text_arg(args, "thread_ts") or None
        comment = text_arg(args, "initial_comment") or None
        for item in done:
            self.uploaded_files[item["id"]].update(
                title=item["title"],
                channel=channel_ids[0] if channel_ids else None,
                initial_comment=comment,
                thread_ts=thread_ts,
                completed=True,
            )
        for channel in channels:
            assert channel is not None
            channel.messages.append(
                {
                    "type": "message",
                    "ts": self._next_ts(),
                    "user": self.bot_user_id,
                    "bot_id": self.bot_id,
                    "team": self.team_id,
                    "text": comment or "",
                    "blocks": [],
                    "files": copy.deepcopy(done),
                    "upload": True,
                    "thread_ts": thread_ts,
                }
            )
        return {"files": done}
