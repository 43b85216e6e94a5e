"""A small dialog that asks which codes to check together (from the command palette)."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label


_CONTEXT_WORD = re.compile(
    r"^(?:(?:19|20)\d\d(?:-\d\d?-\d\d?)?|\d\d?/\d\d?/(?:19|20)\d\d|hospital|opps|office|freestanding|mpfs)$",
    re.IGNORECASE,
)


def check_question(codes: list[str] | tuple[str, ...], typed: str = "") -> str:
    """The question that asks for a rule check of ``codes`` ("alone" for one code, "together" for more),
    keeping any date of service or setting word that ``typed`` states."""
    if len(codes) == 1:
        question = f"Can {codes[0]} be billed alone"
    else:
        question = f"Can {', '.join(codes[:-1])} and {codes[-1]} be billed together"
    context = [word for word in typed.split() if _CONTEXT_WORD.match(word)]
    return f"{question} ({' '.join(context)})?" if context else f"{question}?"


class CheckCodesScreen(ModalScreen[str | None]):
    """Type codes; dismisses with the text typed (or None on Esc)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="check.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="check-dialog"):
            yield Label(Content("Codes to check together (a date of service or setting may follow):"))
            yield Input(placeholder="e.g. 77295 77300   or   77014 77387 2025 hospital", id="check-codes")
            yield Label(Content("Enter checks · Esc cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#check-dialog").border_title = "Check codes"

    @on(Input.Submitted, "#check-codes")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)
