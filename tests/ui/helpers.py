"""Helpers for driving the real app in tests."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static

from faqbot.engine import Faqbot
from faqbot.ui.app import FaqbotApp
from faqbot.ui.conversation import Turn
from faqbot.ui.verdict_table import VerdictTable

KB_DIR = Path(__file__).resolve().parents[2] / "knowledge"
AS_OF = date(2026, 11, 26)
SIZE = (120, 40)


def seed_entries(engine: Faqbot):
    return [entry for entry in engine.kb.entries if entry.seed]


def quiet(app: FaqbotApp) -> None:
    """Stop every cursor on the current screen from blinking (snapshots must not depend on time)."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


async def settle(app: FaqbotApp, pilot: Pilot) -> None:
    """Wait until every answer is on screen."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def ask(app: FaqbotApp, pilot: Pilot, question: str, *, type_it: bool = True) -> Turn:
    """Type ``question`` into the question box (or paste it, for long text), press Enter, wait for the answer."""
    box = app.query_one("#question", Input)
    if type_it:
        await pilot.press(*question)
    else:
        box.value = question
    assert box.value == question
    await pilot.press("enter")
    await settle(app, pilot)
    return app.query(Turn).last()


async def palette(pilot: Pilot, typed: str) -> None:
    """Open the command palette, type ``typed`` and run the first match."""
    await pilot.press("ctrl+p")
    await pilot.press(*typed)
    await pilot.pause(0.5)
    await pilot.press("enter")


def plain(text: str) -> str:
    return " ".join(text.split())


def widget_text(root: Widget, width: int = 2000) -> str:
    """All text shown by ``root`` and its descendants (statics, markdown blocks, verdict tables), whitespace-folded."""
    parts: list[str] = []
    widgets = [root, *root.query("*")]
    for widget in widgets:
        if isinstance(widget, VerdictTable):
            console = Console(width=width, record=True, file=io.StringIO())
            console.print(widget.render())
            parts.append(console.export_text())
        elif isinstance(widget, Static):
            content = widget.content
            parts.append(getattr(content, "plain", str(content)))
    return plain(" ".join(parts))


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", plain(text), maxsplit=1)[0]
