"""F5 feedback on the latest answer and the F6 curation screen, driven with Pilot; the loop through
the app on a copy of the knowledge base: refused, rated, attached, answered."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import DataTable, OptionList

from faqbot.engine import Faqbot
from faqbot.question_log import QuestionLog
from faqbot.ui.app import FaqbotApp
from faqbot.ui.curation_screen import CurationScreen
from faqbot.ui.feedback_screen import EntryPickerScreen, FeedbackScreen

from .helpers import AS_OF, KB_DIR, SIZE, ask, settle

REFUSED = "our therapist built a foam block, can we charge"
DEVICES = "what-are-77332-77334"


async def test_feedback_right_wrong_and_should_have_been(tmp_path, engine):
    log = QuestionLog(tmp_path / "questions.jsonl")
    app = FaqbotApp(kb_dir=KB_DIR, as_of=AS_OF, export_dir=tmp_path, engine=engine, question_log=log)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "Can 77014 be billed alone?", type_it=False)
        assert not log.path.exists()  # a confident answer is not logged unless rated
        await pilot.press("f5")
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.press("enter")  # "Right" is the first choice
        await pilot.pause()
        (rated,) = log.read()[0]
        assert rated.feedback == "right" and rated.entry_id == "77014-alone"

        turn = await ask(app, pilot, REFUSED, type_it=False)
        assert turn.answer.status == "no_match" and len(log.read()[0]) == 2  # a refusal is logged at once
        await pilot.press("f5")
        await pilot.press("tab", *"[bold]mask is a device", "enter")  # the comment, never markup
        choices = app.screen.query_one("#feedback-choices", OptionList)
        assert app.focused is choices
        await pilot.press("end", "enter")  # "Should have been another entry…"
        assert isinstance(app.screen, EntryPickerScreen)
        await pilot.press(*"what-are-77332", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, FeedbackScreen | EntryPickerScreen)
        records, _ = log.read()
        assert len(records) == 3 and records[-1].question == REFUSED
        assert (records[-1].feedback, records[-1].correct_entry) == ("wrong", DEVICES)
        assert records[-1].comment == "[bold]mask is a device"


async def test_feedback_without_a_log_says_it_is_off(tmp_path, engine):
    app = FaqbotApp(kb_dir=KB_DIR, as_of=AS_OF, export_dir=tmp_path, engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")  # nothing asked yet
        assert not isinstance(app.screen, FeedbackScreen)
        await ask(app, pilot, "Can 77014 be billed alone?", type_it=False)
        await pilot.press("f5", "enter")
        await pilot.pause()
        assert any("question log is off" in str(n.message) for n in app._notifications)


async def test_the_loop_through_the_chat_app(tmp_path, monkeypatch):
    """Refused -> rated "should have been" -> F6 -> attach -> the same question answered by that entry."""
    import faqbot.learn_ranking as learn_ranking

    kb = tmp_path / "knowledge"
    shutil.copytree(KB_DIR, kb)
    engine = Faqbot.from_path(kb)
    # Relearning is the command-line loop test's (tests/test_curation.py); here the weights in use are kept.
    monkeypatch.setattr(learn_ranking, "learn_weights", lambda kb: engine.ranker.weights)
    log = QuestionLog(tmp_path / "questions.jsonl")
    app = FaqbotApp(kb_dir=kb, as_of=AS_OF, export_dir=tmp_path, engine=engine, question_log=log)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert (await ask(app, pilot, REFUSED, type_it=False)).answer.status == "no_match"
        await pilot.press("f5", "end", "enter", *"what-are-77332", "enter")
        await pilot.pause()
        await pilot.press("f6")
        assert isinstance(app.screen, CurationScreen)
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#curation-groups", DataTable)
        assert table.row_count == 1 and screen.groups[0].candidates[0].entry_id == DEVICES
        await pilot.press("a")
        assert isinstance(app.screen, EntryPickerScreen)
        picker = app.screen.query_one("#entry-list", OptionList)
        assert picker.get_option_at_index(0).id == DEVICES  # the group's candidates come first
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.engine is not engine  # reloaded with the changed knowledge
        assert screen.groups == []  # resolved
        await pilot.press("escape")
        turn = await ask(app, pilot, REFUSED, type_it=False)
        assert turn.answer.entry_id == DEVICES
    edited = Path(kb / "faq" / "planning.toml").read_text(encoding="utf-8")
    assert REFUSED in edited and REFUSED not in (KB_DIR / "faq" / "planning.toml").read_text(encoding="utf-8")


async def test_the_curation_screen_drafts_an_entry(tmp_path):
    kb = tmp_path / "knowledge"
    shutil.copytree(KB_DIR, kb)
    log = QuestionLog(tmp_path / "questions.jsonl")
    app = FaqbotApp(kb_dir=kb, as_of=AS_OF, export_dir=tmp_path, engine=Faqbot.from_path(kb), question_log=log)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for question in ("patient skipped the last week, what about management", "patient skipped the last week?"):
            assert (await ask(app, pilot, question, type_it=False)).answer.status == "no_match"
        await pilot.press("f6")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CurationScreen) and len(screen.groups) == 1 and screen.groups[0].count == 2
        await pilot.press("d")
        await settle(app, pilot)
        assert screen.groups == []
        assert any("not served until" in str(n.message) for n in app._notifications)
    assert "patient skipped the last week" in (kb / "drafts.toml").read_text(encoding="utf-8")
