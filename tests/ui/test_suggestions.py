""" "Did you mean": weak matches, code typos and a long post's other questions offer choices; choosing
one (keys or mouse) asks it."""

from __future__ import annotations

from faqbot.ui.suggestions import SuggestionList
from faqbot.ui.verdict_table import VerdictTable

from .helpers import SIZE, ask, first_sentence, settle, widget_text


async def test_typo_question_offers_the_guessed_code_and_choosing_it_answers(app, engine):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "whats 77095")
        assert turn.answer.status == "no_match" and turn.answer.did_you_mean == {"77095": "77295"}
        suggestions = turn.query_one(SuggestionList)
        assert suggestions.choices[0].question == "whats 77295"
        await pilot.press("tab")
        assert app.focused is suggestions
        await pilot.press("enter")
        await settle(app, pilot)
        latest = app.query("Turn").last()
        assert latest.question == "whats 77295"
        expected = engine.answer("whats 77295")
        assert latest.answer.status == "answered" and "77295" in latest.answer.codes
        assert first_sentence(expected.answer) in widget_text(latest)
        assert app.query("CodeCardView").first().card.code == "77295"
        assert app.focused is app.query_one("#question"), "focus returns to the question box"


async def test_unknown_code_offers_what_the_core_suggests(app, engine):
    """'whats 77013': several codes are one edit away, so the core guesses none; entry suggestions, if any, are offered."""
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "whats 77013")
        assert "77013 is not in our code table" in widget_text(turn)
        expected = [s.question for s in engine.answer("whats 77013").suggestions]
        lists = turn.query(SuggestionList)
        if not expected:
            assert not lists
            return
        questions = [choice.question for choice in lists.first().choices]
        assert questions == expected
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        latest = app.query("Turn").last()
        assert latest.question == questions[0]
        assert latest.answer.entry_id == engine.answer(questions[0]).entry_id


async def test_code_typo_substitutes_the_guessed_code(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "Can CPT 77095 and 77300 be billed together?", type_it=False)
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
        turn = await ask(app, pilot, "whats 77301 and 77095", type_it=False)
        suggestions = turn.query_one(SuggestionList)
        app.query_one("#conversation").scroll_to_widget(suggestions, animate=False)
        await pilot.pause()
        # Row 1 inside the border is the first option.
        assert await pilot.click(suggestions, offset=(4, 1))
        await settle(app, pilot)
        latest = app.query("Turn").last()
        assert latest.question == suggestions.choices[0].question
        assert latest.answer.status == "answered"


async def test_escape_leaves_the_suggestions(app):
    async with app.run_test(size=SIZE) as pilot:
        await ask(app, pilot, "whats 77301 and 77095", type_it=False)
        await pilot.press("tab")
        assert isinstance(app.focused, SuggestionList)
        await pilot.press("escape")
        assert app.focused is app.query_one("#question")


async def test_tab_does_nothing_special_without_suggestions(app):
    async with app.run_test(size=SIZE) as pilot:
        await ask(app, pilot, "What is CPT 77014?", type_it=False)
        assert not app.query(SuggestionList)
        await pilot.press("tab")
        assert not isinstance(app.focused, SuggestionList)


async def test_a_posts_other_question_is_offered_and_answered_on_its_own(app, engine):
    """A long post that asks two things: the answer covers the post, the other question is a choice."""
    post = (
        "Has there been any bundling of basic radiation dosimetry 77300 for IMRT planning (77301) and 3-D "
        "planning (77295)? Also, can we bill 77300 with Special Teletherapy Port Plan (77321)?"
    )
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, post, type_it=False)
        assert turn.answer.status == "answered"  # so the choices are the post's other questions only
        also = turn.query_one(SuggestionList).choices
        assert [(c.kind, c.question) for c in also] == [("also", a.part) for a in turn.answer.also_asked]
        assert also[0].question == "Also, can we bill 77300 with Special Teletherapy Port Plan (77321)?"
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        latest = app.query("Turn").last()
        assert latest.answer.entry_id == engine.answer(also[0].question).entry_id == "77300-with-77321"


async def test_a_posts_other_question_is_shown_as_typed_never_as_markup(app):
    post = (
        "Has there been any bundling of basic radiation dosimetry 77300 for IMRT planning (77301) and 3-D "
        "planning (77295)? Also, can we bill 77300 with Special Teletherapy Port Plan (77321) [bold]now[/]?"
    )
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, post, type_it=False)
        suggestions = turn.query_one(SuggestionList)
        assert "[bold]now[/]" in suggestions.choices[0].question
        shown = suggestions.get_option_at_index(0).prompt
        assert "[bold]now[/]" in getattr(shown, "plain", str(shown))  # the option shows the text, not bold "now"
