"""Bad input on the command line (the 2026-12 new-user trial, sections 2 and 3): one line, exit 2,
no traceback, nothing written, nothing lost. Run in-process through ``faqbot.cli.main`` on real files."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA
from faqbot.cli import main

KB_SMALL = DATA / "kb_small"
NCCI = DATA / "ncci" / "ccipra-v321r0-f1.txt"
TRANSCRIPT = DATA / "transcripts" / "failing.toml"  # valid, two turns


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_usage_error(code: int, out: str, err: str) -> bool:
    return code == 2 and not out and err.strip() != "" and "\n" not in err.strip() and "Traceback" not in err


def stdin_bytes(monkeypatch, data: bytes) -> None:
    """Standard input as a real terminal-less process gets it: bytes under a text wrapper."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def stdout_bytes(monkeypatch) -> io.BytesIO:
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8", write_through=True))
    return raw


# -- batch mode (row 13, row 14) --------------------------------------------------------------


def test_batch_mode_answers_every_line_in_order_blank_and_cr_lines_included(monkeypatch) -> None:
    """Row 13: 6 lines in (a blank one, a bare CR, a whitespace-only one) -> 6 objects out, in order."""
    stdin_bytes(monkeypatch, b"what is 77014\n\nwhat is g6012\rwhat is 77301\n   \nlast\n")
    raw = stdout_bytes(monkeypatch)
    assert main(["ask", "--json", "--as-of", "2026-11-26"]) == 0
    lines = [json.loads(line) for line in raw.getvalue().decode("utf-8").splitlines()]
    assert [line["question"] for line in lines] == ["what is 77014", "", "what is g6012", "what is 77301", "", "last"]
    assert [line["status"] for line in lines][1::3] == ["no_match", "no_match"]
    assert lines[1]["answer"] and lines[1]["rule_check"] is None and lines[1]["codes"] == []
    assert lines[2]["codes"] == ["G6012"] and lines[3]["codes"] == ["77301"]  # not merged into one check


def test_batch_mode_with_crlf_line_ends_is_one_object_per_line(monkeypatch) -> None:
    stdin_bytes(monkeypatch, b"what is 77014\r\nwhat is g6012\r\n")
    raw = stdout_bytes(monkeypatch)
    assert main(["ask", "--json", "--as-of", "2026-11-26"]) == 0
    assert [json.loads(line)["question"] for line in raw.getvalue().splitlines()] == ["what is 77014", "what is g6012"]


def test_batch_mode_output_is_valid_utf8_whatever_bytes_come_in(monkeypatch) -> None:
    """Row 14: invalid UTF-8 on stdin never reaches stdout; the rest of the line is still answered."""
    stdin_bytes(monkeypatch, b"\xff\xfe what is 77301\n" + bytes(range(256)) + b"\nwhat is \x00 77014\n")
    raw = stdout_bytes(monkeypatch)
    assert main(["ask", "--json", "--as-of", "2026-11-26"]) == 0
    text = raw.getvalue().decode("utf-8")  # strict: raises on any invalid byte
    lines = [json.loads(line) for line in text.split("\n") if line]
    assert lines[0]["question"] == "\ufffd\ufffd what is 77301" and "77301" in lines[0]["codes"]
    assert len(lines) == 5  # the 256 bytes hold a LF and then a CR: three lines
    assert lines[-1]["question"] == "what is \x00 77014"


def test_batch_mode_at_a_terminal_says_it_reads_stdin(monkeypatch, capsys) -> None:
    """Row 36: `faqbot ask --json` typed at a terminal explains why it waits."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(""))
    code, out, err = run(capsys, "ask", "--json", "--kb", str(KB_SMALL))
    assert code == 0 and out == ""
    assert "reading questions from stdin" in err and "Ctrl+D" in err


# -- arguments (rows 24, 30, 33, 34, 35; section 3) --------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", ""],
        ["ask", "   "],
        ["ask", "--json", ""],
        ["eval", "--threshold", "5", str(TRANSCRIPT)],
        ["eval", "--threshold", "-1", str(TRANSCRIPT)],
        ["eval", "--threshold", "nan", str(TRANSCRIPT)],
        ["kb"],
        ["rules"],
        ["kb", "nope"],
        ["lookup", "77261-77999"],
        ["lookup", "77263-77261"],
        ["lookup", "77261-77799"],
        ["check", "77263-77261", "77300"],
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(capsys, argv) -> None:
    assert one_line_usage_error(*run(capsys, *argv))


def test_subcommand_errors_name_the_choices_users_type(capsys) -> None:
    """Row 33: `faqbot kb` names validate (not the internal kb_command); `faqbot` alone names every command."""
    _, _, err = run(capsys, "kb")
    assert "kb_command" not in err and "choose a command: validate" in err
    _, _, err = run(capsys, "rules")
    assert "rules_command" not in err and "import-ncci" in err
    _, _, err = run(capsys, "kb", "nope")
    assert "kb_command" not in err and "'validate'" in err


def test_version(capsys) -> None:
    """Row 33: faqbot --version."""
    from faqbot import __version__

    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"faqbot {__version__}"


def test_ranges_are_never_silently_cut(capsys) -> None:
    """Row 12: a reversed or too-wide range is an error that says so; a real range prints every code."""
    code, out, err = run(capsys, "lookup", "77263-77261")
    assert code == 2 and "reversed" in err and "77261-77263" in err and not out
    code, out, err = run(capsys, "lookup", "77261-77999")
    assert code == 2 and "at most 200" in err and not out
    code, out, _ = run(capsys, "lookup", "--as-of", "2026-11-26", "77261 through 77263")
    assert code == 0 and all(c in out for c in ("77261", "77262", "77263"))


def test_a_known_code_beside_an_unknown_one_names_the_unknown_one(capsys) -> None:
    """Row 12: `77999` is never dropped without a message."""
    code, out, err = run(capsys, "lookup", "77301/77999")
    assert code == 1 and "77301" in out and "not in the code table: 77999" in err


def test_lookup_of_an_unknown_code_prints_nothing_on_stdout(capsys) -> None:
    """Row 34."""
    code, out, err = run(capsys, "lookup", "77999")
    assert code == 1 and out == "" and "77999" in err


@pytest.mark.parametrize("argv", [["lookup", "\x1b]0;PWNED\x07"], ["check", "77301", "\x1b[2J77999"]])
def test_control_characters_in_arguments_are_escaped_in_messages(capsys, argv) -> None:
    """Row 35: the terminal never receives the user's escape sequence back."""
    _, out, err = run(capsys, *argv)
    assert "\x1b" not in err and "\x07" not in err and "\x1b" not in out
    assert "\\x1b" in err


def test_chat_without_a_terminal_is_a_one_line_message(capsys) -> None:
    """Section 3: `faqbot < /dev/null` printed escape codes and never exited."""
    assert one_line_usage_error(*run(capsys))
    assert one_line_usage_error(*run(capsys, "chat", "--kb", str(KB_SMALL)))


def test_chat_without_a_terminal_as_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "faqbot"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1 and "terminal" in done.stderr


# -- output paths (row 15, rows 28, 29) ---------------------------------------------------------


def unwritable_paths(tmp_path: Path) -> list[Path]:
    """A folder, a path under a file, a path in a missing folder, and (on Linux) one under /proc."""
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("")
    paths = [tmp_path / "a-folder", tmp_path / "a-file" / "x.out", tmp_path / "missing" / "x.out"]
    if Path("/proc/self").exists():
        paths.append(Path("/proc/faqbot-test.out"))
    return paths


def test_replay_junit_to_an_unwritable_path_fails_before_the_replay(capsys, tmp_path, monkeypatch) -> None:
    import faqbot.transcripts as transcripts

    monkeypatch.setattr(transcripts, "replay", lambda *a, **k: pytest.fail("replayed before checking --junit"))
    for path in unwritable_paths(tmp_path):
        result = run(capsys, "replay", "--kb", str(KB_SMALL), str(TRANSCRIPT), "--junit", str(path))
        assert one_line_usage_error(*result), path


def test_replay_record_to_an_unwritable_path_fails_in_one_line(capsys, tmp_path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text("what is 77014\n")
    for path in unwritable_paths(tmp_path):
        result = run(capsys, "replay", "--kb", str(KB_SMALL), "--record", str(questions), "--out", str(path))
        assert one_line_usage_error(*result), path


def test_replay_record_refuses_to_overwrite_without_force(capsys, tmp_path) -> None:
    """Row 29."""
    questions = tmp_path / "q.txt"
    questions.write_text("what is 77014\n")
    existing = tmp_path / "existing.toml"
    existing.write_text("# a curated transcript\n")
    argv = ["replay", "--kb", str(KB_SMALL), "--record", str(questions), "--out", str(existing)]
    code, out, err = run(capsys, *argv)
    assert one_line_usage_error(code, out, err) and "--force" in err
    assert existing.read_text() == "# a curated transcript\n"
    code, _, _ = run(capsys, *argv, "--force")
    assert code == 0 and "what is 77014" in existing.read_text()


def test_replay_of_a_folder_without_transcripts_fails(capsys, tmp_path) -> None:
    """Row 28: CI must not pass on an empty folder."""
    code, out, err = run(capsys, "replay", "--kb", str(KB_SMALL), str(tmp_path))
    assert one_line_usage_error(code, out, err) and "no transcript files" in err


def copy_kb(tmp_path: Path) -> Path:
    kb = tmp_path / "knowledge"
    shutil.copytree(KB_SMALL, kb)
    return kb


def files_in(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_ncci_to_an_unwritable_out_writes_nothing(capsys, tmp_path) -> None:
    """Row 15: one line, exit 2, and no source record left behind in the knowledge folder."""
    kb = copy_kb(tmp_path)
    before = files_in(kb)
    for path in unwritable_paths(tmp_path):
        result = run(capsys, "rules", "import-ncci", "--all", "--kb", str(kb), "--out", str(path), str(NCCI))
        assert one_line_usage_error(*result), path
        assert files_in(kb) == before, path


def test_import_ncci_writes_both_files_with_normal_permissions(capsys, tmp_path) -> None:
    """Row 31: imported knowledge files are 0644 (under umask 022), not mkstemp's 0600."""
    kb = copy_kb(tmp_path)
    old = os.umask(0o022)
    try:
        code, out, _ = run(capsys, "rules", "import-ncci", "--all", "--kb", str(kb), str(NCCI))
    finally:
        os.umask(old)
    assert code == 0
    for written in (kb / "rules" / "ncci-ptp-practitioner.toml", kb / "sources" / "ncci-ptp-v321r0.toml"):
        assert written.stat().st_mode & 0o777 == 0o644, written


def test_a_wrapped_note_does_not_repeat_its_bullet(capsys) -> None:
    """Row 26: continuation lines of a note are indented, not bulleted again."""
    code, out, _ = run(capsys, "ask", "--as-of", "2026-11-26", "can i bill 77301 and 77999 together")
    notes = out.split("Notes:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert code == 0 and notes and notes[0].startswith("  - ")
    assert all(line.startswith("  - ") or line.startswith("    ") for line in notes)
    assert sum(line.startswith("  - ") for line in notes) < len(notes)  # at least one continuation line
