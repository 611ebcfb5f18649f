"""The forget-me policy: what one member leaves in a workspace, and taking it out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select

from bot.core.privacy import Footprint, scrub_mentions
from bot.core.statements import normalize
from bot.store.models import (
    AnswerRow,
    BlockerRow,
    DeliveryRow,
    MembershipRow,
    PackRow,
    PersonRow,
    ProposalResponseRow,
    ProposalRow,
    RoundRow,
    StatementRow,
    ThreadReplyRow,
    VoteRow,
)
from bot.store.scoped import Scoped


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class SqlPrivacy(Scoped):
    """One member's rows in this workspace: counted, and deleted on `forget-me`. Every
    statement is filtered on the workspace, so the same user id elsewhere is never touched."""

    def _mine(self, user_id: str) -> list[tuple[Any, Any]]:
        """(table, condition) of each kind of row that is the user's own, in the order of
        Footprint's fields."""
        return [
            (AnswerRow, AnswerRow.user_id == user_id),
            (VoteRow, VoteRow.user_id == user_id),
            (ProposalResponseRow, ProposalResponseRow.user_id == user_id),
            (MembershipRow, MembershipRow.user_id == user_id),
            # Every delivery whose key names a member (a prompt, a reminder, a proposal
            # reminder, a lone-wolf DM) holds that member in user_id: the key's own user.
            (DeliveryRow, DeliveryRow.user_id == user_id),
            (PersonRow, PersonRow.user_id == user_id),
            (ThreadReplyRow, ThreadReplyRow.user_id == user_id),
            (BlockerRow, BlockerRow.user_id == user_id),
        ]

    def _posts(self, user_id: str) -> tuple[tuple[str, str], ...]:
        rows = self.session.execute(
            select(RoundRow.channel_id, AnswerRow.reply_ts)
            .join(RoundRow, RoundRow.id == AnswerRow.round_id)
            .where(
                AnswerRow.workspace_id == self.workspace_id,
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.user_id == user_id,
                AnswerRow.reply_ts.is_not(None),
                RoundRow.channel_id.is_not(None),
            )
            .order_by(AnswerRow.id)
        ).all()
        asked = self.session.execute(
            select(BlockerRow.ask_channel, BlockerRow.ask_ts)
            .where(
                BlockerRow.workspace_id == self.workspace_id,
                BlockerRow.user_id == user_id,
                BlockerRow.ask_ts.is_not(None),
                BlockerRow.ask_channel.is_not(None),
            )
            .order_by(BlockerRow.id)
        ).all()
        return tuple((str(channel), str(ts)) for channel, ts in [*rows, *asked])

    def _forget_blockers(self, user_id: str) -> None:
        """Takes the user off others' blockers (their offers of help, a mention in the text);
        their own blockers are deleted with the rest of their rows (`_mine`)."""
        for row in self.session.scalars(
            select(BlockerRow).where(
                BlockerRow.workspace_id == self.workspace_id,
                BlockerRow.user_id != user_id,
                or_(
                    cast(BlockerRow.helpers, String).contains(user_id, autoescape=True),
                    BlockerRow.text.contains(user_id, autoescape=True),
                ),
            )
        ):
            row.helpers = [u for u in row.helpers or [] if u != user_id]
            row.text = scrub_mentions(row.text, user_id)

    def _away(self, user_id: str) -> int:
        found = self.session.scalar(
            select(func.count())
            .select_from(PersonRow)
            .where(
                PersonRow.workspace_id == self.workspace_id,
                PersonRow.user_id == user_id,
                PersonRow.away_start.is_not(None),
            )
        )
        return int(found or 0)

    def _packs_naming(self, user_id: str) -> list[tuple[Any, dict[str, Any]]]:
        """Packs that list the user as an admin or as their creator, or name them, with the
        values that take them off."""
        found: list[tuple[Any, dict[str, Any]]] = []
        for row in self.session.scalars(
            select(PackRow).where(PackRow.workspace_id == self.workspace_id).order_by(PackRow.id)
        ):
            changes: dict[str, Any] = {}
            if user_id in (row.admin_ids or []):
                changes["admin_ids"] = [u for u in row.admin_ids if u != user_id]
            if row.created_by == user_id:
                changes["created_by"] = ""
            name = scrub_mentions(row.name, user_id)
            if name != row.name:
                changes["name"] = name[:100]
            if changes:
                found.append((row, changes))
        return found

    def _naming(self, user_id: str) -> list[tuple[Any, dict[str, Any]]]:
        """Rows kept after the user goes that still name them (statements and proposals they
        wrote; other members' answers, reasons and texts that mention them), with the values
        that take the name out."""
        ws = self.workspace_id

        def has(column: Any) -> Any:
            return cast(column, String).contains(user_id, autoescape=True)

        found: list[tuple[Any, dict[str, Any]]] = []
        for answer in self.session.scalars(
            select(AnswerRow).where(
                AnswerRow.workspace_id == ws,
                AnswerRow.user_id != user_id,
                or_(has(AnswerRow.texts), has(AnswerRow.collaborators), has(AnswerRow.blockers)),
            )
        ):
            changes: dict[str, Any] = {}
            texts = {k: scrub_mentions(v, user_id) for k, v in answer.texts.items()}
            if texts != answer.texts:
                changes["texts"] = texts
            if user_id in answer.collaborators:
                changes["collaborators"] = [u for u in answer.collaborators if u != user_id]
            if scrub_mentions(answer.blockers, user_id) != answer.blockers:
                changes["blockers"] = scrub_mentions(answer.blockers, user_id)
            found.append((answer, changes))
        for statement in self.session.scalars(
            select(StatementRow).where(
                StatementRow.workspace_id == ws,
                or_(StatementRow.author_id == user_id, has(StatementRow.text)),
            )
        ):
            changes = {"author_id": None} if statement.author_id == user_id else {}
            text = scrub_mentions(statement.text, user_id)
            if text != statement.text:
                changes["text"] = text[:300]
                changes["normalized"] = self._free_normalized(statement, text)
            found.append((statement, changes))
        for proposal in self.session.scalars(
            select(ProposalRow).where(
                ProposalRow.workspace_id == ws,
                or_(ProposalRow.author_id == user_id, has(ProposalRow.text)),
            )
        ):
            changes = {"author_id": None} if proposal.author_id == user_id else {}
            if scrub_mentions(proposal.text, user_id) != proposal.text:
                changes["text"] = scrub_mentions(proposal.text, user_id)
            found.append((proposal, changes))
        votes = select(VoteRow).where(
            VoteRow.workspace_id == ws, VoteRow.user_id != user_id, has(VoteRow.reason)
        )
        positions = select(ProposalResponseRow).where(
            ProposalResponseRow.workspace_id == ws,
            ProposalResponseRow.user_id != user_id,
            has(ProposalResponseRow.reason),
        )
        reasons: list[VoteRow | ProposalResponseRow] = [
            *self.session.scalars(votes),
            *self.session.scalars(positions),
        ]
        for row in reasons:
            found.append((row, {"reason": scrub_mentions(row.reason, user_id)[:300]}))
        return [(row, changes) for row, changes in found if changes]

    def _free_normalized(self, statement: StatementRow, text: str) -> str:
        """The scrubbed text's normalized form, made unique in the pack when another statement
        already says the same."""
        wanted = normalize(text)[:300]
        taken = self.session.scalar(
            select(StatementRow.id).where(
                StatementRow.workspace_id == self.workspace_id,
                StatementRow.pack_id == statement.pack_id,
                StatementRow.normalized == wanted,
                StatementRow.id != statement.id,
            )
        )
        return wanted if taken is None else f"{wanted[:290]} {statement.id}"

    @staticmethod
    def _authored(naming: list[tuple[Any, dict[str, Any]]], model: type[Any]) -> int:
        return sum(1 for row, change in naming if isinstance(row, model) and "author_id" in change)

    def _footprint(
        self,
        counts: Sequence[int],
        naming: list[tuple[Any, dict[str, Any]]],
        packs: int,
        away: int,
        posts: tuple[tuple[str, str], ...],
    ) -> Footprint:
        answers, votes, positions, memberships, deliveries, profile, replies, blockers = counts
        return Footprint(
            answers=answers,
            votes=votes,
            positions=positions,
            memberships=memberships,
            deliveries=deliveries,
            profile=profile,
            replies=replies,
            blockers=blockers,
            away=away,
            statements=self._authored(naming, StatementRow),
            proposals=self._authored(naming, ProposalRow),
            admin_of=packs,
            mentions=sum(1 for _, changes in naming if set(changes) - {"author_id"}),
            posts=posts,
        )

    def footprint(self, user_id: str) -> Footprint:
        if not user_id:
            return Footprint()
        counts = [
            int(
                self.session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.workspace_id == self.workspace_id, condition)
                )
                or 0
            )
            for model, condition in self._mine(user_id)
        ]
        return self._footprint(
            counts,
            self._naming(user_id),
            len(self._packs_naming(user_id)),
            self._away(user_id),
            self._posts(user_id),
        )

    def forget(self, user_id: str) -> Footprint:
        if not user_id:
            return Footprint()
        posts, away = self._posts(user_id), self._away(user_id)
        naming, packs = self._naming(user_id), self._packs_naming(user_id)
        self._forget_blockers(user_id)
        for row, changes in [*naming, *packs]:
            for name, value in changes.items():
                setattr(row, name, value)
        self.session.flush()
        counts = [
            _rowcount(
                self.session.execute(
                    delete(model)
                    .where(model.workspace_id == self.workspace_id, condition)
                    .execution_options(synchronize_session=False)
                )
            )
            for model, condition in self._mine(user_id)
        ]
        return self._footprint(counts, naming, len(packs), away, posts)
