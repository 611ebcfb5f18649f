"""auth.test and oauth.v2.access: installing the app into a workspace, issuing, rotating and
revoking tokens."""

from __future__ import annotations

import secrets
from typing import Any

from bot.devtools.fake_slack.params import SlackError, text_arg
from bot.devtools.fake_slack.workspace import Workspace


class OAuthMethods(Workspace):
    def expect_install(self, code: str, team_id: str, team_name: str = "") -> None:
        """A person approved the app in workspace `team_id`: Slack redirects with `code`."""
        with self._lock:
            self.install_codes[code] = {"team_id": team_id, "team_name": team_name or team_id}

    def revoke(self, token: str) -> None:
        with self._lock:
            self.revoked.add(token)

    def _issue(self, team_id: str) -> dict[str, Any]:
        self._issued += 1
        token = f"xoxb-{team_id}-{self._issued}-{secrets.token_hex(8)}"
        self.token_teams[token] = team_id
        if self.tokens is not None:
            self.tokens = self.tokens | {token}
        issued: dict[str, Any] = {"access_token": token}
        if self.rotation_seconds is not None:
            refresh = f"xoxe-1-{team_id}-{self._issued}-{secrets.token_hex(8)}"
            self.refresh_tokens[refresh] = team_id
            issued.update(refresh_token=refresh, expires_in=self.rotation_seconds)
        return issued

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        given = (text_arg(args, "client_id"), text_arg(args, "client_secret"))
        if self.oauth_client is None or given != self.oauth_client:
            raise SlackError("invalid_client_id")
        if text_arg(args, "grant_type") == "refresh_token":
            team_id = self.refresh_tokens.pop(text_arg(args, "refresh_token"), None)
            if team_id is None:
                raise SlackError("invalid_refresh_token")
            return {"token_type": "bot", **self._issue(team_id)}
        install = self.install_codes.pop(text_arg(args, "code"), None)
        if install is None:
            raise SlackError("invalid_code")
        team_id = install["team_id"]
        return {
            "app_id": self.app_id,
            "authed_user": {"id": "UINSTALLER"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "bot_user_id": self.bot_user_id,
            "team": {"id": team_id, "name": install["team_name"]},
            "enterprise": None,
            "is_enterprise_install": False,
            **self._issue(team_id),
        }

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_name.lower()}.slack.com/",
            "team": self.team_name,
            "user": "wolfpack",
            "team_id": self.token_teams.get(self._current_token or "", self.team_id),
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }
