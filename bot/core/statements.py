"""Direction statements and the votes on them."""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

from bot.core.analysis.stats import Rules, statement_stats
from bot.core.errors import FieldErrors

STATEMENT_MAX = 280
REASON_MAX = 200


class VoteValue(enum.IntEnum):
    AGREE = 1
    DISAGREE = -1
    PASS = 0


@dataclass(frozen=True)
class Statement:
    id: int
    pack_id: int
    text: str
    author_id: str | None
    hidden: bool = False
    meta: bool = False
    created_at: dt.datetime | None = None
    # The last time the pack talked it over (a reply in its split alert's thread, or a proposal
    # made from it): members who voted before then are asked again once (SPEC §4.6).
    discussed_at: dt.datetime | None = None
    # Where its split alert was posted, when it was: (channel, ts).
    alert_message: tuple[str, str] | None = None


@dataclass(frozen=True)
class Vote:
    statement_id: int
    user_id: str
    value: VoteValue
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class Reply:
    """A member's reply in a discussion thread, a split alert's or a proposal's: who and when,
    never the text."""

    user_id: str
    at: dt.datetime
    statement_id: int | None = None
    proposal_id: int | None = None


@dataclass(frozen=True)
class Tally:
    """The latest vote of each member on one statement, counted."""

    agree: int = 0
    disagree: int = 0
    passes: int = 0

    @property
    def decided(self) -> int:
        return self.agree + self.disagree

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passes


_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The form two statements share when they say the same thing: case, spacing and
    punctuation ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", folded)).strip()


def clean_statement(text: str) -> str:
    """The statement as it will be stored, or FieldErrors keyed `text`."""
    cleaned = _SPACES.sub(" ", text).strip()
    if not cleaned or not normalize(cleaned):
        raise FieldErrors({"text": "Write the statement, like “We should ship the CLI first”."})
    if len(cleaned) > STATEMENT_MAX:
        raise FieldErrors(
            {"text": f"Keep statements under {STATEMENT_MAX} characters (this is {len(cleaned)})."}
        )
    return cleaned


def clean_reason(text: str) -> str:
    cleaned = _SPACES.sub(" ", text).strip()
    if len(cleaned) > REASON_MAX:
        raise FieldErrors({"reason": f"Keep the reason to one line of {REASON_MAX} characters."})
    return cleaned


def tally(votes: list[Vote]) -> Tally:
    """Counts the latest vote of each member (votes in the order they were cast)."""
    latest: dict[str, VoteValue] = {}
    for vote in votes:
        latest[vote.user_id] = vote.value
    values = list(latest.values())
    return Tally(
        agree=values.count(VoteValue.AGREE),
        disagree=values.count(VoteValue.DISAGREE),
        passes=values.count(VoteValue.PASS),
    )


def is_contested(t: Tally, min_decided: int = 3, min_divisiveness: float = 0.6) -> bool:
    """SPEC §4.3, as the analysis computes it, with the pack's thresholds."""
    rules = Rules(min_decided_for_divisiveness=min_decided, contested_divisiveness=min_divisiveness)
    return statement_stats("", t.agree, t.disagree, t.passes, rules).contested


K_ANONYMITY = 3


@dataclass(frozen=True)
class StatementView:
    """A statement with its latest-vote counts, as the pack may see it."""

    statement: Statement
    tally: Tally
    mine: VoteValue | None
    # Who voted how, only in packs that chose open voting; empty in anonymous packs.
    voters: tuple[tuple[str, VoteValue], ...] = ()
    # Offered again: contested and discussed since the member's only vote (SPEC §4.6).
    again: bool = False

    @property
    def shown(self) -> bool:
        """Counts are shown only once at least 3 members decided (k-anonymity)."""
        return self.tally.decided >= K_ANONYMITY


@dataclass(frozen=True)
class SplitAlert:
    statement: Statement
    tally: Tally
    agree_reasons: tuple[str, ...]
    disagree_reasons: tuple[str, ...]


def latest_votes(votes: list[Vote]) -> dict[tuple[int, str], Vote]:
    latest: dict[tuple[int, str], Vote] = {}
    for vote in votes:
        latest[(vote.statement_id, vote.user_id)] = vote
    return latest


def offered_again(
    statement: Statement, t: Tally, my_votes: list[Vote], min_decided: int, divisiveness: float
) -> bool:
    """The Delphi step: a contested statement the pack discussed after the member's vote is put
    to them once more. Once: a member who has voted twice on it is not asked again."""
    return (
        len(my_votes) == 1
        and statement.discussed_at is not None
        and my_votes[-1].at < statement.discussed_at
        and is_contested(t, min_decided, divisiveness)
    )
