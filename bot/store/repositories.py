"""Repositories: SQL in, core objects out. Each is bound to one workspace and filters every
query on it, so one workspace's request can never read or write another's rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import (
    Engine,
    String,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.core.checkins import Answer, AnswerInput, AnswerStatus, Round
from bot.core.delivery import Delivery, DeliveryState
from bot.core.errors import NotAllowed, NotFound
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
from bot.core.privacy import Footprint, scrub_mentions
from bot.core.proposals import Outcome, Position, Proposal, Response
from bot.core.schedule import Due, DueKind
from bot.core.statements import Statement, Vote, VoteValue, normalize
from bot.store.models import (
    AnswerRow,
    DeliveryRow,
    MembershipRow,
    PackRow,
    PersonRow,
    ProposalResponseRow,
    ProposalRow,
    RoundRow,
    SlackEventRow,
    StatementRow,
    UTCDateTime,
    VoteRow,
    WorkspaceRow,
)


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def ensure_workspace(session: Session, team_id: str, enterprise_id: str) -> int:
    now = dt.datetime.now(dt.UTC)
    stmt = (
        _insert(session)(WorkspaceRow)
        .values(team_id=team_id, enterprise_id=enterprise_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["team_id", "enterprise_id"])
    )
    session.execute(stmt)
    found = session.scalar(
        select(WorkspaceRow.id).where(
            WorkspaceRow.team_id == team_id, WorkspaceRow.enterprise_id == enterprise_id
        )
    )
    assert found is not None
    return found


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


def _pack(row: PackRow) -> Pack:
    return Pack(
        id=row.id,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        name=row.name,
        settings=settings_from_json(row.settings),
        created_by=row.created_by,
        admin_ids=tuple(row.admin_ids),
    )


def _person(row: PersonRow) -> Person:
    away = None
    if row.away_start is not None and row.away_end is not None:
        away = Away(row.away_start, row.away_end)
    return Person(
        user_id=row.user_id,
        name=row.name,
        tz=row.tz,
        is_bot=row.is_bot,
        deleted=row.deleted,
        is_workspace_admin=row.is_workspace_admin,
        away=away,
        dm_channel=row.dm_channel,
    )


def _round(row: RoundRow) -> Round:
    return Round(id=row.id, pack_id=row.pack_id, local_date=row.local_date, parent_ts=row.parent_ts)


def _answer(row: AnswerRow) -> Answer:
    return Answer(
        id=row.id,
        round_id=row.round_id,
        pack_id=row.pack_id,
        user_id=row.user_id,
        status=AnswerStatus(row.status),
        texts=dict(row.texts),
        collaborators=tuple(row.collaborators),
        alignment=row.alignment,
        version=row.version,
        published_version=row.published_version,
        reply_ts=row.reply_ts,
        updated_at=row.updated_at,
    )


class _Scoped:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def _membership_of(self, pack_id: Any, user_id: str) -> ColumnElement[bool]:
        """Joins the user's membership row of the pack `pack_id` (a column) in this workspace."""
        return and_(
            MembershipRow.workspace_id == self.workspace_id,
            MembershipRow.pack_id == pack_id,
            MembershipRow.user_id == user_id,
        )

    def _owns(self, model: Any, row_id: int, **where: Any) -> bool:
        """Whether the row is this workspace's. A write that names a parent row (a pack, a
        round, a statement, a proposal) checks it first: keys are unique across workspaces, so
        a row of this workspace linked to another's would count there, or block its inserts."""
        found = self.session.scalar(
            select(model.id).filter_by(workspace_id=self.workspace_id, id=row_id, **where)
        )
        return found is not None

    def _require(self, model: Any, row_id: int, **where: Any) -> None:
        """NotFound unless the row is this workspace's (see `_owns`)."""
        if not self._owns(model, row_id, **where):
            raise NotFound(_GONE)


_GONE = "That is gone: run the command again."


class SqlPacks(_Scoped):
    def all(self) -> list[Pack]:
        rows = self.session.scalars(
            select(PackRow).where(PackRow.workspace_id == self.workspace_id).order_by(PackRow.id)
        )
        return [_pack(r) for r in rows]

    def _row(self, **where: Any) -> PackRow | None:
        return self.session.scalar(
            select(PackRow).filter_by(workspace_id=self.workspace_id, **where)
        )

    def by_channel(self, channel_id: str) -> Pack | None:
        row = self._row(channel_id=channel_id)
        return _pack(row) if row else None

    def get(self, pack_id: int) -> Pack | None:
        row = self._row(id=pack_id)
        return _pack(row) if row else None

    def of_user(self, user_id: str) -> list[Pack]:
        rows = self.session.scalars(
            select(PackRow)
            .join(MembershipRow, MembershipRow.pack_id == PackRow.id)
            .where(
                PackRow.workspace_id == self.workspace_id,
                MembershipRow.workspace_id == self.workspace_id,
                MembershipRow.user_id == user_id,
                MembershipRow.active.is_(True),
            )
            .order_by(PackRow.id)
        )
        return [_pack(r) for r in rows]

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
        return _pack(row), created


class SqlPeople(_Scoped):
    def _row(self, user_id: str) -> PersonRow | None:
        return self.session.scalar(
            select(PersonRow).where(
                PersonRow.workspace_id == self.workspace_id, PersonRow.user_id == user_id
            )
        )

    def get(self, user_id: str) -> Person | None:
        row = self._row(user_id)
        return _person(row) if row else None

    def many(self, user_ids: Sequence[str]) -> dict[str, Person]:
        if not user_ids:
            return {}
        rows = self.session.scalars(
            select(PersonRow).where(
                PersonRow.workspace_id == self.workspace_id,
                PersonRow.user_id.in_(list(set(user_ids))),
            )
        )
        return {r.user_id: _person(r) for r in rows}

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
            _insert(self.session)(PersonRow)
            .values(workspace_id=self.workspace_id, user_id=person.user_id, **values)
            .on_conflict_do_update(index_elements=["workspace_id", "user_id"], set_=values)
        )
        self.session.execute(stmt)
        stored = self.get(person.user_id)
        assert stored is not None
        return stored

    def set_dm_channel(self, user_id: str, channel: str | None) -> None:
        self.session.execute(
            update(PersonRow)
            .where(PersonRow.workspace_id == self.workspace_id, PersonRow.user_id == user_id)
            .values(dm_channel=channel)
        )

    def set_away(self, user_id: str, away: Away | None) -> None:
        self.session.execute(
            update(PersonRow)
            .where(PersonRow.workspace_id == self.workspace_id, PersonRow.user_id == user_id)
            .values(away_start=away.start if away else None, away_end=away.end if away else None)
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


class SqlMembers(_Scoped):
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
            pack_id: set(ids or [])
            for pack_id, ids in self.session.execute(
                select(PackRow.id, PackRow.admin_ids).where(
                    PackRow.workspace_id == self.workspace_id, PackRow.id.in_(list(pack_ids))
                )
            ).all()
        }
        query = (
            select(MembershipRow, PersonRow)
            .join(
                PersonRow,
                and_(
                    PersonRow.workspace_id == MembershipRow.workspace_id,
                    PersonRow.user_id == MembershipRow.user_id,
                ),
            )
            .where(
                MembershipRow.workspace_id == self.workspace_id,
                MembershipRow.pack_id.in_(list(pack_ids)),
            )
            .order_by(PersonRow.name, MembershipRow.user_id)
        )
        if user_id is not None:
            query = query.where(MembershipRow.user_id == user_id)
        if not include_inactive:
            query = query.where(MembershipRow.active.is_(True))
        for m, p in self.session.execute(query).all():
            role = Role.ADMIN if m.user_id in admins.get(m.pack_id, set()) else Role.MEMBER
            found[m.pack_id].append(Member(m.pack_id, _person(p), role, m.active))
        return found

    def of_pack(self, pack_id: int, *, include_inactive: bool = False) -> list[Member]:
        return self.by_pack([pack_id], include_inactive=include_inactive)[pack_id]

    def get(self, pack_id: int, user_id: str) -> Member | None:
        # One round trip: every request checks membership, so this is on the hot path.
        row = self.session.execute(
            select(MembershipRow, PersonRow, PackRow.admin_ids)
            .join(
                PersonRow,
                and_(
                    PersonRow.workspace_id == MembershipRow.workspace_id,
                    PersonRow.user_id == MembershipRow.user_id,
                ),
            )
            .join(PackRow, PackRow.id == MembershipRow.pack_id)
            .where(
                MembershipRow.workspace_id == self.workspace_id,
                PackRow.workspace_id == self.workspace_id,
                MembershipRow.pack_id == pack_id,
                MembershipRow.user_id == user_id,
            )
        ).first()
        if row is None:
            return None
        m, p, admin_ids = row
        role = Role.ADMIN if m.user_id in set(admin_ids or []) else Role.MEMBER
        return Member(m.pack_id, _person(p), role, m.active)

    def in_channel(self, channel_id: str, user_id: str) -> tuple[Pack, Member | None] | None:
        # One round trip for what most commands ask first.
        row = self.session.execute(
            select(PackRow, MembershipRow, PersonRow)
            .outerjoin(MembershipRow, self._membership_of(PackRow.id, user_id))
            .outerjoin(
                PersonRow,
                and_(
                    PersonRow.workspace_id == self.workspace_id,
                    PersonRow.user_id == MembershipRow.user_id,
                ),
            )
            .where(PackRow.workspace_id == self.workspace_id, PackRow.channel_id == channel_id)
        ).first()
        if row is None:
            return None
        pack_row, m, p = row
        pack = _pack(pack_row)
        if m is None or p is None:
            return pack, None
        role = Role.ADMIN if m.user_id in pack.admin_ids else Role.MEMBER
        return pack, Member(m.pack_id, _person(p), role, m.active)

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


class SqlRounds(_Scoped):
    def _row(self, round_id: int) -> RoundRow | None:
        return self.session.scalar(
            select(RoundRow).where(
                RoundRow.workspace_id == self.workspace_id, RoundRow.id == round_id
            )
        )

    def get(self, round_id: int) -> Round | None:
        row = self._row(round_id)
        return _round(row) if row else None

    def find(self, pack_id: int, local_date: dt.date) -> Round | None:
        row = self.session.scalar(
            select(RoundRow).where(
                RoundRow.workspace_id == self.workspace_id,
                RoundRow.pack_id == pack_id,
                RoundRow.local_date == local_date,
            )
        )
        return _round(row) if row else None

    def get_or_create(self, pack_id: int, local_date: dt.date, now: dt.datetime) -> Round:
        found = self.find(pack_id, local_date)
        if found is not None:
            return found
        self._require(PackRow, pack_id)
        stmt = (
            _insert(self.session)(RoundRow)
            .values(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                local_date=local_date,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["pack_id", "local_date"])
        )
        self.session.execute(stmt)
        found = self.find(pack_id, local_date)
        assert found is not None
        return found

    def claim_parent(self, round_id: int, now: dt.datetime, until: dt.datetime) -> bool:
        result = self.session.execute(
            update(RoundRow)
            .where(
                RoundRow.workspace_id == self.workspace_id,
                RoundRow.id == round_id,
                RoundRow.parent_ts.is_(None),
                or_(
                    RoundRow.parent_claimed_until.is_(None),
                    RoundRow.parent_claimed_until < now,
                ),
            )
            .values(parent_claimed_until=until)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def set_parent(self, round_id: int, ts: str, channel_id: str) -> None:
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.workspace_id == self.workspace_id, RoundRow.id == round_id)
            .values(parent_ts=ts, channel_id=channel_id, parent_claimed_until=None)
        )

    def release_parent(self, round_id: int) -> None:
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.workspace_id == self.workspace_id, RoundRow.id == round_id)
            .values(parent_claimed_until=None)
        )


class SqlAnswers(_Scoped):
    def _row(self, **where: Any) -> AnswerRow | None:
        return self.session.scalar(
            select(AnswerRow).filter_by(workspace_id=self.workspace_id, **where)
        )

    def get(self, answer_id: int) -> Answer | None:
        row = self._row(id=answer_id)
        return _answer(row) if row else None

    def of_member(self, round_id: int, user_id: str) -> Answer | None:
        row = self._row(round_id=round_id, user_id=user_id)
        return _answer(row) if row else None

    def of_round(self, round_id: int) -> list[Answer]:
        rows = self.session.scalars(
            select(AnswerRow)
            .where(AnswerRow.workspace_id == self.workspace_id, AnswerRow.round_id == round_id)
            .order_by(AnswerRow.created_at, AnswerRow.id)
        )
        return [_answer(r) for r in rows]

    def save(
        self,
        round_id: int,
        pack_id: int,
        user_id: str,
        status: AnswerStatus,
        given: AnswerInput,
        now: dt.datetime,
    ) -> Answer:
        row = self._row(round_id=round_id, user_id=user_id)
        if row is None:
            self._require(RoundRow, round_id, pack_id=pack_id)
            row = AnswerRow(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                round_id=round_id,
                user_id=user_id,
                version=0,
                published_version=0,
                created_at=now,
            )
            self.session.add(row)
        row.status = status.value
        row.texts = dict(given.texts)
        row.collaborators = list(given.collaborators)
        row.alignment = given.alignment
        row.blockers = given.texts.get("blockers", "")
        row.version = (row.version or 0) + 1
        row.updated_at = now
        self.session.flush()
        return _answer(row)

    def claim_publish(self, answer_id: int, now: dt.datetime, until: dt.datetime) -> Answer | None:
        result = self.session.execute(
            update(AnswerRow)
            .where(
                AnswerRow.workspace_id == self.workspace_id,
                AnswerRow.id == answer_id,
                AnswerRow.status == AnswerStatus.ANSWERED.value,
                AnswerRow.published_version < AnswerRow.version,
                or_(
                    AnswerRow.publish_claimed_until.is_(None),
                    AnswerRow.publish_claimed_until < now,
                ),
            )
            .values(publish_claimed_until=until)
        )
        if int(getattr(result, "rowcount", 0) or 0) != 1:
            return None
        return self.get(answer_id)

    def mark_published(self, answer_id: int, version: int, reply_ts: str) -> None:
        self.session.execute(
            update(AnswerRow)
            .where(AnswerRow.workspace_id == self.workspace_id, AnswerRow.id == answer_id)
            .values(published_version=version, reply_ts=reply_ts, publish_claimed_until=None)
        )

    def release_publish(self, answer_id: int) -> None:
        self.session.execute(
            update(AnswerRow)
            .where(AnswerRow.workspace_id == self.workspace_id, AnswerRow.id == answer_id)
            .values(publish_claimed_until=None)
        )

    def history(self, pack_id: int, user_id: str, limit: int) -> list[tuple[Round, Answer]]:
        rows = self.session.execute(
            select(RoundRow, AnswerRow)
            .join(AnswerRow, AnswerRow.round_id == RoundRow.id)
            .where(
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.workspace_id == self.workspace_id,
                AnswerRow.pack_id == pack_id,
                AnswerRow.user_id == user_id,
            )
            .order_by(RoundRow.local_date.desc())
            .limit(limit)
        ).all()
        return [(_round(r), _answer(a)) for r, a in rows]

    def statuses(
        self, pack_ids: Sequence[int], dates: Sequence[dt.date]
    ) -> dict[tuple[int, str, dt.date], AnswerStatus]:
        if not pack_ids or not dates:
            return {}
        rows = self.session.execute(
            select(AnswerRow.pack_id, AnswerRow.user_id, RoundRow.local_date, AnswerRow.status)
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .where(
                AnswerRow.workspace_id == self.workspace_id,
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.pack_id.in_(list(set(pack_ids))),
                RoundRow.local_date.in_(list(set(dates))),
            )
        ).all()
        return {(p, u, d): AnswerStatus(s) for p, u, d, s in rows}

    def status_on(self, pack_id: int, user_id: str, local_date: dt.date) -> AnswerStatus | None:
        found = self.session.scalar(
            select(AnswerRow.status)
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .where(
                AnswerRow.workspace_id == self.workspace_id,
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.pack_id == pack_id,
                AnswerRow.user_id == user_id,
                RoundRow.local_date == local_date,
            )
        )
        return AnswerStatus(found) if found else None

    def since(self, pack_id: int, first_date: dt.date) -> list[tuple[Round, Answer]]:
        rows = self.session.execute(
            select(RoundRow, AnswerRow)
            .join(AnswerRow, AnswerRow.round_id == RoundRow.id)
            .where(
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.workspace_id == self.workspace_id,
                RoundRow.pack_id == pack_id,
                RoundRow.local_date >= first_date,
            )
            .order_by(RoundRow.local_date, AnswerRow.id)
        ).all()
        return [(_round(r), _answer(a)) for r, a in rows]

    def latest_round_date(self, pack_id: int, user_id: str) -> dt.date | None:
        return self.session.scalar(
            select(RoundRow.local_date)
            .join(AnswerRow, AnswerRow.round_id == RoundRow.id)
            .where(
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.workspace_id == self.workspace_id,
                AnswerRow.pack_id == pack_id,
                AnswerRow.user_id == user_id,
            )
            .order_by(RoundRow.local_date.desc())
            .limit(1)
        )


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        key=row.key,
        kind=DueKind(row.kind),
        pack_id=row.pack_id,
        user_id=row.user_id,
        local_date=row.local_date,
        due_at=row.due_at,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        last_error=row.last_error,
        message_ts=row.message_ts,
    )


# Built once: recording an outcome runs once per message, and building the statement each time
# cost more than executing it.
_FINISH = (
    update(DeliveryRow)
    .where(DeliveryRow.workspace_id == bindparam("ws"), DeliveryRow.id == bindparam("did"))
    .values(
        state=bindparam("state"),
        last_error=bindparam("error"),
        channel_id=bindparam("channel"),
        message_ts=bindparam("ts"),
        claimed_until=None,
        in_flight=False,
        updated_at=bindparam("now", type_=UTCDateTime()),
    )
)


class SqlDeliveries(_Scoped):
    def add_many(self, planned: Sequence[tuple[Due, DeliveryState]], now: dt.datetime) -> list[str]:
        inserted: list[str] = []
        table = DeliveryRow.__table__
        # Keys name the pack, and are unique across workspaces: one naming another's pack
        # would take that pack's key from it.
        owned = set(
            self.session.scalars(
                select(PackRow.id).where(
                    PackRow.workspace_id == self.workspace_id,
                    PackRow.id.in_({due.pack_id for due, _ in planned}),
                )
            )
        )
        planned = [(due, state) for due, state in planned if due.pack_id in owned]
        for start in range(0, len(planned), 500):
            chunk = planned[start : start + 500]
            rows = [
                {
                    "workspace_id": self.workspace_id,
                    "key": due.key,
                    "kind": due.kind.value,
                    "pack_id": due.pack_id,
                    "user_id": due.user_id,
                    "local_date": due.local_date,
                    "due_at": due.due_at,
                    "state": state.value,
                    "attempts": 0,
                    "in_flight": False,
                    "next_attempt_at": due.due_at,
                    "last_error": "too_late" if state is DeliveryState.MISSED else None,
                    "created_at": now,
                    "updated_at": now,
                }
                for due, state in chunk
            ]
            # One statement executed for many rows: compiled once and cached, unlike a
            # multi-row VALUES whose shape changes with every batch.
            stmt = (
                _insert(self.session)(table)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(table.c.key)
            )
            inserted.extend(self.session.connection().execute(stmt, rows).scalars())
        return inserted

    def claim(self, now: dt.datetime, until: dt.datetime, limit: int) -> list[Delivery]:
        rows = self.session.scalars(
            select(DeliveryRow)
            .where(
                DeliveryRow.workspace_id == self.workspace_id,
                DeliveryRow.state == DeliveryState.PENDING.value,
                DeliveryRow.next_attempt_at <= now,
                or_(DeliveryRow.claimed_until.is_(None), DeliveryRow.claimed_until < now),
            )
            .order_by(DeliveryRow.due_at, DeliveryRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        claimed = []
        for row in rows:
            claimed.append(dataclasses.replace(_delivery(row), uncertain=row.in_flight))
            row.claimed_until = until
            row.in_flight = True
        return claimed

    def finish(
        self,
        delivery_id: int,
        state: DeliveryState,
        now: dt.datetime,
        *,
        error: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
    ) -> None:
        self.session.connection().execute(
            _FINISH,
            {
                "ws": self.workspace_id,
                "did": delivery_id,
                "state": state.value,
                "error": error,
                "channel": channel_id,
                "ts": message_ts,
                "now": now,
            },
        )

    def retry(self, delivery_id: int, at: dt.datetime, error: str, *, count: bool) -> None:
        self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.workspace_id == self.workspace_id, DeliveryRow.id == delivery_id)
            .values(
                next_attempt_at=at,
                last_error=error,
                claimed_until=None,
                in_flight=False,
                attempts=DeliveryRow.attempts + (1 if count else 0),
                updated_at=at,
            )
        )

    def mark_posted(self, delivery_id: int, channel_id: str, ts: str) -> None:
        self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.workspace_id == self.workspace_id, DeliveryRow.id == delivery_id)
            .values(channel_id=channel_id, message_ts=ts)
        )

    def failures(self, pack_id: int, since: dt.datetime) -> list[Delivery]:
        rows = self.session.scalars(
            select(DeliveryRow)
            .where(
                DeliveryRow.workspace_id == self.workspace_id,
                DeliveryRow.pack_id == pack_id,
                DeliveryRow.state == DeliveryState.FAILED.value,
                DeliveryRow.updated_at >= since,
            )
            .order_by(DeliveryRow.updated_at)
        )
        return [_delivery(r) for r in rows]

    def release(self, deliveries: Sequence[Delivery]) -> None:
        for uncertain in (False, True):
            ids = [d.id for d in deliveries if d.uncertain is uncertain]
            if not ids:
                continue
            self.session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.workspace_id == self.workspace_id,
                    DeliveryRow.id.in_(ids),
                    DeliveryRow.state == DeliveryState.PENDING.value,
                )
                .values(claimed_until=None, in_flight=uncertain)
            )

    def pending_count(self) -> int:
        count = self.session.scalar(
            select(func.count())
            .select_from(DeliveryRow)
            .where(
                DeliveryRow.workspace_id == self.workspace_id,
                DeliveryRow.state == DeliveryState.PENDING.value,
            )
        )
        return int(count or 0)


def _statement(row: StatementRow) -> Statement:
    return Statement(
        id=row.id,
        pack_id=row.pack_id,
        text=row.text,
        author_id=row.author_id,
        hidden=row.hidden,
        meta=row.meta,
        created_at=row.created_at,
        discussed_at=row.discussed_at,
        alert_message=(row.alert_channel, row.alert_ts)
        if row.alert_channel and row.alert_ts
        else None,
    )


class SqlStatements(_Scoped):
    def _row(self, **where: Any) -> StatementRow | None:
        return self.session.scalar(
            select(StatementRow).filter_by(workspace_id=self.workspace_id, **where)
        )

    def add(
        self, pack_id: int, text: str, normalized: str, author_id: str, now: dt.datetime
    ) -> tuple[Statement, bool]:
        self._require(PackRow, pack_id)
        stmt = (
            _insert(self.session)(StatementRow)
            .values(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                text=text,
                normalized=normalized,
                author_id=author_id,
                hidden=False,
                meta=False,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["pack_id", "normalized"])
            .returning(StatementRow.id)
        )
        created = self.session.execute(stmt).first() is not None
        row = self._row(pack_id=pack_id, normalized=normalized)
        assert row is not None
        return _statement(row), created

    def get(self, statement_id: int) -> Statement | None:
        row = self._row(id=statement_id)
        return _statement(row) if row else None

    def of_pack(self, pack_id: int, *, include_hidden: bool = False) -> list[Statement]:
        query = (
            select(StatementRow)
            .where(StatementRow.workspace_id == self.workspace_id, StatementRow.pack_id == pack_id)
            .order_by(StatementRow.id)
        )
        if not include_hidden:
            query = query.where(StatementRow.hidden.is_(False))
        return [_statement(r) for r in self.session.scalars(query)]

    def set_hidden(self, statement_id: int, hidden: bool) -> bool:
        result = self.session.execute(
            update(StatementRow)
            .where(StatementRow.workspace_id == self.workspace_id, StatementRow.id == statement_id)
            .values(hidden=hidden)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def vote(
        self,
        statement_id: int,
        pack_id: int,
        user_id: str,
        value: VoteValue,
        reason: str,
        now: dt.datetime,
    ) -> None:
        self._require(StatementRow, statement_id, pack_id=pack_id)
        self.session.add(
            VoteRow(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                statement_id=statement_id,
                user_id=user_id,
                value=int(value),
                reason=reason,
                created_at=now,
            )
        )
        self.session.flush()

    def votes(self, pack_id: int) -> list[Vote]:
        rows = self.session.scalars(
            select(VoteRow)
            .where(VoteRow.workspace_id == self.workspace_id, VoteRow.pack_id == pack_id)
            .order_by(VoteRow.id)
        )
        return [
            Vote(r.statement_id, r.user_id, VoteValue(r.value), r.reason, r.created_at)
            for r in rows
        ]

    def claim_alert(self, statement_id: int, now: dt.datetime, quiet_since: dt.datetime) -> bool:
        result = self.session.execute(
            update(StatementRow)
            .where(
                StatementRow.workspace_id == self.workspace_id,
                StatementRow.id == statement_id,
                or_(StatementRow.alerted_at.is_(None), StatementRow.alerted_at <= quiet_since),
            )
            .values(alerted_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def set_alert_message(self, statement_id: int, channel_id: str, ts: str) -> None:
        self.session.execute(
            update(StatementRow)
            .where(StatementRow.workspace_id == self.workspace_id, StatementRow.id == statement_id)
            .values(alert_channel=channel_id, alert_ts=ts)
        )

    def mark_discussed(self, statement_id: int, now: dt.datetime) -> None:
        self.session.execute(
            update(StatementRow)
            .where(StatementRow.workspace_id == self.workspace_id, StatementRow.id == statement_id)
            .values(discussed_at=now)
        )

    def discussed_in_thread(self, channel_id: str, thread_ts: str, now: dt.datetime) -> int | None:
        row = self._row(alert_channel=channel_id, alert_ts=thread_ts)
        if row is None:
            return None
        row.discussed_at = now
        self.session.flush()
        return row.id


def _proposal(row: ProposalRow) -> Proposal:
    return Proposal(
        id=row.id,
        pack_id=row.pack_id,
        text=row.text,
        author_id=row.author_id,
        closes_at=row.closes_at,
        outcome=Outcome(row.outcome) if row.outcome else None,
        closed_at=row.closed_at,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
        statement_id=row.statement_id,
        revises_id=row.revises_id,
    )


class SqlProposals(_Scoped):
    def _row(self, proposal_id: int) -> ProposalRow | None:
        return self.session.scalar(
            select(ProposalRow).where(
                ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id
            )
        )

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
    ) -> Proposal:
        self._require(PackRow, pack_id)
        if statement_id is not None:
            self._require(StatementRow, statement_id, pack_id=pack_id)
        if revises_id is not None:
            self._require(ProposalRow, revises_id, pack_id=pack_id)
        inserted = self.session.execute(
            _insert(self.session)(ProposalRow)
            .values(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                text=text,
                author_id=author_id,
                closes_at=closes_at,
                statement_id=statement_id,
                revises_id=revises_id,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["revises_id"])
            .returning(ProposalRow.id)
        ).first()
        if inserted is None:
            raise NotAllowed(f"Proposal #{revises_id} has been revised already.")
        row = self._row(int(inserted[0]))
        assert row is not None
        if statement_id is not None:
            # Putting a statement to a decision is discussing it (SPEC §4.6).
            SqlStatements(self.session, self.workspace_id).mark_discussed(statement_id, now)
        return _proposal(row)

    def get(self, proposal_id: int) -> Proposal | None:
        row = self._row(proposal_id)
        return _proposal(row) if row else None

    def of_pack(self, pack_id: int, *, open_only: bool = False) -> list[Proposal]:
        query = (
            select(ProposalRow)
            .where(ProposalRow.workspace_id == self.workspace_id, ProposalRow.pack_id == pack_id)
            .order_by(ProposalRow.id)
        )
        if open_only:
            query = query.where(ProposalRow.outcome.is_(None))
        return [_proposal(r) for r in self.session.scalars(query)]

    def set_message(self, proposal_id: int, channel_id: str, ts: str) -> None:
        self.session.execute(
            update(ProposalRow)
            .where(ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id)
            .values(channel_id=channel_id, message_ts=ts)
        )

    def standing(self, proposal_id: int, user_id: str) -> tuple[Proposal, str, bool] | None:
        # One round trip: every click on a proposal's buttons starts here.
        row = self.session.execute(
            select(ProposalRow, PackRow.channel_id, MembershipRow.active)
            .join(
                PackRow,
                and_(PackRow.id == ProposalRow.pack_id, PackRow.workspace_id == self.workspace_id),
            )
            .outerjoin(MembershipRow, self._membership_of(ProposalRow.pack_id, user_id))
            .where(ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id)
        ).first()
        if row is None:
            return None
        proposal, channel_id, active = row
        return _proposal(proposal), channel_id, bool(active)

    def respond(
        self, proposal_id: int, user_id: str, position: Position, reason: str, now: dt.datetime
    ) -> None:
        # One statement (a click's insert), which adds the row only when the proposal is
        # this workspace's.
        inserted = self.session.execute(
            insert(ProposalResponseRow)
            .from_select(
                ["workspace_id", "proposal_id", "user_id", "position", "reason", "created_at"],
                select(
                    ProposalRow.workspace_id,
                    ProposalRow.id,
                    literal(user_id),
                    literal(position.value),
                    literal(reason),
                    literal(now, UTCDateTime()),
                ).where(
                    ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id
                ),
            )
            .returning(ProposalResponseRow.id)
        ).first()
        if inserted is None:
            raise NotFound(_GONE)

    def positions(self, proposal_id: int) -> list[Response]:
        # Each member's latest row, found in SQL: a proposal's history can be long.
        latest = (
            select(func.max(ProposalResponseRow.id))
            .where(
                ProposalResponseRow.workspace_id == self.workspace_id,
                ProposalResponseRow.proposal_id == proposal_id,
            )
            .group_by(ProposalResponseRow.user_id)
        )
        rows = self.session.execute(
            select(
                ProposalResponseRow.user_id,
                ProposalResponseRow.position,
                ProposalResponseRow.reason,
                ProposalResponseRow.created_at,
            )
            .where(ProposalResponseRow.id.in_(latest))
            .order_by(ProposalResponseRow.id)
        )
        return [Response(u, Position(p), r, c) for u, p, r, c in rows]

    def responses_for(self, proposal_ids: Sequence[int]) -> dict[int, list[Response]]:
        found: dict[int, list[Response]] = {p: [] for p in proposal_ids}
        if not proposal_ids:
            return found
        rows = self.session.scalars(
            select(ProposalResponseRow)
            .where(
                ProposalResponseRow.workspace_id == self.workspace_id,
                ProposalResponseRow.proposal_id.in_(list(proposal_ids)),
            )
            .order_by(ProposalResponseRow.id)
        )
        for r in rows:
            found[r.proposal_id].append(
                Response(r.user_id, Position(r.position), r.reason, r.created_at)
            )
        return found

    def close(self, proposal_id: int, outcome: Outcome, now: dt.datetime) -> bool:
        result = self.session.execute(
            update(ProposalRow)
            .where(
                ProposalRow.workspace_id == self.workspace_id,
                ProposalRow.id == proposal_id,
                ProposalRow.outcome.is_(None),
            )
            .values(outcome=outcome.value, closed_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class SqlPrivacy(_Scoped):
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
            (
                DeliveryRow,
                # Prompts and reminders carry the recipient; a proposal reminder or a lone-wolf
                # DM may name them in its key only (`kind:pack:user:date`, `kind:pack:id:user`).
                or_(
                    DeliveryRow.user_id == user_id,
                    DeliveryRow.key.contains(f":{user_id}:", autoescape=True),
                    DeliveryRow.key.endswith(f":{user_id}", autoescape=True),
                ),
            ),
            (PersonRow, PersonRow.user_id == user_id),
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
        return tuple((str(channel), str(ts)) for channel, ts in rows)

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
        answers, votes, positions, memberships, deliveries, profile = counts
        return Footprint(
            answers=answers,
            votes=votes,
            positions=positions,
            memberships=memberships,
            deliveries=deliveries,
            profile=profile,
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


@dataclasses.dataclass
class SqlTransaction:
    """core.ports.Transaction: the repositories of one workspace sharing one session."""

    session: Session
    workspace_id: int

    def __post_init__(self) -> None:
        self.packs = SqlPacks(self.session, self.workspace_id)
        self.people = SqlPeople(self.session, self.workspace_id)
        self.members = SqlMembers(self.session, self.workspace_id)
        self.rounds = SqlRounds(self.session, self.workspace_id)
        self.answers = SqlAnswers(self.session, self.workspace_id)
        self.deliveries = SqlDeliveries(self.session, self.workspace_id)
        self.statements = SqlStatements(self.session, self.workspace_id)
        self.proposals = SqlProposals(self.session, self.workspace_id)
        self.privacy = SqlPrivacy(self.session, self.workspace_id)


EventClaim = Literal["claimed", "done", "busy"]


class SqlEventLog:
    """The Slack events this app has handled, by event_id, so a redelivered event has no second
    effect (SPEC §7). Not bound to a workspace: a claim comes before anything else is read;
    every statement is still scoped to the event's team."""

    # A claim this old that is not done belongs to a process that stopped midway.
    STALE_AFTER = dt.timedelta(seconds=60)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, event_id: str, team_id: str, now: dt.datetime) -> EventClaim:
        """Whether this process handles the event: "claimed" when it is new or its claim is
        older than STALE_AFTER (taken over by exactly one process), "done" when it was handled
        before, "busy" while another process handles it."""
        dialect = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        mine = and_(SlackEventRow.event_id == event_id, SlackEventRow.team_id == team_id)
        # Twice: a claim given back (its handler failed) between our insert and our read.
        for _ in range(2):
            with self.engine.begin() as conn:
                inserted = conn.execute(
                    dialect(SlackEventRow)
                    .values(event_id=event_id, team_id=team_id, received_at=now, done_at=None)
                    .on_conflict_do_nothing(index_elements=["team_id", "event_id"])
                    .returning(SlackEventRow.event_id)
                ).first()
                if inserted is not None:
                    return "claimed"
                # A conditional update: of two processes taking over at once, the second
                # finds received_at fresh again and updates nothing.
                taken = conn.execute(
                    update(SlackEventRow)
                    .where(
                        mine,
                        SlackEventRow.done_at.is_(None),
                        SlackEventRow.received_at < now - self.STALE_AFTER,
                    )
                    .values(received_at=now)
                )
                if taken.rowcount == 1:
                    return "claimed"
                found = conn.execute(select(SlackEventRow.done_at).where(mine)).first()
            if found is not None:
                return "busy" if found.done_at is None else "done"
        return "busy"

    def done(self, event_id: str, team_id: str, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(SlackEventRow)
                .where(SlackEventRow.event_id == event_id, SlackEventRow.team_id == team_id)
                .values(done_at=now)
            )

    def release(self, event_id: str, team_id: str) -> None:
        """Gives the claim back after the handler failed, so Slack's retry handles it again."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(SlackEventRow).where(
                    SlackEventRow.event_id == event_id,
                    SlackEventRow.team_id == team_id,
                    SlackEventRow.done_at.is_(None),
                )
            )

    def purge(self, before: dt.datetime) -> int:
        """Forgets events received before `before` (Slack's last retry comes within minutes)."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(SlackEventRow).where(SlackEventRow.received_at < before))
        return int(result.rowcount or 0)
