"""`wolfpack analyze` text report for people, and the checks of its arguments.

Pol.is data, The Computational Democracy Project, CC BY 4.0.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest

from bot.polis import run_analyze
from tests.test_analyze_cli import KEYS, POLIS, analyze, text_lists


def polis_texts(name: str) -> dict[str, str]:
    with (POLIS / name / "comments.csv").open(encoding="utf-8") as handle:
        return {r["comment-id"]: r["comment-body"] for r in csv.DictReader(handle)}


def test_the_text_report_shows_each_statement_with_its_text() -> None:
    done = analyze(POLIS / "15-per-hour-seattle", "--k", "2")
    assert done.returncode == 0, done.stderr
    texts = polis_texts("15-per-hour-seattle")
    lines = done.stdout.splitlines()
    # Statement 26 is rejected by most; its text is short enough to be shown whole.
    assert f'  26  "{texts["26"]}"' in lines
    statement_lines = [line for line in lines if line.startswith("  ") and '"' in line]
    assert statement_lines
    for line in statement_lines:
        shown = line.split('"', 1)[1].rsplit('"', 1)[0]
        assert len(shown) <= 80
        statement = line.split()[0]
        whole = " ".join(texts[statement].split())
        assert shown == whole or (shown.endswith("…") and whole.startswith(shown[:-1]))
    # Representative statements carry their direction after the text.
    stands_out = lines.index("    stands out on:")
    assert lines[stands_out + 1].startswith("      ")
    assert lines[stands_out + 1].endswith(("(agree)", "(disagree)"))


def test_the_text_report_lists_common_ground_with_scores() -> None:
    """15-per-hour-seattle: statements 45, 12 and 11 are agreed by most, but by one side of
    its opinion axis far more than the other; 1 and 4 are agreed across it."""
    done = analyze(POLIS / "15-per-hour-seattle")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    listed = text_lists(done.stdout)
    assert listed["Common ground"] == ["1", "4"]
    assert not {"45", "12", "11"} & set(listed["Common ground"])
    assert {"45", "12", "11"} <= set(listed["Agreed by most"])
    start = lines.index("Common ground:")
    assert lines.index("Rejected by most:") < start < lines.index("Contested:")
    assert lines[start + 1].endswith(")") and "–" in lines[start + 1]
    assert lines[start + 3] == "8 statements need more votes."
    report = json.loads(analyze(POLIS / "15-per-hour-seattle", "--format", "json").stdout)
    ranked = [c["id"] for c in report["common_ground"] if c["status"] == "common_ground"]
    assert ranked == listed["Common ground"]


def test_texts_from_a_csv_column_first_non_empty_wins(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    rows = ["member,statement,vote,statement_text"]
    for i in range(6):
        rows.append(f"m{i},a,1,{'' if i == 0 else 'We should meet on Mondays'}")
        rows.append(f'm{i},b,-1,"Long\nmeetings {i}"')
        rows.append(f"m{i},c,{1 if i % 2 else -1},")
    path.write_text("\n".join(rows) + "\n")
    done = analyze(path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert '  a  "We should meet on Mondays"' in lines
    assert '  b  "Long meetings 0"' in lines
    # Nobody wrote out statement c: its id alone.
    assert "  c" in lines
    assert text_lists(done.stdout)["Contested"] == ["c"]


def test_json_is_the_same_with_or_without_texts(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    texted = tmp_path / "texted.csv"
    rows = [f"m{i},s{j},{1 if (i + j) % 3 else -1}" for i in range(9) for j in range(8)]
    plain.write_text("member,statement,vote\n" + "\n".join(rows) + "\n")
    texted.write_text(
        "member,statement,vote,statement_text\n"
        + "\n".join(f"{row},Text of {row.split(',')[1]}" for row in rows)
        + "\n"
    )
    reports = []
    for path in (plain, texted):
        done = analyze(path, "--format", "json")
        assert done.returncode == 0, done.stderr
        reports.append(json.loads(done.stdout))
    assert set(reports[1]) == KEYS
    assert reports[0] == reports[1]


def test_no_statement_is_in_two_opposite_lists() -> None:
    """Statements 2 and 48 of 15-per-hour-seattle are agreed by most, by a significant
    majority, though about a third of those decided disagree: agreed by most, not contested."""
    done = analyze(POLIS / "15-per-hour-seattle")
    assert done.returncode == 0, done.stderr
    listed = text_lists(done.stdout)
    agree, disagree = set(listed["Agreed by most"]), set(listed["Rejected by most"])
    contested = set(listed["Contested"])
    assert {"2", "48"} <= agree
    assert not agree & contested
    assert not disagree & contested
    assert not agree & disagree
    report = json.loads(analyze(POLIS / "15-per-hour-seattle", "--format", "json").stdout)
    # The JSON still says that their votes split.
    flags = {s["id"]: s["contested"] for s in report["statement_stats"]}
    assert flags["2"] and flags["48"]
    assert set(report["consensus"]["agree"]) == agree


def test_long_member_lists_are_cut_with_a_count() -> None:
    done = analyze(POLIS / "vtaiwan.uberx", "--k", "3")
    assert done.returncode == 0, done.stderr
    group_lines = [line for line in done.stdout.splitlines() if line.startswith("  Group ")]
    assert len(group_lines) == 3
    for line in group_lines:
        size = int(line.split(":")[1].split()[0])
        members = line.split("members: ", 1)[1]
        if size > 10:
            shown, more = members.split(" … and ")
            assert len(shown.split(", ")) == 10
            assert more == f"{size - 10} more"
        else:
            assert len(members.split(", ")) == size


def test_many_outliers_are_cut_with_a_count(tmp_path: Path) -> None:
    # Thirteen members who vote alike and eleven who each vote their own way: asked for twelve
    # groups, the eleven stand alone.
    path = tmp_path / "votes.csv"
    rows = ["member,statement,vote"]
    for i in range(13):
        rows += [f"c{i:02},s{j:02},1" for j in range(12)]
    own_way = random.Random(1)
    for i in range(11):
        rows += [f"o{i:02},s{j:02},{own_way.choice((1, -1, 0))}" for j in range(12)]
    path.write_text("\n".join(rows) + "\n")
    done = analyze(path, "--k", "12")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "Groups: 1 (asked for 12; 11 members stood alone and are listed as outliers;" in (
        done.stdout
    )
    shown = ", ".join(f"o{i:02}" for i in range(10))
    assert f"Outliers: {shown} … and 1 more" in lines
    crowd = ", ".join(f"c{i:02}" for i in range(10))
    assert f"  Group 1: 13 members: {crowd} … and 3 more" in lines


FIVE_MEMBERS = {
    # Four who vote alike and one who votes against them on everything.
    "m1": [1, 1, 1, -1, -1, 1, 1, 1],
    "m2": [1, 1, 1, -1, -1, 1, 1, 1],
    "m3": [1, 1, 1, -1, -1, 1, 0, 1],
    "m4": [1, 1, 1, -1, -1, 1, 1, 0],
    "m5": [-1, -1, -1, 1, 1, -1, -1, -1],
}


def five_members(tmp_path: Path) -> Path:
    path = tmp_path / "five.csv"
    rows = ["member,statement,vote"]
    for member, votes in FIVE_MEMBERS.items():
        rows += [f"{member},s{j},{vote}" for j, vote in enumerate(votes)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_fewer_groups_than_asked_are_said_so(tmp_path: Path) -> None:
    done = analyze(five_members(tmp_path), "--k", "2")
    assert done.returncode == 0, done.stderr
    assert (
        "Groups: 1 (asked for 2; 1 member stood alone and is listed as an outlier; "
        "silhouette on full votes n/a)." in done.stdout.splitlines()
    )
    assert "Outliers: m5" in done.stdout.splitlines()


@pytest.mark.parametrize("k", ["3", "6"])
def test_more_groups_than_members_can_make_exits_2(tmp_path: Path, k: str) -> None:
    done = analyze(five_members(tmp_path), "--k", k)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"wolfpack analyze: --k {k}: 5 members placed on the map")


def test_unknown_meta_ids_exit_2_naming_them(tmp_path: Path) -> None:
    done = analyze(five_members(tmp_path), "--meta", "s1,foo,bar,foo")
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("wolfpack analyze: --meta: no statement foo, bar in ")
    polis = analyze(POLIS / "15-per-hour-seattle", "--meta", "1,999")
    assert polis.returncode == 2
    assert "no statement 999 " in polis.stderr


@pytest.mark.parametrize("meta", ["", ","])
def test_an_empty_meta_names_no_statement(tmp_path: Path, meta: str) -> None:
    path = five_members(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert run_analyze(path, None, meta, "json", out, err) == 0, err.getvalue()
    plain = io.StringIO()
    assert run_analyze(path, None, None, "json", plain, err) == 0
    assert out.getvalue() == plain.getvalue()


def test_meta_statements_are_listed_as_neither_contested_nor_unsure() -> None:
    """London's statements 0 to 13 ask who voted (age, gender, ethnicity): their answers split,
    but they say nothing about what the group thinks."""
    meta = [str(n) for n in range(14)]
    done = analyze(POLIS / "london.youth.policing", "--meta", ",".join(meta))
    assert done.returncode == 0, done.stderr
    listed = text_lists(done.stdout)
    assert listed["Contested"]
    assert not set(meta) & {*listed["Contested"], *listed["Many unsure"]}
    without = text_lists(analyze(POLIS / "london.youth.policing").stdout)
    assert set(meta) & set(without["Contested"])  # the same statements, not called meta
