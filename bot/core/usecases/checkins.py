"""Check-ins: choosing the pack, the form, answering or skipping, editing, history, time
away; and bringing the round's thread in the channel up to date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from bot.core import schedule
from bot.core.blockers import still_blocking
from bot.core.checkins import (
    Answer,
    AnswerInput,
    AnswerPost,
    AnswerStatus,
    CheckinForm,
    DirectionStep,
    Round,
    RoundTally,
    tally_round,
    validate_answer,
)
from bot.core.errors import FieldErrors, NotFound, UserError
from bot.core.hours import Hours
from bot.core.packs import PRIORITY_MAX, Away, Pack, PackChoice, PackSettings, Person, parse_away
from bot.core.ports import Transaction
from bot.core.statements import clean_reason, clean_statement
from bot.core.usecases import blockers, statements
from bot.core.usecases.packs import (
    NO_PACK_HERE,
    NOT_MEMBER,
    active_member,
    member_of,
    people,
)
from bot.core.usecases.statements import VoteInput
from bot.core.usecases.workspace import Done, Workspace

CLAIM_SECONDS = 60
CHECKIN_BALLOT = 3
LAST_FOCUS_LOOKBACK = 5
HISTORY_DEFAULT = 5
HISTORY_MAX = 20
NOT_IN_CHANNEL_PACK = (
    "You're not a member of this channel's pack. A pack admin can add you with `/wolfpack setup`."
)
ROUND_CLOSED = (
    "That round closed while the form was open; your answer was not saved. "
    "Run `/checkin` to answer today's round."
)


def choose_pack(ws: Workspace, channel_id: str, user_id: str) -> Pack | PackChoice:
    """The pack a check-in command means: the channel's, else the only one the user is in;
    several, and they must choose."""
    with ws.unit() as uow:
        pack = uow.packs.by_channel(channel_id)
        if pack is not None:
            active_member(uow, pack, user_id, not_member=NOT_IN_CHANNEL_PACK)
            return pack
        packs = uow.packs.of_user(user_id)
    if not packs:
        raise NotFound(
            "You're not in any pack yet. Ask an admin to add you, or run `/wolfpack setup` "
            "in your team's channel."
        )
    if len(packs) == 1:
        return packs[0]
    return PackChoice(tuple(packs))


def checkin_form(ws: Workspace, pack_id: int, user_id: str) -> CheckinForm:
    """The member's check-in of the current round, with what they planned last time."""
    with ws.unit() as uow:
        pack, member = member_of(uow, pack_id, user_id, gone=NO_PACK_HERE)
        day = schedule.current_round_date(pack.settings, member.person, ws.now())
        rnd = uow.rounds.find(pack.id, day)
        answer = uow.answers.of_member(rnd.id, user_id) if rnd is not None else None
        last_focus = _last_focus(uow, pack.id, user_id, day)
        still = still_blocking(
            uow.blockers.open_of(pack.id, user_id), rnd.id if rnd is not None else None
        )
    if answer is not None and answer.status is not AnswerStatus.ANSWERED:
        answer = None
    return CheckinForm(
        pack=pack, round_date=day, answer=answer, last_focus=last_focus, open_blocker=still
    )


def edit_form(ws: Workspace, answer_id: int, user_id: str) -> CheckinForm:
    """The Edit button of a confirmation: the answer, while its round is the current one."""
    with ws.unit() as uow:
        answer = _own_answer(uow, answer_id, user_id)
        rnd = uow.rounds.get(answer.round_id)
        pack, member = member_of(uow, answer.pack_id, user_id, gone=NO_PACK_HERE)
        assert rnd is not None
        current = schedule.current_round_date(pack.settings, member.person, ws.now())
        still = still_blocking(uow.blockers.open_of(pack.id, user_id), rnd.id)
        last_focus = _last_focus(uow, pack.id, user_id, rnd.local_date)
    if rnd.local_date != current:
        raise UserError(
            "That round has closed, so its answer stays as it is. `/checkin` opens today's."
        )
    return CheckinForm(
        pack=pack,
        round_date=rnd.local_date,
        answer=answer,
        last_focus=last_focus,
        open_blocker=still,
    )


def submit(
    ws: Workspace, pack_id: int, user_id: str, round_date: dt.date, given: AnswerInput
) -> Done[Answer]:
    """The check-in modal's submission. After: the answer in the round's thread and the
    member's confirmation (which offers the direction step)."""
    now = ws.now()
    with ws.unit() as uow:
        answer = store_answer(uow, pack_id, user_id, round_date, given, now)
    return Done(answer, partial(_answered, ws, answer))


def direction_step(ws: Workspace, answer_id: int, user_id: str) -> DirectionStep:
    """The confirmation's direction step: the member's top priority for that round so far and
    the statements waiting for their vote."""
    with ws.unit() as uow:
        answer = _own_answer(uow, answer_id, user_id)
        pack, _ = member_of(uow, answer.pack_id, user_id, gone=NO_PACK_HERE)
        ballot = statements.ballot_of(uow, pack, user_id, CHECKIN_BALLOT)
    return DirectionStep(pack, answer.id, answer.top_priority, tuple(ballot))


def submit_direction_step(
    ws: Workspace,
    answer_id: int,
    user_id: str,
    votes: Sequence[VoteInput],
    priority: str,
    share_priority: bool,
) -> Done[None]:
    """The direction step's submission: the votes, the top priority on the member's answer of
    that round and, when asked, shared as a statement, in one unit of work (a refused vote or
    priority stores nothing). After: any split alert the votes made due, and the round's
    thread brought up to date."""
    cleaned = [(sid, value, clean_reason(reason)) for sid, value, reason in votes]
    priority = priority.strip()
    if len(priority) > PRIORITY_MAX:
        raise FieldErrors({"priority": f"Keep it under {PRIORITY_MAX} characters."})
    if share_priority and priority:
        # A priority that cannot be a statement is the form's to fix.
        try:
            clean_statement(priority)
        except FieldErrors as bad:
            raise FieldErrors({"priority": bad.errors["text"]}) from None
    now = ws.now()
    with ws.unit() as uow:
        answer = _own_answer(uow, answer_id, user_id)
        pack, _ = member_of(uow, answer.pack_id, user_id, gone=NO_PACK_HERE, not_member=NOT_MEMBER)
        statements.check_votable(uow, pack, [sid for sid, _, _ in cleaned])
        if priority != answer.top_priority:
            texts = {k: v for k, v in answer.texts.items() if k != "priority"}
            if priority:
                texts["priority"] = priority
            given = AnswerInput(texts, answer.collaborators, answer.alignment)
            uow.answers.save(answer.round_id, pack.id, user_id, answer.status, given, now)
        alerts = statements.record_votes(uow, pack, user_id, cleaned, now)
        if share_priority and priority:
            statements.add_shared_priority(uow, pack, user_id, priority, now)
    return Done(None, partial(_stepped, ws, answer.pack_id, answer.round_id, alerts))


def skip(ws: Workspace, pack_id: int, user_id: str) -> Done[dt.date]:
    """`/checkin skip` and the prompt's Skip button: the day of the round skipped. After: the
    round's thread counts it."""
    now = ws.now()
    with ws.unit() as uow:
        pack, member = member_of(uow, pack_id, user_id, gone=NO_PACK_HERE)
        day = schedule.current_round_date(pack.settings, member.person, now)
        rnd = uow.rounds.get_or_create(pack.id, day, now)
        existing = uow.answers.of_member(rnd.id, user_id)
        if existing is not None and existing.status is AnswerStatus.ANSWERED:
            raise UserError(
                "You already checked in for this round. Use the Edit button in my DM to "
                "change your answer."
            )
        answer = uow.answers.save(
            rnd.id, pack.id, user_id, AnswerStatus.SKIPPED, AnswerInput(), now
        )
    return Done(day, partial(publish_round, ws, answer.round_id))


def history(
    ws: Workspace, pack_id: int, user_id: str, count: int | None
) -> tuple[Pack, list[tuple[Round, Answer]], dict[str, str]]:
    """`/checkin history [N]`: the member's last answers, and the names of the people they
    mention, by user id."""
    limit = HISTORY_DEFAULT if count is None else count
    if not 1 <= limit <= HISTORY_MAX:
        raise UserError(f"Ask for 1 to {HISTORY_MAX} check-ins, like `/checkin history 5`.")
    with ws.unit() as uow:
        pack, _ = member_of(uow, pack_id, user_id, gone=NO_PACK_HERE)
        entries = uow.answers.history(pack.id, user_id, limit)
    mentioned = [user_id, *(u for _, a in entries for u in a.collaborators)]
    names = {u: p.name for u, p in people(ws, mentioned).items()}
    return pack, entries, names


def set_away(ws: Workspace, user_id: str, start: str, end: str) -> Away:
    """`/checkin away` and the away form: no prompts between those days (the member's own)."""
    person = people(ws, [user_id]).get(user_id)
    if person is None:
        raise NotFound("I couldn't find your Slack profile. Try again in a minute.")
    zone = schedule.member_zone(PackSettings(timezone=person.tz), person)
    away = parse_away(start, end, ws.now().astimezone(zone).date())
    with ws.unit() as uow:
        uow.people.set_away(user_id, away)
    return away


def set_hours(ws: Workspace, user_id: str, text: str) -> Hours | None:
    """`/checkin hours 08:00-16:00 mon-thu`: the member's own working hours, the only times
    the bot starts a direct message to them; `/checkin hours default` goes back to their
    packs' (None)."""
    hours = None if text.strip().lower() in ("default", "reset", "off") else Hours.parse(text)
    with ws.unit() as uow:
        if uow.people.get(user_id) is None:
            raise NotFound("I couldn't find your Slack profile. Try again in a minute.")
        uow.people.set_hours(user_id, hours)
    return hours


def working_hours(ws: Workspace, user_id: str) -> list[tuple[Pack, Hours]]:
    """The member's working hours in each of their packs, for `/checkin hours`."""
    with ws.reading() as uow:
        person = uow.people.get(user_id)
        packs = uow.packs.of_user(user_id)
    if person is None:
        return []
    return [(pack, schedule.hours_of(pack.settings, person)) for pack in packs]


def back(ws: Workspace, user_id: str) -> bool:
    """`/checkin back`: ends time away early; False when the member was not away."""
    with ws.unit() as uow:
        person = uow.people.get(user_id)
        if person is None or person.away is None:
            return False
        uow.people.set_away(user_id, None)
        return True


# --- inside a unit of work ------------------------------------------------------------------


def store_answer(
    uow: Transaction,
    pack_id: int,
    user_id: str,
    round_date: dt.date,
    given: AnswerInput,
    now: dt.datetime,
) -> Answer:
    """Validates and stores an active member's answer to the current round (FieldErrors for
    bad input; a round that closed while the form was open is refused)."""
    pack, member = member_of(uow, pack_id, user_id, gone=NO_PACK_HERE, not_member=NOT_MEMBER)
    clean = validate_answer(pack.settings, given, user_id)
    if round_date != schedule.current_round_date(pack.settings, member.person, now):
        raise UserError(ROUND_CLOSED)
    rnd = uow.rounds.get_or_create(pack.id, round_date, now)
    if pack.settings.question("priority") is None:
        # The top priority given in the direction step stays when the answer is edited.
        earlier = uow.answers.of_member(rnd.id, user_id)
        if earlier is not None and earlier.top_priority:
            clean = replace(clean, texts={**clean.texts, "priority": earlier.top_priority})
    answer = uow.answers.save(rnd.id, pack.id, user_id, AnswerStatus.ANSWERED, clean, now)
    blockers.record_answer(uow, answer, round_date, now)
    return answer


def _own_answer(uow: Transaction, answer_id: int, user_id: str) -> Answer:
    answer = uow.answers.get(answer_id)
    if answer is None or answer.user_id != user_id:
        raise NotFound("That check-in is gone.")
    return answer


def _last_focus(uow: Transaction, pack_id: int, user_id: str, before: dt.date) -> str | None:
    """What the member said they would focus on in their last answered round before `before`."""
    for rnd, answer in uow.answers.history(pack_id, user_id, LAST_FOCUS_LOOKBACK):
        if rnd.local_date < before and answer.status is AnswerStatus.ANSWERED:
            focus = answer.texts.get("focus", "").strip()
            if focus:
                return focus
    return None


# --- after the answer: the channel ----------------------------------------------------------


def _answered(ws: Workspace, answer: Answer) -> None:
    publish_round(ws, answer.round_id)
    confirm(ws, answer.id)


def _stepped(ws: Workspace, pack_id: int, round_id: int, alerts: list[int]) -> None:
    publish_round(ws, round_id)
    post_alerts = statements.split_alerts(ws, pack_id, alerts)
    if post_alerts is not None:
        post_alerts()


def publish_round(ws: Workspace, round_id: int) -> None:
    """Brings the channel up to date with the round: parent message, one reply per answer
    (new or edited), and the parent's counts. Safe to call any number of times from any
    number of processes: every post is claimed in the database first."""
    with ws.unit() as uow:
        rnd = uow.rounds.get(round_id)
        pack = uow.packs.get(rnd.pack_id) if rnd is not None else None
    if rnd is None or pack is None:
        return
    parent_ts = rnd.parent_ts or _post_parent(ws, pack, rnd)
    if parent_ts is None:
        return
    # Read once the parent is there: an answer stored while another process posted the
    # parent (and so returned above) is published here.
    with ws.unit() as uow:
        answer_ids = [a.id for a in uow.answers.of_round(rnd.id)]
    for answer_id in answer_ids:
        _publish_answer(ws, pack, rnd, answer_id, parent_ts)
    ws.notifier.update_round_parent(pack, parent_ts, _tally(ws, pack, rnd))


def confirm(ws: Workspace, answer_id: int) -> None:
    """DMs the member their answer with an Edit button and the direction step's button (with
    how many statements wait for their vote)."""
    with ws.unit() as uow:
        answer = uow.answers.get(answer_id)
        rnd = uow.rounds.get(answer.round_id) if answer is not None else None
        pack = uow.packs.get(answer.pack_id) if answer is not None else None
        waiting = (
            statements.waiting_count(uow, pack, answer.user_id, CHECKIN_BALLOT)
            if answer is not None and pack is not None
            else 0
        )
    if answer is None or rnd is None or pack is None:
        return
    post = replace(_answer_post(ws, pack, rnd, answer), waiting_statements=waiting)
    ws.notifier.confirm_answer(post)


def _post_parent(ws: Workspace, pack: Pack, rnd: Round) -> str | None:
    now = ws.now()
    with ws.unit() as uow:
        claimed = uow.rounds.claim_parent(rnd.id, now, now + dt.timedelta(seconds=CLAIM_SECONDS))
    if not claimed:
        return None
    try:
        ts = ws.notifier.post_round_parent(pack, _tally(ws, pack, rnd))
    except BaseException:
        with ws.unit() as uow:
            uow.rounds.release_parent(rnd.id)
        raise
    with ws.unit() as uow:
        uow.rounds.set_parent(rnd.id, ts, pack.channel_id)
    return ts


def _publish_answer(ws: Workspace, pack: Pack, rnd: Round, answer_id: int, parent_ts: str) -> None:
    now = ws.now()
    with ws.unit() as uow:
        answer = uow.answers.claim_publish(
            answer_id, now, now + dt.timedelta(seconds=CLAIM_SECONDS)
        )
    if answer is None:
        return
    try:
        post = _answer_post(ws, pack, rnd, answer)
        if answer.reply_ts is None:
            ts = ws.notifier.post_answer(post, parent_ts)
        else:
            ts = answer.reply_ts
            ws.notifier.update_answer(post, ts)
    except BaseException:
        with ws.unit() as uow:
            uow.answers.release_publish(answer_id)
        raise
    with ws.unit() as uow:
        uow.answers.mark_published(answer_id, answer.version, ts)


def _answer_post(ws: Workspace, pack: Pack, rnd: Round, answer: Answer) -> AnswerPost:
    known = people(ws, [answer.user_id, *answer.collaborators])
    author = known.get(answer.user_id) or Person.unknown(answer.user_id)
    return AnswerPost(
        pack=pack,
        round=rnd,
        answer=answer,
        author=author,
        collaborators=tuple(known[u] for u in answer.collaborators if u in known),
        questions=pack.settings.questions,
    )


def _tally(ws: Workspace, pack: Pack, rnd: Round) -> RoundTally:
    with ws.unit() as uow:
        members = uow.members.of_pack(pack.id)
        answers = uow.answers.of_round(rnd.id)
    return tally_round(rnd.local_date, members, answers)
