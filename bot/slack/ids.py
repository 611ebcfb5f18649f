"""Every action_id, block_id and callback_id the bot uses, in one place."""

from __future__ import annotations

import enum


class View(enum.StrEnum):
    SPLIT_PROPOSAL = "split_proposal"
    SETUP = "wolfpack_setup"
    CHECKIN = "checkin"
    AWAY = "away"
    DIRECTION = "direction"
    DIRECTION_STEP = "direction_step"
    PROPOSAL_REASON = "proposal_reason"
    NOTICE = "notice"
    PROPOSAL_ANSWER = "proposal_answer"
    PROPOSAL_REVISION = "proposal_revision"


class Action(enum.StrEnum):
    CHECKIN_OPEN = "checkin_open"
    CHECKIN_EDIT = "checkin_edit"
    DIRECTION_STEP = "direction_step"
    PROMPT_SKIP = "prompt_skip"
    PROMPT_AWAY = "prompt_away"
    SPLIT_DISCUSS = "split_discuss"
    SPLIT_PROPOSE = "split_propose"
    SPLIT_DRAFT = "split_draft"
    PROPOSAL_RESPOND = "proposal_respond"
    PROPOSAL_REVISE = "proposal_revise"
    HOME_VOTE = "home_vote"
    HOME_ANSWER = "home_answer"
    FORGET_CONFIRM = "forget_me_confirm"
    FORGET_CANCEL = "forget_me_cancel"
    SUMMARY_DETAILS = "summary_details"
    BLOCKER_RESOLVE = "blocker_resolve"
    BLOCKER_ASK = "blocker_ask"
    BLOCKER_HELP = "blocker_help"
    SETUP_MORE = "setup_more"


class AwayField(enum.StrEnum):
    START = "away_start"
    END = "away_end"


class SetupField(enum.StrEnum):
    MEMBERS = "members"
    ADMINS = "admins"
    DAYS = "checkin_days"
    TIME = "checkin_time"
    TZ_MODE = "timezone_mode"
    TIMEZONE = "timezone"
    REMINDER = "reminder"
    SUMMARY_DAY = "summary_day"
    SUMMARY_TIME = "summary_time"
    VOTES = "votes"
    LONE_WOLVES = "lone_wolves"
    LATE_LIMIT = "late_limit"
    HOLIDAY_COUNTRY = "holiday_country"
    HOLIDAY_DATES = "holiday_dates"
    SPLIT = "split_sensitivity"
    Q_PROGRESS = "q_progress"
    Q_FOCUS = "q_focus"
    Q_BLOCKERS = "q_blockers"
    Q_EXTRA = "q_extra"
    Q_OPTIONS = "q_options"


QUESTION_BLOCK_PREFIX = "q:"

# The blocks of a blocker's follow-up in a direct message: replaced by a note once answered.
BLOCKER_BLOCK_PREFIX = "blocker:"
