"""The `/wolfpack setup` modal's reader: the draft a submission makes (what the form did not
show kept as it is), and what has been typed so far, carried into the full form."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from bot.core.errors import FieldErrors
from bot.core.packs import (
    ADMINS,
    DEFAULT_QUESTIONS,
    MAX_EXTRA_QUESTIONS,
    OPTIONAL_QUESTIONS,
    QUESTION_MAX,
    SETTING_NAMES,
    PackDraft,
    PackSettings,
    Question,
    QuestionKind,
    TimezoneMode,
    is_timezone,
    parse_time,
)
from bot.slack.blocks.setup import ESSENTIALS, NAMED
from bot.slack.ids import SetupField

_FIXED_TEXT = {
    SetupField.Q_PROGRESS: "progress",
    SetupField.Q_FOCUS: "focus",
    SetupField.Q_BLOCKERS: "blockers",
}
_QUESTION_FIELDS = frozenset({*_FIXED_TEXT, SetupField.Q_EXTRA, SetupField.Q_OPTIONS})
_DEFAULTS = {q.key: q for q in (*DEFAULT_QUESTIONS, *OPTIONAL_QUESTIONS)}


@dataclass
class _Reading:
    """What the form's state says: the settings it set (by PackSettings field name), its
    members and admins (None when the form did not show them), and what could not be read."""

    changes: dict[str, Any] = field(default_factory=dict)
    members: tuple[str, ...] | None = None
    admins: tuple[str, ...] | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _value(values: dict[str, Any], field: SetupField) -> dict[str, Any]:
    block = values.get(field.value) or {}
    found = block.get(field.value) or {}
    return found if isinstance(found, dict) else {}


def _selected(values: dict[str, Any], field: SetupField) -> list[str]:
    options = _value(values, field).get("selected_options") or []
    return [str(o.get("value", "")) for o in options if isinstance(o, dict)]


def _choice(values: dict[str, Any], field: SetupField) -> str:
    """The value of a select or radio button's chosen option ("" when none)."""
    chosen = _value(values, field).get("selected_option") or {}
    return str(chosen.get("value") or "") if isinstance(chosen, dict) else ""


def _users(values: dict[str, Any], field: SetupField) -> tuple[str, ...]:
    users = _value(values, field).get("selected_users") or []
    return tuple(dict.fromkeys(str(u) for u in users))


def _read_questions(values: dict[str, Any], reading: _Reading) -> None:
    questions: list[Question] = []
    for field_, key in _FIXED_TEXT.items():
        label = str(_value(values, field_).get("value") or "").strip()
        if label:
            base = _DEFAULTS[key]
            questions.append(Question(key, base.kind, label, base.required))
    extra_lines = [
        line.strip()
        for line in str(_value(values, SetupField.Q_EXTRA).get("value") or "").splitlines()
        if line.strip()
    ]
    if len(extra_lines) > MAX_EXTRA_QUESTIONS:
        reading.errors[SetupField.Q_EXTRA] = f"At most {MAX_EXTRA_QUESTIONS} more questions."
    for i, line in enumerate(extra_lines[:MAX_EXTRA_QUESTIONS], start=1):
        if len(line) > QUESTION_MAX:
            reading.errors[SetupField.Q_EXTRA] = (
                f"Keep each question under {QUESTION_MAX} characters."
            )
        questions.append(Question(f"extra_{i}", QuestionKind.TEXT, line, False))
    toggles = set(_selected(values, SetupField.Q_OPTIONS))
    for key in ("collaborators", "alignment", "priority"):
        if key in toggles:
            questions.append(_DEFAULTS[key])
    reading.changes["questions"] = tuple(questions)


def _read_holidays(values: dict[str, Any], reading: _Reading) -> None:
    country = _choice(values, SetupField.HOLIDAY_COUNTRY).strip().upper()
    reading.changes["holiday_country"] = country or None
    dates: set[dt.date] = set()
    for line in str(_value(values, SetupField.HOLIDAY_DATES).get("value") or "").split():
        try:
            dates.add(dt.date.fromisoformat(line.strip(",;")))
        except ValueError:
            reading.errors[SetupField.HOLIDAY_DATES] = (
                f"“{line[:20]}” is not a date like 2026-12-24."
            )
    if len(dates) > 100:
        reading.errors[SetupField.HOLIDAY_DATES] = "At most 100 extra days off."
    if SetupField.HOLIDAY_DATES not in reading.errors:
        reading.changes["holiday_dates"] = frozenset(dates)


def _read(values: dict[str, Any], shown: frozenset[SetupField]) -> _Reading:
    """Reads the fields the form showed; a field that cannot be read gets an error and no
    change."""
    reading = _Reading()
    changes, errors = reading.changes, reading.errors

    def minutes_of(field_: SetupField, setting: str) -> None:
        raw = _choice(values, field_)
        if raw.isdigit():
            changes[setting] = int(raw)
        else:
            errors[field_] = "Pick one of the choices."

    def time_of(field_: SetupField, setting: str) -> None:
        raw = str(_value(values, field_).get("selected_time") or "")
        parsed = parse_time(raw)
        if parsed is None:
            errors[field_] = f"“{raw[:10]}” is not a time like 09:30."
        else:
            changes[setting] = parsed

    if SetupField.MEMBERS in shown:
        reading.members = _users(values, SetupField.MEMBERS)
    if SetupField.ADMINS in shown:
        reading.admins = _users(values, SetupField.ADMINS)
    if SetupField.DAYS in shown:
        changes["checkin_days"] = frozenset(
            int(raw)
            for raw in _selected(values, SetupField.DAYS)
            if len(raw) == 1 and raw in "0123456"
        )
    if SetupField.TIME in shown:
        time_of(SetupField.TIME, "checkin_time")
    if SetupField.SUMMARY_TIME in shown:
        time_of(SetupField.SUMMARY_TIME, "summary_time")
    if SetupField.TZ_MODE in shown:
        mode = _choice(values, SetupField.TZ_MODE)
        changes["timezone_mode"] = (
            TimezoneMode.PACK if mode == TimezoneMode.PACK.value else TimezoneMode.MEMBER
        )
    if SetupField.TIMEZONE in shown:
        changes["timezone"] = _choice(values, SetupField.TIMEZONE)
    if SetupField.SUMMARY_DAY in shown:
        minutes_of(SetupField.SUMMARY_DAY, "summary_day")
    if SetupField.VOTES in shown:
        changes["anonymous"] = _choice(values, SetupField.VOTES) != NAMED
    if SetupField.LONE_WOLVES in shown:
        changes["name_lone_wolves"] = "name" in _selected(values, SetupField.LONE_WOLVES)
    if SetupField.REMINDER in shown:
        minutes_of(SetupField.REMINDER, "reminder_minutes")
    if SetupField.LATE_LIMIT in shown:
        minutes_of(SetupField.LATE_LIMIT, "late_limit_minutes")
    if SetupField.SPLIT in shown:
        try:
            changes["contested_divisiveness"] = float(_choice(values, SetupField.SPLIT))
        except ValueError:
            errors[SetupField.SPLIT] = "Pick one of the choices."
    if SetupField.HOLIDAY_COUNTRY in shown:
        _read_holidays(values, reading)
    if _QUESTION_FIELDS & shown:
        _read_questions(values, reading)
    return reading


def _shown(meta: dict[str, Any]) -> frozenset[SetupField]:
    return frozenset(SetupField) if meta.get("m") else frozenset(ESSENTIALS)


def _draft(meta: dict[str, Any], reading: _Reading, user_id: str) -> PackDraft:
    kept = SETTING_NAMES - reading.changes.keys()
    return PackDraft(
        channel_id=str(meta.get("c", "")),
        name=str(meta.get("n", "")),
        settings=PackSettings().with_changes(**reading.changes),
        member_ids=reading.members or (),
        admin_ids=reading.admins or (),
        created_by=user_id,
        kept=kept | ({ADMINS} if reading.admins is None else set()),
    )


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def read_setup(view: dict[str, Any], user_id: str) -> PackDraft:
    """The draft the admin submitted, or FieldErrors keyed by block_id. What the form did not
    show is kept as it is."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    meta = _meta(view)
    reading = _read(values, _shown(meta))
    try:
        PackSettings().with_changes(**reading.changes).validated()
    except FieldErrors as bad:
        for key, message in bad.errors.items():
            reading.errors.setdefault(setup_block_for(key), message)
    if reading.errors:
        raise FieldErrors(reading.errors)
    return _draft(meta, reading, user_id)


def read_typed(view: dict[str, Any], user_id: str) -> PackDraft:
    """What has been typed into the form so far, to carry into the full form: whatever cannot
    be read (or names no timezone) is left out, to be kept as it is."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    meta = _meta(view)
    reading = _read(values, _shown(meta))
    if not is_timezone(str(reading.changes.get("timezone", ""))):
        reading.changes.pop("timezone", None)
    return _draft(meta, reading, user_id)


def setup_block_for(key: str) -> str:
    """The block under which a validation message is shown: form errors already name their
    block; core errors name a setting."""
    if key in {f.value for f in SetupField}:
        return key
    direct = {
        "checkin_days": SetupField.DAYS,
        "timezone": SetupField.TIMEZONE,
        "reminder": SetupField.REMINDER,
        "late_limit": SetupField.LATE_LIMIT,
        "summary_day": SetupField.SUMMARY_DAY,
        "members": SetupField.MEMBERS,
        "contested": SetupField.SPLIT,
        "admins": SetupField.ADMINS,
        "questions": SetupField.Q_PROGRESS,
        "question:progress": SetupField.Q_PROGRESS,
        "question:focus": SetupField.Q_FOCUS,
        "question:blockers": SetupField.Q_BLOCKERS,
    }
    return str(
        direct.get(key, SetupField.Q_EXTRA if key.startswith("question:") else SetupField.MEMBERS)
    )
