"""Code browser, code cards, help, the command palette, loading, and a broken knowledge base."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from textual.widgets import DataTable

import faqbot.engine
from faqbot.engine import Faqbot
from faqbot.ui.app import FaqbotApp
from faqbot.ui.code_browser import CodeBrowserScreen, filter_codes
from faqbot.ui.code_card_screen import CodeCardScreen
from faqbot.ui.conversation import Turn
from faqbot.ui.error_screen import KnowledgeErrorScreen
from faqbot.ui.help_screen import HelpScreen

from .helpers import AS_OF, KB_DIR, SIZE, palette, settle, widget_text


async def test_code_browser_filters_as_you_type_and_opens_a_card(app, engine):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f2")
        assert isinstance(app.screen, CodeBrowserScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(engine.kb.codes)
        await pilot.press(*"dosimetry")
        assert 0 < table.row_count < len(engine.kb.codes)
        assert table.row_count == len(filter_codes(engine.kb, "dosimetry"))
        await pilot.press(*" 77300")  # every word must match; the code it names comes first
        assert str(table.coordinate_to_cell_key((0, 0)).row_key.value) == "77300"
        await pilot.press("enter")
        assert isinstance(app.screen, CodeCardScreen) and app.screen.card.code == "77300"
        await pilot.press("escape")
        assert isinstance(app.screen, CodeBrowserScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, CodeBrowserScreen)


async def test_code_browser_filters_by_family_and_asks_from_a_card(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+b")
        await pilot.press(*"imaging guidance")
        table = app.screen.query_one(DataTable)
        codes = [str(key.value) for key in table.rows]
        assert "77014" in codes and len(codes) < len(app.engine.kb.codes)
        await pilot.press("down", "up")
        await pilot.press("enter")
        card_code = app.screen.card.code
        await pilot.press("a")
        await settle(app, pilot)
        assert app.screen.query_one("#question")
        latest = app.query(Turn).last()
        assert card_code in latest.question and card_code in latest.answer.codes


def test_filter_codes_matches_code_family_and_words(engine):
    assert [c.code for c in filter_codes(engine.kb, "77014")][0] == "77014"
    assert all(c.code.startswith("774") for c in filter_codes(engine.kb, "774")[:3])
    assert all(c.family == "imaging_guidance" for c in filter_codes(engine.kb, "imaging_guidance"))
    assert filter_codes(engine.kb, "") == sorted(engine.kb.codes.values(), key=lambda c: c.code)
    assert filter_codes(engine.kb, "no such words anywhere") == []


async def test_help_screen_lists_bindings_and_disclaimer(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.markdown
        for description in ("Help", "Codes", "Export", "Clear", "Previous question", "Command palette"):
            assert f"| {description} |" in text
        assert "not billing advice" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_disclaimer_is_visible(app):
    async with app.run_test(size=SIZE):
        assert "not billing advice" in app.sub_title
        assert "Reference information, not billing advice" in app.query_one("#welcome").source


async def test_command_palette_checks_typed_codes(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await palette(pilot, "77295 77300")
        await settle(app, pilot)
        latest = app.query(Turn).last()
        assert latest.question == "Can 77295 and 77300 be billed together?"
        assert latest.answer.rule_check is not None


async def test_command_palette_opens_the_code_browser(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await palette(pilot, "open code browser")
        await pilot.pause()
        assert isinstance(app.screen, CodeBrowserScreen)


async def test_question_before_loading_waits_with_an_indicator(loading_app, monkeypatch):
    app = loading_app
    release = threading.Event()
    real = Faqbot.from_path

    def slow_from_path(kb_dir=None):
        release.wait(5)
        return real(kb_dir)

    monkeypatch.setattr(faqbot.engine.Faqbot, "from_path", staticmethod(slow_from_path))
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused is app.query_one("#question"), "the question box is usable before loading finishes"
        assert app.query_one("#status-spinner").display
        app.query_one("#question").value = "What is CPT 77014?"
        await pilot.press("enter")
        await pilot.pause(0.1)
        turn = app.query(Turn).last()
        assert "Waiting for the knowledge base" in widget_text(turn)
        assert turn.query("LoadingIndicator")
        release.set()
        await settle(app, pilot)
        assert turn.answer is not None and "77014" in turn.answer.codes
        assert not app.query_one("#status-spinner").display


async def test_broken_knowledge_base_shows_its_problems(tmp_path: Path):
    broken = tmp_path / "knowledge"
    shutil.copytree(KB_DIR, broken)
    codes = broken / "codes.toml"
    codes.write_text(
        codes.read_text(encoding="utf-8").replace('family = "imaging_guidance"', 'family = "no_such_family"', 1),
        encoding="utf-8",
    )
    app = FaqbotApp(kb_dir=broken, as_of=AS_OF, export_dir=tmp_path / "exports")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, KnowledgeErrorScreen)
        text = widget_text(app.screen)
        assert "could not be loaded" in text
        assert "codes.toml" in text and "no_such_family" in text
        await pilot.press("q")
    assert app.return_code == 0


async def test_missing_knowledge_folder_is_reported(tmp_path: Path):
    app = FaqbotApp(kb_dir=tmp_path / "missing", as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, KnowledgeErrorScreen)
        assert "not found" in widget_text(app.screen)
