"""``faqbot claim``: text and JSON output, exit codes 0/1/2, standard input, bad input; replay of claims."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from faqbot.cli import main

CLAIMS = Path(__file__).resolve().parents[1] / "transcripts" / "claims"
PLANTED = CLAIMS / "imrt-2026-planted-errors.txt"
CLEAN = CLAIMS / "clean-3d-course-2026.csv"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_leads_with_the_summary_then_problems_warnings_and_lines(capsys):
    code, out, _ = run(capsys, "claim", str(PLANTED))
    assert code == 1  # problems
    first = out.splitlines()[0]
    assert first == "7 problems, 4 warnings, 57 lines checked, 1 unreadable"
    assert out.index("\nProblems\n") < out.index("\nWarnings\n") < out.index("\nLines\n")
    assert "clinical-planning-one-level-per-course" in out and "source: [" in out
    assert "code pairs with no rule known (listed with --verbose)" in out
    assert "line 59: not a real date" in out


def test_verbose_lists_the_pairs_with_no_rule_known(capsys):
    _, out, _ = run(capsys, "claim", str(PLANTED), "--verbose")
    assert "No rule known (check the current NCCI edits" in out


def test_json_output_and_exit_0_for_a_clean_course(capsys):
    code, out, _ = run(capsys, "claim", str(CLEAN), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["summary"] == {"problems": 0, "warnings": 1, "lines": 41, "unreadable": 0, "no_rule_known": 8}
    assert data["setting"] == "practitioner" and data["fractions"] == 15
    assert data["lines"][0] == {
        "line": 2,
        "dos": "2026-02-02",
        "code": "77263",
        "modifiers": [],
        "units": 1,
        "pos": "11",
        "setting": "practitioner",
        "course": "",
        "status": "ok",
    }


def test_standard_input_and_options(capsys, monkeypatch):
    text = "2026-03-06 77427 x4\n2026-03-06 77336 x4\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out, _ = run(capsys, "claim", "-", "--fractions", "20", "--setting", "hospital", "--course", "C1", "--json")
    data = json.loads(out)
    assert code == 0 and data["fractions"] == 20 and data["setting"] == "hospital"
    assert {line["course"] for line in data["lines"]} == {"C1"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["claim", "/no/such/claim.csv"], "cannot read"),
        (["claim", str(CLEAN), "--fractions", "0"], "--fractions"),
        (["claim", str(CLEAN), "--setting", "payer"], "--setting"),
        (["claim"], "FILE"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_file_with_no_readable_line_exits_2(capsys, tmp_path):
    path = tmp_path / "junk.txt"
    path.write_text("hello\nworld\n")
    code, _, err = run(capsys, "claim", str(path))
    assert code == 2 and "no claim line could be read" in err and "line 1" in err


def test_claim_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    run(capsys, "claim", str(PLANTED), "--json")
    assert not list(tmp_path.iterdir())


def test_replay_runs_the_example_claims(capsys, tmp_path):
    junit = tmp_path / "report.xml"
    code, out, _ = run(capsys, "replay", str(CLAIMS), "--junit", str(junit))
    assert code == 0 and out.strip() == "4 passed, 0 failed"
    report = junit.read_text(encoding="utf-8")
    assert 'tests="4" failures="0"' in report and "claim: 2026 IMRT course with planted errors" in report


def test_replay_reports_a_claim_example_that_fails(capsys, tmp_path):
    (tmp_path / "c.txt").write_text("2026-03-02 77385\n")
    (tmp_path / "c.claim.toml").write_text('name = "x"\nfile = "c.txt"\n[expect]\nproblems = 0\n')
    code, out, _ = run(capsys, "replay", str(tmp_path))
    assert code == 1 and "problems: expected 0, got 1" in out and "0 passed, 1 failed" in out


def test_check_takes_modifiers_and_pos(capsys):
    code, out, _ = run(capsys, "check", "77295", "77336-59", "--dos", "2025-05-01")
    assert code == 0 and "Bypassed by modifier 59 on 77336" in out
    _, out, _ = run(capsys, "check", "77407", "77387-TC", "--dos", "2026-05-01", "--pos", "22")
    assert out.startswith("Verdict: NOT ALLOWED") and "hospital outpatient" in out
