"""Check-in rules on plain data: answers cleaned and checked, collaborators from the @mentions
of what moved forward, and how far a round is for a reminder."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.checkins import (
    AnswerInput,
    AnswerStatus,
    RoundProgress,
    round_progress,
    shown_length,
    validate_answer,
)
from bot.core.errors import FieldErrors
from bot.core.packs import (
    OPTIONAL_QUESTIONS,
    Away,
    Member,
    PackSettings,
    Person,
    QuestionKind,
    Role,
)

DAY = dt.date(2026, 12, 1)
DEFAULT = PackSettings()
GOOD = {"progress": "Paired with <@UCY> &amp; <@UDEE>", "focus": "Docs"}


def test_the_default_checkin_has_four_inputs_and_asks_who_one_worked_with() -> None:
    assert [q.kind for q in DEFAULT.questions] == [
        QuestionKind.PROGRESS,
        QuestionKind.TEXT,
        QuestionKind.BLOCKERS,
        QuestionKind.ALIGNMENT,
    ]
    assert [q.required for q in DEFAULT.questions] == [True, True, False, True]
    assert DEFAULT.asks_collaborators
    assert not PackSettings(questions=DEFAULT.questions[1:]).asks_collaborators
    with_picker = PackSettings(questions=(*DEFAULT.questions[1:], OPTIONAL_QUESTIONS[0]))
    assert with_picker.asks_collaborators


def test_mentioned_people_are_the_collaborators_once_never_the_author() -> None:
    given = AnswerInput(GOOD, ("UCY", "UBO", "UCY", "UDEE", ""), 4)
    clean = validate_answer(DEFAULT, given, "UBO")
    assert clean.collaborators == ("UCY", "UDEE")
    assert clean.texts["progress"] == GOOD["progress"]
    too_many = AnswerInput(GOOD, tuple(f"U{i:03d}" for i in range(21)), 4)
    with pytest.raises(FieldErrors) as refused:
        validate_answer(DEFAULT, too_many, "UBO")
    assert set(refused.value.errors) == {"progress"}
    assert "20" in refused.value.errors["progress"]
    # Nobody mentioned: worked on their own (an empty tuple, not "not asked").
    assert validate_answer(DEFAULT, AnswerInput(GOOD, (), 4), "UBO").collaborators == ()


def test_a_rich_text_answer_is_measured_as_typed() -> None:
    assert shown_length("a &lt;b&gt; &amp;amp;") == len("a <b> &amp;")
    typed = "&lt;" * 1500  # 1,500 typed "<", stored escaped
    assert validate_answer(DEFAULT, AnswerInput({**GOOD, "progress": typed}, (), 4), "UBO")
    with pytest.raises(FieldErrors) as refused:
        validate_answer(DEFAULT, AnswerInput({**GOOD, "progress": typed + "x"}, (), 4), "UBO")
    assert "1501" in refused.value.errors["progress"]


def member(user_id: str, *, away: Away | None = None, active: bool = True) -> Member:
    return Member(1, Person(user_id, user_id, "UTC", away=away), Role.MEMBER, active=active)


def test_round_progress_counts_answers_of_those_expected() -> None:
    away = Away(DAY, DAY)
    members = [
        member("UANA"),
        member("UBO"),
        member("UCY", away=away),  # away, not expected
        member("UDEE", away=away),  # away but answered anyway: counted
        member("UEVE", active=False),  # left the pack
        member("UFIN"),
    ]
    statuses = {
        "UANA": AnswerStatus.ANSWERED,
        "UBO": AnswerStatus.SKIPPED,
        "UDEE": AnswerStatus.ANSWERED,
        "UEVE": AnswerStatus.ANSWERED,
    }
    assert round_progress(DAY, members, statuses) == RoundProgress(answered=2, expected=4)
    assert round_progress(DAY, members, {}) == RoundProgress(answered=0, expected=3)
