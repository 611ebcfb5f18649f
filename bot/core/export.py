"""What a pack admin's `/wolfpack export` holds (SPEC §6). Votes of an anonymous pack leave it
only as counts, and counts only once at least 3 members decided (k-anonymity); self-reported
alignment scores stay out of the export altogether, as they stay out of the channel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.blockers import Blocker
from bot.core.checkins import Answer, AnswerStatus, Round
from bot.core.mentions import to_plain
from bot.core.packs import (
    WEEKDAY_NAMES,
    WRITTEN_KINDS,
    Member,
    Pack,
    PackSettings,
    QuestionKind,
)
from bot.core.proposals import Proposal, Response, count, latest
from bot.core.statements import K_ANONYMITY, Statement, Vote, VoteValue, latest_votes, tally


@dataclass(frozen=True)
class ExportFile:
    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class ExportData:
    """Everything one pack holds, read in one transaction."""

    pack: Pack
    members: list[Member]
    answers: list[tuple[Round, Answer]]
    statements: list[Statement]
    votes: list[Vote]
    proposals: list[Proposal]
    responses: dict[int, list[Response]]
    at: dt.datetime
    blockers: Sequence[Blocker] = ()


def _settings(s: PackSettings) -> dict[str, object]:
    return {
        "checkin_days": [WEEKDAY_NAMES[d] for d in sorted(s.checkin_days)],
        "checkin_time": s.checkin_time.strftime("%H:%M"),
        "timezone_mode": s.timezone_mode.value,
        "timezone": s.timezone,
        "reminder_minutes": s.reminder_minutes,
        "summary_day": WEEKDAY_NAMES[s.summary_day],
        "summary_time": s.summary_time.strftime("%H:%M"),
        "votes": "anonymous" if s.anonymous else "open",
        "name_lone_wolves": s.name_lone_wolves,
        "holiday_country": s.holiday_country,
        "holiday_dates": sorted(d.isoformat() for d in s.holiday_dates),
        "late_limit_minutes": s.late_limit_minutes,
        "contested_min_decided": s.contested_min_decided,
        "contested_divisiveness": s.contested_divisiveness,
        "questions": [
            {"key": q.key, "kind": q.kind.value, "label": q.label, "required": q.required}
            for q in s.questions
        ],
    }


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_document(data: ExportData) -> dict[str, Any]:
    """The pack's data as one JSON-ready object. Who voted how, and who took which position on
    a proposal, only in a pack that votes openly."""
    pack, open_votes = data.pack, not data.pack.settings.anonymous
    names = {m.user_id: m.person.name for m in data.members}
    members = [
        {
            "user_id": m.user_id,
            "name": m.person.name,
            "timezone": m.person.tz,
            "role": m.role.value,
            "active": m.active,
            "away_from": _iso(m.person.away.start) if m.person.away else None,
            "away_to": _iso(m.person.away.end) if m.person.away else None,
        }
        for m in data.members
    ]
    # Rich-text answers leave as people read them: mentions as "@Name", nothing escaped.
    rich = {q.key for q in pack.settings.questions if q.kind is QuestionKind.PROGRESS}
    rounds: dict[dt.date, list[Answer]] = {}
    for rnd, answer in data.answers:
        rounds.setdefault(rnd.local_date, []).append(answer)
    round_list = []
    for day, answers in sorted(rounds.items()):
        scores = [a.alignment for a in answers if a.alignment is not None]
        round_list.append(
            {
                "date": day.isoformat(),
                "answered": sum(a.status is AnswerStatus.ANSWERED for a in answers),
                "skipped": sum(a.status is AnswerStatus.SKIPPED for a in answers),
                # The pack's mean only, as the channel shows it, and only from 3 scores.
                "alignment_mean": round(statistics.fmean(scores), 2)
                if len(scores) >= K_ANONYMITY
                else None,
                "answers": [
                    {
                        "user_id": a.user_id,
                        "name": names.get(a.user_id, ""),
                        "status": a.status.value,
                        "texts": {
                            k: to_plain(v, names) if k in rich else v for k, v in a.texts.items()
                        },
                        "collaborators": list(a.collaborators),
                    }
                    for a in answers
                ],
            }
        )
    by_statement: dict[int, list[Vote]] = {}
    for vote in data.votes:
        by_statement.setdefault(vote.statement_id, []).append(vote)
    statements = []
    for s in data.statements:
        on_it = by_statement.get(s.id, [])
        t = tally(on_it)
        shown = open_votes or t.decided >= K_ANONYMITY
        entry: dict[str, Any] = {
            "id": s.id,
            "text": s.text,
            "author_id": s.author_id,
            "hidden": s.hidden,
            "meta": s.meta,
            "created_at": _iso(s.created_at),
            "agree": t.agree if shown else None,
            "disagree": t.disagree if shown else None,
            "pass": t.passes if shown else None,
        }
        if open_votes:
            entry["votes"] = [
                {
                    "user_id": v.user_id,
                    "name": names.get(v.user_id, ""),
                    "vote": VoteValue(v.value).name.lower(),
                    "reason": v.reason,
                    "at": _iso(v.at),
                }
                for v in latest_votes(on_it).values()
            ]
        statements.append(entry)
    proposals = []
    for p in data.proposals:
        responses = data.responses.get(p.id, [])
        counts = count(responses)
        item: dict[str, Any] = {
            "id": p.id,
            "text": p.text,
            "author_id": p.author_id,
            "closes_at": _iso(p.closes_at),
            "outcome": p.outcome.value if p.outcome else None,
            "closed_at": _iso(p.closed_at),
            "revises": p.revises_id,
            "statement": p.statement_id,
            "agree": counts.agree,
            "abstain": counts.abstain,
            "disagree": counts.disagree,
            "block": counts.block,
        }
        if open_votes:
            item["positions"] = [
                {
                    "user_id": r.user_id,
                    "name": names.get(r.user_id, ""),
                    "position": r.position.value,
                    "reason": r.reason,
                    "at": _iso(r.at),
                }
                for r in latest(responses).values()
            ]
        proposals.append(item)
    return {
        "exported_at": _iso(data.at),
        "pack": {
            "channel_id": pack.channel_id,
            "name": pack.name,
            "created_by": pack.created_by,
            "admin_ids": list(pack.admin_ids),
            "settings": _settings(pack.settings),
        },
        "votes": "open" if open_votes else "anonymous",
        "members": members,
        "rounds": round_list,
        "statements": statements,
        "proposals": proposals,
        "blockers": [
            {
                "id": b.id,
                "user_id": b.user_id,
                "name": names.get(b.user_id, ""),
                "text": b.text,
                "raised_on": _iso(b.round_date),
                "status": b.status.value,
                "asked_the_pack_at": _iso(b.asked_at),
                "helpers": list(b.helpers),
                "resolved_at": _iso(b.resolved_at),
            }
            for b in data.blockers
        ],
    }


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: a leading =, +, - or @ would make it a
    formula, so such text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "pack"


def export_files(data: ExportData) -> list[ExportFile]:
    """The export as files: everything in one JSON document, and one CSV per kind of row."""
    doc = export_document(data)
    prefix = f"wolfpack-{_slug(data.pack.name)}-{data.at.date().isoformat()}"
    text_keys = [q.key for q in data.pack.settings.questions if q.kind in WRITTEN_KINDS]
    # The top priority given in the direction step, when the check-in does not ask it.
    if "priority" not in text_keys and any(a.top_priority for _, a in data.answers):
        text_keys.append("priority")
    blocker_keys = ["id", "user_id", "name", "text", "raised_on", "status"]
    blocker_keys += ["asked_the_pack_at", "resolved_at"]
    member_keys = ["user_id", "name", "timezone", "role", "active", "away_from", "away_to"]
    statement_keys = ["id", "text", "author_id", "hidden", "agree", "disagree", "pass"]
    proposal_keys = ["id", "text", "author_id", "closes_at", "outcome"]
    proposal_keys += ["agree", "abstain", "disagree", "block"]
    files = [
        ExportFile(
            f"{prefix}.json",
            "Pack data (JSON)",
            json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"),
        ),
        ExportFile(
            f"{prefix}-members.csv",
            "Members (CSV)",
            _csv(member_keys, ([m[k] for k in member_keys] for m in doc["members"])),
        ),
        ExportFile(
            f"{prefix}-answers.csv",
            "Check-in answers (CSV)",
            _csv(
                ["date", "user_id", "name", "status", *text_keys, "collaborators"],
                (
                    [rnd["date"], a["user_id"], a["name"], a["status"]]
                    + [a["texts"].get(k, "") for k in text_keys]
                    + [" ".join(a["collaborators"])]
                    for rnd in doc["rounds"]
                    for a in rnd["answers"]
                ),
            ),
        ),
        ExportFile(
            f"{prefix}-statements.csv",
            "Statements with counts (CSV)",
            _csv(statement_keys, ([s[k] for k in statement_keys] for s in doc["statements"])),
        ),
        ExportFile(
            f"{prefix}-proposals.csv",
            "Proposals with outcomes (CSV)",
            _csv(proposal_keys, ([p[k] for k in proposal_keys] for p in doc["proposals"])),
        ),
        ExportFile(
            f"{prefix}-blockers.csv",
            "Blockers (CSV)",
            _csv(
                [*blocker_keys, "helpers"],
                ([b[k] for k in blocker_keys] + [" ".join(b["helpers"])] for b in doc["blockers"]),
            ),
        ),
    ]
    if not data.pack.settings.anonymous:
        files += [
            ExportFile(
                f"{prefix}-votes.csv",
                "Votes, by member (CSV)",
                _csv(
                    ["statement_id", "user_id", "name", "vote", "reason", "at"],
                    (
                        [s["id"], v["user_id"], v["name"], v["vote"], v["reason"], v["at"]]
                        for s in doc["statements"]
                        for v in s["votes"]
                    ),
                ),
            ),
            ExportFile(
                f"{prefix}-positions.csv",
                "Proposal positions, by member (CSV)",
                _csv(
                    ["proposal_id", "user_id", "name", "position", "reason", "at"],
                    (
                        [p["id"], r["user_id"], r["name"], r["position"], r["reason"], r["at"]]
                        for p in doc["proposals"]
                        for r in p["positions"]
                    ),
                ),
            ),
        ]
    return files
