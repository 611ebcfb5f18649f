"""The delivery queue's rules: what a tick plans, when a message is still worth sending, and
what a failed send means (wait, retry with backoff, or give up and tell the admins)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from bot.core.packs import PackSettings, Person
from bot.core.schedule import SHORTEST_NOTICE, Due, DueKind, in_hours, member_zone, next_in_hours

# Transient errors (Slack 5xx, network, rate limits) are retried for as long as the message is
# still worth sending, with backoff: 15 s, doubling, then every 5 minutes. A prompt stops at its
# pack's late limit (checked when it is sent, like a prompt found late after downtime); anything
# else (a summary, a proposal's outcome) after a day. So an outage of Slack loses nothing that
# is still due when it ends, and each message goes out once.
BACKOFF_BASE = dt.timedelta(seconds=15)
BACKOFF_CAP = dt.timedelta(minutes=5)
RETRY_FOR = dt.timedelta(days=1)
CLAIM_FOR = dt.timedelta(minutes=2)
BATCH = 200

# Errors that no retry will fix: recorded, shown to pack admins, never retried.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "account_inactive",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "token_revoked",
        "user_disabled",
        "cannot_dm_bot",
        "missing_scope",
        "not_authed",
        "team_access_not_granted",
        "not_installed",
    }
)


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    MISSED = "missed"


@dataclass(frozen=True)
class Delivery:
    """A due message as the queue holds it: what the schedule planned, and how sending it
    has gone so far."""

    id: int
    due: Due
    state: DeliveryState
    attempts: int
    last_error: str | None = None
    message_ts: str | None = None
    # A previous sender took this row and never recorded the outcome (it crashed or hung):
    # Slack may already have the message, so look before sending again.
    uncertain: bool = False


@dataclass(frozen=True)
class Finished:
    """How a delivery ended, to be recorded: sent (where Slack has it), skipped, missed or
    failed (why)."""

    delivery_id: int
    state: DeliveryState
    error: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None


class SendError(Exception):
    """A send that did not happen. `retry_after` is set when Slack said how long to wait."""

    def __init__(self, code: str, *, retry_after: float | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        return self.code in PERMANENT_ERRORS


def initial_state(due: Due, now: dt.datetime, late_limit: dt.timedelta) -> DeliveryState:
    """A prompt found later than the late limit (the bot was down) is recorded as missed."""
    if due.kind in (DueKind.PROMPT, DueKind.REMINDER) and now - due.due_at > late_limit:
        return DeliveryState.MISSED
    return DeliveryState.PENDING


@dataclass(frozen=True)
class Hold:
    """A direct message that must not go now, outside its recipient's working hours: it
    waits `until` their next working hours, or (None) is no longer worth sending then."""

    until: dt.datetime | None
    # Held because the recipient is away (their own calendar), not only off hours.
    away: bool = False


def held(
    due: Due,
    settings: PackSettings,
    person: Person,
    now: dt.datetime,
    *,
    deadline: dt.datetime | None = None,
) -> Hold | None:
    """None when a direct message the bot starts on its own may go to `person` now. While they
    are away (their own calendar) it waits until they are back, and outside their working
    hours for the next ones; a prompt or reminder only while that is within its pack's late
    limit, a message with a `deadline` (a proposal's closing) only while that leaves
    SHORTEST_NOTICE before it."""
    back = back_from_away(settings, person, now)
    if back is None and in_hours(settings, person, now):
        return None
    at = next_in_hours(settings, person, back or now)
    if at is None or (deadline is not None and at > deadline - SHORTEST_NOTICE):
        return Hold(None, away=back is not None)
    late_limit = dt.timedelta(minutes=settings.late_limit_minutes)
    if due.kind in (DueKind.PROMPT, DueKind.REMINDER) and at - due.due_at > late_limit:
        return Hold(None, away=back is not None)
    return Hold(at, away=back is not None)


def back_from_away(settings: PackSettings, person: Person, now: dt.datetime) -> dt.datetime | None:
    """When a member away today (their own calendar) is back: the start of the day after
    their time away, in their clock; None when they are not away today."""
    away = person.away
    zone = member_zone(settings, person)
    if away is None or not away.covers(now.astimezone(zone).date()):
        return None
    return dt.datetime.combine(away.end + dt.timedelta(days=1), dt.time(), zone)


def next_attempt(
    error: SendError, attempts: int, now: dt.datetime, due_at: dt.datetime
) -> dt.datetime | None:
    """When to try again a delivery due at `due_at` after `attempts` tries ended in `error`;
    None to give up (a permanent error, or no longer worth sending)."""
    if error.permanent:
        return None
    if error.retry_after is not None:
        at = now + dt.timedelta(seconds=max(error.retry_after, 1.0))
    else:
        at = now + min(BACKOFF_BASE * (2 ** (min(max(attempts, 1), 16) - 1)), BACKOFF_CAP)
    return at if at <= due_at + RETRY_FOR else None


@dataclass
class TickReport:
    queued: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    missed: int = 0
    retrying: int = 0
    # Messages put off until their recipient's working hours.
    waiting: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "queued": self.queued,
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "missed": self.missed,
            "retrying": self.retrying,
            "waiting": self.waiting,
            "errors": dict(sorted(self.errors.items())),
        }
