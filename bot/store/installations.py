"""Installations of the app in many workspaces: slack_sdk's SQLAlchemy stores on Wolfpack's own
tables (migration 0006), with every token encrypted at rest, a refresh of rotating tokens done
by one process at a time, and the bookkeeping of workspaces that uninstall the app."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, delete, select, text, update

from bot.core.delivery import DeliveryState
from bot.store.models import SLACK_BOTS, SLACK_OAUTH_STATES, DeliveryRow, WorkspaceRow

log = logging.getLogger(__name__)

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
# Slack's tokens all start so; anything else in a token column is a ciphertext.
_PLAIN_PREFIXES = ("xox", "xapp-")
T = TypeVar("T", Bot, Installation)


class EncryptionKeyError(ValueError):
    """WOLFPACK_ENCRYPTION_KEY is malformed or does not open the stored tokens."""


class TokenCipher:
    """Fernet with key rotation: the first key encrypts, every key decrypts."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise EncryptionKeyError("give at least one key")
        try:
            self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])
        except (ValueError, TypeError):
            raise EncryptionKeyError(
                "each key must be a Fernet key (32 url-safe base64 bytes); make one with "
                'python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            ) from None

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        return cls([k for k in value.split(",") if k.strip()])

    def encrypt(self, value: str | None) -> str | None:
        if value is None or not value.startswith(_PLAIN_PREFIXES):
            return value
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        if value is None or value.startswith(_PLAIN_PREFIXES):
            return value
        return self._fernet.decrypt(value.encode()).decode()


def _with_tokens(entity: T, change: Callable[[str | None], str | None]) -> T:
    changed = copy.copy(entity)
    for name in TOKEN_FIELDS:
        if hasattr(changed, name):
            setattr(changed, name, change(getattr(changed, name)))
    return changed


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store with tokens encrypted before they are written and decrypted when read.
    Saving an installation also marks its workspace as installed again."""

    def __init__(self, client_id: str, engine: Engine, cipher: TokenCipher) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.cipher = cipher

    def save(self, installation: Installation) -> None:
        super().save(_with_tokens(installation, self.cipher.encrypt))
        installed(self.engine, installation.team_id or "", installation.enterprise_id or "")

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(_with_tokens(bot, self.cipher.encrypt))

    def build_installation_entity(self, row: Any) -> Installation:  # type: ignore[override]
        return _with_tokens(super().build_installation_entity(row), self.cipher.decrypt)

    def build_bot_entity(self, row: Any) -> Bot:  # type: ignore[override]
        return _with_tokens(super().build_bot_entity(row), self.cipher.decrypt)

    def check_key(self) -> None:
        """Raises EncryptionKeyError when stored tokens exist that no configured key opens."""
        with self.engine.connect() as conn:
            token = conn.scalar(
                select(SLACK_BOTS.c.bot_token).where(SLACK_BOTS.c.bot_token.is_not(None)).limit(1)
            )
        try:
            self.cipher.decrypt(token)
        except InvalidToken:
            raise EncryptionKeyError(
                "does not decrypt the stored tokens: use the key they were written with "
                "(several keys, comma-separated, are accepted while rotating)"
            ) from None

    def forget(self, team_id: str, enterprise_id: str | None) -> None:
        """Deletes every token of the workspace (uninstalled, or its tokens revoked)."""
        self.delete_all(enterprise_id=enterprise_id or None, team_id=team_id)


def state_store(engine: Engine, expiration_seconds: int = 600) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=engine)


def purge_oauth_states(engine: Engine, now: dt.datetime) -> int:
    """Deletes OAuth states that expired unused; slack_sdk stores naive UTC times."""
    naive = now.astimezone(dt.UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        result = conn.execute(
            delete(SLACK_OAUTH_STATES).where(SLACK_OAUTH_STATES.c.expire_at < naive)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def installed(engine: Engine, team_id: str, enterprise_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(WorkspaceRow)
            .where(WorkspaceRow.team_id == team_id, WorkspaceRow.enterprise_id == enterprise_id)
            .values(uninstalled_at=None)
        )


def uninstalled(engine: Engine, team_id: str, enterprise_id: str, now: dt.datetime) -> int:
    """Marks the workspace uninstalled and drops what it still had queued; returns how many
    deliveries were dropped. The workspace's own data stays until it is deleted on request."""
    with engine.begin() as conn:
        workspace_ids = list(
            conn.scalars(
                select(WorkspaceRow.id).where(
                    WorkspaceRow.team_id == team_id, WorkspaceRow.enterprise_id == enterprise_id
                )
            )
        )
        if not workspace_ids:
            return 0
        conn.execute(
            update(WorkspaceRow)
            .where(WorkspaceRow.id.in_(workspace_ids))
            .values(uninstalled_at=now)
        )
        result = conn.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.workspace_id.in_(workspace_ids),
                DeliveryRow.state == DeliveryState.PENDING.value,
            )
            .values(
                state=DeliveryState.SKIPPED.value,
                last_error="uninstalled",
                claimed_until=None,
                in_flight=False,
                updated_at=now,
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


_LOCAL_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class RefreshLock:
    """One token refresh at a time for a workspace, across every process on PostgreSQL (an
    advisory lock) and every thread on SQLite (one process)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite runs in one process: one lock per database file, shared by every engine on it.
        with _LOCKS_GUARD:
            self._local = _LOCAL_LOCKS.setdefault(str(engine.url), threading.Lock())

    @contextlib.contextmanager
    def hold(self, team_id: str) -> Iterator[None]:
        if self.engine.dialect.name != "postgresql":
            with self._local:
                yield
            return
        key = int.from_bytes(hashlib.sha256(f"refresh:{team_id}".encode()).digest()[:8], "big")
        key -= 1 << 63  # a signed bigint
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


# Refresh a rotating token this long before it expires (Bolt's own default).
REFRESH_BEFORE_MINUTES = 120


class TokenKeeper:
    """The bot token of a workspace for whoever needs one, the scheduler or a request; a token
    about to expire is refreshed first, by one process at a time (a refresh token works once)."""

    def __init__(
        self,
        store: EncryptedInstallationStore,
        lock: RefreshLock,
        rotator: TokenRotator | None,
    ) -> None:
        self.store = store
        self.lock = lock
        self.rotator = rotator

    def bot_token(self, team_id: str, enterprise_id: str | None = None) -> str | None:
        bot = self.store.find_bot(enterprise_id=enterprise_id or None, team_id=team_id)
        if bot is None:
            return None
        if bot.bot_refresh_token is None or self.rotator is None or not _expiring(bot):
            return bot.bot_token
        with self.lock.hold(team_id):
            # Another process may have refreshed while this one waited: read again.
            bot = self.store.find_bot(enterprise_id=enterprise_id or None, team_id=team_id)
            if bot is None:
                return None
            refreshed = self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=REFRESH_BEFORE_MINUTES
            )
            if refreshed is None:
                return bot.bot_token
            self.store.save_bot(refreshed)
            log.info("refreshed the bot token of %s", team_id)
            return refreshed.bot_token


def _expiring(bot: Bot) -> bool:
    expires = bot.bot_token_expires_at  # epoch seconds
    if expires is None:
        return False
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=REFRESH_BEFORE_MINUTES)
    return int(expires) <= soon.timestamp()
