"""Export: the conversation as Markdown in the user's data folder; the Markdown composition is pure."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from faqbot.ui.answer_markdown import answer_markdown, escape_markdown, verdict_table_markdown
from faqbot.ui.check_screen import check_question
from faqbot.ui.export import conversation_markdown, default_export_dir, write_export
from faqbot.ui.suggestions import substitute_code, suggestion_choices

from .helpers import AS_OF, SIZE, ask


async def test_export_writes_markdown_and_notifies(app, export_dir: Path):
    async with app.run_test(size=SIZE) as pilot:
        await ask(app, pilot, "Can CPT 77295 and 77300 be billed together?", type_it=False)
        await ask(app, pilot, "[bold]x[/]")
        await pilot.press("ctrl+s")
        await pilot.pause()
        files = list(export_dir.glob("*.md"))
        assert len(files) == 1
        text = files[0].read_text(encoding="utf-8")
        assert "Can CPT 77295 and 77300 be billed together?" in text
        assert "| Codes | Verdict | Reason | Source |" in text
        assert "| 77295 + 77300 | allowed (pair) |" in text
        assert "\\[bold\\]x\\[/\\]" in text
        assert "not billing advice" in text
        assert any(str(files[0]) in n.message for n in app._notifications)


async def test_export_with_nothing_to_export_writes_nothing(app, export_dir: Path):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not export_dir.exists() or not list(export_dir.iterdir())


def test_default_export_dir_uses_xdg_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_export_dir() == tmp_path / "faqbot" / "exports"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_export_dir() == tmp_path / ".local" / "share" / "faqbot" / "exports"


def test_write_export_never_overwrites(tmp_path):
    now = datetime(2026, 11, 26, 9, 30, 0)
    first = write_export("one", tmp_path, now=now)
    second = write_export("two", tmp_path, now=now)
    assert first != second
    assert first.read_text() == "one" and second.read_text() == "two"


def test_answer_markdown_for_a_combination(engine):
    answer = engine.answer("Can CPT 77295 and 77300 be billed together?", as_of=AS_OF)
    text = answer_markdown(answer)
    assert "Rule check for" not in answer.direct_answer
    assert "**Common misconception:**" in text
    assert "as of 2026-11-26" in text
    assert verdict_table_markdown(answer.rule_check) in text
    for source in answer.sources:
        assert f"]({source.url})" in text or "%28" in text


def test_conversation_markdown_has_every_question(engine):
    answers = [engine.answer(q, as_of=AS_OF) for q in ("What is g6012 CPT?", "whats 77013")]
    text = conversation_markdown([(a, ()) for a in answers], exported_at=datetime(2026, 11, 26, 9, 0))
    assert text.count("### Question") == 2
    assert "Deleted code" in text


def test_suggestion_choices_substitute_typos(engine):
    question = "Is 77095-26 billable with 77300?"
    answer = engine.answer(question, as_of=AS_OF)
    choices = suggestion_choices(answer, engine.scan(question).mentions)
    assert choices[0].question == "Is 77295-26 billable with 77300?"
    assert substitute_code("what is 77095", "77095", "77295", ()) == "what is 77295"


def test_check_question_alone_and_together():
    assert check_question(["77014"]) == "Can 77014 be billed alone?"
    assert check_question(["77295", "77300"], "77295 77300 2025 hospital") == (
        "Can 77295 and 77300 be billed together (2025 hospital)?"
    )


_md = MarkdownIt("commonmark")


@example("&amp; [bold]x[/] *a* `c` <b> 1. - # | \\")
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=60))
def test_escaped_text_renders_literally(text):
    """Whatever a user types, the escaped Markdown renders back to exactly that text."""
    html = _md.renderInline(escape_markdown(text))
    expected = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert html == expected
