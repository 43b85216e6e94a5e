"""The command line, run in-process through ``faqbot.cli.main`` (and once as a real process)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from conftest import DATA
from faqbot.cli import COMMANDS, build_parser, main

REQUIRED_FIELDS = {
    "question",
    "status",
    "entry_id",
    "answer",
    "confidence",
    "codes",
    "unknown_codes",
    "suggestions",
    "sources",
    "as_of",
    "rule_check",
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_prints_answer_sources_and_confidence(capsys) -> None:
    code, out, _ = run(capsys, "ask", "--as-of", "2026-11-26", "What is the CPT code 77012?")
    assert code == 0
    assert "entry what-is-77012" in out and "confidence" in out and "as of 2026-11-26" in out
    assert "Sources:" in out and "https://" in out
    assert "not billing advice" in out


def test_ask_json_has_the_documented_fields(capsys) -> None:
    code, out, _ = run(capsys, "ask", "--json", "--as-of", "2026-11-26", "Can CPT 77295 and 77300 be billed together?")
    data = json.loads(out)
    assert code == 0 and set(data) >= REQUIRED_FIELDS
    assert data["entry_id"] == "77295-with-77300" and data["as_of"] == "2026-11-26"
    assert data["rule_check"]["verdict"] == "allowed"
    assert set(data["rule_check"]) >= {"verdict", "findings", "dos", "setting"}
    assert all(set(s) == {"id", "title", "url", "tier"} for s in data["sources"])


def test_ask_json_batch_reads_stdin_and_writes_json_lines_in_order(capsys, monkeypatch) -> None:
    questions = ["what is 77012", "weather in Boston", "what is 77999"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(questions) + "\n\n"))
    code, out, _ = run(capsys, "ask", "--json", "--as-of", "2026-11-26")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["question"] for line in lines] == [*questions, ""]  # the blank line too
    assert [line["status"] for line in lines] == ["answered", "no_match", "no_match", "no_match"]
    assert lines[2]["unknown_codes"] == ["77999"]


def test_lookup_accepts_codes_ranges_and_a_family(capsys) -> None:
    code, out, _ = run(capsys, "lookup", "g 6012", "77261-77263", "--as-of", "2026-11-26")
    assert code == 0
    for c in ("G6012", "77261", "77262", "77263"):
        assert c in out
    assert "DELETED on 2026-01-01" in out
    code, out, _ = run(capsys, "lookup", "treatment_management")
    assert code == 0 and "77427" in out and "77470" in out


def test_lookup_of_an_unknown_code_fails_with_one_line(capsys) -> None:
    code, out, err = run(capsys, "lookup", "77999")
    assert code == 1 and err.strip().count("\n") == 0 and "77999" in err


def test_check_json_shape_and_table(capsys) -> None:
    code, out, _ = run(capsys, "check", "77295", "77300", "--dos", "2026-11-26", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) >= {"verdict", "findings", "dos", "setting"}
    assert data["verdict"] == "allowed" and data["dos"] == "2026-11-26"
    code, out, _ = run(capsys, "check", "77301", "77014", "--dos", "2025-05-01", "--setting", "hospital")
    assert code == 0 and "Verdict: NOT ALLOWED" in out and "different tumor" in out
    code, out, _ = run(capsys, "check", "77407", "77387", "--dos", "2026-05-01")
    assert code == 0 and "Verdict: ALLOWED WITH A MODIFIER" in out and "26" in out


def test_eval_reports_answers_with_the_right_entries_left_out(capsys) -> None:
    labeled = DATA / "transcripts" / "failing.toml"  # one question labeled with an entry
    code, out, _ = run(capsys, "eval", "--json", str(labeled))
    left_out = json.loads(out)["left_out"]
    assert code == 0 and [row["label"] for row in left_out] == [
        "high",
        "medium",
        "low",
        "card or rule check",
        "refused",
    ]
    assert sum(row["questions"] for row in left_out) == 1
    code, out, _ = run(capsys, "eval", str(labeled))
    assert "right entries left out" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "--as-of", "yesterday", "what is 77012"],
        ["check", "77295", "--setting", "moon"],
        ["check", "77999", "77300"],
        ["ask"],
        ["nonsense-command"],
        ["lookup"],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.strip() and "\n" not in err.strip() and "Traceback" not in err


def test_broken_knowledge_base_lists_problems_and_exits_1(capsys) -> None:
    code, out, err = run(capsys, "kb", "validate", "--kb", str(DATA / "kb_broken"))
    assert code == 1
    assert "kb_broken/codes.toml: code '77014': field 'system'" in err
    code, out, err = run(capsys, "ask", "--kb", str(DATA / "kb_broken"), "what is 77012")
    assert code == 1 and "Traceback" not in err and "problem(s)" in err


def test_kb_validate_on_the_shipped_knowledge_base(capsys) -> None:
    code, out, _ = run(capsys, "kb", "validate")
    assert code == 0 and out.startswith("knowledge base OK")


@pytest.mark.parametrize(
    "argv",
    [
        *([name, "--help"] for name, _ in COMMANDS),
        ["kb", "stats", "--help"],
        ["rules", "import-ncci", "--help"],
        ["curate", "attach", "--help"],
    ],
)
def test_a_command_built_alone_helps_and_parses_as_in_the_whole_parser(capsys, argv) -> None:
    """A run builds only its command's parser: the same help text and the same arguments as the whole one."""
    helps = []
    for parser in (build_parser(), build_parser(argv[0])):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
        helps.append(capsys.readouterr().out)
    assert helps[0] == helps[1] and helps[0].startswith(f"usage: faqbot {argv[0]}")
    ask = ["ask", "--json", "--as-of", "2026-11-26", "--kb", "a", "--kb", "b", "77014", "alone?"]
    assert build_parser().parse_args(ask) == build_parser("ask").parse_args(ask)


def test_python_dash_m_runs_as_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "faqbot", "ask", "--json", "--as-of", "2026-11-26", "77014-26 alone?"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["codes"] == ["77014"] and data["modifiers"] == {"77014": ["26"]}
    assert data["rule_check"]["verdict"] == "depends"


def test_rules_import_ncci_writes_rules_that_the_check_uses(capsys, tmp_path) -> None:
    import shutil

    from faqbot.knowledge import default_kb_dir

    kb = tmp_path / "knowledge"
    shutil.copytree(default_kb_dir(), kb)
    code, out, _ = run(capsys, "rules", "import-ncci", str(DATA / "ncci" / "ccipra-v321r0-f1.txt"), "--kb", str(kb))
    assert code == 0 and "kept" in out
    assert (kb / "rules" / "ncci-ptp-practitioner.toml").exists()
    code, out, _ = run(capsys, "kb", "validate", "--kb", str(kb))
    assert code == 0


def test_rules_import_ncci_with_a_malformed_line_writes_nothing(capsys, tmp_path) -> None:
    import shutil

    from faqbot.knowledge import default_kb_dir

    kb = tmp_path / "knowledge"
    shutil.copytree(default_kb_dir(), kb)
    before = sorted(p.name for p in kb.rglob("*"))
    code, _, err = run(
        capsys, "rules", "import-ncci", str(DATA / "ncci" / "ccipra-v321r0-bad-indicator.txt"), "--kb", str(kb)
    )
    assert code == 2 and "line 7" in err and "\n" not in err.strip()
    assert sorted(p.name for p in kb.rglob("*")) == before
