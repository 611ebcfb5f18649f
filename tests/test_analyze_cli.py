"""`wolfpack analyze` as a person runs it: a real subprocess.

Pol.is data, The Computational Democracy Project, CC BY 4.0.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic.warnings import UnsupportedFieldAttributeWarning
from sklearn.metrics import adjusted_rand_score

from bot.__main__ import main
from bot.polis import run_analyze
from tests.conftest import POLIS_DATA
from tests.core.analysis.test_polis_reference import (
    META,
    MIN_ARI,
    assert_same_picks,
    participants_votes,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UnsupportedFieldAttributeWarning)
    import pandas as pd
    from reddwarf.utils.consensus import select_consensus_statements
    from reddwarf.utils.stats import (
        calculate_comment_statistics,
        calculate_comment_statistics_dataframes,
        select_representative_statements,
    )

POLIS = POLIS_DATA
KEYS = {
    "members",
    "statements",
    "statement_stats",
    "consensus",
    "groups",
    "representative",
    "outliers",
    "common_ground",
}
STAT_KEYS = {
    "id",
    "agree",
    "disagree",
    "pass",
    "pa",
    "pat",
    "divisiveness",
    "consensus",
    "contested",
    "group_consensus",
}


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "bot", "analyze", *map(str, args)]


def analyze_process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`wolfpack analyze` in a process of its own: for what only a real process shows."""
    return subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def analyze(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`wolfpack analyze` through the command's entry point in this process, with what it
    writes on stdout and stderr (a process start costs seconds of imports per call)."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["analyze", *map(str, args)]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's own refusals
            code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def text_lists(report: str) -> dict[str, list[str]]:
    """The statement ids under each heading of the text report ("Contested:" and the lines
    indented below it, or "Contested: none")."""
    lists: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in report.splitlines():
        title, colon, rest = line.partition(":")
        if colon and not line.startswith(" ") and title in HEADINGS:
            current = lists.setdefault(title, [])
            assert rest.strip() in {"", "none"}, line
        elif line.startswith("  ") and current is not None:
            current.append(line.split()[0])
        else:
            current = None
    return lists


HEADINGS = {"Agreed by most", "Rejected by most", "Common ground", "Contested", "Many unsure"}


def test_a_polis_folder_as_json() -> None:
    done = analyze(POLIS / "brexit-consensus", "--format", "json", "--k", "2")
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.strip().splitlines()
    report = json.loads(line)
    assert set(report) == KEYS
    assert report["members"] == 204
    assert report["statements"] == 50
    assert len(report["statement_stats"]) == 50
    assert all(set(s) == STAT_KEYS for s in report["statement_stats"])
    assert all(isinstance(s["id"], str) for s in report["statement_stats"])
    assert set(report["consensus"]) == {"agree", "disagree"}
    assert 1 <= len(report["consensus"]["agree"]) <= 5
    groups = report["groups"]
    assert groups["k"] == 2
    assert set(groups) == {"k", "silhouette", "stability", "assignments"}
    assert set(groups["assignments"].values()) == {0, 1}
    assert set(report["representative"]) == {"0", "1"}
    for picks in report["representative"].values():
        assert all(set(p) == {"id", "direction"} for p in picks)
        assert all(p["direction"] in {"agree", "disagree"} for p in picks)
    assert all(s["group_consensus"] is not None for s in report["statement_stats"])
    common = report["common_ground"]
    assert {c["id"] for c in common} == {s["id"] for s in report["statement_stats"]}
    for c in common:
        assert set(c) == {"id", "score", "low", "high", "status"}
        assert 0 <= c["low"] <= c["score"] <= c["high"] <= 1
        assert c["status"] in {"common_ground", "needs_more_votes", "not_common"}


def test_a_polis_folder_as_text_says_what_was_left_out() -> None:
    done = analyze(POLIS / "london.youth.policing", "--meta", ",".join(map(str, range(14))))
    assert done.returncode == 0, done.stderr
    assert "26 members voted on 36 statements" in done.stdout
    # 0, 2 and 3 were moderated out before anyone voted; 1 and 4–13 are the meta ones voted on.
    assert "11 statements left out of the map" in done.stdout
    listed = text_lists(done.stdout)
    assert listed["Agreed by most"] and "Rejected by most" in listed
    for title in ("Agreed by most", "Rejected by most"):
        assert not set(listed[title]) & {str(i) for i in range(14)}


def test_a_member_statement_vote_csv(tmp_path: Path) -> None:
    lines = ["member,statement,vote"]
    for i in range(6):
        for j in range(10):
            lines.append(f"a{i},s{j},{1 if j % 2 else -1}")
            lines.append(f"b{i},s{j},{-1 if j % 2 else 1}")
    lines.append("a0,s0,1")  # a later vote replaces the earlier one
    path = tmp_path / "votes.csv"
    path.write_text("\n".join(lines) + "\n")
    done = analyze(path, "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == KEYS
    assert report["members"] == 12
    assert report["statements"] == 10
    s0 = next(s for s in report["statement_stats"] if s["id"] == "s0")
    assert (s0["agree"], s0["disagree"], s0["pass"]) == (7, 5, 0)
    assert report["groups"] is not None
    a_group = {report["groups"]["assignments"][f"a{i}"] for i in range(1, 6)}
    b_group = {report["groups"]["assignments"][f"b{i}"] for i in range(6)}
    assert len(a_group) == 1 and len(b_group) == 1 and a_group != b_group
    text = analyze(path)
    assert text.returncode == 0
    assert "Groups: 2" in text.stdout


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        (None, (), "no such file"),
        ("who,what,vote\na,b,1\n", (), "missing column"),
        ("member,statement,vote\na,b,2\n", (), "not 1, -1 or 0"),
        ("member,statement,vote\na,b,yes\n", (), "not 1, -1 or 0"),
        ("member,statement,vote\na,b,1\n", ("--k", "1"), "--k"),
        ("member,statement,vote\na,b,1\n", ("--k", "3"), "groups"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    args: tuple[str, ...],
    needle: str,
) -> None:
    path = tmp_path / "votes.csv"
    if content is not None:
        path.write_text(content)
    assert main(["analyze", str(path), *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.strip().splitlines()
    assert needle in line


def test_bad_input_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text("member,statement,vote\na,b,1\n")
    done = analyze_process(path, "--k", "two")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--k" in done.stderr
    missing = analyze_process(tmp_path / "nope.csv")
    assert missing.returncode == 2
    assert len(missing.stderr.strip().splitlines()) == 1


def polis_reference(name: str) -> tuple[Any, dict[str, int], list[int]]:
    """Pol.is' own matrix (participants-votes.csv, not our reader), its group-id, and the
    statements to leave out (moderated in comments.csv, or meta)."""
    members, statements, values = participants_votes(name)
    frame = pd.DataFrame(
        values,
        index=pd.Index(members, name="participant_id"),
        columns=pd.Index([int(s) for s in statements], name="statement_id"),
    )
    groups: dict[str, int] = {}
    with (POLIS / name / "participants-votes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["group-id"]:
                groups[row["participant"]] = int(row["group-id"])
    with (POLIS / name / "comments.csv").open(encoding="utf-8") as handle:
        moderated = {int(r["comment-id"]) for r in csv.DictReader(handle) if r["moderated"] == "-1"}
    left_out = sorted((moderated | {int(i) for i in META.get(name, ())}) & set(frame.columns))
    return frame, groups, left_out


def check_report_against_red_dwarf(
    report: dict[str, Any], frame: Any, assignments: dict[str, int], left_out: list[int]
) -> None:
    ns, nv, p, _, ptest, _, _ = calculate_comment_statistics(frame)
    stats = report["statement_stats"]
    assert [s["id"] for s in stats] == [str(c) for c in frame.columns]
    assert [s["agree"] for s in stats] == nv[0, 0].tolist()
    assert [s["disagree"] for s in stats] == nv[1, 0].tolist()
    assert [s["agree"] + s["disagree"] + s["pass"] for s in stats] == ns[0].tolist()
    np.testing.assert_allclose([s["pa"] for s in stats], p[0, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose([s["pat"] for s in stats], ptest[0, 0], rtol=0, atol=1e-9)
    consensus = select_consensus_statements(frame, mod_out_statement_ids=left_out)
    agree_metric = {str(c): float(p[0, 0][j] * ptest[0, 0][j]) for j, c in enumerate(frame.columns)}
    disagree_metric = {
        str(c): float(p[1, 0][j] * ptest[1, 0][j]) for j, c in enumerate(frame.columns)
    }
    for side, metric in (("agree", agree_metric), ("disagree", disagree_metric)):
        shown = {i: v for i, v in metric.items() if int(i) not in left_out}
        theirs = [str(s["tid"]) for s in consensus[side]]
        assert_same_picks(report["consensus"][side], theirs, shown)

    members = list(assignments)
    grouped, gac = calculate_comment_statistics_dataframes(
        frame.loc[members], [assignments[m] for m in members]
    )
    np.testing.assert_allclose(
        [s["group_consensus"] for s in stats],
        gac["group-aware-consensus-agree"].to_numpy(),
        rtol=0,
        atol=1e-9,
    )
    chosen = select_representative_statements(grouped, mod_out_statement_ids=left_out)
    assert set(report["representative"]) == {str(g) for g in chosen}
    for g, picks in chosen.items():
        table = grouped.xs(g, level="group_id")
        agree = table["ra"] * table["rat"] * table["pa"] * table["pat"]
        disagree = table["rd"] * table["rdt"] * table["pd"] * table["pdt"]
        metric = {
            str(c): float(agree[c] if table["rat"][c] > table["rdt"][c] else disagree[c])
            for c in table.index
            if c not in left_out
        }
        ours = report["representative"][str(g)]
        assert [r["direction"] for r in ours] == [pick["repful-for"] for pick in picks]
        assert_same_picks([r["id"] for r in ours], [str(pick["tid"]) for pick in picks], metric)


def test_polis_conversations_through_the_command_match_polis_and_red_dwarf() -> None:
    """All four conversations through the command: our own groups with Pol.is' k agree with
    Pol.is' group-id, and every figure the report carries equals red-dwarf's computed for the
    groups the report gives."""
    for name in MIN_ARI:
        frame, polis_groups, left_out = polis_reference(name)
        k = len(set(polis_groups.values()))
        extra = ["--meta", ",".join(META[name])] if name in META else []
        done = analyze(POLIS / name, "--format", "json", "--k", str(k), *extra)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assignments = report["groups"]["assignments"]
        common = [p for p in polis_groups if p in assignments]
        assert len(common) >= 0.9 * len(polis_groups)
        score = adjusted_rand_score(
            [polis_groups[p] for p in common], [assignments[p] for p in common]
        )
        assert score >= MIN_ARI[name], name
        check_report_against_red_dwarf(report, frame, assignments, left_out)


@pytest.mark.parametrize(
    "name", ["london.youth.policing", "brexit-consensus", "15-per-hour-seattle"]
)
def test_given_polis_groups_through_the_command(name: str) -> None:
    """The command's entry point with Pol.is' own groups fed in from participants-votes.csv."""
    out, err = io.StringIO(), io.StringIO()
    meta = ",".join(META[name]) if name in META else None
    groups = POLIS / name / "participants-votes.csv"
    assert run_analyze(POLIS / name, None, meta, "json", out, err, groups=groups) == 0, err
    report = json.loads(out.getvalue())
    frame, polis_groups, left_out = polis_reference(name)
    assert report["groups"]["assignments"] == polis_groups
    assert report["outliers"] == []
    check_report_against_red_dwarf(report, frame, polis_groups, left_out)


@pytest.mark.parametrize(
    ("groups", "k", "needle"),
    [
        ("member,group\nghost,1\n", None, "unknown member"),
        ("member,group\na,\n", None, "no member has a group"),
        ("who,which\na,1\n", None, "missing column"),
        ("member,group\na,1\n", 2, "not both"),
    ],
)
def test_bad_given_groups_exit_2_with_one_line(
    tmp_path: Path, groups: str, k: int | None, needle: str
) -> None:
    votes = tmp_path / "votes.csv"
    votes.write_text("member,statement,vote\na,s,1\nb,s,-1\n")
    given = tmp_path / "groups.csv"
    given.write_text(groups)
    out, err = io.StringIO(), io.StringIO()
    assert run_analyze(votes, k, None, "json", out, err, groups=given) == 2
    assert out.getvalue() == ""
    (line,) = err.getvalue().strip().splitlines()
    assert needle in line


def test_given_groups_replace_the_clustering(polis_data: Path) -> None:
    folder = polis_data / "15-per-hour-seattle"
    done = analyze(folder, "--format", "json", "--groups", str(folder / "participants-votes.csv"))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["groups"] is not None
    assert set(report["groups"]["assignments"].values()) == {0, 1}
    bad = analyze(folder, "--groups", str(folder / "nope.csv"))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
