"""Red-team tests: every attack of tests/redteam.py graded by the command-line grader, with the OS
protections on and with --no-sandbox, in one run each, next to two honest students.

Each test asserts the attacker's score and that both honest students (graded first and last in the
same run) keep full marks. Where --no-sandbox changes the outcome, the test says what is then
possible: that is the documented threat model (assignments/README.md), not a wish.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import gentut
from gentut.grading.landlock import landlock_abi

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redteam  # noqa: E402

ROOT = str(Path(gentut.__file__).resolve().parent.parent)
REAL = str(Path(gentut.__file__).resolve().parent)
LANDLOCK = landlock_abi() >= 1
ZERO = {"q1": 0.0, "q2": 0.0, "q3": 0.0, "q4": 0.0}


def graded(tmp_path_factory, extra: list[str]) -> dict:
    folder = tmp_path_factory.mktemp("redteam")
    result = redteam.grade_attacks(folder, ROOT, ["--disk-mb", "32", *extra], real_gentut=REAL)
    details = json.loads((folder / "grades" / "scores.json").read_text())
    result["details"] = details
    result["feedback"] = {p.stem: p.read_text() for p in (folder / "grades" / "feedback").glob("*.md")}
    return result


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory):
    return graded(tmp_path_factory, [])


@pytest.fixture(scope="module")
def unsandboxed(tmp_path_factory):
    return graded(tmp_path_factory, ["--no-sandbox"])


@pytest.fixture(params=["sandboxed", "unsandboxed"])
def each(request):
    return request.param, request.getfixturevalue(request.param)


def scores(result: dict, student: str) -> dict[str, float]:
    row = dict(result["scores"][student])
    row.pop("total", None)
    return row


def notes(result: dict, student: str) -> str:
    return " | ".join(result["details"]["students"][student]["notes"])


def assert_honest_full_marks(result: dict) -> None:
    for student in ("aaa_honest", "zzz_honest"):
        assert scores(result, student) == redteam.FULL, (student, result["details"]["students"][student])


def test_honest_students_keep_full_marks(each):
    _, result = each
    assert_honest_full_marks(result)


@pytest.mark.parametrize("attack", ["forge_from_frames", "leak_hidden_by_raising", "import_reference",
                                    "import_reference_obfuscated", "import_reference_by_path", "peek_reference",
                                    "monkeypatch_allclose", "huge_answer"])
def test_cheating_earns_nothing(each, attack):
    _, result = each
    assert scores(result, attack) == ZERO, result["details"]["students"][attack]
    assert_honest_full_marks(result)


def test_hidden_checks_never_reach_feedback(each):
    _, result = each
    for student, text in result["feedback"].items():
        assert "must never reach a student" not in text and "reference_gap(real, fake)" not in text, student
    assert "RuntimeError: LEAKED:" in result["feedback"]["leak_hidden_by_raising"]     # the attack did run
    assert "SECRET-MESSAGE-q2" in result["feedback"]["monkeypatch_allclose"]     # a check's own message is shown


def test_a_named_reference_costs_its_question_with_a_note(each):
    _, result = each
    assert "answer q4 uses gentut.losses.wgan_critic_loss, the kit's own answer to q4" in notes(result, "import_reference")
    assert "cannot be used while grading" in result["feedback"]["import_reference_obfuscated"]


def test_the_real_reference_source_is_out_of_reach(each):
    mode, result = each
    if mode == "unsandboxed" or not LANDLOCK:     # documented: without Landlock the kit's source is readable
        assert scores(result, "read_reference_source") == {**ZERO, "q4": 3.0}
    else:
        assert scores(result, "read_reference_source") == ZERO
        assert "Permission denied" in result["feedback"]["read_reference_source"]


def test_no_network_of_any_kind(each):
    mode, result = each
    reached = {"udp", "tcp", "unix_socket", "other_sockets"}
    if mode == "sandboxed":
        assert result["received"] == set()
        for attack in reached:
            assert scores(result, attack) == redteam.FULL, attack
    else:                                         # documented: --no-sandbox leaves the network open
        assert result["received"] == {"udp", "tcp", "unix"}
        for attack in reached:
            assert scores(result, attack)["q1"] == 0, attack
    assert_honest_full_marks(result)


def test_the_graders_environment_is_out_of_sight(each):
    mode, result = each
    expected = redteam.FULL if mode == "sandboxed" else {**redteam.FULL, "q1": 0.0}
    assert scores(result, "reads_grader_environment") == expected


def test_a_submission_cannot_lose_the_batch_by_killing_the_grader(each):
    mode, result = each
    if mode == "sandboxed":
        assert result["returncodes"] == [0]
        assert scores(result, "kills_grader") == redteam.FULL
    else:                                         # the grader dies twice; the third run skips the killer
        assert result["returncodes"] == [-9, -9, 0]
        assert scores(result, "kills_grader") == ZERO
        assert "the grader stopped twice while grading this submission" in notes(result, "kills_grader")
    assert len(result["scores"]) == len(redteam.submissions(FAKE_CONTEXT)) + 2 + 5
    assert_honest_full_marks(result)


def test_no_process_outlives_its_submission(each):
    _, result = each
    assert result["daemons"] == []
    assert scores(result, "setsid_daemon") == redteam.FULL


def test_memory_is_a_budget_of_all_processes_together(each):
    _, result = each
    assert scores(result, "fork_memory") == {**redteam.FULL, "q3": 0.0, "q4": 0.0}
    assert "over the budget of 768 MB for a whole submission" in notes(result, "fork_memory")


def test_disk_is_a_budget_too(each):
    mode, result = each
    if mode == "sandboxed" and "disk: a 32 MB tmpfs" in result["details"]["protections"]:
        assert scores(result, "fills_disk") == redteam.FULL            # writing failed past 32 MB
    else:
        assert scores(result, "fills_disk")["q3"] == 0.0
        assert "more than 32 MB to disk" in notes(result, "fills_disk")


def test_magics_are_read_as_ipython_reads_them(each):
    _, result = each
    assert scores(result, "percent_continuation") == redteam.FULL
    assert "notebook magics" in notes(result, "percent_continuation")


def test_every_file_is_graded_or_listed_and_names_are_unique(each):
    _, result = each
    for name in ("_underscore", "Upper", "x%20y", "x%21y", "x_y"):
        assert scores(result, name) == redteam.FULL, name
    assert result["details"]["not_graded"] == {"notes.txt": "not a notebook (.ipynb or .py) or a folder holding one"}


def test_protections_are_reported(each):
    mode, result = each
    lines = result["details"]["protections"]
    assert any(line.startswith("limits per process") for line in lines)
    if mode == "unsandboxed":
        assert any("OS sandbox switched off" in line for line in lines)
    else:
        assert any(line.startswith("seccomp") for line in lines)
        assert any(line.startswith("Landlock") for line in lines) == LANDLOCK
    assert "## How your notebook was run" in result["feedback"]["aaa_honest"]


FAKE_CONTEXT = {"udp_port": 0, "tcp_port": 0, "unix_socket": "", "secret": "", "real_gentut": "/x", "marker": "",
                "grader_marker": ""}
