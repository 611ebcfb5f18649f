"""Reading who is who from the chat platform, and writing to it in the domain's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.core.blockers import Blocker, BlockerView
from bot.core.checkins import AnswerPost, RoundProgress, RoundTally
from bot.core.export import ExportFile
from bot.core.packs import ChannelInfo, Pack, Person
from bot.core.proposals import Proposal, ProposalView
from bot.core.schedule import DeliveryKey
from bot.core.statements import SplitAlert
from bot.core.summary import LoneWolf, Summary


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
        follow_up: Blocker | None = None,
        progress: RoundProgress | None = None,
    ) -> tuple[str, str]:
        """DMs the check-in prompt (or its reminder, with how far the round is), tagged with
        the delivery key, with the follow-up of the member's open blocker when given; returns
        (channel, ts). Raises core.delivery.SendError."""
        ...

    def send_blocker_follow_up(
        self, pack: Pack, person: Person, blocker: Blocker, *, key: DeliveryKey
    ) -> tuple[str, str]:
        """DMs the member the follow-up of their open blocker; (channel, ts). Raises
        core.delivery.SendError."""
        ...

    def post_blocker_ask(self, view: BlockerView, thread_ts: str | None) -> tuple[str, str]:
        """Posts the blocker in the pack channel (in that thread) with an I can help button;
        (channel, ts)."""
        ...

    def update_blocker_ask(self, view: BlockerView) -> None:
        """Brings the blocker's message in the channel up to date (who offered, resolved)."""
        ...

    def introduce_helper(self, view: BlockerView, helper: Person) -> None:
        """Introduces the member and the helper in a group DM of the two."""

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
