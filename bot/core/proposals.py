"""Proposals and decisions: a decision put to the pack, the members' positions, the outcome."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.analysis.drafting import Draft, Reason, draft, groups_from, split_sides
from bot.core.analysis.groups import find_groups, geometry
from bot.core.analysis.matrix import Vote as MatrixVote
from bot.core.analysis.matrix import build_matrix
from bot.core.errors import FieldErrors
from bot.core.packs import Pack
from bot.core.statements import Statement, Vote, latest_votes

PROPOSAL_MAX = 1000
DEFAULT_OPEN = dt.timedelta(hours=48)
MAX_OPEN = dt.timedelta(days=30)
MIN_OPEN = dt.timedelta(minutes=10)
REASON_MAX = 200


class Position(enum.StrEnum):
    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"

    @property
    def needs_reason(self) -> bool:
        return self in (Position.DISAGREE, Position.BLOCK)


class Outcome(enum.StrEnum):
    PASSED = "passed"
    NOT_PASSED = "not passed"
    BLOCKED = "blocked"

    @property
    def label(self) -> str:
        """As a decision log shows it: "Passed", "Not passed", "Blocked"."""
        return self.value.capitalize()


@dataclass(frozen=True)
class Response:
    user_id: str
    position: Position
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class Counts:
    agree: int = 0
    abstain: int = 0
    disagree: int = 0
    block: int = 0

    @property
    def total(self) -> int:
        return self.agree + self.abstain + self.disagree + self.block

    def said(self) -> str:
        """ "5 agree · 1 disagree": the positions anyone took, in the order agree, abstain,
        disagree, block ("" when nobody answered)."""
        taken = (
            (self.agree, "agree"),
            (self.abstain, "abstain"),
            (self.disagree, "disagree"),
            (self.block, "block"),
        )
        return " · ".join(f"{n} {word}" for n, word in taken if n)


_DURATION = re.compile(r"^(\d{1,4})\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_CLOSES = re.compile(r"\s--closes(?:=|\s+)(\S+)\s*$")


def parse_proposal(text: str, now: dt.datetime, zone: str = "UTC") -> tuple[str, dt.datetime]:
    """`<text> [--closes 3d]` → (text, closing time). FieldErrors for an empty proposal or a
    closing time in the past, too soon, or more than 30 days ahead. A date or date and time
    (`--closes 2026-12-04`, `--closes 2026-12-04T15:00`) is read in `zone`."""
    closes_at = now + DEFAULT_OPEN
    body = " " + text.strip()
    match = _CLOSES.search(body)
    if match is not None:
        body = body[: match.start()]
        closes_at = parse_closes(match.group(1), now, zone)
    cleaned = " ".join(body.split())
    if not cleaned:
        raise FieldErrors({"text": "Say what to decide: `/propose We ship the CLI first`."})
    if len(cleaned) > PROPOSAL_MAX:
        raise FieldErrors({"text": f"Keep a proposal under {PROPOSAL_MAX} characters."})
    return cleaned, closes_at


# A proposal closing "on" a date closes at the end of that working day.
CLOSES_ON_DATE_AT = dt.time(17, 0)


def parse_closes(value: str, now: dt.datetime, zone: str = "UTC") -> dt.datetime:
    """A duration from now (`48h`), or a date / date and time in the pack's timezone."""
    text = value.strip()
    if not text[:1].isdigit() or _DURATION.match(text.lower()):
        return now + parse_duration(text)
    try:
        if "T" in text or " " in text:
            local = dt.datetime.fromisoformat(text)
        else:
            local = dt.datetime.combine(dt.date.fromisoformat(text), CLOSES_ON_DATE_AT)
    except ValueError:
        raise FieldErrors(
            {"closes": f"“{text[:20]}” is not a duration like 48h or a date like 2026-12-04."}
        ) from None
    at = local if local.tzinfo is not None else local.replace(tzinfo=ZoneInfo(zone))
    at = at.astimezone(dt.UTC)
    if at <= now:
        raise FieldErrors({"closes": "That time has passed: pick one ahead, like 3d."})
    _check_open(at - now)
    return at


def _check_open(duration: dt.timedelta) -> None:
    if duration < MIN_OPEN:
        raise FieldErrors({"closes": "Leave the pack at least 10 minutes to answer."})
    if duration > MAX_OPEN:
        raise FieldErrors({"closes": "A proposal closes within 30 days."})


def parse_duration(value: str) -> dt.timedelta:
    match = _DURATION.match(value.strip().lower())
    if match is None:
        raise FieldErrors({"closes": f"“{value[:20]}” is not a duration like 90m, 48h, 3d or 1w."})
    amount = int(match.group(1))
    duration = dt.timedelta(**{_UNITS[match.group(2)]: amount})
    _check_open(duration)
    return duration


def clean_reason(position: Position, reason: str) -> str:
    cleaned = " ".join(reason.split())
    if position.needs_reason and not cleaned:
        raise FieldErrors({"reason": f"Say in one line why you {position.value}."})
    if len(cleaned) > REASON_MAX:
        raise FieldErrors({"reason": f"Keep the reason to one line of {REASON_MAX} characters."})
    return cleaned


def latest(responses: Sequence[Response]) -> dict[str, Response]:
    """Each member's latest position (responses in the order given)."""
    found: dict[str, Response] = {}
    for response in responses:
        found[response.user_id] = response
    return found


def count(responses: Sequence[Response]) -> Counts:
    positions = [r.position for r in latest(responses).values()]
    return Counts(
        agree=positions.count(Position.AGREE),
        abstain=positions.count(Position.ABSTAIN),
        disagree=positions.count(Position.DISAGREE),
        block=positions.count(Position.BLOCK),
    )


def outcome(responses: Sequence[Response]) -> Outcome:
    """Blocked when anyone blocks; passed when Agree outnumbers Disagree; otherwise not."""
    counts = count(responses)
    if counts.block:
        return Outcome.BLOCKED
    if counts.agree > counts.disagree:
        return Outcome.PASSED
    return Outcome.NOT_PASSED


@dataclass(frozen=True)
class Proposal:
    id: int
    pack_id: int
    text: str
    author_id: str | None
    closes_at: dt.datetime
    outcome: Outcome | None = None
    closed_at: dt.datetime | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    statement_id: int | None = None
    revises_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.outcome is None


REVISABLE = (Outcome.NOT_PASSED, Outcome.BLOCKED)


def parse_revision(
    text: str, closes: str, now: dt.datetime, zone: str = "UTC"
) -> tuple[str, dt.datetime]:
    """The revise form's text and closing duration (empty means the default 48 h) → (text,
    closing time). FieldErrors name every field that is wrong, not just the first."""
    errors: dict[str, str] = {}
    cleaned = " ".join(text.split())
    if not cleaned:
        errors["text"] = "Say what the pack should decide this time."
    elif len(cleaned) > PROPOSAL_MAX:
        errors["text"] = f"Keep a proposal under {PROPOSAL_MAX} characters."
    closes_at = now + DEFAULT_OPEN
    if closes.strip():
        try:
            closes_at = parse_closes(closes, now, zone)
        except FieldErrors as bad:
            errors.update(bad.errors)
    if errors:
        raise FieldErrors(errors)
    return cleaned, closes_at


def revision_refusal(proposal: Proposal, user_id: str, revisions: Sequence[Proposal]) -> str | None:
    """Why this member may not revise this proposal now, or None when they may. Only its
    proposer revises it, only once it closed as not passed or blocked, and only once:
    `revisions` are the proposals that already revise it."""
    if proposal.author_id != user_id:
        return (
            "Only the member who proposed this can revise it. You can put your own version "
            "to the pack with `/propose`."
        )
    if proposal.is_open:
        return "This proposal is still open. It can be revised if it closes without passing."
    if proposal.outcome not in REVISABLE:
        return "This proposal passed, so there is nothing to revise. `/propose` puts a new one."
    if revisions:
        newest = max(revisions, key=lambda p: p.id)
        return (
            f"You already revised this proposal as #{newest.id}. If that one fails too, "
            f"revise #{newest.id} instead."
        )
    return None


@dataclass(frozen=True)
class ProposalView:
    """A proposal as its channel message shows it."""

    pack: Pack
    proposal: Proposal
    counts: Counts
    block_reasons: tuple[str, ...] = ()
    # The earlier proposal this one revises, and the later one that revised this one.
    revises: Proposal | None = None
    revised_as: int | None = None


@dataclass(frozen=True)
class SplitDraft:
    """What `Draft a proposal` on a split starts from: the split statement and the draft made
    of the pack's own words, None when there is no sentence on the split to make it from."""

    pack: Pack
    statement: Statement
    draft: Draft | None

    @property
    def reaches_all(self) -> bool:
        """A draft each opinion group is predicted to endorse more than half of."""
        return self.draft is not None and self.draft.reaches_all


def split_draft(
    split: Statement, statements: Sequence[Statement], votes: Sequence[Vote]
) -> Draft | None:
    """The draft on a split from the pack's statements and the reasons given with the latest
    votes (analysis/drafting.py). The opinion groups are the analysis' groups when it finds
    real ones, otherwise the split's two sides. `votes` oldest first."""
    latest = sorted(latest_votes(list(votes)).values(), key=lambda v: v.at)
    matrix = build_matrix(
        [MatrixVote(v.user_id, str(v.statement_id), int(v.value)) for v in latest],
        hidden=[str(s.id) for s in statements if s.hidden],
        meta=[str(s.id) for s in statements if s.meta],
        statements=[str(s.id) for s in statements],
    )
    key = str(split.id)
    if key not in matrix.statements:
        return None
    found = find_groups(matrix, geometry(matrix)).groups
    groups = split_sides(matrix, key) if found is None else groups_from(matrix, found.assignments)
    reasons = [Reason(str(v.statement_id), int(v.value), v.reason) for v in latest if v.reason]
    texts = {str(s.id): s.text for s in statements}
    return draft(matrix, texts, reasons, groups, split=key)
