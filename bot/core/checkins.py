"""Rounds and answers: one check-in occurrence of a pack, and each member's response to it."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field

from bot.core.blockers import Blocker
from bot.core.errors import FieldErrors
from bot.core.packs import (
    PRIORITY_MAX,
    TEXT_ANSWER_MAX,
    WRITTEN_KINDS,
    Member,
    Pack,
    PackSettings,
    Person,
    Question,
    QuestionKind,
)
from bot.core.statements import StatementView

MAX_COLLABORATORS = 20


class AnswerStatus(enum.StrEnum):
    ANSWERED = "answered"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Round:
    id: int
    pack_id: int
    local_date: dt.date
    parent_ts: str | None = None


@dataclass(frozen=True)
class AnswerInput:
    """What a member typed in the check-in modal, keyed by question key."""

    texts: Mapping[str, str] = field(default_factory=dict)
    collaborators: tuple[str, ...] = ()
    alignment: int | None = None


@dataclass(frozen=True)
class Answer:
    id: int
    round_id: int
    pack_id: int
    user_id: str
    status: AnswerStatus
    texts: Mapping[str, str]
    collaborators: tuple[str, ...]
    alignment: int | None
    version: int = 1
    published_version: int = 0
    reply_ts: str | None = None
    updated_at: dt.datetime | None = None

    @property
    def blockers(self) -> str:
        return self.texts.get("blockers", "")

    @property
    def top_priority(self) -> str:
        return self.texts.get("priority", "")

    @property
    def is_solo(self) -> bool:
        return self.status is AnswerStatus.ANSWERED and not self.collaborators


def validate_answer(settings: PackSettings, given: AnswerInput, author: str) -> AnswerInput:
    """The answer cleaned of stray whitespace, or FieldErrors keyed by question key."""
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    collaborators: tuple[str, ...] = ()
    alignment: int | None = None
    for q in settings.questions:
        if q.kind in WRITTEN_KINDS:
            value = given.texts.get(q.key, "").strip()
            limit = PRIORITY_MAX if q.kind is QuestionKind.PRIORITY else TEXT_ANSWER_MAX
            size = shown_length(value) if q.kind is QuestionKind.PROGRESS else len(value)
            if q.required and not value:
                errors[q.key] = "Please answer this one."
            elif size > limit:
                errors[q.key] = f"Keep it under {limit} characters (this is {size})."
            elif value:
                texts[q.key] = value
        if q.kind is QuestionKind.PROGRESS:
            # The people @mentioned in it (the reader gives them as the collaborators).
            collaborators = _people(given.collaborators, author)
            if len(collaborators) > MAX_COLLABORATORS:
                errors[q.key] = f"Mention at most {MAX_COLLABORATORS} people."
        elif q.kind is QuestionKind.COLLABORATORS:
            collaborators = _people(given.collaborators, author)
            if len(collaborators) > MAX_COLLABORATORS:
                errors[q.key] = f"Name at most {MAX_COLLABORATORS} people."
            if q.required and not collaborators:
                errors[q.key] = "Pick at least one person."
        elif q.kind is QuestionKind.ALIGNMENT:
            if given.alignment is None:
                if q.required:
                    errors[q.key] = "Pick a number from 1 to 5."
            elif not 1 <= given.alignment <= 5:
                errors[q.key] = "Pick a number from 1 to 5."
            else:
                alignment = given.alignment
    if errors:
        raise FieldErrors(errors)
    return AnswerInput(texts=texts, collaborators=collaborators, alignment=alignment)


_ENTITY = re.compile(r"&(?:lt|gt|amp);")


def shown_length(text: str) -> int:
    """The length of a PROGRESS answer as the member typed it: it is stored as Slack writes
    message text, `&`, `<` and `>` escaped (and mentions as `<@U…>` tokens)."""
    return len(_ENTITY.sub("&", text))


def _people(given: Sequence[str], author: str) -> tuple[str, ...]:
    """Each person once, in the order given, never the author."""
    return tuple(dict.fromkeys(u for u in given if u and u != author))


@dataclass(frozen=True)
class RoundProgress:
    """How far a round is: members who answered, of those expected (away members are not)."""

    answered: int
    expected: int


def _expected(local_date: dt.date, active: Sequence[Member], responded: Set[str]) -> int:
    """Active members expected in the round: not away that day, unless they answered anyway."""
    return sum(
        1
        for m in active
        if m.user_id in responded or not (m.person.away and m.person.away.covers(local_date))
    )


def round_progress(
    local_date: dt.date, members: Sequence[Member], statuses: Mapping[str, AnswerStatus]
) -> RoundProgress:
    """What a reminder may say of the round: counts only, never who has not answered."""
    active = [m for m in members if m.active]
    return RoundProgress(
        answered=sum(1 for m in active if statuses.get(m.user_id) is AnswerStatus.ANSWERED),
        expected=_expected(local_date, active, set(statuses)),
    )


@dataclass(frozen=True)
class RoundTally:
    """What the round's parent message says."""

    local_date: dt.date
    answered: int
    skipped: int
    expected: int
    away_names: tuple[str, ...]
    blockers: int

    @property
    def heard_from(self) -> int:
        return self.answered + self.skipped


def tally_round(
    local_date: dt.date, members: Sequence[Member], answers: Sequence[Answer]
) -> RoundTally:
    """Counts for the parent message. Away members are listed as away and not expected,
    unless they answered anyway; nobody is singled out for not answering."""
    by_user = {a.user_id: a for a in answers}
    active = [m for m in members if m.active]
    away = [m for m in active if m.person.away and m.person.away.covers(local_date)]
    expected = _expected(local_date, active, set(by_user))
    counted = [a for a in answers if a.user_id in {m.user_id for m in active}]
    answered = sum(1 for a in counted if a.status is AnswerStatus.ANSWERED)
    skipped = sum(1 for a in counted if a.status is AnswerStatus.SKIPPED)
    return RoundTally(
        local_date=local_date,
        answered=answered,
        skipped=skipped,
        expected=expected,
        away_names=tuple(sorted(m.person.name for m in away if m.user_id not in by_user)),
        blockers=sum(1 for a in counted if a.status is AnswerStatus.ANSWERED and a.blockers),
    )


@dataclass(frozen=True)
class CheckinForm:
    """What the check-in modal shows: the round, the member's answer so far, what they said
    they would focus on last time, and their blocker from an earlier round that is still open."""

    pack: Pack
    round_date: dt.date
    answer: Answer | None
    open_blocker: Blocker | None = None
    # What the member planned to focus on in their last answered round before this one.
    last_focus: str | None = None


@dataclass(frozen=True)
class AnswerPost:
    """A member's answer as it is shown in the round thread."""

    pack: Pack
    round: Round
    answer: Answer
    author: Person
    collaborators: tuple[Person, ...]
    questions: tuple[Question, ...]
    # Statements waiting for the author's vote (the confirmation offers the direction step).
    waiting_statements: int = 0

    @property
    def names(self) -> dict[str, str]:
        """The names of the people the answer may @mention, by user id."""
        return {p.user_id: p.name for p in (self.author, *self.collaborators)}


@dataclass(frozen=True)
class DirectionStep:
    """The optional step after a check-in: the member's top priority for the round (to share as
    a statement, if they like) and the statements waiting for their vote."""

    pack: Pack
    answer_id: int
    priority: str
    ballot: tuple[StatementView, ...]
