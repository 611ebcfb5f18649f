"""The repositories a unit of work offers: each sees only its workspace's rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.core.blockers import Blocker
from bot.core.checkins import Answer, AnswerInput, AnswerStatus, Round
from bot.core.delivery import Delivery, DeliveryState, Finished
from bot.core.hours import Hours
from bot.core.packs import Away, Member, Pack, PackDraft, Person
from bot.core.privacy import Footprint
from bot.core.proposals import Counts, Outcome, Position, Proposal, Response
from bot.core.schedule import DeliveryKey, Due
from bot.core.statements import Reply, Statement, StatementView, Vote, VoteValue


class PackRepository(Protocol):
    def all(self) -> list[Pack]: ...
    def by_channel(self, channel_id: str) -> Pack | None: ...
    def get(self, pack_id: int) -> Pack | None: ...
    def of_user(self, user_id: str) -> list[Pack]: ...
    def save(self, draft: PackDraft, now: dt.datetime) -> tuple[Pack, bool]:
        """Creates or updates the pack of the draft's channel; True when created."""
        ...


class PersonRepository(Protocol):
    def get(self, user_id: str) -> Person | None: ...
    def many(self, user_ids: Sequence[str]) -> dict[str, Person]: ...
    def upsert(self, person: Person, now: dt.datetime) -> Person:
        """Stores the Slack profile fields; keeps the stored away period."""
        ...

    def set_away(self, user_id: str, away: Away | None) -> None: ...
    def set_hours(self, user_id: str, hours: Hours | None) -> None:
        """Their own working hours; None goes back to their packs'."""
        ...

    def set_dm_channel(self, user_id: str, channel: str | None) -> None: ...
    def stale(self, refreshed_before: dt.datetime, limit: int) -> list[str]:
        """Members of any pack whose Slack profile was last read before that time."""
        ...


class MemberRepository(Protocol):
    def of_pack(self, pack_id: int, *, include_inactive: bool = False) -> list[Member]: ...
    def by_pack(
        self, pack_ids: Sequence[int], *, include_inactive: bool = False
    ) -> dict[int, list[Member]]:
        """The members of several packs in one read."""
        ...

    def get(self, pack_id: int, user_id: str) -> Member | None: ...
    def in_channel(self, channel_id: str, user_id: str) -> tuple[Pack, Member | None] | None:
        """The pack of the channel and the user's membership of it, in one read; None when
        the channel is no pack's."""
        ...

    def replace(self, pack_id: int, member_ids: Sequence[str], now: dt.datetime) -> None:
        """Makes exactly these users the active members; others become inactive, never deleted."""
        ...

    def join(self, pack_id: int, user_id: str, now: dt.datetime) -> bool:
        """Activates the membership; True when something changed."""
        ...

    def leave(self, pack_id: int, user_id: str, now: dt.datetime) -> bool: ...
    def leave_all(self, user_id: str, now: dt.datetime) -> int: ...


class RoundRepository(Protocol):
    def get(self, round_id: int) -> Round | None: ...
    def find(self, pack_id: int, local_date: dt.date) -> Round | None: ...
    def get_or_create(self, pack_id: int, local_date: dt.date, now: dt.datetime) -> Round: ...
    def claim_parent(self, round_id: int, now: dt.datetime, until: dt.datetime) -> bool:
        """Atomically reserves the right to post the round's parent message."""
        ...

    def set_parent(self, round_id: int, ts: str, channel_id: str) -> None: ...
    def release_parent(self, round_id: int) -> None: ...


class AnswerRepository(Protocol):
    def get(self, answer_id: int) -> Answer | None: ...
    def of_member(self, round_id: int, user_id: str) -> Answer | None: ...
    def of_round(self, round_id: int) -> list[Answer]: ...
    def save(
        self,
        round_id: int,
        pack_id: int,
        user_id: str,
        status: AnswerStatus,
        given: AnswerInput,
        now: dt.datetime,
    ) -> Answer:
        """Inserts, or updates the member's answer of the round and bumps its version."""
        ...

    def claim_publish(self, answer_id: int, now: dt.datetime, until: dt.datetime) -> Answer | None:
        """Reserves an answer whose latest version is not yet in the channel; None when there
        is nothing to publish or someone else holds it."""
        ...

    def mark_published(self, answer_id: int, version: int, reply_ts: str) -> None: ...
    def release_publish(self, answer_id: int) -> None: ...
    def history(self, pack_id: int, user_id: str, limit: int) -> list[tuple[Round, Answer]]: ...
    def latest_round_date(self, pack_id: int, user_id: str) -> dt.date | None: ...
    def since(self, pack_id: int, first_date: dt.date) -> list[tuple[Round, Answer]]:
        """Every answer in the pack's rounds from that date on, in one read."""
        ...

    def statuses(
        self, pack_ids: Sequence[int], dates: Sequence[dt.date]
    ) -> dict[tuple[int, str, dt.date], AnswerStatus]:
        """Every answer status in those packs' rounds of those dates, in one read."""
        ...

    def status_on(self, pack_id: int, user_id: str, local_date: dt.date) -> AnswerStatus | None:
        """The member's answer status for the round of that date, if they answered or skipped."""
        ...


class DeliveryRepository(Protocol):
    def add_many(
        self, planned: Sequence[tuple[Due, DeliveryState]], now: dt.datetime
    ) -> list[DeliveryKey]:
        """Inserts each delivery whose key does not exist; returns the keys inserted."""
        ...

    def claim(self, now: dt.datetime, until: dt.datetime, limit: int) -> list[Delivery]:
        """Pending deliveries whose time has come, reserved until `until` for this process
        (rows another process holds are skipped, never waited for)."""
        ...

    def finish(
        self,
        delivery_id: int,
        state: DeliveryState,
        now: dt.datetime,
        *,
        error: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
    ) -> None: ...
    def finish_many(self, finished: Sequence[Finished], now: dt.datetime) -> None:
        """Records how each of these deliveries ended, in one statement run for every row."""
        ...

    def retry(self, delivery_id: int, at: dt.datetime, error: str, *, count: bool) -> None: ...
    def mark_posted(self, delivery_id: int, channel_id: str, ts: str) -> None:
        """Records the first part of a two-part delivery (a summary's message before its
        chart), so a retry does not post it again."""
        ...

    def failures(self, pack_id: int, since: dt.datetime) -> list[Delivery]: ...
    def prompts_sent(self, since: dt.date) -> dict[tuple[int, str], dict[dt.date, dt.datetime]]:
        """When each prompt of a round on or after `since` reached its member: by (pack,
        member), then by round day. What reminders follow."""
        ...

    def prompted(
        self, pack_id: int, since: dt.date, until: dt.date, *, user_id: str | None = None
    ) -> dict[str, set[dt.date]]:
        """The round days from `since` to `until` (both included) whose prompt reached each
        member of the pack (`user_id` alone, when given), by member: with the rounds they
        answered or skipped, the rounds that count for them."""
        ...

    def release(self, deliveries: Sequence[Delivery]) -> None:
        """Ends this process's claim on deliveries it took but did not try to send (it is
        stopping), so any process may send them now; a row taken from a sender that died
        stays marked in flight, so its next sender still looks in Slack first."""
        ...

    def pending_count(self) -> int:
        """How many deliveries wait to be sent (state pending), in this workspace."""
        ...


class BlockerRepository(Protocol):
    def get(self, blocker_id: int) -> Blocker | None: ...
    def open_of(self, pack_id: int, user_id: str) -> Blocker | None: ...

    def open_in(self, pack_ids: Sequence[int]) -> dict[tuple[int, str], Blocker]:
        """The open blockers of these packs, by (pack, member), in one read."""
        ...

    def awaiting_follow_up(self) -> list[Blocker]:
        """Open blockers not followed up yet."""
        ...

    def of_pack_since(self, pack_id: int, since: dt.datetime) -> list[Blocker]:
        """The pack's blockers still open, or raised or resolved at `since` or later."""
        ...

    def raise_(
        self,
        pack_id: int,
        user_id: str,
        round_id: int,
        answer_id: int,
        round_date: dt.date,
        text: str,
        now: dt.datetime,
    ) -> Blocker: ...
    def set_text(self, blocker_id: int, text: str) -> None: ...
    def resolve(self, blocker_id: int, now: dt.datetime) -> bool:
        """Resolves the blocker if it is open; True when it was."""
        ...

    def withdraw(self, blocker_id: int) -> None: ...

    def claim_follow_up(self, blocker_id: int, now: dt.datetime, *, by: str | None = None) -> bool:
        """Marks an open blocker followed up unless it already was, by the message `by` (its
        delivery key); True for the one caller that marked it (the follow-up is sent once)."""
        ...

    def release_follow_up(self, blocker_id: int) -> None: ...

    def claim_ask(self, blocker_id: int, now: dt.datetime) -> bool:
        """Like claim_follow_up, for asking the pack."""
        ...

    def release_ask(self, blocker_id: int) -> None: ...
    def set_ask_message(self, blocker_id: int, channel_id: str, ts: str) -> None: ...
    def add_helper(self, blocker_id: int, user_id: str) -> bool:
        """Records an offer of help; False when that person had offered already."""
        ...


class StatementRepository(Protocol):
    def add(
        self, pack_id: int, text: str, normalized: str, author_id: str, now: dt.datetime
    ) -> tuple[Statement, bool]:
        """The new statement, or the existing one it folds into (False)."""
        ...

    def get(self, statement_id: int) -> Statement | None: ...
    def of_pack(self, pack_id: int, *, include_hidden: bool = False) -> list[Statement]: ...
    def counted(self, pack_id: int, user_id: str) -> list[StatementView]:
        """The pack's statements that take votes (not hidden), oldest first, each with the
        latest vote of every member counted and the user's own latest vote, in one read; no
        voters."""
        ...

    def listed(
        self, channel_id: str, user_id: str
    ) -> tuple[Pack, Member | None, list[StatementView]] | None:
        """The channel's pack, the user's membership of it and `counted`, in one read; None
        when the channel has no pack."""
        ...

    def set_hidden(self, statement_id: int, hidden: bool) -> bool: ...
    def vote(
        self,
        statement_id: int,
        pack_id: int,
        user_id: str,
        value: VoteValue,
        reason: str,
        now: dt.datetime,
    ) -> None: ...
    def votes(self, pack_id: int) -> list[Vote]:
        """Every vote in the pack, oldest first (the latest of a member counts)."""
        ...

    def claim_alert(self, statement_id: int, now: dt.datetime, quiet_since: dt.datetime) -> bool:
        """Reserves the split alert of a statement unless one went out after `quiet_since`."""
        ...

    def set_alert_message(self, statement_id: int, channel_id: str, ts: str) -> None: ...
    def mark_discussed(self, statement_id: int, now: dt.datetime) -> None: ...
    def discussed_in_thread(
        self, channel_id: str, thread_ts: str, user_id: str, now: dt.datetime
    ) -> int | None:
        """Marks the statement whose split alert started this thread as discussed and records
        the user's reply; its id, or None when the thread is not a split alert's."""
        ...

    def replies(self, pack_id: int, since: dt.datetime) -> list[Reply]:
        """Replies in the pack's split alerts' and proposals' threads since then, oldest
        first."""
        ...


class ProposalRepository(Protocol):
    def add(
        self,
        pack_id: int,
        text: str,
        author_id: str,
        closes_at: dt.datetime,
        now: dt.datetime,
        *,
        statement_id: int | None = None,
        revises_id: int | None = None,
    ) -> Proposal: ...
    def get(self, proposal_id: int) -> Proposal | None: ...
    def of_pack(self, pack_id: int, *, open_only: bool = False) -> list[Proposal]: ...
    def set_message(self, proposal_id: int, channel_id: str, ts: str) -> None: ...
    def replied_in_thread(
        self, channel_id: str, thread_ts: str, user_id: str, now: dt.datetime
    ) -> int | None:
        """Records the user's reply in the thread of the proposal posted there; its id, or
        None when the thread is not a proposal's."""
        ...

    def standing(self, proposal_id: int, user_id: str) -> tuple[Proposal, str, bool] | None:
        """The proposal, its pack's channel, and whether the user is an active member of that
        pack, in one read; None when the workspace has no such proposal."""
        ...

    def respond(
        self, proposal_id: int, user_id: str, position: Position, reason: str, now: dt.datetime
    ) -> bool:
        """Records a position (earlier ones are kept as history) if the proposal is open at
        `now` and the user an active member of its pack, in one statement; False if not
        (`standing` then tells why)."""
        ...

    def positions(self, proposal_id: int) -> list[Response]:
        """Each member's latest position (the one that counts), in the order they were taken."""
        ...

    def counted(self, proposal_id: int) -> tuple[Proposal, Pack, Counts] | None:
        """The proposal, its pack, and each member's latest position counted, in one read;
        None when the workspace has no such proposal."""
        ...

    def responses_for(self, proposal_ids: Sequence[int]) -> dict[int, list[Response]]:
        """The responses of several proposals in one read."""
        ...

    def close(self, proposal_id: int, outcome: Outcome, now: dt.datetime) -> bool:
        """Records the outcome unless the proposal is already closed; True when it closed."""
        ...


class PrivacyRepository(Protocol):
    def footprint(self, user_id: str) -> Footprint:
        """What this workspace holds about the user, counted."""
        ...

    def forget(self, user_id: str) -> Footprint:
        """Deletes the user's answers, votes, proposal positions, memberships, profile (with
        its away dates) and deliveries (by recipient, or by a key that names them); keeps the
        statements and proposals they wrote without an author; takes them off packs' admins
        and creator and out of other members' rows that name them. This workspace only.
        Returns what there was, with the channel posts of their check-ins."""
        ...
