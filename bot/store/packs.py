"""Packs, the people of a workspace and their memberships; a pack's settings as JSON."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, and_, bindparam, cast, select, update

from bot.core.hours import Hours
from bot.core.packs import (
    Away,
    Member,
    Pack,
    PackDraft,
    PackSettings,
    Person,
    Question,
    QuestionKind,
    Role,
    TimezoneMode,
)
from bot.store.models import MembershipRow, PackRow, PersonRow
from bot.store.scoped import WORKSPACE, Scoped, dialect_insert

_SET_DM_CHANNEL = (
    update(PersonRow)
    .where(PersonRow.workspace_id == bindparam("ws"), PersonRow.user_id == bindparam("user"))
    .values(dm_channel=bindparam("channel"))
)

# --- settings as JSON ------------------------------------------------------------------------


def settings_to_json(settings: PackSettings) -> dict[str, Any]:
    return {
        "checkin_days": sorted(settings.checkin_days),
        "checkin_time": settings.checkin_time.strftime("%H:%M"),
        "timezone_mode": settings.timezone_mode.value,
        "timezone": settings.timezone,
        "reminder_minutes": settings.reminder_minutes,
        "summary_day": settings.summary_day,
        "summary_time": settings.summary_time.strftime("%H:%M"),
        "anonymous": settings.anonymous,
        "name_lone_wolves": settings.name_lone_wolves,
        "questions": [
            {"key": q.key, "kind": q.kind.value, "label": q.label, "required": q.required}
            for q in settings.questions
        ],
        "holiday_country": settings.holiday_country,
        "holiday_dates": sorted(d.isoformat() for d in settings.holiday_dates),
        "late_limit_minutes": settings.late_limit_minutes,
        "contested_min_decided": settings.contested_min_decided,
        "contested_divisiveness": settings.contested_divisiveness,
    }


def settings_from_json(data: dict[str, Any]) -> PackSettings:
    defaults = PackSettings()
    questions = tuple(
        Question(q["key"], QuestionKind(q["kind"]), q["label"], bool(q["required"]))
        for q in data.get("questions", [])
    )
    return PackSettings(
        checkin_days=frozenset(int(d) for d in data.get("checkin_days", defaults.checkin_days)),
        checkin_time=dt.time.fromisoformat(data.get("checkin_time", "09:30")),
        timezone_mode=TimezoneMode(data.get("timezone_mode", defaults.timezone_mode.value)),
        timezone=str(data.get("timezone", defaults.timezone)),
        reminder_minutes=int(data.get("reminder_minutes", defaults.reminder_minutes)),
        summary_day=int(data.get("summary_day", defaults.summary_day)),
        summary_time=dt.time.fromisoformat(data.get("summary_time", "16:00")),
        anonymous=bool(data.get("anonymous", defaults.anonymous)),
        name_lone_wolves=bool(data.get("name_lone_wolves", defaults.name_lone_wolves)),
        questions=questions or defaults.questions,
        holiday_country=data.get("holiday_country") or None,
        holiday_dates=frozenset(dt.date.fromisoformat(d) for d in data.get("holiday_dates", [])),
        late_limit_minutes=int(data.get("late_limit_minutes", defaults.late_limit_minutes)),
        contested_min_decided=int(
            data.get("contested_min_decided", defaults.contested_min_decided)
        ),
        contested_divisiveness=float(
            data.get("contested_divisiveness", defaults.contested_divisiveness)
        ),
    )


# --- reads of plain columns --------------------------------------------------------------------
# Hot reads select columns, not ORM entities (no identity map or instance state to build), with
# statements built once here: building a joined select costs more than running it.

PACKS, PEOPLE, MEMBERSHIPS = PackRow.__table__, PersonRow.__table__, MembershipRow.__table__
# The JSON columns are read as their text: a pack's settings are parsed once per distinct text
# (`pack_of`), not on every read of the pack.
PACK_COLUMNS = (
    PACKS.c.id,
    PACKS.c.workspace_id,
    PACKS.c.channel_id,
    PACKS.c.name,
    cast(PACKS.c.settings, Text).label("settings"),
    PACKS.c.created_by,
    cast(PACKS.c.admin_ids, Text).label("admin_ids"),
    PACKS.c.created_at,
)
PERSON_COLUMNS = (
    PEOPLE.c.user_id,
    PEOPLE.c.name,
    PEOPLE.c.tz,
    PEOPLE.c.is_bot,
    PEOPLE.c.deleted,
    PEOPLE.c.is_workspace_admin,
    PEOPLE.c.away_start,
    PEOPLE.c.away_end,
    PEOPLE.c.dm_channel,
    PEOPLE.c.hours,
)
_PACK = select(*PACK_COLUMNS).where(PACKS.c.workspace_id == WORKSPACE)
_PACK_BY_ID = _PACK.where(PACKS.c.id == bindparam("pack_id"))
_PACK_BY_CHANNEL = _PACK.where(PACKS.c.channel_id == bindparam("channel_id"))
_PERSON = select(*PERSON_COLUMNS).where(PEOPLE.c.workspace_id == WORKSPACE)
# A pack's member with their profile, and the pack's admins.
_MEMBER_COLUMNS = (
    MEMBERSHIPS.c.pack_id,
    MEMBERSHIPS.c.active,
    MEMBERSHIPS.c.joined_at,
    *PERSON_COLUMNS,
)
_MEMBER_JOIN = MEMBERSHIPS.join(
    PEOPLE,
    and_(
        PEOPLE.c.workspace_id == MEMBERSHIPS.c.workspace_id,
        PEOPLE.c.user_id == MEMBERSHIPS.c.user_id,
    ),
)
_MEMBER = (
    select(*_MEMBER_COLUMNS, PACKS.c.admin_ids)
    .select_from(_MEMBER_JOIN.join(PACKS, PACKS.c.id == MEMBERSHIPS.c.pack_id))
    .where(
        MEMBERSHIPS.c.workspace_id == WORKSPACE,
        PACKS.c.workspace_id == WORKSPACE,
        MEMBERSHIPS.c.pack_id == bindparam("pack_id"),
        MEMBERSHIPS.c.user_id == bindparam("user_id"),
    )
)
# The channel's pack, with the user's membership and profile when they have one.
# A channel's pack, with the user's membership of it and their profile (None when they have
# no membership row).
IN_CHANNEL_COLUMNS = (*PACK_COLUMNS, MEMBERSHIPS.c.active, MEMBERSHIPS.c.joined_at, *PERSON_COLUMNS)
IN_CHANNEL_FROM = PACKS.outerjoin(
    MEMBERSHIPS,
    and_(
        MEMBERSHIPS.c.workspace_id == WORKSPACE,
        MEMBERSHIPS.c.pack_id == PACKS.c.id,
        MEMBERSHIPS.c.user_id == bindparam("user_id"),
    ),
).outerjoin(
    PEOPLE,
    and_(PEOPLE.c.workspace_id == WORKSPACE, PEOPLE.c.user_id == MEMBERSHIPS.c.user_id),
)
IN_CHANNEL_WHERE = and_(
    PACKS.c.workspace_id == WORKSPACE, PACKS.c.channel_id == bindparam("channel_id")
)
_IN_CHANNEL = select(*IN_CHANNEL_COLUMNS).select_from(IN_CHANNEL_FROM).where(IN_CHANNEL_WHERE)


def in_channel_of(values: Sequence[Any]) -> tuple[Pack, Member | None]:
    """The pack and membership from the values of IN_CHANNEL_COLUMNS, in that order."""
    width = len(PACK_COLUMNS)
    pack = pack_of(values[:width])
    active, joined_at = values[width], values[width + 1]
    person = values[width + 2 : len(IN_CHANNEL_COLUMNS)]
    if active is None or person[0] is None:
        return pack, None
    return pack, _member((pack.id, active, joined_at, *person), pack.admin_ids)


def pack_of(values: Sequence[Any]) -> Pack:
    """A Pack from the values of PACK_COLUMNS, in that order (the JSON columns as text, or
    parsed, as an ORM row holds them)."""
    pack_id, workspace_id, channel_id, name, settings, created_by, admin_ids, created_at = values
    return Pack(
        id=pack_id,
        workspace_id=workspace_id,
        channel_id=channel_id,
        name=name,
        settings=(
            _settings_of_text(settings)
            if isinstance(settings, str)
            else settings_from_json(settings)
        ),
        created_by=created_by,
        admin_ids=_ids_of_text(admin_ids) if isinstance(admin_ids, str) else tuple(admin_ids),
        created_at=created_at,
    )


# Settings are immutable, so one parse serves every read of the same text.
@functools.lru_cache(maxsize=4096)
def _settings_of_text(text: str) -> PackSettings:
    return settings_from_json(json.loads(text))


@functools.lru_cache(maxsize=4096)
def _ids_of_text(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def person_of(values: Sequence[Any]) -> Person:
    """A Person from the values of PERSON_COLUMNS, in that order."""
    user_id, name, tz, is_bot, deleted, is_admin, away_start, away_end, dm_channel, hours = values
    away = None
    if away_start is not None and away_end is not None:
        away = Away(away_start, away_end)
    return Person(
        user_id=user_id,
        name=name,
        tz=tz,
        is_bot=is_bot,
        deleted=deleted,
        is_workspace_admin=is_admin,
        away=away,
        dm_channel=dm_channel,
        hours=_hours_of_text(hours) if hours else None,
    )


@functools.lru_cache(maxsize=1024)
def _hours_of_text(text: str) -> Hours:
    return Hours.parse(text)


def _member(values: Sequence[Any], admin_ids: Sequence[str] | None) -> Member:
    """A Member from the values of _MEMBER_COLUMNS, in that order."""
    pack_id, active, joined_at, *person = values
    found = person_of(person)
    role = Role.ADMIN if found.user_id in (admin_ids or ()) else Role.MEMBER
    return Member(pack_id, found, role, active, joined_at)


class SqlPacks(Scoped):
    def all(self) -> list[Pack]:
        rows = self._execute(_PACK.order_by(PACKS.c.id))
        return [pack_of(r) for r in rows]

    def by_channel(self, channel_id: str) -> Pack | None:
        row = self._execute(_PACK_BY_CHANNEL, channel_id=channel_id).first()
        return pack_of(row) if row else None

    def get(self, pack_id: int) -> Pack | None:
        row = self._execute(_PACK_BY_ID, pack_id=pack_id).first()
        return pack_of(row) if row else None

    def of_user(self, user_id: str) -> list[Pack]:
        rows = self._execute(
            _PACK.join_from(PACKS, MEMBERSHIPS, MEMBERSHIPS.c.pack_id == PACKS.c.id)
            .where(
                MEMBERSHIPS.c.workspace_id == WORKSPACE,
                MEMBERSHIPS.c.user_id == user_id,
                MEMBERSHIPS.c.active.is_(True),
            )
            .order_by(PACKS.c.id)
        )
        return [pack_of(r) for r in rows]

    def _row(self, **where: Any) -> PackRow | None:
        return self.session.scalar(
            select(PackRow).filter_by(workspace_id=self.workspace_id, **where)
        )

    def save(self, draft: PackDraft, now: dt.datetime) -> tuple[Pack, bool]:
        row = self._row(channel_id=draft.channel_id)
        created = row is None
        if row is None:
            row = PackRow(
                workspace_id=self.workspace_id,
                channel_id=draft.channel_id,
                created_by=draft.created_by,
                created_at=now,
            )
            self.session.add(row)
        row.name = draft.name[:100]
        row.settings = settings_to_json(draft.settings)
        row.admin_ids = list(dict.fromkeys(draft.admin_ids))
        row.updated_at = now
        self.session.flush()
        return pack_of([getattr(row, c.key) for c in PACK_COLUMNS]), created


class SqlPeople(Scoped):
    def get(self, user_id: str) -> Person | None:
        row = self._execute(_PERSON.where(PEOPLE.c.user_id == user_id)).first()
        return person_of(row) if row else None

    def many(self, user_ids: Sequence[str]) -> dict[str, Person]:
        if not user_ids:
            return {}
        rows = self._execute(_PERSON.where(PEOPLE.c.user_id.in_(list(set(user_ids)))))
        return {r.user_id: person_of(r) for r in rows}

    def upsert(self, person: Person, now: dt.datetime) -> Person:
        values = {
            "name": person.name[:200],
            "tz": person.tz[:64],
            "is_bot": person.is_bot,
            "deleted": person.deleted,
            "is_workspace_admin": person.is_workspace_admin,
            "refreshed_at": now,
        }
        stmt = (
            dialect_insert(self.session)(PersonRow)
            .values(workspace_id=self.workspace_id, user_id=person.user_id, **values)
            .on_conflict_do_update(index_elements=["workspace_id", "user_id"], set_=values)
        )
        self.session.execute(stmt)
        stored = self.get(person.user_id)
        assert stored is not None
        return stored

    def set_dm_channel(self, user_id: str, channel: str | None) -> None:
        # Runs for every member after their first prompt: a prebuilt Core statement costs a
        # tenth of an ORM update, built each time and then matched against the session's
        # objects. Nothing reads a person back after this in the same transaction.
        self.session.connection().execute(
            _SET_DM_CHANNEL, {"ws": self.workspace_id, "user": user_id, "channel": channel}
        )

    def set_away(self, user_id: str, away: Away | None) -> None:
        self.session.execute(
            update(PersonRow)
            .where(PersonRow.workspace_id == self.workspace_id, PersonRow.user_id == user_id)
            .values(away_start=away.start if away else None, away_end=away.end if away else None)
        )

    def set_hours(self, user_id: str, hours: Hours | None) -> None:
        self.session.execute(
            update(PersonRow)
            .where(PersonRow.workspace_id == self.workspace_id, PersonRow.user_id == user_id)
            .values(hours=str(hours) if hours else None)
        )

    def stale(self, refreshed_before: dt.datetime, limit: int) -> list[str]:
        active = select(MembershipRow.user_id).where(
            MembershipRow.workspace_id == self.workspace_id, MembershipRow.active.is_(True)
        )
        return list(
            self.session.scalars(
                select(PersonRow.user_id)
                .where(
                    PersonRow.workspace_id == self.workspace_id,
                    PersonRow.refreshed_at < refreshed_before,
                    PersonRow.user_id.in_(active),
                )
                .order_by(PersonRow.refreshed_at)
                .limit(limit)
            )
        )


class SqlMembers(Scoped):
    def by_pack(
        self,
        pack_ids: Sequence[int],
        *,
        include_inactive: bool = False,
        user_id: str | None = None,
    ) -> dict[int, list[Member]]:
        found: dict[int, list[Member]] = {p: [] for p in pack_ids}
        if not pack_ids:
            return found
        admins = {
            pack_id: ids
            for pack_id, ids in self._execute(
                select(PACKS.c.id, PACKS.c.admin_ids).where(
                    PACKS.c.workspace_id == WORKSPACE, PACKS.c.id.in_(list(pack_ids))
                )
            ).all()
        }
        query = (
            select(*_MEMBER_COLUMNS)
            .select_from(_MEMBER_JOIN)
            .where(
                MEMBERSHIPS.c.workspace_id == WORKSPACE,
                MEMBERSHIPS.c.pack_id.in_(list(pack_ids)),
            )
            .order_by(PEOPLE.c.name, MEMBERSHIPS.c.user_id)
        )
        if user_id is not None:
            query = query.where(MEMBERSHIPS.c.user_id == user_id)
        if not include_inactive:
            query = query.where(MEMBERSHIPS.c.active.is_(True))
        for row in self._execute(query):
            found[row.pack_id].append(_member(row, admins.get(row.pack_id)))
        return found

    def of_pack(self, pack_id: int, *, include_inactive: bool = False) -> list[Member]:
        return self.by_pack([pack_id], include_inactive=include_inactive)[pack_id]

    def get(self, pack_id: int, user_id: str) -> Member | None:
        # One round trip: every request checks membership, so this is on the hot path.
        row = self._execute(_MEMBER, pack_id=pack_id, user_id=user_id).first()
        if row is None:
            return None
        return _member(row[:-1], row[-1])

    def in_channel(self, channel_id: str, user_id: str) -> tuple[Pack, Member | None] | None:
        # One round trip for what most commands ask first.
        row = self._execute(_IN_CHANNEL, channel_id=channel_id, user_id=user_id).first()
        return None if row is None else in_channel_of(row)

    def _membership(self, pack_id: int, user_id: str) -> MembershipRow | None:
        return self.session.scalar(
            select(MembershipRow).where(
                MembershipRow.workspace_id == self.workspace_id,
                MembershipRow.pack_id == pack_id,
                MembershipRow.user_id == user_id,
            )
        )

    def replace(self, pack_id: int, member_ids: Sequence[str], now: dt.datetime) -> None:
        self._require(PackRow, pack_id)
        wanted = set(member_ids)
        rows = self.session.scalars(
            select(MembershipRow).where(
                MembershipRow.workspace_id == self.workspace_id, MembershipRow.pack_id == pack_id
            )
        ).all()
        seen = set()
        for row in rows:
            seen.add(row.user_id)
            if row.user_id in wanted and not row.active:
                row.active, row.joined_at, row.left_at = True, now, None
            elif row.user_id not in wanted and row.active:
                row.active, row.left_at = False, now
        for user_id in member_ids:
            if user_id not in seen:
                seen.add(user_id)
                self.session.add(
                    MembershipRow(
                        workspace_id=self.workspace_id,
                        pack_id=pack_id,
                        user_id=user_id,
                        active=True,
                        joined_at=now,
                    )
                )
        self.session.flush()

    def join(self, pack_id: int, user_id: str, now: dt.datetime) -> bool:
        row = self._membership(pack_id, user_id)
        if row is None:
            if not self._owns(PackRow, pack_id):
                return False
            self.session.add(
                MembershipRow(
                    workspace_id=self.workspace_id,
                    pack_id=pack_id,
                    user_id=user_id,
                    active=True,
                    joined_at=now,
                )
            )
            self.session.flush()
            return True
        if row.active:
            return False
        row.active, row.joined_at, row.left_at = True, now, None
        return True

    def leave(self, pack_id: int, user_id: str, now: dt.datetime) -> bool:
        row = self._membership(pack_id, user_id)
        if row is None or not row.active:
            return False
        row.active, row.left_at = False, now
        return True

    def leave_all(self, user_id: str, now: dt.datetime) -> int:
        result = self.session.execute(
            update(MembershipRow)
            .where(
                MembershipRow.workspace_id == self.workspace_id,
                MembershipRow.user_id == user_id,
                MembershipRow.active.is_(True),
            )
            .values(active=False, left_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)
