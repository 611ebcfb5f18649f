"""The App Home: what a member sees of their own packs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.analysis.members import Alignment
from bot.core.packs import Away, Pack, Person
from bot.core.proposals import Proposal


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
