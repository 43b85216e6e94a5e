"""Transcripts: the shipped corpus replays green; invalid files are named with their line."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from conftest import DATA
from faqbot.cli import main
from faqbot.transcripts import TranscriptError, parse_transcript, replay, transcript_files

CORPUS = Path(__file__).resolve().parent.parent / "transcripts"


def test_the_whole_corpus_replays_with_only_the_known_gaps_failing(engine) -> None:
    """Every turn passes except the listed known gaps, which must still fail (strict)."""
    import tomllib

    transcripts = [parse_transcript(p) for p in transcript_files([CORPUS])]
    results = replay(engine, transcripts)
    assert len(results) >= 200
    root = CORPUS.parent
    failed = {(str(r.transcript.path.relative_to(root)), r.turn.question) for r in results if not r.passed}
    with (DATA / "known_transcript_gaps.toml").open("rb") as handle:
        known = {(gap["file"], gap["question"]) for gap in tomllib.load(handle)["gap"]}
    assert failed - known == set(), "new failures (a regression, or a turn to fix)"
    assert known - failed == set(), "these known gaps pass now: remove them from known_transcript_gaps.toml"
    assert len(known) <= 0.05 * len(results)


def test_a_turn_without_expectation_is_an_error_naming_file_and_line() -> None:
    with pytest.raises(TranscriptError) as info:
        parse_transcript(DATA / "transcripts" / "no_expectation.toml")
    message = str(info.value)
    assert "no_expectation.toml: line 7 (turn 2): no expectation" in message


def test_an_unknown_verdict_is_an_error() -> None:
    with pytest.raises(TranscriptError, match=r"bad_verdict.toml: line 3 \(turn 1\): 'verdict' must be"):
        parse_transcript(DATA / "transcripts" / "bad_verdict.toml")


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\n[[turn]]\nquestion = "unterminated\n')
    with pytest.raises(TranscriptError, match="broken.toml: not valid TOML: .*line 3"):
        parse_transcript(path)


def test_replay_reports_failed_turns_and_exits_1(capsys, tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    code = main(["replay", str(DATA / "transcripts" / "failing.toml"), "--junit", str(junit)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[-1] == "1 passed, 1 failed"
    assert "failing.toml:6: turn 1:" in out[0]
    assert "entry: expected what-is-77014, got what-is-77012" in out[0]
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "1"


def test_replay_json_report(capsys) -> None:
    code = main(["replay", "--json", str(DATA / "transcripts" / "failing.toml")])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["passed"] == 1 and report["failed"] == 1
    assert report["failures"][0]["turn"] == 1


def test_replay_of_an_invalid_transcript_exits_2_with_one_line(capsys) -> None:
    code = main(["replay", str(DATA / "transcripts" / "no_expectation.toml")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "line 7" in err


def test_record_writes_a_transcript_that_replays_green(capsys, tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text(
        "What is the CPT code 77012?\nCan CPT 77295 and 77300 be billed together?\nweather in Boston\n"
    )
    out = tmp_path / "recorded.toml"
    assert main(["replay", "--record", str(questions), "--out", str(out), "--as-of", "2026-11-26"]) == 0
    recorded = parse_transcript(out)
    assert [t.entry for t in recorded.turns] == ["what-is-77012", "77295-with-77300", "none"]
    assert recorded.turns[1].verdict == "allowed" and recorded.turns[2].status == "no_match"
    capsys.readouterr()
    assert main(["replay", str(out)]) == 0
