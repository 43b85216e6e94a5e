"""A small dialog that asks which codes to check together (F4, or from the command palette)."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from faqbot.codes import find_mentions

_SEPARATOR = re.compile(r"[\s,;+&/()?]+")
_FILLER = frozenset({"and", "with", "plus", "together", "alone", "can", "i", "bill", "billed", "be", "check"})


def check_question(codes: list[str] | tuple[str, ...], typed: str = "") -> str:
    """The question that asks for a rule check of ``codes`` ("alone" for one code, "together" for more).

    Every other word typed (a date of service, "outpatient", "physician office", a payer ...) is kept
    in brackets, so the question reads the context the way a typed question would; nothing is dropped."""
    if len(codes) == 1:
        question = f"Can {codes[0]} be billed alone"
    else:
        question = f"Can {', '.join(codes[:-1])} and {codes[-1]} be billed together"
    rest = typed
    for mention in sorted(find_mentions(typed), key=lambda m: m.start, reverse=True):
        rest = rest[: mention.start] + " " + rest[mention.end :]
    context = [word for word in _SEPARATOR.split(rest) if word and word.lower() not in _FILLER]
    return f"{question} ({' '.join(context)})?" if context else f"{question}?"


class CheckCodesScreen(ModalScreen[str | None]):
    """Type codes; dismisses with the text typed (or None on Esc)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="check.cancel")]
    AUTO_FOCUS = "#check-codes"  # the app's own AUTO_FOCUS (the question box) is not on this screen

    def compose(self) -> ComposeResult:
        with Vertical(id="check-dialog"):
            yield Static(
                Content("Codes to check together; a date of service or a setting may follow:"), id="check-label"
            )
            yield Input(placeholder="e.g. 77295 77300   or   77014 77387 2025 hospital", id="check-codes")
            yield Label(Content("Enter checks · Esc cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#check-dialog").border_title = "Check codes"

    @on(Input.Submitted, "#check-codes")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)
