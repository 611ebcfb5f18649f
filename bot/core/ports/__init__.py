"""What the core needs from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import Protocol

from bot.core.map import MapGrant
from bot.core.ports.messaging import Directory, Notifier
from bot.core.ports.repositories import (
    AnswerRepository,
    BlockerRepository,
    DeliveryRepository,
    MemberRepository,
    PackRepository,
    PersonRepository,
    PrivacyRepository,
    ProposalRepository,
    RoundRepository,
    StatementRepository,
)

__all__ = [
    "AnswerRepository",
    "BlockerRepository",
    "Clock",
    "Database",
    "DeliveryRepository",
    "Directory",
    "MapLinks",
    "MemberRepository",
    "Notifier",
    "PackRepository",
    "PersonRepository",
    "PrivacyRepository",
    "ProposalRepository",
    "RoundRepository",
    "StatementRepository",
    "Transaction",
]


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """An aware datetime."""
        ...


class MapLinks(Protocol):
    """Signs the links to the map page (the web adapter, which also checks them)."""

    def url(self, grant: MapGrant) -> str:
        """The page's address for this grant: anyone holding it sees that pack as that member
        would, until the grant expires."""
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
    @property
    def blockers(self) -> BlockerRepository: ...


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
