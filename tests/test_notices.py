"""Notices that keep an answer honest: ranges not read as ranges, dates outside what the knowledge
base knows, and transcript expectations naming entries that do not exist."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from faqbot.engine import Faqbot
from faqbot.transcripts import parse_transcript, replay


def test_a_reversed_range_in_a_question_is_said_not_silently_split(engine: Faqbot) -> None:
    answer = engine.answer("what is 77263-77261", as_of=date(2026, 12, 3))
    assert any("the range is reversed" in n and "read as two separate codes" in n for n in answer.notices)
    assert set(answer.codes) == {"77261", "77263"}


def test_an_as_of_date_long_after_the_last_review_says_so(engine: Faqbot) -> None:
    far = engine.answer("what is 77300", as_of=date(9999, 12, 31))
    assert any("last reviewed on" in n for n in far.notices)
    today = engine.answer("what is 77300", as_of=engine.reviewed_until)
    assert not any("last reviewed on" in n for n in today.notices)


def test_an_as_of_date_before_the_code_history_says_so(engine: Faqbot) -> None:
    answer = engine.answer("what is 77300", as_of=date(2001, 1, 1))
    assert any("code history starts" in n for n in answer.notices)


def test_replay_names_an_expected_entry_that_does_not_exist(engine: Faqbot, tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[[turn]]\nquestion = "what is 77300"\nentry = "no-such-entry"\n', encoding="utf-8")
    (result,) = replay(engine, [parse_transcript(path)])
    assert "entry: no entry 'no-such-entry' in the knowledge base" in result.failures


def test_a_knowledge_path_that_is_a_file_is_named_as_such(tmp_path: Path) -> None:
    from faqbot.knowledge import validate_knowledge

    path = tmp_path / "hostname"
    path.write_text("x", encoding="utf-8")
    kb, problems = validate_knowledge(path)
    assert kb is None and [str(p) for p in problems] == [f"{path}: is a file, not a knowledge folder"]
