"""The App Home: everything a member's own tab shows, read in one unit of work."""

from __future__ import annotations

import datetime as dt

from bot.core import schedule
from bot.core.analysis.matrix import Vote as MatrixVote
from bot.core.analysis.matrix import build_matrix
from bot.core.analysis.members import alignment
from bot.core.checkins import AnswerStatus
from bot.core.home import Home, HomePack
from bot.core.packs import PackSettings
from bot.core.summary import STREAK_LOOKBACK_DAYS, streak
from bot.core.usecases import statements
from bot.core.usecases.workspace import Workspace

# Counting what waits for a vote: every statement, not just one modal's worth.
MAX_BALLOT = 10_000


def home(ws: Workspace, user_id: str) -> Home:
    """For each of the member's packs: next check-in, streak, statements and proposals
    waiting for them, and their own alignment."""
    now = ws.now()
    entries: list[HomePack] = []
    with ws.unit() as uow:
        person = uow.people.get(user_id)
        for pack in uow.packs.of_user(user_id):
            member = uow.members.get(pack.id, user_id)
            if member is None or not member.active:
                continue
            who = member.person
            day = schedule.current_round_date(pack.settings, who, now)
            history = uow.answers.history(pack.id, user_id, STREAK_LOOKBACK_DAYS)
            statuses = {rnd.local_date: answer.status for rnd, answer in history}
            # Only rounds whose prompt reached the member can break their streak.
            local_today = now.astimezone(schedule.member_zone(pack.settings, who)).date()
            prompted = uow.deliveries.prompted(
                pack.id,
                local_today - dt.timedelta(days=STREAK_LOOKBACK_DAYS),
                local_today,
                user_id=user_id,
            ).get(user_id, set())
            waiting = [
                p
                for p in uow.proposals.of_pack(pack.id, open_only=True)
                if now < p.closes_at
                and all(r.user_id != user_id for r in uow.proposals.positions(p.id))
            ]
            votes = uow.statements.votes(pack.id)
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
                    streak=streak(pack, member, statuses, now, prompted=prompted),
                    waiting_statements=statements.waiting_count(
                        uow, pack, user_id, limit=MAX_BALLOT
                    ),
                    waiting_proposals=tuple(sorted(waiting, key=lambda p: p.closes_at)),
                    alignment=alignment(matrix, user_id) if user_id in matrix.members else None,
                )
            )
    zone = schedule.member_zone(PackSettings(timezone=person.tz), person) if person else None
    today = now.astimezone(zone).date() if zone is not None else now.date()
    return Home(person=person, packs=tuple(entries), today=today)
