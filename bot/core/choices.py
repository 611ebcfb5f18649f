"""The setup form's searchable lists: IANA timezones, labelled with their offset from UTC at a
given moment, and the countries the holiday calendar knows, searched by name or code."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays.registry

from bot.core.packs import is_holiday_country, is_timezone, zone_names

# Slack shows at most 100 options in a select.
MAX_CHOICES = 100

# What an empty search offers: the zones and countries most teams pick.
COMMON_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Kyiv",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
COMMON_COUNTRIES = (
    "US",
    "GB",
    "DE",
    "FR",
    "ES",
    "IT",
    "NL",
    "PL",
    "UA",
    "CA",
    "MX",
    "BR",
    "AR",
    "NG",
    "KE",
    "ZA",
    "IN",
    "SG",
    "CN",
    "JP",
    "AU",
    "NZ",
)
# The regions of the IANA database's canonical names: these come before the old aliases
# (US/Eastern, EST5EDT, Etc/GMT+5) when both match.
_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
# Country names spelt better than the holiday calendar's module names give them.
_COUNTRY_NAMES = {
    "dr_congo": "DR Congo",
    "guinea_bissau": "Guinea-Bissau",
    "heard_island_and_mcdonald_islands": "Heard Island and McDonald Islands",
    "hongkong": "Hong Kong",
    "timor_leste": "Timor-Leste",
    "saint_helena_ascension_and_tristan_da_cunha": "Saint Helena, Ascension and Tristan da Cunha",
}
_SMALL_WORDS = frozenset({"and", "of", "the", "da"})


@dataclass(frozen=True)
class Choice:
    """One option of a searchable list: what is stored, and what the person reads."""

    value: str
    label: str


def utc_offset(name: str, at: dt.datetime) -> str:
    """`UTC+01:00`, `UTC−05:00` (a true minus sign): the zone's offset at that moment."""
    offset = at.astimezone(ZoneInfo(name)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def timezone_choice(name: str, at: dt.datetime) -> Choice:
    return Choice(name, f"{name} ({utc_offset(name, at)})")


def _words(text: str) -> list[str]:
    return text.lower().replace("/", " ").replace("_", " ").replace("-", " ").split()


def _rank(query: str, name: str, extra: Iterable[str] = ()) -> int | None:
    """0: the query is the name, its last part or one of `extra` (a country's code); 1: a word
    of the name starts with it; 2: the name contains it; None: no match. Spaces, `_`, `-` and
    `/` count alike, and case does not matter."""
    wanted = " ".join(_words(query))
    words = _words(name)
    spelt = " ".join(words)
    if not wanted:
        return 1
    exact = {spelt, *(e.lower() for e in extra)}
    last = name.rsplit("/", 1)[-1]
    exact.add(" ".join(_words(last)))
    if wanted in exact:
        return 0
    if any(" ".join(words[i:]).startswith(wanted) for i in range(len(words))):
        return 1
    if wanted in spelt:
        return 2
    return None


def search_timezones(query: str, at: dt.datetime, *, limit: int = MAX_CHOICES) -> list[Choice]:
    """Timezones whose name matches any part of `query` (`york`: America/New_York), exact and
    word-start matches first, canonical names before old aliases; an empty query gives the
    common ones."""
    if not query.strip():
        return [timezone_choice(n, at) for n in COMMON_TIMEZONES if is_timezone(n)][:limit]
    ranked: list[tuple[int, int, str]] = []
    for name in zone_names():
        rank = _rank(query, name)
        if rank is not None:
            alias = 0 if name == "UTC" or name.split("/", 1)[0] in _REGIONS else 1
            ranked.append((rank, alias, name))
    ranked.sort()
    return [timezone_choice(name, at) for _, _, name in ranked[:limit]]


@functools.cache
def holiday_countries() -> dict[str, str]:
    """Code -> name of every country the holiday calendar knows (two-letter codes)."""
    found: dict[str, str] = {}
    for module, entry in holidays.registry.COUNTRIES.items():
        code = str(entry[1])
        words = module.split("_")
        name = _COUNTRY_NAMES.get(module) or " ".join(
            w if i and w in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words)
        )
        if is_holiday_country(code):
            found[code] = name
    return dict(sorted(found.items(), key=lambda item: item[1]))


@functools.cache
def _alpha3() -> dict[str, str]:
    return {
        str(entry[1]): str(entry[2])
        for entry in holidays.registry.COUNTRIES.values()
        if len(entry) > 2
    }


def country_choice(code: str) -> Choice | None:
    name = holiday_countries().get(code)
    return None if name is None else Choice(code, f"{name} ({code})")


def search_countries(query: str, *, limit: int = MAX_CHOICES) -> list[Choice]:
    """Countries whose name or code matches `query` (`ger` or `DE`: Germany), exact and
    word-start matches first; an empty query gives the common ones."""
    countries = holiday_countries()
    if not query.strip():
        return [Choice(c, f"{countries[c]} ({c})") for c in COMMON_COUNTRIES if c in countries][
            :limit
        ]
    alpha3 = _alpha3()
    ranked: list[tuple[int, str, str]] = []
    for code, name in countries.items():
        rank = _rank(query, name, (code, alpha3.get(code, "")))
        if rank is not None:
            ranked.append((rank, name, code))
    ranked.sort()
    return [Choice(code, f"{name} ({code})") for _, name, code in ranked[:limit]]
