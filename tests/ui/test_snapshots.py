"""Snapshots of the main screens at 120x40 (and the main screen at 80x24 and 160x48), with a fixed
as-of date and no cursor blink."""

from __future__ import annotations

import pytest

from faqbot.ui.app import FaqbotApp

from .helpers import AS_OF, KB_DIR, SIZE, ask, quiet, settle


@pytest.fixture
def make_app(engine):
    def make(tmp_path) -> FaqbotApp:
        return FaqbotApp(kb_dir=KB_DIR, as_of=AS_OF, export_dir=tmp_path / "exports", engine=engine)

    return make


@pytest.mark.parametrize("size", [SIZE, (80, 24), (160, 48)], ids=["default", "80x24", "160x48"])
def test_main_screen_after_a_combination_question(snap_compare, tmp_path, make_app, size):
    """The answer to a combination question (misconception, verdict table, code cards) at the default
    size, at 80x24 (the code panel gives way, the footer keeps its keys) and at 160x48."""
    app = make_app(tmp_path)

    async def run_before(pilot) -> None:
        await settle(app, pilot)
        quiet(app)
        await ask(app, pilot, "Can CPT 77295 and 77300 be billed together?", type_it=False)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_code_browser_filtered(snap_compare, tmp_path, make_app):
    """The code browser filtered to the dosimetry codes."""
    app = make_app(tmp_path)

    async def run_before(pilot) -> None:
        await settle(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        quiet(app)
        await pilot.press(*"dosimetry")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, tmp_path, make_app):
    """The F1 help screen."""
    app = make_app(tmp_path)

    async def run_before(pilot) -> None:
        await settle(app, pilot)
        quiet(app)
        await pilot.press("f1")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_weak_match_suggestions(snap_compare, tmp_path, make_app):
    """A code the table lacks: the notice and the "Did you mean" choices, focused."""
    app = make_app(tmp_path)

    async def run_before(pilot) -> None:
        await settle(app, pilot)
        quiet(app)
        await ask(app, pilot, "Can CPT 77095 and 77300 be billed together?", type_it=False)
        await pilot.press("tab")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
