"""Shown instead of the chat when the knowledge base cannot be loaded: every problem, one per line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from faqbot.knowledge import KnowledgePath, kb_label


class KnowledgeErrorScreen(Screen[None]):
    """The knowledge base has problems: list them and say how to fix them."""

    BINDINGS = [Binding("q,escape", "app.quit", "Quit", id="error.quit")]

    def __init__(self, kb_dir: KnowledgePath | None, problems: list[str]) -> None:
        super().__init__()
        self.kb_dir = kb_dir
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="error-dialog"):
            where = f" in {kb_label(self.kb_dir)}" if self.kb_dir else ""
            yield Static(
                Content(f"The knowledge base{where} could not be loaded: {len(self.problems)} problem(s)."),
                id="error-title",
            )
            with VerticalScroll(id="error-problems"):
                for problem in self.problems:
                    yield Static(Content(f"• {problem}"), classes="problem")
            yield Static(
                Content("Fix these in the knowledge files (`faqbot kb validate` lists them), then start faqbot again."),
                id="error-hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#error-dialog").border_title = "Knowledge base error"
