"""Reading votes from a Pol.is export folder or a member,statement,vote CSV, and the
`wolfpack analyze` command built on them."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.core.analysis import (
    AnalysisError,
    Groups,
    Vote,
    VoteMatrix,
    analyze,
    as_json,
    build_matrix,
)
from bot.core.analysis.matrix import VOTE_VALUES

POLIS_VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
POLIS_COMMENT_COLUMNS = ("comment-id", "moderated")
POLIS_TEXT_COLUMN = "comment-body"
PLAIN_TEXT_COLUMN = "statement_text"
PLAIN_COLUMNS = ("member", "statement", "vote")
POLIS_GROUP_COLUMNS = ("participant", "group-id")
PLAIN_GROUP_COLUMNS = ("member", "group")
MODERATED_OUT = -1


class PolisInputError(ValueError):
    """Input that cannot be read, worded as one line for the person who gave it."""


def _parse_vote(text: str, where: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise PolisInputError(f"{where}: vote {text!r} is not 1, -1 or 0") from None
    if value not in VOTE_VALUES:
        raise PolisInputError(f"{where}: vote {text!r} is not 1, -1 or 0")
    return value


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            missing = [c for c in required if c not in header]
            if missing:
                raise PolisInputError(
                    f"{path}: missing column(s) {', '.join(missing)} "
                    f"(expected {', '.join(required)})"
                )
            return list(reader)
    except OSError as error:
        raise PolisInputError(f"{path}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise PolisInputError(f"{path}: not a readable CSV file ({error})") from None


def _numeric_order(ids: Iterable[str]) -> list[str]:
    unique = list(dict.fromkeys(ids))
    if all(i.lstrip("-").isdigit() for i in unique):
        return sorted(unique, key=int)
    return unique


def _add_text(texts: dict[str, str], statement: str, text: str | None) -> None:
    """The first non-empty text of a statement is kept."""
    if text and text.strip() and statement not in texts:
        texts[statement] = text.strip()


def read_polis_folder(folder: Path, meta: Iterable[str] = ()) -> VoteMatrix:
    """A Pol.is export: votes.csv (a vote history) and, if present, comments.csv for moderation."""
    return _read_polis_folder(folder, meta)[0]


def _read_polis_folder(folder: Path, meta: Iterable[str]) -> tuple[VoteMatrix, dict[str, str]]:
    rows = _rows(folder / "votes.csv", POLIS_VOTE_COLUMNS)
    timed = []
    for n, row in enumerate(rows, start=2):
        where = f"{folder / 'votes.csv'} line {n}"
        try:
            stamp = float(row["timestamp"])
        except ValueError:
            raise PolisInputError(
                f"{where}: timestamp {row['timestamp']!r} is not a number"
            ) from None
        vote = Vote(
            row["voter-id"].strip(), row["comment-id"].strip(), _parse_vote(row["vote"], where)
        )
        timed.append((stamp, n, vote))
    timed.sort(key=lambda item: (item[0], item[1]))
    hidden: set[str] = set()
    texts: dict[str, str] = {}
    comments = folder / "comments.csv"
    if comments.exists():
        for row in _rows(comments, POLIS_COMMENT_COLUMNS):
            statement = row["comment-id"].strip()
            if row["moderated"].strip() == str(MODERATED_OUT):
                hidden.add(statement)
            _add_text(texts, statement, row.get(POLIS_TEXT_COLUMN))
    votes = [vote for _, _, vote in timed]
    matrix = build_matrix(
        votes,
        hidden=hidden,
        meta=meta,
        statements=_numeric_order(v.statement for v in votes),
    )
    return matrix, texts


def read_vote_csv(path: Path, meta: Iterable[str] = ()) -> VoteMatrix:
    """Rows of member,statement,vote in the order they were cast."""
    return _read_vote_csv(path, meta)[0]


def _read_vote_csv(path: Path, meta: Iterable[str]) -> tuple[VoteMatrix, dict[str, str]]:
    votes = []
    texts: dict[str, str] = {}
    for n, row in enumerate(_rows(path, PLAIN_COLUMNS), start=2):
        where = f"{path} line {n}"
        member, statement = (row["member"] or "").strip(), (row["statement"] or "").strip()
        if not member or not statement:
            raise PolisInputError(f"{where}: member and statement must not be empty")
        votes.append(Vote(member, statement, _parse_vote(row["vote"] or "", where)))
        _add_text(texts, statement, row.get(PLAIN_TEXT_COLUMN))
    return build_matrix(votes, meta=meta), texts


def read_votes(path: Path, meta: Iterable[str] = ()) -> tuple[VoteMatrix, dict[str, str]]:
    """The vote matrix and the statements' texts by id (from comments.csv' comment-body in a
    Pol.is folder, from an optional statement_text column in a CSV; ids without text are
    absent)."""
    if path.is_dir():
        return _read_polis_folder(path, meta)
    if path.is_file():
        return _read_vote_csv(path, meta)
    raise PolisInputError(f"{path}: no such file or folder")


def read_groups(path: Path) -> Groups:
    """Group assignments from Pol.is' participants-votes.csv (participant, group-id; members
    Pol.is did not place have no group-id) or a CSV with columns member,group."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = tuple(next(csv.reader(handle), ()))
    except OSError as error:
        raise PolisInputError(f"{path}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise PolisInputError(f"{path}: not a readable CSV file ({error})") from None
    member_column, group_column = (
        POLIS_GROUP_COLUMNS if set(POLIS_GROUP_COLUMNS) <= set(header) else PLAIN_GROUP_COLUMNS
    )
    assignments: dict[str, int | str] = {}
    for row in _rows(path, (member_column, group_column)):
        member, group = (row[member_column] or "").strip(), (row[group_column] or "").strip()
        if member and group:
            assignments[member] = int(group) if group.lstrip("-").isdigit() else group
    if not assignments:
        raise PolisInputError(f"{path}: no member has a group")
    return Groups.given(assignments)


def parse_meta(text: str | None) -> list[str]:
    """Comma-separated ids; an empty --meta (or only commas) names no meta statement."""
    if not text:
        return []
    return [item.strip() for item in text.split(",") if item.strip()]


def _id_range(ids: tuple[str, ...]) -> str:
    """A short reminder of the ids there are: the first and last few."""
    if len(ids) <= 6:
        return ", ".join(ids)
    return f"{', '.join(ids[:3])} … {', '.join(ids[-3:])}"


def run_analyze(
    path: Path,
    k: int | None,
    meta: str | None,
    fmt: str,
    stdout: TextIO,
    stderr: TextIO,
    groups: Path | None = None,
) -> int:
    """`wolfpack analyze`: 0 on success, 2 with one line on stderr for bad input.

    `groups` names a file of given group assignments (see `read_groups`) to use instead of
    the clustering. Every --meta id must name a statement of the votes (or, in a Pol.is
    folder, of comments.csv); --k must leave each group two of the members placed on the map.
    """
    from bot.core.analysis import render_text

    try:
        if k is not None and k < 2:
            raise PolisInputError(f"--k {k}: the number of groups must be at least 2")
        meta_ids = parse_meta(meta)
        matrix, texts = read_votes(path, meta_ids)
        if not matrix.members:
            raise PolisInputError(f"{path}: no votes")
        known = set(matrix.statements) | set(texts)
        unknown = [m for m in dict.fromkeys(meta_ids) if m not in known]
        if unknown:
            raise PolisInputError(
                f"--meta: no statement {', '.join(unknown)} in {path} "
                f"(its statements are {_id_range(matrix.statements)})"
            )
        given = None if groups is None else read_groups(groups)
        if given is not None and k is not None:
            raise PolisInputError("give either --k or the groups, not both")
        result = analyze(matrix, k=k, groups=given)
    except AnalysisError as error:
        # With --k, what the analysis cannot do is form that many groups.
        where = "" if k is None else f"--k {k}: "
        print(f"wolfpack analyze: {where}{error}", file=stderr)
        return 2
    except PolisInputError as error:
        print(f"wolfpack analyze: {error}", file=stderr)
        return 2
    if fmt == "json":
        stdout.write(json.dumps(as_json(result)) + "\n")
    else:
        stdout.write(render_text(result, texts))
    return 0
