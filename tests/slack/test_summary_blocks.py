"""The weekly summary (short, with a Details button), the full report (/consensus and the
Details modal) and the lone-wolf DM: within Slack's limits for any input, user text always
escaped, and nothing private in the channel."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from typing import Any

from bot.core.analysis.members import Signal, SignalKind
from bot.core.packs import Pack, PackSettings
from bot.core.proposals import Counts, Outcome, Proposal
from bot.core.statements import SplitAlert, Statement, Tally
from bot.core.summary import (
    Blocker,
    CommonGroundLine,
    DecisionLine,
    DeliveryProblem,
    GroupLine,
    LoneWolf,
    Participation,
    Split,
    SplitTrend,
    Starting,
    Streak,
    Summary,
    WeekPoint,
)
from bot.slack.blocks.statements import split_alert
from bot.slack.blocks.summary import (
    consensus_report_blocks,
    details_modal,
    lone_wolf_dm_blocks,
    lone_wolf_dm_text,
    summary_blocks,
    summary_fallback,
    summary_text,
)
from bot.slack.ids import Action
from tests.slack.limits import check_message, check_view

HOSTILE = "<!channel> <@U123> <https://evil.example|ok> &lt;!channel&gt; & "
HUGE = (HOSTILE * 200)[:10_000]
NOW = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
WEEK_START = dt.date(2026, 11, 23)
EVIDENCE = "no collaborator in 4 check-ins in a row (Fri 20 Nov to Thu 26 Nov)"
PAIR = "UPAIR1"


def wolf_id(i: int) -> str:
    return f"UWOLF{i}"


def wolf_name(i: int) -> str:
    return f"Wolfname{i}"


def make_summary(
    *,
    text: str = "plain words",
    name: str = "Platform pack",
    members: int = 30,
    statements: int = 60,
    splits: int = 40,
    blockers: int = 30,
    proposals: int = 20,
    anonymous: bool = True,
    name_lone_wolves: bool = False,
    groups: tuple[GroupLine, ...] | None = None,
    no_camps_reason: str | None = "your votes are no more split than random votes would be",
    delivery: tuple[DeliveryProblem, ...] = (),
    wolves: int = 2,
) -> Summary:
    settings = PackSettings(anonymous=anonymous, name_lone_wolves=name_lone_wolves)
    pack = Pack(1, 1, "C1", name, settings, "UADMIN1", ("UADMIN1",))
    stmts = [Statement(i, 1, f"{text} statement {i}", f"UAUTHOR{i}") for i in range(statements)]
    at = NOW + dt.timedelta(hours=30)
    props = [Proposal(i, 1, f"{text} proposal {i}", f"UAUTHOR{i}", at) for i in range(proposals)]
    closed = [
        Proposal(100 + i, 1, f"{text} decision {i}", "UAUTHOR1", NOW, outcome=outcome)
        for i, outcome in enumerate([Outcome.PASSED, Outcome.NOT_PASSED, Outcome.BLOCKED] * 7)
    ][:proposals]
    lone = tuple(
        LoneWolf(
            wolf_id(i),
            wolf_name(i),
            (Signal("solo_streak", EVIDENCE), Signal("spread_thin", f"3 focus areas: {text}")),
            pair_with=PAIR,
            weigh_in=stmts[0] if stmts else None,
        )
        for i in range(wolves)
    )
    counts: dict[SignalKind, int] = {"solo_streak": wolves, "spread_thin": wolves}
    return Summary(
        pack=pack,
        week="2026-W48",
        week_start=WEEK_START,
        now=NOW,
        participation=Participation(
            answered=100,
            expected=120,
            heard_from=members - 2,
            members=members,
            away_names=(f"Away {text}", "Awayname2"),
            longest_streaks=(Streak(f"Streak {text}", 12), Streak("Streakname2", 9)),
            reached=members,
        ),
        alignment=WeekPoint(WEEK_START, 3.8, 0.7, 25, low=3.0, high=4.75),
        trend=(
            WeekPoint(WEEK_START - dt.timedelta(days=7), 3.5, 0.9, 22, low=3.0, high=4.0),
            WeekPoint(WEEK_START, 3.8, 0.7, 25, low=3.0, high=4.75),
        ),
        common_ground=tuple(CommonGroundLine(s, Tally(9, 1, 2), 0.8, 0.7, 0.9) for s in stmts[:5]),
        common_ground_more=max(0, statements - 5 - splits),
        splits=tuple(
            Split(
                stmts[i % max(1, len(stmts))] if stmts else Statement(i, 1, text, None),
                Tally(6, 5, 1),
                (f"{text} for", f"{text} for again", "third reason is never shown"),
                (f"{text} against",),
                SplitTrend.CONVERGING if i % 2 else SplitTrend.NEW,
                0.9,
                0.95 if i % 2 else None,
                revoted=3 if i == 1 else 0,
                changed_side=1 if i == 1 else 0,
            )
            for i in range(splits)
        ),
        groups=groups,
        no_camps_reason=no_camps_reason,
        decisions=tuple(DecisionLine(p, Counts(5, 1, 2, 0)) for p in closed),
        open_proposals=tuple(DecisionLine(p, Counts(2, 0, 1, 0)) for p in props),
        blockers=tuple(
            Blocker(f"Blockername{i}", WEEK_START, f"{text} blocker {i}") for i in range(blockers)
        ),
        lone_wolves=lone,
        lone_wolf_counts=counts if wolves else {},
        delivery_problems=delivery,
    )


def strings(value: Any) -> list[str]:
    """Every string in a block tree."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(strings(blocks))


def assert_escaped(all_text: str, *, mentions: tuple[str, ...] = ()) -> None:
    assert not re.search(r"<!(?!date\^)", all_text), "a live special mention"
    assert "<http" not in all_text
    for mention in re.findall(r"<@[^>]*>?", all_text):
        assert mention in tuple(f"<@{m}>" for m in mentions), mention
    # Every & starts one of the three entities, and nothing was escaped twice.
    assert not re.search(r"&(?!amp;|lt;|gt;)", all_text)
    assert "&amp;amp;" not in all_text
    assert "&amp;lt;!channel&amp;gt;" in all_text
    assert "&lt;!channel&gt;" in all_text


def report(summary: Summary) -> list[dict[str, Any]]:
    """The full report, as an admin sees it in the Details modal or `/consensus`."""
    return consensus_report_blocks(summary, for_admin=True)


def all_renderings(summary: Summary) -> dict[str, str]:
    return {
        "summary": texts(summary_blocks(summary)),
        "report": texts(consensus_report_blocks(summary, for_admin=True)),
        "fallback": summary_fallback(summary),
        "text": summary_text(summary),
        "details": texts(details_modal(summary, for_admin=True)["blocks"]),
    }


def test_a_big_pack_fits_in_one_message() -> None:
    summary = make_summary()
    blocks = report(summary)
    check_message(blocks, summary_fallback(summary))
    body = texts(blocks)
    assert "…and 15 more" in body  # consensus: 60 - 5 shown - 40 split
    shown = body.count("6 agree · 5 disagree · 1 pass")
    assert 0 < shown < 40
    assert f"…and {40 - shown} more split statements" in body
    assert "…and 20 more" in body  # blockers: 10 shown of 30
    assert "…and 12 more" in body  # open proposals: 8 shown of 20
    view = details_modal(summary, for_admin=True)
    check_view(view)
    assert view["blocks"][1:] == blocks[1:]
    assert view["blocks"][0]["text"]["text"] == "Weekly consensus · week of 23 Nov"
    assert view["title"]["text"] == "Week of 23 Nov"


def test_a_big_pack_gets_a_short_summary_with_the_rest_in_details() -> None:
    summary = make_summary()
    blocks = summary_blocks(summary)
    check_message(blocks, summary_fallback(summary))
    assert len(blocks) <= 8
    body = texts(blocks)
    assert body.count("6 agree · 5 disagree · 1 pass") == 4  # the first four splits
    assert "…and 36 more in Details" in body
    assert "…and 27 more in Details" in body  # blockers: 3 shown of 30
    split_actions = [b for b in blocks if b.get("block_id", "").startswith("summary_split:")]
    assert 1 <= len(split_actions) <= 4
    assert blocks[-1]["elements"][0]["action_id"] == Action.SUMMARY_DETAILS
    assert blocks[-1]["elements"][0]["value"] == "1:2026-11-23"
    for block in blocks:
        if block["type"] == "section":
            assert block["text"]["text"].count("\n") < 20, block["text"]["text"]


def test_huge_hostile_text_fits_and_is_escaped_everywhere() -> None:
    summary = make_summary(
        text=HUGE,
        name=HUGE,
        groups=tuple(
            GroupLine(4, tuple((Statement(i, 1, HUGE, None), "agree") for i in range(5)))
            for _ in range(8)
        ),
        delivery=(DeliveryProblem(HUGE, 2), DeliveryProblem("not_in_channel", 1)),
    )
    for blocks in (summary_blocks(summary), consensus_report_blocks(summary, for_admin=True)):
        check_message(blocks, summary_fallback(summary))
        assert_escaped(texts(blocks))
    fallback = summary_fallback(summary)
    assert len(fallback) <= 3000
    assert not re.search(r"<[!@h]", fallback)
    assert not re.search(r"&(?!amp;|lt;|gt;)", fallback)
    wolf = summary.lone_wolves[0]
    dm = lone_wolf_dm_blocks(summary, wolf)
    check_message(dm, lone_wolf_dm_text(summary, wolf))
    assert_escaped(texts(dm), mentions=(PAIR,))
    assert_escaped(lone_wolf_dm_text(summary, wolf), mentions=(PAIR,))


def test_no_camps_reason_is_escaped_too() -> None:
    summary = make_summary(no_camps_reason=HOSTILE, wolves=0, splits=0, blockers=0)
    body = texts(report(summary))
    assert "No distinct camps: &lt;!channel&gt;" in body
    assert "<!channel>" not in body


def test_the_terminal_text_has_no_slack_tokens_or_escapes() -> None:
    summary = make_summary(text="R&D <team>")
    text = summary_text(summary)
    assert "R&D <team> statement 0" in text
    assert "&amp;" not in text and "&lt;" not in text
    assert "<!date" not in text and "<@" not in text and "*" not in text
    titles = [
        "PARTICIPATION",
        "ALIGNMENT",
        "WHERE WE AGREE",
        "WHERE WE ARE SPLIT",
        "OPINION GROUPS",
        "DECISIONS THIS WEEK",
        "OPEN PROPOSALS",
        "OPEN BLOCKERS",
        "WORKING ALONE",
    ]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "closes Sat 28 Nov 22:00 UTC" in text


def test_the_report_follows_the_spec_order() -> None:
    summary = make_summary(delivery=(DeliveryProblem("not_in_channel", 2),))
    blocks = report(summary)
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"] == "Consensus so far this week"
    assert "Platform pack · Mon 23 – Fri 27 Nov" in blocks[1]["elements"][0]["text"]
    body = texts(blocks)
    titles = [
        "*Participation*",
        "*Alignment*",
        "*Where we agree*",
        "*Where we are split*",
        "*Opinion groups*",
        "*Decisions this week*",
        "*Open proposals*",
        "*Open blockers*",
        "*Working alone*",
        "*Delivery problems*",
    ]
    positions = [body.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "Heard from 28 of 30 · 100 of 120 expected check-ins answered (83%)" in body
    assert "Alignment 3.8 of 5, half of the scores between 3 and 5." in body
    assert "Up 0.3 from last week (3.5)." in body
    assert "Votes are anonymous" in body
    assert not re.search(r"\d{4}-W\d{2}|spread \d", body)


def test_the_short_summary_says_the_week_in_plain_words() -> None:
    summary = make_summary(delivery=(DeliveryProblem("not_in_channel", 2),))
    blocks = summary_blocks(summary)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Weekly consensus · week of 23 Nov", "emoji": True},
    }
    overview = blocks[1]["text"]["text"]
    assert overview.splitlines() == [
        "*Platform pack* · Mon 23 – Fri 27 Nov · anonymous votes",
        "Heard from 28 of 30 · 100 of 120 check-ins answered",
        "Alignment 3.8 of 5, half of the scores between 3 and 5 · up 0.3 from last week (3.5)",
        "Away: Away plain words, Awayname2",
    ]
    body = texts(blocks)
    titles = ["*Where we agree*", "*Where we are split*", "*Decisions this week*"]
    titles += ["*Open proposals*", "*Open blockers*", "*Working alone*", "*Delivery problems*"]
    positions = [body.index(t) for t in titles]
    assert positions == sorted(positions)
    for unexplained in ("spread 0", "scores ·", "25 scores", "(83%)", "Opinion groups"):
        assert unexplained not in body, unexplained
    assert not re.search(r"\d{4}-W\d{2}", body)
    fallback = summary_fallback(summary)
    assert fallback.startswith("Weekly consensus · Platform pack · week of 23 Nov: heard from")
    assert not re.search(r"\d{4}-W\d{2}", fallback)


def test_open_voting_is_said() -> None:
    body = texts(report(make_summary(anonymous=False)))
    assert "Open voting" in body and "Votes are anonymous" not in body
    short = texts(summary_blocks(make_summary(anonymous=False)))
    assert "open voting" in short and "anonymous votes" not in short


def test_splits_show_counts_reasons_trend_and_revotes() -> None:
    body = texts(report(make_summary(splits=2)))
    assert "6 agree · 5 disagree · 1 pass · _new_" in body
    assert "_converging_" in body
    assert "For: “plain words for” · “plain words for again”" in body
    assert "third reason is never shown" not in body
    assert "Against: “plain words against”" in body
    assert "3 voted again after discussion, 1 changed side" in body
    assert body.count("voted again after discussion") == 1


def test_split_counts_hidden_below_three_decided() -> None:
    summary = make_summary(splits=1)
    split = summary.splits[0]
    thin = Split(split.statement, Tally(1, 1, 5), (), (), SplitTrend.NEW, 1.0, None)
    body = texts(summary_blocks(make_with(summary, splits=(thin,))))
    assert "fewer than 3 votes so far" in body
    assert "1 agree · 1 disagree" not in body


def make_with(summary: Summary, **changes: Any) -> Summary:
    return replace(summary, **changes)


def test_split_buttons_reuse_the_split_alert_actions() -> None:
    summary = make_summary(splits=1)
    split = summary.splits[0]
    _, alert = split_alert(SplitAlert(split.statement, split.tally, (), ()))
    alert_buttons = [
        (e["action_id"], e["value"], e["text"]["text"])
        for b in alert
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    summary_buttons = [
        (e["action_id"], e["value"], e["text"]["text"])
        for b in summary_blocks(summary)
        if b.get("block_id", "").startswith("summary_split:")
        for e in b["elements"]
    ]
    assert summary_buttons == alert_buttons
    assert {a for a, _, _ in summary_buttons} == {
        Action.SPLIT_DISCUSS,
        Action.SPLIT_PROPOSE,
        Action.SPLIT_DRAFT,
    }


def test_the_consensus_report_differs_only_in_header_chart_and_buttons() -> None:
    summary = make_summary(splits=3, delivery=(DeliveryProblem("not_in_channel", 2),))
    report = consensus_report_blocks(summary)
    assert report[0]["text"]["text"] == "Consensus so far this week"
    body = texts(report)
    assert "chart" not in body
    assert "Up 0.3 from last week (3.5)." in body
    assert not [b for b in report if b["type"] == "actions"]
    assert "Delivery problems" not in body  # only for admins
    assert "Delivery problems" in texts(consensus_report_blocks(summary, for_admin=True))
    assert "“plain words statement 0”" in body


def test_an_anonymous_pack_shows_no_voter_or_flagged_member() -> None:
    summary = make_summary()
    private = [wolf_id(0), wolf_id(1), wolf_name(0), wolf_name(1), PAIR, "UAUTHOR", "UADMIN1"]
    for where, body in all_renderings(summary).items():
        for secret in private:
            assert secret not in body, (where, secret)
        assert EVIDENCE not in body, where
        assert "3 focus areas" not in body, where
    body = texts(report(summary))
    # Blockers, streaks and away lines are not votes: their names are shown.
    assert "Blockername0, Mon 23 Nov: plain words blocker 0" in body
    assert "Streakname2 (9 in a row)" in body
    assert "Away: Away plain words, Awayname2" in body


def test_lone_wolves_are_counted_and_named_only_when_the_pack_chose_it() -> None:
    body = texts(summary_blocks(make_summary(wolves=2)))
    assert "2 people worked solo 3+ check-ins in a row — anyone free to pair?" in body
    assert "2 people are spread across many things" in body
    assert wolf_name(0) not in body
    named = texts(summary_blocks(make_summary(wolves=1, name_lone_wolves=True, text=HOSTILE)))
    assert "1 person worked solo 3+ check-ins in a row" in named
    assert "1 person is spread across many things" in named
    assert f"Flagged (this pack shows names): {wolf_name(0)}" in named
    assert wolf_id(0) not in named and EVIDENCE not in named
    quiet = texts(summary_blocks(make_with(make_summary(), lone_wolf_counts={"silent": 1})))
    assert "1 person has been quiet" in quiet
    apart = texts(summary_blocks(make_with(make_summary(), lone_wolf_counts={"outlier_views": 1})))
    assert "1 person's view hasn't been heard yet — their reasons are welcome" in apart
    two = {"outlier_views": 2}
    apart = texts(summary_blocks(make_with(make_summary(), lone_wolf_counts=two)))
    assert "2 people's views haven't been heard yet — their reasons are welcome" in apart
    nobody = texts(report(make_summary(wolves=0)))
    assert "Nobody seems to be working alone" in nobody
    assert "Working alone" not in texts(summary_blocks(make_summary(wolves=0)))


def test_no_distinct_camps_when_there_are_no_groups() -> None:
    body = texts(report(make_summary(groups=None, no_camps_reason=None)))
    assert "No distinct camps." in body
    body = texts(report(make_summary(groups=None)))
    assert "No distinct camps: your votes are no more split than random votes would be." in body
    assert "Group 1" not in body


def test_groups_are_rendered_when_present() -> None:
    a = Statement(1, 1, "ship weekly", None)
    b = Statement(2, 1, "rewrite in Rust", None)
    groups = (GroupLine(4, ((a, "agree"), (b, "disagree"))), GroupLine(5, ((b, "agree"),)))
    body = texts(report(make_summary(groups=groups)))
    # Numbered from 1, as the chart's map legend numbers them.
    assert "Group 1 (4 people) agrees: “ship weekly” and disagrees: “rewrite in Rust”" in body
    assert "Group 2 (5 people) agrees: “rewrite in Rust”" in body
    assert "No distinct camps" not in body


def test_delivery_problems_only_when_there_are_any() -> None:
    assert "could not be delivered" not in texts(summary_blocks(make_summary()))
    problems = (DeliveryProblem("not_in_channel", 2), DeliveryProblem("user_not_found", 1))
    body = texts(summary_blocks(make_summary(delivery=problems)))
    assert (
        "For admins: 3 messages could not be delivered (2 × not_in_channel, 1 × user_not_found)"
        in body
    )
    assert "invite the bot" in body


def test_decisions_and_open_proposals() -> None:
    body = texts(summary_blocks(make_summary(proposals=3)))
    assert "*Passed*: “plain words decision 0” (5 agree · 1 abstain · 2 disagree)" in body
    assert "*Not passed*: “plain words decision 1”" in body
    assert "*Blocked*: “plain words decision 2”" in body
    closes = int((NOW + dt.timedelta(hours=30)).timestamp())
    token = f"<!date^{closes}^{{date_short_pretty}} at {{time}}|Sat 28 Nov 22:00 UTC>"
    assert f"“plain words proposal 0” — closes {token} (3 answered so far)" in body


def test_long_proposals_and_statements_are_cut() -> None:
    summary = make_summary(text="word " * 400, splits=1, proposals=1)
    body = texts(summary_blocks(summary))
    quotes = re.findall(r"“([^”]*)”", body)
    assert quotes and all(len(q) <= 280 for q in quotes)
    assert all(q.endswith("…") for q in quotes)


def test_empty_week_is_short_and_readable() -> None:
    summary = make_with(
        make_summary(statements=0, splits=0, blockers=0, proposals=0, wolves=0),
        alignment=WeekPoint(WEEK_START, None, None, 0),
        trend=(),
    )
    blocks = report(summary)
    check_message(blocks)
    body = texts(blocks)
    for said in (
        "No consensus statements yet.",
        "No splits this week.",
        "No decisions this week.",
        "No open proposals.",
        "No open blockers.",
        "No alignment scores this week.",
    ):
        assert said in body
    # The posted summary leaves the empty sections out: the title, who was heard, Details.
    short = summary_blocks(summary)
    check_message(short, summary_fallback(summary))
    assert [b["type"] for b in short] == ["header", "section", "actions"]
    assert not re.search(r"\bNo (splits|decisions|open|consensus|alignment)", texts(short))
    assert "Alignment" not in texts(short)


def test_the_dm_has_the_evidence_and_a_suggestion() -> None:
    summary = make_summary(text="R&D")
    wolf = summary.lone_wolves[0]
    for body in (texts(lone_wolf_dm_blocks(summary, wolf)), lone_wolf_dm_text(summary, wolf)):
        assert EVIDENCE in body
        assert "3 focus areas: R&amp;D" in body
        assert f"Pair with <@{PAIR}>" in body
        assert "“R&amp;D statement 0”" in body
        assert "`/direction` lets you vote again" in body
        assert "Nobody else sees these details" in body
        assert "signs that you might be working on your own" in body
    plain = lone_wolf_dm_text(summary, wolf, slack=False)
    assert "3 focus areas: R&D" in plain and "<@" not in plain and "`" not in plain


def test_the_views_apart_note_invites_the_members_view() -> None:
    summary = make_summary()
    apart = Signal("outlier_views", "your votes differ from every group in the pack")
    wolf = LoneWolf(wolf_id(0), wolf_name(0), (apart,))
    blocks = lone_wolf_dm_blocks(summary, wolf)
    check_message(blocks, lone_wolf_dm_text(summary, wolf))
    invitation = (
        "Your votes differ from every group in the pack, and nobody has heard why yet (no "
        "reason or thread reply from you in the last 14 days). Your view may be the one the "
        "pack is missing: add a one-line reason next time you vote ({}), or say it in a "
        "split's thread."
    )
    for body in (texts(blocks), lone_wolf_dm_text(summary, wolf)):
        assert "*Your view, not heard yet*: " + invitation.format("`/direction`") in body
        assert "sided with" not in body and "Views apart" not in body
        # Not told they work alone when the only sign is a view not heard yet.
        assert "noticed the pack may not have heard your view yet." in body
        assert "working on your own" not in body
    plain = lone_wolf_dm_text(summary, wolf, slack=False)
    assert "Your view, not heard yet: " + invitation.format("/direction") in plain


def test_the_dm_without_partner_or_split_still_suggests_something() -> None:
    summary = make_summary()
    wolf = LoneWolf(wolf_id(0), wolf_name(0), (Signal("silent", "missed 2 of the last 3"),))
    body = texts(lone_wolf_dm_blocks(summary, wolf))
    assert "missed 2 of the last 3" in body
    assert "<@" not in body
    assert "next check-in" in body
    bad = LoneWolf(wolf_id(0), wolf_name(0), (), pair_with="<!channel>")
    assert "<!channel>" not in texts(lone_wolf_dm_blocks(summary, bad))


def test_the_blocks_are_json() -> None:
    blocks = summary_blocks(make_summary(text=HUGE))
    # Plain JSON values only: a tuple, set or date would not come back equal (or not at all).
    assert json.loads(json.dumps(blocks)) == blocks
    assert blocks
    assert all(isinstance(block.get("type"), str) for block in blocks)


def test_who_was_heard_is_counted_among_the_members_a_check_in_reached() -> None:
    summary = make_summary()
    some = replace(summary.participation, heard_from=20, reached=25, expected=100, answered=80)
    body = texts(report(make_with(summary, participation=some)))
    assert (
        "Heard from 20 of the 25 members a check-in reached this week (30 in the pack) · "
        "80 of 100 expected check-ins answered (80%)"
    ) in body
    assert "heard from 20 of the 25 members" in summary_fallback(
        make_with(summary, participation=some)
    )
    none = replace(summary.participation, heard_from=0, reached=0, expected=0, answered=0)
    body = texts(report(make_with(summary, participation=none)))
    assert "No check-in reached anyone this week" in body
    assert "expected check-ins" not in body and "Heard from" not in body


def test_a_starting_pack_gets_a_short_escaped_note_and_no_figures() -> None:
    summary = make_with(
        make_summary(name=HUGE), starting=Starting(dt.date(2026, 11, 30), dt.date(2026, 12, 4))
    )
    blocks = summary_blocks(summary)
    check_message(blocks, summary_fallback(summary))
    (block,) = blocks
    assert block["type"] == "section" and block["text"]["text"].count("\n") == 1  # two lines
    body = texts(blocks)
    assert "*Wolfpack is set up for &lt;!channel&gt; &lt;@U123&gt;" in body
    assert "The first check-ins go out on Mon 30 Nov, and the first summary with figures " in body
    assert "comes next Friday 4 Dec." in body
    for text in (body, summary_fallback(summary)):
        assert not re.search(r"<[!@h]", text)
        assert not re.search(r"&(?!amp;|lt;|gt;)", text)
        assert "Heard from" not in text and "agree" not in text and "Weekly consensus" not in text
    assert summary_fallback(summary).startswith("Wolfpack is set up for &lt;!channel&gt;")
    plain = summary_text(make_with(summary, pack=replace(summary.pack, name="R&D <team>")))
    assert plain.startswith("Wolfpack is set up for R&D <team>: no check-in has reached")
    nobody = make_with(summary, starting=Starting(None, dt.date(2026, 12, 4)))
    assert "No member has a check-in coming up yet; the next summary comes Friday 4 Dec." in (
        texts(summary_blocks(nobody))
    )


def test_the_weeks_blocker_figures_open_the_blockers_part() -> None:
    from bot.core.blockers import BlockerFigures

    # The full report says so; the posted summary leaves the part out.
    quiet = texts(report(make_summary(blockers=0)))
    assert "No open blockers." in quiet and "raised" not in quiet
    assert "blocker" not in texts(summary_blocks(make_summary(blockers=0))).lower()
    figures = BlockerFigures(raised=3, helped=1, resolved=2, typically_open=dt.timedelta(days=2))
    busy = make_with(make_summary(blockers=2), blocker_figures=figures)
    body = texts(summary_blocks(busy))
    assert "3 blockers raised · 1 got help · 2 resolved · typically open 2 days" in body
    assert "blocker 1" in body  # still-open ones are listed after the figures
    one = BlockerFigures(raised=1)
    body = texts(summary_blocks(make_with(make_summary(blockers=0), blocker_figures=one)))
    assert "1 blocker raised\n" in body and "got help" not in body and "typically" not in body
    assert "None still open." in body
    settled = BlockerFigures(resolved=2, typically_open=dt.timedelta(days=1))
    body = texts(summary_blocks(make_with(make_summary(blockers=0), blocker_figures=settled)))
    assert "2 blockers resolved · typically open 1 day" in body and "raised" not in body
