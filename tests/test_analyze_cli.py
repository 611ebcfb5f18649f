"""`wolfpack analyze` as a person runs it: a real subprocess.

Pol.is data, The Computational Democracy Project, CC BY 4.0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.conftest import POLIS_DATA

POLIS = POLIS_DATA
KEYS = {
    "members",
    "statements",
    "statement_stats",
    "consensus",
    "groups",
    "representative",
    "outliers",
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


def analyze(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "analyze", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.usefixtures("polis_data")
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
    assert set(groups) == {"k", "silhouette", "assignments"}
    assert set(groups["assignments"].values()) == {0, 1}
    assert set(report["representative"]) == {"0", "1"}
    for picks in report["representative"].values():
        assert all(set(p) == {"id", "direction"} for p in picks)
        assert all(p["direction"] in {"agree", "disagree"} for p in picks)
    assert all(s["group_consensus"] is not None for s in report["statement_stats"])


@pytest.mark.usefixtures("polis_data")
def test_a_polis_folder_as_text_says_what_was_left_out() -> None:
    done = analyze(POLIS / "london.youth.policing", "--meta", ",".join(map(str, range(14))))
    assert done.returncode == 0, done.stderr
    assert "26 members voted on 36 statements" in done.stdout
    # 0, 2 and 3 were moderated out before anyone voted; 1 and 4–13 are the meta ones voted on.
    assert "11 statements left out of the map" in done.stdout
    consensus = [
        line for line in done.stdout.splitlines() if line.startswith(("Agreed", "Rejected"))
    ]
    assert len(consensus) == 2
    for line in consensus:
        ids = set(line.split(":", 1)[1].replace(" ", "").split(","))
        assert not ids & {str(i) for i in range(14)}


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
    done = analyze(path, "--k", "two")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--k" in done.stderr
    missing = analyze(tmp_path / "nope.csv")
    assert missing.returncode == 2
    assert len(missing.stderr.strip().splitlines()) == 1
