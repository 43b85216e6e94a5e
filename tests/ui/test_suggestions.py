""""Did you mean": weak matches and code typos offer choices; choosing one (keys or mouse) asks it."""

from __future__ import annotations

from faqbot.ui.suggestions import SuggestionList
from faqbot.ui.verdict_table import VerdictTable

from .helpers import SIZE, ask, first_sentence, settle, widget_text


async def test_weak_match_offers_entries_and_choosing_one_asks_it(app, engine):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "whats 77013")
        assert turn.answer.status == "no_match"
        suggestions = turn.query_one(SuggestionList)
        questions = [choice.question for choice in suggestions.choices]
        assert questions == [s.question for s in engine.answer("whats 77013").suggestions]
        # Choose the suggestion about the code nearest to the typo (the last one, if none names a 770xx code).
        index = next((i for i, q in enumerate(questions) if "770" in q), len(questions) - 1)
        await pilot.press("tab")
        assert app.focused is suggestions
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(app, pilot)
        latest = app.query("Turn").last()
        assert latest.question == questions[index]
        expected = engine.answer(questions[index])
        assert latest.answer.entry_id == expected.entry_id and latest.answer.status == "answered"
        assert latest.answer.codes == expected.codes
        assert first_sentence(expected.answer) in widget_text(latest)
        assert app.focused is app.query_one("#question"), "focus returns to the question box"


async def test_code_typo_substitutes_the_guessed_code(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "Can CPT 77095 and 77300 be billed together?")
        assert turn.answer.did_you_mean == {"77095": "77295"}
        suggestions = turn.query_one(SuggestionList)
        first = suggestions.choices[0]
        assert first.kind == "code" and first.question == "Can CPT 77295 and 77300 be billed together?"
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        latest = app.query("Turn").last()
        assert latest.question == "Can CPT 77295 and 77300 be billed together?"
        assert "77295 +" in widget_text(latest.query_one(VerdictTable))


async def test_suggestion_can_be_chosen_with_the_mouse(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "whats 77013")
        suggestions = turn.query_one(SuggestionList)
        await pilot.pause()
        # Row 1 inside the border is the first option.
        assert await pilot.click(suggestions, offset=(4, 1))
        await settle(app, pilot)
        latest = app.query("Turn").last()
        assert latest.question == suggestions.choices[0].question
        assert latest.answer.status == "answered"


async def test_escape_leaves_the_suggestions(app):
    async with app.run_test(size=SIZE) as pilot:
        await ask(app, pilot, "whats 77013")
        await pilot.press("tab")
        assert isinstance(app.focused, SuggestionList)
        await pilot.press("escape")
        assert app.focused is app.query_one("#question")


async def test_tab_does_nothing_special_without_suggestions(app):
    async with app.run_test(size=SIZE) as pilot:
        await ask(app, pilot, "What is CPT 77014?")
        assert not app.query(SuggestionList)
        await pilot.press("tab")
        assert not isinstance(app.focused, SuggestionList)
