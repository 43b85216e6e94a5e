"""A modal showing one code card, from the code browser or the command palette."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from faqbot.model import CodeCard, KnowledgeBase
from faqbot.ui.code_card import CodeCardView


class CodeCardScreen(ModalScreen[str | None]):
    """One code card. Dismisses with a question to ask about the code, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="card.close"),
        Binding("a", "ask", "Ask about this code", id="card.ask"),
    ]

    def __init__(self, card: CodeCard, kb: KnowledgeBase, as_of: date) -> None:
        super().__init__()
        self.card, self.kb, self.as_of = card, kb, as_of

    def compose(self) -> ComposeResult:
        with Vertical(id="card-dialog"):
            yield CodeCardView(self.card, self.kb, self.as_of, id="card-view")
            yield Label(Content("a  ask faqbot about this code   ·   esc  close"), classes="dialog-hint")
        yield Footer()

    def action_ask(self) -> None:
        self.dismiss(f"What is CPT {self.card.code}?" if self.card.system == "CPT" else f"What is {self.card.code}?")
