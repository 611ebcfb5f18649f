"""Tables. Every row belongs to exactly one workspace (`workspace_id`), including rows whose
parent already implies it, so every query can filter on it directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class WorkspaceRow(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("team_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Set when the app is uninstalled or its tokens revoked: nothing is sent there until it is
    # installed again.
    uninstalled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PackRow(Base):
    __tablename__ = "packs"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    admin_ids: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PersonRow(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    tz: Mapped[str] = mapped_column(String(64))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    is_workspace_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    away_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    away_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    dm_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Their own working hours as `/checkin hours` writes them (`08:00-16:00 mon-thu`).
    hours: Mapped[str | None] = mapped_column(String(64), nullable=True)
    refreshed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class MembershipRow(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("pack_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RoundRow(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("pack_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    local_date: Mapped[dt.date] = mapped_column(Date)
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    parent_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    parent_claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    texts: Mapped[dict[str, str]] = mapped_column(JSON)
    collaborators: Mapped[list[str]] = mapped_column(JSON)
    alignment: Mapped[int | None] = mapped_column(Integer, nullable=True)
    blockers: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    publish_claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reply_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class BlockerRow(Base):
    """A blocker a member named in a check-in, from the round that raised it until resolved.
    `open_user` holds the member while it is open and is cleared when it is resolved: unique
    with the pack, so a member has at most one open blocker per pack."""

    __tablename__ = "blockers"
    __table_args__ = (
        UniqueConstraint("pack_id", "open_user"),
        Index("ix_blockers_pack_raised", "pack_id", "raised_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    open_user: Mapped[str | None] = mapped_column(String(32), nullable=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="SET NULL"), nullable=True
    )
    round_date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    asked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ask_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ask_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    helpers: Mapped[list[str]] = mapped_column(JSON)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    followed_up_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The delivery key of the message that claimed the follow-up: if its sender stops before
    # the outcome is known, that same message finds the claim its own and sends it again.
    followed_up_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class DeliveryRow(Base):
    """The delivery queue: one row per message to send, its idempotency key unique, inserted
    before anything is sent."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_deliveries_ready", "state", "next_attempt_at"),
        # The admins' list of delivery problems in each summary.
        Index("ix_deliveries_pack_state", "pack_id", "state", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    # The parts of the key a query needs, in columns of their own: the member a message goes
    # to (forget-me deletes by it) and the proposal a reminder or a closing is about.
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    proposal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    local_date: Mapped[dt.date] = mapped_column(Date)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Set when a process takes the row to send it, cleared when it records the outcome: a
    # claimed row that still has it set lost its sender midway, and Slack may have the message.
    in_flight: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class StatementRow(Base):
    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("pack_id", "normalized"),
        Index("ix_statements_alert", "workspace_id", "alert_channel", "alert_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    normalized: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[bool] = mapped_column(Boolean, default=False)
    alerted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The split alert's message, so replies in its thread count as discussion.
    alert_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    alert_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    discussed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class VoteRow(Base):
    """Every vote cast, kept as history; a member's latest vote on a statement counts."""

    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_statement_user", "statement_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"), index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProposalRow(Base):
    __tablename__ = "proposals"
    # A failed proposal is revised at most once; replies in its message's thread find it.
    __table_args__ = (
        UniqueConstraint("revises_id"),
        Index("ix_proposals_message", "workspace_id", "channel_id", "message_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL"), nullable=True
    )
    revises_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), nullable=True
    )
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProposalResponseRow(Base):
    """Every position taken, kept as history; a member's latest counts."""

    __tablename__ = "proposal_responses"
    __table_args__ = (Index("ix_proposal_responses_proposal_user", "proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    position: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ThreadReplyRow(Base):
    """A member's reply in a split alert's or a proposal's thread: who and when, never the
    text, so a member who joined a discussion counts as heard (the lone-wolf signals)."""

    __tablename__ = "thread_replies"
    __table_args__ = (Index("ix_thread_replies_pack_created", "pack_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), nullable=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), nullable=True
    )
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SlackEventRow(Base):
    """An event Slack delivered, claimed before it is handled and marked done after, so a
    redelivery (`X-Slack-Retry-Num`) has no second effect. Keyed by the team and the event id,
    so one workspace's events never decide another's."""

    __tablename__ = "slack_events"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# The tables of slack_sdk's SQLAlchemy installation and OAuth state stores, as migration 0006
# creates them (token columns wide enough for their encrypted form). slack_sdk queries them with
# its own Table objects; these keep them in the one schema the migrations are checked against.
_TOKEN = 1000
SLACK_INSTALLATIONS = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(_TOKEN)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(_TOKEN)),
    Column("bot_token_expires_at", DateTime()),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(_TOKEN)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(_TOKEN)),
    Column("user_token_expires_at", DateTime()),
    Column("incoming_webhook_url", String(_TOKEN)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean(), nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime(), nullable=False),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)
SLACK_BOTS = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(_TOKEN)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(_TOKEN)),
    Column("bot_token_expires_at", DateTime()),
    Column("is_enterprise_install", Boolean(), nullable=False),
    Column("installed_at", DateTime(), nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)
SLACK_OAUTH_STATES = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime(), nullable=False),
    Index("ix_slack_oauth_states_expire_at", "expire_at"),
)
