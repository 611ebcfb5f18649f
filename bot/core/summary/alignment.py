"""Alignment (SPEC §5, part 2): the pack's 1–5 scores week by week."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from bot.core.checkins import AnswerStatus
from bot.core.statements import K_ANONYMITY
from bot.core.summary.model import TREND_WEEKS, Week, WeekPoint


def alignment_trend(week: Week) -> tuple[WeekPoint, ...]:
    """The last TREND_WEEKS weeks ending this one, oldest first."""
    scores: dict[dt.date, list[int]] = defaultdict(list)
    for mine in week.answers.values():
        for day, answer in mine.items():
            if answer.status is AnswerStatus.ANSWERED and answer.alignment is not None:
                scores[day - dt.timedelta(days=day.weekday())].append(answer.alignment)
    weeks = [week.start - dt.timedelta(weeks=back) for back in range(TREND_WEEKS - 1, -1, -1)]
    return tuple(_week_point(w, scores.get(w, [])) for w in weeks)


def _week_point(week_start: dt.date, scores: list[int]) -> WeekPoint:
    # Fewer than three scores would let a reader work out one person's answer (SPEC §6).
    if len(scores) < K_ANONYMITY:
        return WeekPoint(week_start, None, None, len(scores))
    low, _, high = statistics.quantiles(scores, n=4, method="inclusive")
    return WeekPoint(
        week_start,
        statistics.fmean(scores),
        statistics.pstdev(scores),
        len(scores),
        low=low,
        high=high,
    )
