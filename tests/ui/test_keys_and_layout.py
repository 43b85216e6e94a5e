"""Keys, layout and privacy found wanting in the 2026-12 new-user trial (rows 9, 10, 20, 23, 27; §4, §5, §6)."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Input
from textual.widgets._footer import FooterKey

from faqbot.ui.app import EXPORT_NOTICE, FaqbotApp
from faqbot.ui.check_screen import CheckCodesScreen, check_question
from faqbot.ui.code_panel import CodePanel
from faqbot.ui.conversation import Conversation, Turn
from faqbot.ui.error_screen import KnowledgeErrorScreen
from faqbot.ui.suggestions import SuggestionList
from faqbot.ui.verdict_table import VerdictTable

from .helpers import AS_OF, KB_DIR, SIZE, ask, settle

NARROW = (80, 24)
WIDE = (160, 48)


async def test_f4_dialog_has_focus_when_it_opens(app):
    """Row 9: typed codes go into the dialog's box, and Enter asks the check."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        assert isinstance(app.screen, CheckCodesScreen)
        assert app.focused is app.screen.query_one("#check-codes", Input)
        await pilot.press(*"77295 77300", "enter")
        await settle(app, pilot)
        turn = app.query(Turn).last()
        assert turn.question == "Can 77295 and 77300 be billed together?"
        assert turn.answer is not None and turn.answer.rule_check is not None


def test_f4_keeps_every_context_word():
    """Row 20: "outpatient" (and any other word) is kept, not only a fixed list of setting words."""
    assert check_question(["77301", "77014"], "77301 77014 2025-05-01 outpatient") == (
        "Can 77301 and 77014 be billed together (2025-05-01 outpatient)?"
    )
    assert check_question(["77301", "77014"], "77301-26, 77014 physician office") == (
        "Can 77301 and 77014 be billed together (physician office)?"
    )


async def test_shift_tab_never_lands_in_an_old_answers_suggestions(app):
    """Row 10: after a later answer, an earlier "Did you mean" list is out of the keyboard's way."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = await ask(app, pilot, "Can CPT 77095 and 77300 be billed together?", type_it=False)
        assert first.query(SuggestionList), "the first answer offers choices"
        await ask(app, pilot, "what is g6012", type_it=False)
        await pilot.press("shift+tab")
        assert not isinstance(app.focused, SuggestionList)
        await pilot.press("tab", "tab")
        assert not isinstance(app.focused, SuggestionList)


async def test_page_keys_scroll_the_conversation_from_the_question_box(app):
    """§5: PageUp/PageDown/End scroll the conversation while the question box keeps focus."""
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        for question in ("can 77014 be billed alone", "Can CPT 77295 and 77300 be billed together?"):
            await ask(app, pilot, question, type_it=False)
        conversation = app.query_one(Conversation)
        box = app.query_one("#question", Input)
        conversation.scroll_end(animate=False)
        await pilot.pause()
        bottom = conversation.scroll_y
        assert bottom > 0 and app.focused is box
        await pilot.press("pageup")
        await pilot.pause()
        assert conversation.scroll_y < bottom and app.focused is box
        await pilot.press("pagedown")
        await pilot.pause()
        assert conversation.scroll_y > 0
        conversation.scroll_home(animate=False)
        await pilot.pause()
        box.value = "draft"
        box.cursor_position = 0
        await pilot.press("end")  # first to the end of the typed text
        assert box.cursor_position == 5 and conversation.scroll_y == 0
        await pilot.press("end")  # then to the latest answer
        await pilot.pause()
        assert conversation.scroll_y == conversation.max_scroll_y > 0


def footer_keys(app: FaqbotApp) -> dict[str, FooterKey]:
    return {key.action: key for key in app.screen.query(FooterKey)}


async def test_footer_shows_quit_and_fits_80_columns(app):
    """§4: at 80x24 the footer keeps Export and Clear, and Ctrl+Q shows."""
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        keys = footer_keys(app)
        assert {"quit", "export", "clear", "help", "check_codes"} <= set(keys)
        for key in keys.values():
            assert key.region.width > 0 and key.region.right <= NARROW[0], key.action


async def test_at_80x24_the_code_panel_gives_way_and_f3_brings_it_back(app):
    """§4: the conversation and the verdict table get the width; F3 toggles the panel either way."""
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        turn = await ask(app, pilot, "Can CPT 77295 and 77300 be billed together?", type_it=False)
        panel = app.query_one(CodePanel)
        assert not panel.display
        assert turn.query_one(VerdictTable).region.width >= 70
        await pilot.press("f3")
        await pilot.pause()
        assert panel.display and 0 < panel.region.width <= 30
        await pilot.press("f3")
        await pilot.pause()
        assert not panel.display


async def test_wide_window_shows_the_code_panel(app):
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        panel = app.query_one(CodePanel)
        assert panel.display and panel.region.width == 38
        await pilot.press("f3")
        await pilot.pause()
        assert not panel.display


async def test_f3_does_not_restyle_the_conversation(app):
    """Row 27: F3 changes only the panel's classes, so a long conversation is not restyled widget by widget,
    and each verdict table is laid out once per width."""
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        for _ in range(3):
            await ask(app, pilot, "Can CPT 77295 and 77300 be billed together?", type_it=False)
        screen_classes = set(app.screen.classes)
        tables = list(app.query(VerdictTable))
        for _ in range(4):
            await pilot.press("f3")
            await pilot.pause()
        assert set(app.screen.classes) == screen_classes
        assert all(len(table._heights) <= 3 for table in tables)


async def test_error_screen_hides_keys_that_cannot_work(tmp_path: Path, monkeypatch, capsys):
    """Row 23: with a broken knowledge base, F2/F4/Ctrl+S/Ctrl+L are not offered and do nothing."""
    broken = tmp_path / "knowledge"
    shutil.copytree(KB_DIR, broken)
    (broken / "families.toml").write_text("not toml [", encoding="utf-8")
    app = FaqbotApp(kb_dir=broken, as_of=AS_OF, export_dir=tmp_path / "exports")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, KnowledgeErrorScreen)
        keys = footer_keys(app)
        assert not {"code_browser", "check_codes", "export", "clear"} & set(keys)
        await pilot.press("f2", "f4")
        await pilot.pause()
        assert isinstance(app.screen, KnowledgeErrorScreen)
        assert not any("still loading" in n.message for n in app._notifications)


def test_chat_with_a_broken_knowledge_base_exits_1(monkeypatch, tmp_path: Path):
    """Row 23: quitting the error screen is not a success."""
    import sys

    from faqbot import cli

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)

    def run(self):
        self.load_problems = ["families.toml: not valid TOML"]

    monkeypatch.setattr(FaqbotApp, "run", run)
    assert cli.main(["chat", "--kb", str(tmp_path)]) == 1


async def test_export_is_private_and_says_so(app, export_dir: Path):
    """§6: the export may hold patient data: mode 0600 (folder 0700) and a notice that says why."""
    async with app.run_test(size=SIZE) as pilot:
        await ask(app, pilot, "Claim 4471 DOS 03/15/2025 77301 77014", type_it=False)
        await pilot.press("ctrl+s")
        await pilot.pause()
        (path,) = export_dir.glob("*.md")
        assert path.stat().st_mode & 0o777 == 0o600
        assert export_dir.stat().st_mode & 0o777 == 0o700
        assert any("patient data" in n.message and EXPORT_NOTICE in n.message for n in app._notifications)
