"""Every builder stays within Slack's limits, whatever the user typed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from bot.core.checkins import (
    Answer,
    AnswerPost,
    AnswerStatus,
    CheckinForm,
    DirectionStep,
    Round,
    RoundProgress,
    RoundTally,
)
from bot.core.home import Home, HomePack
from bot.core.packs import (
    MAX_EXTRA_QUESTIONS,
    ChannelInfo,
    Pack,
    PackSettings,
    Person,
    Question,
    QuestionKind,
    SetupForm,
)
from bot.core.statements import Statement, StatementView, Tally
from bot.slack.blocks.checkins import (
    answer_blocks,
    checkin_modal,
    choose_pack_blocks,
    confirmation,
    history_blocks,
    prompt_message,
    round_parent,
)
from bot.slack.blocks.home import home_view
from bot.slack.blocks.setup import setup_modal
from bot.slack.blocks.statements import direction_step_modal
from tests.slack.limits import check_message, check_view

HUGE = "<!channel> & " * 1000
LONG_Q = "Q" * 150
QUESTIONS = PackSettings().questions + tuple(
    Question(f"extra_{i}", QuestionKind.TEXT, LONG_Q, False)
    for i in range(1, MAX_EXTRA_QUESTIONS + 1)
)
PACK = Pack(1, 1, "C1", "n" * 100, PackSettings(questions=QUESTIONS), "U1", ("U1",))
DAY = dt.date(2026, 12, 1)


def _answer() -> Answer:
    texts = {q.key: HUGE[:1500] for q in QUESTIONS if q.kind is not QuestionKind.PRIORITY}
    texts["priority"] = HUGE[:280]
    return Answer(7, 3, 1, "U1", AnswerStatus.ANSWERED, texts, tuple(f"U{i}" for i in range(20)), 3)


def _post() -> AnswerPost:
    people = tuple(Person(f"U{i}", HUGE, "UTC") for i in range(20))
    return AnswerPost(
        PACK, Round(3, 1, DAY, "1.1"), _answer(), Person("U1", HUGE, "UTC"), people, QUESTIONS
    )


def test_fallback_texts_are_escaped_too() -> None:
    """The top-level `text` is mrkdwn in notifications: no live mention may hide there."""
    import datetime as dt

    from bot.core.proposals import Counts, Outcome, Proposal, ProposalView
    from bot.core.statements import SplitAlert, Statement, Tally
    from bot.slack.blocks.proposals import outcome_message, proposal_message
    from bot.slack.blocks.statements import split_alert

    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    proposal = Proposal(1, 1, HUGE, "U1", at)
    closed = Proposal(1, 1, HUGE, "U1", at, outcome=Outcome.BLOCKED)
    texts = [
        answer_blocks(_post())[0],
        split_alert(SplitAlert(Statement(1, 1, HUGE, "U1"), Tally(2, 1), (HUGE,), ()))[0],
        proposal_message(ProposalView(PACK, proposal, Counts()))[0],
        outcome_message(ProposalView(PACK, closed, Counts(), (HUGE,)))[0],
    ]
    for text in texts:
        assert "<!channel>" not in text and "&lt;!channel&gt;" in text


def test_channel_messages_fit() -> None:
    text, blocks = answer_blocks(_post())
    check_message(blocks, text)
    text, blocks = confirmation(_post())
    check_message(blocks, text)
    text, blocks = round_parent(
        RoundTally(DAY, 100, 20, 500, tuple(HUGE[:80] for _ in range(400)), 50)
    )
    check_message(blocks, text)
    history = [(Round(i, 1, DAY), _answer()) for i in range(20)]
    check_message(history_blocks(PACK, history, {f"U{i}": HUGE for i in range(20)}))
    text, blocks = confirmation(replace(_post(), waiting_statements=5))
    check_message(blocks, text)
    assert "5 statements" in json.dumps(blocks)
    text, blocks = prompt_message(PACK, DAY, reminder=True, progress=RoundProgress(4, 7))
    check_message(blocks, text)
    check_message(choose_pack_blocks([PACK] * 40))


def test_views_fit() -> None:
    check_view(checkin_modal(CheckinForm(PACK, DAY, _answer(), last_focus=HUGE)))
    ballot = tuple(
        StatementView(Statement(i, 1, HUGE[:280], "U1"), Tally(), None) for i in range(3)
    )
    check_view(direction_step_modal(DirectionStep(PACK, 7, HUGE[:280], ballot)))
    form = SetupForm(
        ChannelInfo("C1", "c" * 80, True),
        PACK,
        PACK.settings,
        tuple(f"U{i}" for i in range(500)),
        ("U1",),
        dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC),
    )
    check_view(setup_modal(form, external_id="wp-" + "a" * 32))
    check_view(setup_modal(form, more=True, external_id="wp-" + "a" * 32))
    home = Home(
        Person("U1", HUGE, "UTC"),
        tuple(
            HomePack(
                PACK, dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC), "Pacific/Auckland", False
            )
            for _ in range(60)
        ),
    )
    check_view(home_view(home))


def test_blocker_surfaces_fit_and_escape() -> None:
    from bot.core.blockers import Blocker, BlockerStatus, BlockerView
    from bot.slack.blocks.blockers import (
        answered_follow_up,
        ask_message,
        follow_up_message,
        introduction,
    )
    from bot.slack.blocks.checkins import prompt_message

    at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    blocker = Blocker(9, 1, "U1", HUGE[:1500], 3, 7, DAY, at, helpers=("U2",))
    helpers = tuple(Person(f"U{i}", HUGE, "UTC") for i in range(30))
    view = BlockerView(blocker, PACK, Person("U1", HUGE, "UTC"), helpers)
    resolved = BlockerView(
        Blocker(9, 1, "U1", HUGE[:1500], 3, 7, DAY, at, status=BlockerStatus.RESOLVED),
        PACK,
        Person("U1", HUGE, "UTC"),
        helpers,
    )
    text, blocks = prompt_message(PACK, DAY, reminder=False, follow_up=blocker)
    check_message(blocks, text)
    check_message(answered_follow_up(blocks, "Marked resolved."), text)
    text, blocks = follow_up_message(PACK, blocker)
    check_message(blocks, text)
    assert "&lt;!channel&gt;" in str(blocks) and "<!channel>" not in str(blocks)
    for text, blocks in (ask_message(view), ask_message(resolved), introduction(view, HUGE)):
        check_message(blocks, text)
        assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    # A form that asks again about an open blocker.
    still = CheckinForm(PACK, DAY, None, open_blocker=blocker)
    modal = checkin_modal(still)
    check_view(modal)
    question = next(b for b in modal["blocks"] if b.get("block_id") == "q:blockers")
    assert question["element"]["initial_value"] == HUGE[:1500]


def test_a_reminder_counts_who_checked_in_and_is_neutral_before_anyone_has() -> None:
    pack = Pack(1, 1, "C1", "team", PackSettings(), "U1")
    day = DAY
    text, _ = prompt_message(pack, day, reminder=True, progress=RoundProgress(4, 7))
    assert "4 of 7 have checked in so far" in text
    text, _ = prompt_message(pack, day, reminder=True, progress=RoundProgress(0, 7))
    assert "0 of" not in text and "of 7" not in text and "first" in text
    text, _ = prompt_message(pack, day, reminder=False, progress=RoundProgress(4, 7))
    assert "of 7" not in text and "Time to check in" in text
