"""Asking questions in the real app: seed questions, verdict tables, notices, markup, long and non-ASCII text."""

from __future__ import annotations

from faqbot.knowledge import load_knowledge
from faqbot.ui.answer_view import AnswerView
from faqbot.ui.code_card import CodeCardView
from faqbot.ui.conversation import QuestionView
from faqbot.ui.verdict_table import VerdictTable

from .helpers import KB_DIR, SIZE, ask, first_sentence, widget_text

SEEDS = [entry for entry in load_knowledge(KB_DIR).entries if entry.seed]  # no index needed to list them


async def test_every_seed_question_is_answered_by_its_entry(app):
    """Each question of the FAQ the project grew from, asked in turn in one session."""
    async with app.run_test(size=SIZE) as pilot:
        for entry in SEEDS:
            turn = await ask(app, pilot, entry.question, type_it=False)  # typing is tested by the history test
            assert turn.answer is not None and turn.answer.entry_id == entry.id, entry.id
            shown = widget_text(turn.query_one(AnswerView))
            assert first_sentence(entry.answer) in shown, entry.id
            if entry.misconception:
                assert "Common misconception" in shown, entry.id
                assert first_sentence(entry.misconception) in shown, entry.id
            assert app.focused is app.query_one("#question"), "the question box keeps focus after an answer"


async def test_combination_question_shows_verdict_table(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "Can CPT 77295 and 77300 be billed together?", type_it=False)
        table = turn.query_one(VerdictTable)
        text = widget_text(table)
        assert "Rule check" in text and "ALLOWED" in text
        assert "77295 +" in text and "pair" in text  # the pair row (codes wrap in their column)
        assert "may be reported together" in text
        assert "2017 Update" in text  # the pair rule's source
        body = widget_text(turn.query_one(AnswerView))
        assert "Rule check for 77295" not in body, "the rule-check paragraph is shown as the table, not as text"
        cards = [card.card.code for card in app.query(CodeCardView)]
        assert cards == ["77295", "77300"]


async def test_alone_question_shows_a_reported_deletion_and_depends(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "Can CPT 77014 be billed alone?", type_it=False)
        table_text = widget_text(turn.query_one(VerdictTable))
        assert "DEPENDS" in table_text
        assert "deleted" in table_text and "secondary sources" in table_text
        assert "No rule known says whether 77014 may be billed on its own" in table_text
        notice = turn.query_one(".notice")
        assert "Reported deleted" in widget_text(notice) and "77387" in widget_text(notice)
        card = app.query_one(CodeCardView)
        assert card.has_class("-deleted") and card.border_subtitle == "REPORTED DELETED"
        assert "replaced by 77387" in widget_text(card)


async def test_a_close_call_says_which_entry_was_nearly_as_good(app):
    # A real help-desk question whose best entries are within a few hundredths of each other.
    question = "Can we charge 77295 for two different body parts if the plan is signed on the same DOS?"
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, question, type_it=False)
        assert turn.answer is not None and turn.answer.confidence_level == "medium"
        runner_up = turn.answer.suggestions[0]
        notice = widget_text(turn.query_one(".notice"))
        assert "Close call" in notice and runner_up.entry_id in notice


async def test_a_confirmed_deletion_is_not_allowed(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "can g6015 be billed alone", type_it=False)
        assert "NOT ALLOWED" in widget_text(turn.query_one(VerdictTable))
        card = app.query_one(CodeCardView)
        assert card.border_subtitle == "DELETED" and "77407" in widget_text(card)


async def test_sources_are_links(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "What is g6012 CPT?")
        sources = turn.query_one(".sources").content
        links = [span.style.link for span in sources.spans if getattr(span.style, "link", None)]
        assert links and all(link.startswith("https://") for link in links)
        assert "as of 2026-11-26" in widget_text(turn)
        assert "confidence" in widget_text(turn)


async def test_user_markup_is_shown_literally(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "[bold]x[/]")
        assert turn.query_one(QuestionView).content.plain == "[bold]x[/]"
        assert "[bold]x[/]" in widget_text(turn)


async def test_long_and_non_ascii_questions_do_not_break_the_layout(app):
    async with app.run_test(size=SIZE) as pilot:
        long_question = ("x" * 5000) + " " + ("überprüfung 77295 " * 280)
        assert len(long_question) >= 10_000
        turn = await ask(app, pilot, long_question, type_it=False)
        assert turn.answer is not None
        question = turn.query_one(QuestionView)
        assert question.content.plain == long_question
        assert question.region.width <= app.query_one("#conversation").region.width
        assert app.query_one("#code-panel").region.width > 0, "the code panel stays on screen"
        turn = await ask(app, pilot, "¿Se puede facturar 77295 con 77300? 日本語のテキスト 🚀", type_it=False)
        assert turn.answer is not None and "77295" in turn.answer.codes
        assert "日本語" in widget_text(turn)


async def test_history_up_and_down(app):
    async with app.run_test(size=SIZE) as pilot:
        box = app.query_one("#question")
        await ask(app, pilot, "What is CPT 77014?")
        await ask(app, pilot, "What is g6012 CPT?")
        await pilot.press(*"draft")
        await pilot.press("up")
        assert box.value == "What is g6012 CPT?"
        await pilot.press("up")
        assert box.value == "What is CPT 77014?"
        await pilot.press("up")
        assert box.value == "What is CPT 77014?"
        await pilot.press("down")
        assert box.value == "What is g6012 CPT?"
        await pilot.press("down")
        assert box.value == "draft", "going past the newest question restores the draft"


async def test_clear_removes_the_conversation(app):
    async with app.run_test(size=SIZE) as pilot:
        await ask(app, pilot, "What is CPT 77014?", type_it=False)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not app.query(AnswerView)
        assert not app.query(CodeCardView)
        assert app.query_one("#welcome")
