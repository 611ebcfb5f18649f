"""What the core needs from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from bot.core.checkins import (
    Answer,
    AnswerInput,
    AnswerPost,
    AnswerStatus,
    Round,
    RoundProgress,
    RoundTally,
)
from bot.core.delivery import Delivery, DeliveryState, Finished
from bot.core.export import ExportFile
from bot.core.hours import Hours
from bot.core.packs import Away, ChannelInfo, Member, Pack, PackDraft, Person
from bot.core.privacy import Footprint
from bot.core.proposals import Counts, Outcome, Position, Proposal, ProposalView, Response
from bot.core.schedule import DeliveryKey, Due
from bot.core.statements import SplitAlert, Statement, StatementView, Vote, VoteValue
from bot.core.summary import LoneWolf, Summary


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """An aware datetime."""
        ...


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
    def discussed_in_thread(self, channel_id: str, thread_ts: str, now: dt.datetime) -> int | None:
        """Marks the statement whose split alert started this thread as discussed; its id, or
        None when the thread is not a split alert's."""
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


class Transaction(Protocol):
    """One unit of work inside one workspace: every repository here sees only its rows."""

    @property
    def workspace_id(self) -> int: ...
    @property
    def packs(self) -> PackRepository: ...
    @property
    def people(self) -> PersonRepository: ...
    @property
    def members(self) -> MemberRepository: ...
    @property
    def rounds(self) -> RoundRepository: ...
    @property
    def answers(self) -> AnswerRepository: ...
    @property
    def deliveries(self) -> DeliveryRepository: ...
    @property
    def statements(self) -> StatementRepository: ...
    @property
    def proposals(self) -> ProposalRepository: ...
    @property
    def privacy(self) -> PrivacyRepository: ...


class Database(Protocol):
    def team_ids(self) -> list[str]:
        """Every workspace the app is installed in."""
        ...

    def transaction(
        self, team_id: str, enterprise_id: str | None = None
    ) -> AbstractContextManager[Transaction]:
        """Commits on a clean exit and rolls back on an exception."""
        ...

    def reading(
        self, team_id: str, enterprise_id: str | None = None
    ) -> AbstractContextManager[Transaction]:
        """A unit of work that only reads: it writes nothing and holds no write lock."""
        ...


class Directory(Protocol):
    """Reads from Slack: who is who."""

    def person(self, user_id: str) -> Person | None: ...
    def channel(self, channel_id: str) -> ChannelInfo | None: ...
    def channel_member_ids(self, channel_id: str) -> list[str]: ...


class Notifier(Protocol):
    """Writes to Slack, in the domain's words; the adapter chooses the Block Kit."""

    def post_round_parent(self, pack: Pack, tally: RoundTally) -> str:
        """Returns the message ts."""
        ...

    def update_round_parent(self, pack: Pack, ts: str, tally: RoundTally) -> None: ...
    def post_answer(self, post: AnswerPost, thread_ts: str) -> str: ...
    def update_answer(self, post: AnswerPost, ts: str) -> None: ...
    def confirm_answer(self, post: AnswerPost) -> None: ...
    def post_split_alert(self, pack: Pack, alert: SplitAlert) -> str: ...
    def post_proposal(self, view: ProposalView) -> tuple[str, str]:
        """Posts the proposal with its buttons; returns (channel, ts)."""
        ...

    def update_proposal(self, view: ProposalView) -> None: ...
    def post_outcome(self, view: ProposalView) -> None: ...
    def remind_proposal(self, pack: Pack, person: Person, proposal: Proposal) -> tuple[str, str]:
        """DMs a member who has not answered that the proposal closes soon; (channel, ts).
        Raises core.delivery.SendError."""
        ...

    def send_prompt(
        self,
        pack: Pack,
        person: Person,
        local_date: dt.date,
        *,
        reminder: bool,
        key: DeliveryKey,
        progress: RoundProgress | None = None,
    ) -> tuple[str, str]:
        """DMs the check-in prompt (or its reminder, with how far the round is), tagged with
        the delivery key; returns (channel, ts). Raises core.delivery.SendError."""
        ...

    def post_summary(self, summary: Summary, *, key: DeliveryKey) -> tuple[str, str]:
        """Posts the weekly summary in the pack channel, tagged with the delivery key;
        (channel, ts). Raises SendError."""
        ...

    def find_posted(self, channel_id: str, key: DeliveryKey) -> str | None:
        """The ts of a channel message already posted under this delivery key, if Slack has
        it among the latest messages. Raises SendError."""
        ...

    def upload_chart(self, summary: Summary, png: bytes, thread_ts: str) -> None:
        """Shares the summary's chart in the pack channel, in the summary's thread.
        Raises SendError."""
        ...

    def send_lone_wolf(self, summary: Summary, wolf: LoneWolf) -> tuple[str, str]:
        """DMs a flagged member their evidence and a suggestion; (channel, ts).
        Raises SendError."""
        ...

    def find_delivered(self, user_id: str, key: DeliveryKey) -> tuple[str, str] | None:
        """The (channel, ts) of a DM already sent under this delivery key, if Slack has it.
        Raises core.delivery.SendError."""
        ...

    def send_export(self, user_id: str, pack: Pack, files: Sequence[ExportFile]) -> None:
        """Uploads a pack's export to the user's DM."""
        ...

    def delete_messages(self, messages: Sequence[tuple[str, str]]) -> int:
        """Deletes the bot's messages at these (channel, ts); those already gone are skipped.
        Returns how many were deleted."""
        ...
