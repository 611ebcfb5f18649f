"""Use cases: what happens when someone sets up a pack, checks in, goes away or joins a channel.

Each flow opens its own short transactions and never holds one across a call to Slack, so a slow
Slack answer never blocks the database. Posting to the channel is claimed row by row first, so
two processes publishing the same round never post the same message twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core import schedule
from bot.core.analysis.matrix import Vote as MatrixVote
from bot.core.analysis.matrix import build_matrix
from bot.core.analysis.members import Alignment, alignment
from bot.core.checkins import (
    Answer,
    AnswerInput,
    AnswerStatus,
    Round,
    RoundTally,
    tally_round,
    validate_answer,
)
from bot.core.errors import FieldErrors, NotAllowed, NotFound, UserError
from bot.core.packs import (
    Away,
    Member,
    Pack,
    PackDraft,
    PackSettings,
    Person,
    parse_away,
)
from bot.core.ports import (
    AnswerPost,
    ChannelInfo,
    Clock,
    Database,
    Directory,
    Notifier,
    Transaction,
)
from bot.core.privacy import Privacy
from bot.core.proposals import Proposal
from bot.core.statements import StatementView, VoteValue, clean_reason, clean_statement
from bot.core.summary import STREAK_LOOKBACK_DAYS, streak
from bot.core.usecases import statements
from bot.core.usecases.packs import existing_pack
from bot.core.usecases.workspace import Workspace

CLAIM_SECONDS = 60
CHECKIN_BALLOT = 3
HISTORY_DEFAULT = 5
HISTORY_MAX = 20
MAX_PACK_MEMBERS = 500
# Counting what waits for a vote: every statement, not just one modal's worth.
MAX_BALLOT = 10_000


@dataclass(frozen=True)
class SetupForm:
    channel: ChannelInfo
    pack: Pack | None
    settings: PackSettings
    member_ids: tuple[str, ...]
    admin_ids: tuple[str, ...]


@dataclass(frozen=True)
class CheckinForm:
    pack: Pack
    round_date: dt.date
    answer: Answer | None
    ballot: tuple[StatementView, ...] = ()


@dataclass(frozen=True)
class HomePack:
    """One pack as a member sees it on their App Home: only their own figures."""

    pack: Pack
    next_checkin: dt.datetime | None
    timezone: str
    answered_current: bool
    streak: int = 0
    waiting_statements: int = 0
    # Open proposals the member has not answered, closing soonest first.
    waiting_proposals: tuple[Proposal, ...] = ()
    # The member's own alignment with the pack's majorities (SPEC §4.5); shown to them only.
    alignment: Alignment | None = None


@dataclass(frozen=True)
class Home:
    person: Person | None
    packs: tuple[HomePack, ...]
    today: dt.date | None = None

    @property
    def away(self) -> Away | None:
        """The member's away period, unless it is over."""
        away = self.person.away if self.person is not None else None
        if away is None or (self.today is not None and away.end < self.today):
            return None
        return away


@dataclass(frozen=True)
class PackChoice:
    """The member is in several packs and must say which one."""

    packs: tuple[Pack, ...]


class Flows:
    def __init__(
        self,
        db: Database,
        notifier: Notifier,
        directory: Directory,
        clock: Clock,
    ) -> None:
        self.db = db
        self.notifier = notifier
        self.directory = directory
        self.clock = clock
        self.privacy = Privacy(db, notifier, directory, clock)

    def workspace(self, team_id: str) -> Workspace:
        return Workspace(team_id, self.db, self.clock, self.notifier, self.directory)

    # --- people ----------------------------------------------------------------------------

    def _people(self, team_id: str, user_ids: Sequence[str]) -> dict[str, Person]:
        """Profiles from the database, refreshed from Slack when unknown."""
        with self.db.transaction(team_id) as tx:
            known = tx.people.many(user_ids)
        missing = [u for u in dict.fromkeys(user_ids) if u not in known]
        fetched: list[Person] = []
        for user_id in missing:
            person = self.directory.person(team_id, user_id)
            if person is not None:
                fetched.append(person)
        if fetched:
            now = self.clock.now()
            with self.db.transaction(team_id) as tx:
                for person in fetched:
                    known[person.user_id] = tx.people.upsert(person, now)
        return known

    def _person(self, team_id: str, user_id: str) -> Person | None:
        return self._people(team_id, [user_id]).get(user_id)

    # --- setup -----------------------------------------------------------------------------

    def setup_form(self, team_id: str, channel_id: str, user_id: str) -> SetupForm:
        """What the setup modal starts with. Refuses when the bot is not in the channel or the
        user may not edit the existing pack."""
        channel = self.directory.channel(team_id, channel_id)
        if channel is None:
            raise UserError(
                "I can't see this conversation. Run `/wolfpack setup` in the team channel."
            )
        if not channel.bot_is_member:
            raise UserError(
                f"I'm not in #{channel.name} yet. Invite me with `/invite @Wolfpack`, then run "
                "`/wolfpack setup` again."
            )
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
            members = tx.members.of_pack(pack.id) if pack else []
        admin = self._person(team_id, user_id)
        if pack is not None:
            if admin is None or not pack.is_admin(admin):
                raise NotAllowed(
                    "Only this pack's admins can change its setup. `/wolfpack members` lists them."
                )
            return SetupForm(
                channel=channel,
                pack=pack,
                settings=pack.settings,
                member_ids=tuple(m.user_id for m in members),
                admin_ids=pack.admin_ids,
            )
        channel_ids = self.directory.channel_member_ids(team_id, channel_id)[:MAX_PACK_MEMBERS]
        people = self._people(team_id, channel_ids)
        humans = tuple(u for u in channel_ids if u in people and people[u].can_be_member)
        timezone = admin.tz if admin is not None else "UTC"
        return SetupForm(
            channel=channel,
            pack=None,
            settings=PackSettings(timezone=timezone),
            member_ids=humans,
            admin_ids=(user_id,),
        )

    def save_pack(self, team_id: str, user_id: str, draft: PackDraft) -> tuple[Pack, bool]:
        """Validates the setup form and stores the pack; FieldErrors keyed by form field."""
        errors: dict[str, str] = {}
        try:
            draft.settings.validated()
        except FieldErrors as bad:
            errors.update(bad.errors)
        people = self._people(team_id, [*draft.member_ids, *draft.admin_ids, user_id])
        not_humans = [u for u in draft.member_ids if u not in people or not people[u].can_be_member]
        if not draft.member_ids:
            errors["members"] = "Pick at least one member."
        elif not_humans:
            errors["members"] = "Bots and deactivated accounts can't be members: " + ", ".join(
                people[u].name if u in people else u for u in not_humans[:5]
            )
        elif len(draft.member_ids) > MAX_PACK_MEMBERS:
            errors["members"] = f"A pack has at most {MAX_PACK_MEMBERS} members."
        if not draft.admin_ids:
            errors["admins"] = "A pack needs at least one admin."
        elif any(u not in people or not people[u].can_be_member for u in draft.admin_ids):
            errors["admins"] = "Admins must be people, not bots or deactivated accounts."
        if errors:
            raise FieldErrors(errors)
        with self.db.transaction(team_id) as tx:
            new = tx.packs.by_channel(draft.channel_id) is None
        if new:
            # The channel comes back in the form, which the sender may have changed: a new pack
            # is made only where the bot is and the person setting it up is too.
            channel = self.directory.channel(team_id, draft.channel_id)
            if (
                channel is None
                or not channel.bot_is_member
                or user_id not in self.directory.channel_member_ids(team_id, draft.channel_id)
            ):
                raise NotAllowed(
                    "A pack is set up from its own channel: run `/wolfpack setup` there."
                )
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            existing = tx.packs.by_channel(draft.channel_id)
            editor = people.get(user_id)
            if existing is not None and (editor is None or not existing.is_admin(editor)):
                raise NotAllowed("Only this pack's admins can change its setup.")
            pack, created = tx.packs.save(draft, now)
            tx.members.replace(pack.id, draft.member_ids, now)
        return pack, created

    def pack_members(self, team_id: str, channel_id: str) -> tuple[Pack, list[Member]]:
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
            if pack is None:
                raise NotFound(_NO_PACK)
            return pack, tx.members.of_pack(pack.id)

    # --- check-ins -------------------------------------------------------------------------

    def choose_pack(self, team_id: str, channel_id: str, user_id: str) -> Pack | PackChoice:
        """The pack a check-in command means: the channel's, else the only one the user is in."""
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
            if pack is not None:
                member = tx.members.get(pack.id, user_id)
                if member is None or not member.active:
                    raise NotAllowed(
                        "You're not a member of this channel's pack. A pack admin can add you "
                        "with `/wolfpack setup`."
                    )
                return pack
            packs = tx.packs.of_user(user_id)
        if not packs:
            raise NotFound(
                "You're not in any pack yet. Ask an admin to add you, or run `/wolfpack setup` "
                "in your team's channel."
            )
        if len(packs) == 1:
            return packs[0]
        return PackChoice(tuple(packs))

    def checkin_form(self, team_id: str, pack_id: int, user_id: str) -> CheckinForm:
        with self.db.transaction(team_id) as tx:
            pack, member = self._membership(tx, pack_id, user_id)
            day = schedule.current_round_date(pack.settings, member.person, self.clock.now())
            rnd = tx.rounds.find(pack.id, day)
            answer = tx.answers.of_member(rnd.id, user_id) if rnd is not None else None
        if answer is not None and answer.status is not AnswerStatus.ANSWERED:
            answer = None
        _, ballot = statements.ballot(self.workspace(team_id), pack.id, user_id, CHECKIN_BALLOT)
        return CheckinForm(pack=pack, round_date=day, answer=answer, ballot=tuple(ballot))

    def edit_form(self, team_id: str, answer_id: int, user_id: str) -> CheckinForm:
        with self.db.transaction(team_id) as tx:
            answer = tx.answers.get(answer_id)
            if answer is None or answer.user_id != user_id:
                raise NotFound("That check-in is gone.")
            rnd = tx.rounds.get(answer.round_id)
            pack, member = self._membership(tx, answer.pack_id, user_id)
            assert rnd is not None
            current = schedule.current_round_date(pack.settings, member.person, self.clock.now())
        if rnd.local_date != current:
            raise UserError(
                "That round has closed, so its answer stays as it is. `/checkin` opens today's."
            )
        return CheckinForm(pack=pack, round_date=rnd.local_date, answer=answer)

    def submit_checkin(
        self, team_id: str, pack_id: int, user_id: str, round_date: dt.date, given: AnswerInput
    ) -> Answer:
        """Stores the answer (FieldErrors for bad input). Publishing is `publish_round`."""
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            return self._store_answer(tx, pack_id, user_id, round_date, given, now)

    def _store_answer(
        self,
        tx: Transaction,
        pack_id: int,
        user_id: str,
        round_date: dt.date,
        given: AnswerInput,
        now: dt.datetime,
    ) -> Answer:
        pack, member = self._membership(tx, pack_id, user_id)
        clean = validate_answer(pack.settings, given, user_id)
        current = schedule.current_round_date(pack.settings, member.person, now)
        if round_date != current:
            raise UserError(
                "That round closed while the form was open; your answer was not saved. "
                "Run `/checkin` to answer today's round."
            )
        rnd = tx.rounds.get_or_create(pack.id, round_date, now)
        return tx.answers.save(rnd.id, pack.id, user_id, AnswerStatus.ANSWERED, clean, now)

    def submit_checkin_with_direction(
        self,
        team_id: str,
        pack_id: int,
        user_id: str,
        round_date: dt.date,
        given: AnswerInput,
        votes: Sequence[tuple[int, VoteValue, str]],
        share_priority: bool,
    ) -> tuple[Answer, list[int]]:
        """The check-in with question 7's votes and, when asked, the top priority shared as a
        statement, in one unit of work: a refused vote or priority stores nothing. Returns the
        answer and the statements whose split alert is now due."""
        cleaned = [(sid, value, clean_reason(reason)) for sid, value, reason in votes]
        priority = given.texts.get("priority", "").strip()
        if share_priority and priority:
            # A priority that cannot be a statement is the form's to fix.
            try:
                clean_statement(priority)
            except FieldErrors as bad:
                raise FieldErrors({"priority": bad.errors["text"]}) from None
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            pack = existing_pack(tx, pack_id, gone=_NO_PACK)
            statements.check_votable(tx, pack, [sid for sid, _, _ in cleaned])
            answer = self._store_answer(tx, pack_id, user_id, round_date, given, now)
            alerts = statements.record_votes(tx, pack, user_id, cleaned, now)
            if share_priority and answer.top_priority:
                statements.add_shared_priority(tx, pack, user_id, answer.top_priority, now)
        return answer, alerts

    def skip(self, team_id: str, pack_id: int, user_id: str) -> tuple[Answer, dt.date]:
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            pack, member = self._membership(tx, pack_id, user_id)
            day = schedule.current_round_date(pack.settings, member.person, now)
            rnd = tx.rounds.get_or_create(pack.id, day, now)
            existing = tx.answers.of_member(rnd.id, user_id)
            if existing is not None and existing.status is AnswerStatus.ANSWERED:
                raise UserError(
                    "You already checked in for this round. Use the Edit button in my DM to "
                    "change your answer."
                )
            answer = tx.answers.save(
                rnd.id, pack.id, user_id, AnswerStatus.SKIPPED, AnswerInput(), now
            )
            return answer, day

    def publish_round(self, team_id: str, round_id: int) -> None:
        """Brings the channel up to date with the round: parent message, one reply per answer
        (new or edited), and the parent's counts. Safe to call any number of times from any
        number of processes: every post is claimed in the database first."""
        with self.db.transaction(team_id) as tx:
            rnd = tx.rounds.get(round_id)
            if rnd is None:
                return
            pack = tx.packs.get(rnd.pack_id)
            if pack is None:
                return
        parent_ts = rnd.parent_ts
        if parent_ts is None:
            parent_ts = self._post_parent(team_id, pack, rnd)
            if parent_ts is None:
                return
        with self.db.transaction(team_id) as tx:
            answer_ids = [a.id for a in tx.answers.of_round(rnd.id)]
        for answer_id in answer_ids:
            self._publish_answer(team_id, pack, rnd, answer_id, parent_ts)
        self.notifier.update_round_parent(team_id, pack, parent_ts, self._tally(team_id, pack, rnd))

    def _post_parent(self, team_id: str, pack: Pack, rnd: Round) -> str | None:
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            claimed = tx.rounds.claim_parent(rnd.id, now, now + dt.timedelta(seconds=CLAIM_SECONDS))
        if not claimed:
            return None
        try:
            ts = self.notifier.post_round_parent(team_id, pack, self._tally(team_id, pack, rnd))
        except BaseException:
            with self.db.transaction(team_id) as tx:
                tx.rounds.release_parent(rnd.id)
            raise
        with self.db.transaction(team_id) as tx:
            tx.rounds.set_parent(rnd.id, ts, pack.channel_id)
        return ts

    def _publish_answer(
        self, team_id: str, pack: Pack, rnd: Round, answer_id: int, parent_ts: str
    ) -> None:
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            answer = tx.answers.claim_publish(
                answer_id, now, now + dt.timedelta(seconds=CLAIM_SECONDS)
            )
        if answer is None:
            return
        try:
            post = self._answer_post(team_id, pack, rnd, answer)
            if answer.reply_ts is None:
                ts = self.notifier.post_answer(team_id, post, parent_ts)
            else:
                ts = answer.reply_ts
                self.notifier.update_answer(team_id, post, ts)
        except BaseException:
            with self.db.transaction(team_id) as tx:
                tx.answers.release_publish(answer_id)
            raise
        with self.db.transaction(team_id) as tx:
            tx.answers.mark_published(answer_id, answer.version, ts)

    def _answer_post(self, team_id: str, pack: Pack, rnd: Round, answer: Answer) -> AnswerPost:
        people = self._people(team_id, [answer.user_id, *answer.collaborators])
        author = people.get(answer.user_id) or Person(answer.user_id, answer.user_id, "UTC")
        return AnswerPost(
            pack=pack,
            round=rnd,
            answer=answer,
            author=author,
            collaborators=tuple(people[u] for u in answer.collaborators if u in people),
            questions=pack.settings.questions,
        )

    def _tally(self, team_id: str, pack: Pack, rnd: Round) -> RoundTally:
        with self.db.transaction(team_id) as tx:
            members = tx.members.of_pack(pack.id)
            answers = tx.answers.of_round(rnd.id)
        return tally_round(rnd.local_date, members, answers)

    def confirm(self, team_id: str, answer_id: int) -> None:
        """DMs the member their answer with an Edit button."""
        with self.db.transaction(team_id) as tx:
            answer = tx.answers.get(answer_id)
            if answer is None:
                return
            rnd = tx.rounds.get(answer.round_id)
            pack = tx.packs.get(answer.pack_id)
        if rnd is None or pack is None:
            return
        self.notifier.confirm_answer(team_id, self._answer_post(team_id, pack, rnd, answer))

    def history(
        self, team_id: str, pack_id: int, user_id: str, count: int | None
    ) -> tuple[Pack, list[tuple[Round, Answer]]]:
        limit = HISTORY_DEFAULT if count is None else count
        if not 1 <= limit <= HISTORY_MAX:
            raise UserError(f"Ask for 1 to {HISTORY_MAX} check-ins, like `/checkin history 5`.")
        with self.db.transaction(team_id) as tx:
            pack, _ = self._membership(tx, pack_id, user_id)
            return pack, tx.answers.history(pack.id, user_id, limit)

    # --- availability ----------------------------------------------------------------------

    def today(self) -> dt.date:
        return self.clock.now().date()

    def set_away(self, team_id: str, user_id: str, start: str, end: str) -> Away:
        person = self._person(team_id, user_id)
        if person is None:
            raise NotFound("I couldn't find your Slack profile. Try again in a minute.")
        zone = schedule.member_zone(PackSettings(timezone=person.tz), person)
        away = parse_away(start, end, self.clock.now().astimezone(zone).date())
        with self.db.transaction(team_id) as tx:
            tx.people.set_away(user_id, away)
        return away

    def back(self, team_id: str, user_id: str) -> bool:
        with self.db.transaction(team_id) as tx:
            person = tx.people.get(user_id)
            if person is None or person.away is None:
                return False
            tx.people.set_away(user_id, None)
            return True

    # --- home ------------------------------------------------------------------------------

    def home(self, team_id: str, user_id: str) -> Home:
        """Everything the member's App Home shows, for each of their packs: next check-in,
        streak, statements and proposals waiting for them, and their own alignment."""
        now = self.clock.now()
        entries: list[HomePack] = []
        with self.db.transaction(team_id) as tx:
            person = tx.people.get(user_id)
            for pack in tx.packs.of_user(user_id):
                member = tx.members.get(pack.id, user_id)
                if member is None or not member.active:
                    continue
                who = member.person
                day = schedule.current_round_date(pack.settings, who, now)
                history = tx.answers.history(pack.id, user_id, STREAK_LOOKBACK_DAYS)
                statuses = {rnd.local_date: answer.status for rnd, answer in history}
                waiting = [
                    p
                    for p in tx.proposals.of_pack(pack.id, open_only=True)
                    if now < p.closes_at
                    and all(r.user_id != user_id for r in tx.proposals.positions(p.id))
                ]
                votes = tx.statements.votes(pack.id)
                # The same matrix the weekly summary measures alignment on, so the numbers agree.
                matrix = build_matrix(
                    [MatrixVote(v.user_id, str(v.statement_id), int(v.value)) for v in votes]
                )
                entries.append(
                    HomePack(
                        pack=pack,
                        next_checkin=schedule.next_checkin_at(pack.settings, who, now),
                        timezone=schedule.member_zone(pack.settings, who).key,
                        answered_current=statuses.get(day) is AnswerStatus.ANSWERED,
                        streak=streak(pack, member, statuses, now),
                        waiting_proposals=tuple(sorted(waiting, key=lambda p: p.closes_at)),
                        alignment=alignment(matrix, user_id) if user_id in matrix.members else None,
                    )
                )
            zone = (
                schedule.member_zone(PackSettings(timezone=person.tz), person) if person else None
            )
        with_ballots = [
            replace(
                entry,
                waiting_statements=len(
                    statements.ballot(
                        self.workspace(team_id), entry.pack.id, user_id, limit=MAX_BALLOT
                    )[1]
                ),
            )
            for entry in entries
        ]
        today = now.astimezone(zone).date() if zone is not None else now.date()
        return Home(person=person, packs=tuple(with_ballots), today=today)

    # --- membership events -----------------------------------------------------------------

    def member_joined(self, team_id: str, channel_id: str, user_id: str) -> bool:
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
        if pack is None:
            return False
        person = self.directory.person(team_id, user_id)
        if person is None or not person.can_be_member:
            return False
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            tx.people.upsert(person, now)
            return tx.members.join(pack.id, user_id, now)

    def member_left(self, team_id: str, channel_id: str, user_id: str) -> bool:
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
            if pack is None:
                return False
            return tx.members.leave(pack.id, user_id, self.clock.now())

    def user_changed(self, team_id: str, person: Person) -> None:
        """A profile change: a new timezone applies from the next computation on; a deactivated
        or bot account leaves every pack."""
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            if tx.people.get(person.user_id) is None and not tx.packs.of_user(person.user_id):
                return
            tx.people.upsert(person, now)
            if not person.can_be_member:
                tx.members.leave_all(person.user_id, now)

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _membership(tx: Transaction, pack_id: int, user_id: str) -> tuple[Pack, Member]:
        pack = tx.packs.get(pack_id)
        if pack is None:
            raise NotFound(_NO_PACK)
        member = tx.members.get(pack.id, user_id)
        if member is None or not member.active:
            raise NotAllowed(
                "You're not a member of this pack. A pack admin can add you with `/wolfpack setup`."
            )
        return pack, member


_NO_PACK = "This channel has no pack yet. An admin can create one here with `/wolfpack setup`."
