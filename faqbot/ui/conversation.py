"""The conversation: a welcome message, then one turn (question and answer) per question asked."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, LoadingIndicator, Markdown, Static

from faqbot.ui.answer_markdown import escape_markdown
from faqbot.ui.answer_view import AnswerView
from faqbot.ui.suggestions import SuggestionChoice

if TYPE_CHECKING:  # the engine imports scikit-learn: keep it off the UI's start-up path
    from faqbot.claim_check import ClaimReport
    from faqbot.engine import Answer
    from faqbot.question_log import LogRecord


SHORT_DISCLAIMER = "Reference information, not billing advice."
CLAIM_LINES_SHOWN = 4  # pasted claim lines shown above the claim view


def welcome_markdown(keys: str = "", disclaimer: str = SHORT_DISCLAIMER) -> str:
    """The welcome text (``welcome.md``) with the key summary and the disclaimer filled in.

    The full disclaimer lives in ``faqbot.terminal_format``, which imports the engine (and scikit-learn);
    the app shows the short form until the knowledge base has loaded, then the full text."""
    text = resources.files("faqbot.ui").joinpath("welcome.md").read_text(encoding="utf-8")
    return text.replace("{keys}", keys).replace("{disclaimer}", escape_markdown(disclaimer))


class QuestionView(Static):
    """The user's question, shown exactly as typed (never as markup)."""

    def __init__(self, question: str) -> None:
        super().__init__(Content(question), classes="question-text", markup=False)


class Turn(Vertical):
    """One question and, once it is ready, its answer."""

    def __init__(self, question: str) -> None:
        super().__init__(classes="turn")
        self.question = question
        self.answer: Answer | None = None
        self.claim: ClaimReport | None = None  # several pasted claim lines get a claim check instead
        self.choices: tuple[SuggestionChoice, ...] = ()
        self.log_record: LogRecord | None = None  # the answer as the question log keeps it

    def compose(self) -> ComposeResult:
        with Vertical(classes="question"):
            yield Label(Content("You"), classes="speaker")
            yield QuestionView(self.question)
        with Horizontal(classes="pending"):
            yield LoadingIndicator()
            yield Label(Content("Thinking…"), classes="pending-text")

    def show_waiting(self) -> None:
        """Say that the answer waits for the knowledge base to finish loading."""
        self.query_one(".pending-text", Label).update(Content("Waiting for the knowledge base to load…"))

    async def show_answer(self, answer: Answer, choices: tuple[SuggestionChoice, ...] = ()) -> None:
        self.answer, self.choices = answer, choices
        await self.query(".pending").remove()
        await self.mount(AnswerView(answer, choices))

    async def show_claim(self, report: ClaimReport) -> None:
        from faqbot.ui.claim_view import ClaimView

        self.claim = report
        lines = self.question.splitlines()
        if len(lines) > CLAIM_LINES_SHOWN:  # the claim view's table lists every line: keep the answer in sight
            shown = "\n".join(lines[:CLAIM_LINES_SHOWN])
            more = len(lines) - CLAIM_LINES_SHOWN
            self.query_one(QuestionView).update(
                Content(f"{shown}\n… {more} more lines (every line is in the table below)")
            )
        await self.query(".pending").remove()
        await self.mount(ClaimView(report))

    async def show_error(self, message: str) -> None:
        await self.query(".pending").remove()
        await self.mount(Static(Content(message), classes="turn-error"))


class Conversation(VerticalScroll):
    """The scrolling conversation."""

    def __init__(self, *, welcome: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.welcome = welcome

    def compose(self) -> ComposeResult:
        yield Markdown(self.welcome, id="welcome")

    @property
    def turns(self) -> list[Turn]:
        return list(self.query_children(Turn))

    async def add_turn(self, question: str) -> Turn:
        turn = Turn(question)
        await self.mount(turn)
        self.scroll_end(animate=False)
        return turn

    async def clear(self) -> None:
        await self.query_children(Turn).remove()
        self.scroll_home(animate=False)

    def retire_suggestions(self, *, keep: Turn) -> None:
        """Only the latest answer's "Did you mean" list takes keyboard focus (Tab / Shift+Tab);
        older lists stay on screen and clickable, out of the way of the keyboard."""
        from faqbot.ui.suggestions import SuggestionList

        for turn in self.turns:
            if turn is not keep:
                for suggestions in turn.query(SuggestionList):
                    suggestions.can_focus = False
