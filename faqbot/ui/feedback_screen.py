"""F5: feedback on the latest answer (right; wrong, with an optional comment; "should have been entry
X", from the suggestions or the entry list), written to the question log."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from faqbot.question_log import QuestionLog, record_for, with_feedback, worth_logging

if TYPE_CHECKING:
    from faqbot.engine import Answer
    from faqbot.model import Entry
    from faqbot.question_log import LogRecord

MAX_PICKED = 30


@dataclass(frozen=True, slots=True)
class FeedbackChoice:
    """What the user said about an answer."""

    feedback: Literal["right", "wrong"]
    comment: str = ""
    correct_entry: str | None = None

    def summary(self) -> str:
        if self.feedback == "right":
            return "Marked right."
        named = f" It should have been entry {self.correct_entry}." if self.correct_entry else ""
        return f"Marked wrong.{named}" + (f" Comment: {self.comment}" if self.comment else "")


def log_answer(log: QuestionLog | None, answer: Answer) -> LogRecord:
    """The answer's log record; written at once when it is a refusal or a low-confidence answer."""
    record = record_for(answer, asked_at=datetime.now())
    if log is not None and worth_logging(answer):
        with suppress(OSError):  # the answer matters more than its log line; feedback reports write errors
            log.append([record])
    return record


def log_feedback(log: QuestionLog, answer: Answer, record: LogRecord | None, choice: FeedbackChoice) -> LogRecord:
    """Write the feedback line (the answer's record with the feedback) and return it."""
    rated = with_feedback(
        record or record_for(answer, asked_at=datetime.now()),
        choice.feedback,
        comment=choice.comment,
        correct_entry=choice.correct_entry,
    )
    log.append([rated])
    return rated


def matching_entries(entries: Sequence[Entry], typed: str, limit: int = MAX_PICKED) -> list[Entry]:
    """Entries whose id or question holds every typed word (all of them when nothing is typed)."""
    words = typed.lower().split()
    hits = [e for e in entries if all(w in f"{e.id} {e.question}".lower() for w in words)]
    return hits[:limit]


class EntryPickerScreen(ModalScreen[str | None]):
    """Pick the entry an answer should have been: type to filter, Enter to choose, Esc to go back."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", id="entry_picker.back")]

    def __init__(self, entries: Sequence[Entry]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(id="entry-picker-dialog", classes="dialog"):
            yield Input(placeholder="Type words of the entry's id or question", id="entry-filter")
            yield OptionList(id="entry-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#entry-picker-dialog").border_title = "Should have been entry…"
        self._fill("")
        self.query_one("#entry-filter", Input).focus()

    def _fill(self, typed: str) -> None:
        options = self.query_one("#entry-list", OptionList)
        options.clear_options()
        options.add_options(
            Option(Content(f"{e.id} — {e.question}"), id=e.id) for e in matching_entries(self.entries, typed)
        )
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#entry-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#entry-filter")
    def _submit(self, event: Input.Submitted) -> None:
        options = self.query_one("#entry-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#entry-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class FeedbackScreen(ModalScreen[FeedbackChoice | None]):
    """Right / wrong / should have been: Enter on a choice; the comment box (Tab) is optional."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="feedback.cancel")]

    def __init__(self, answer: Answer, entries: Sequence[Entry]) -> None:
        super().__init__()
        self.answer = answer
        self.entries = entries

    def compose(self) -> ComposeResult:
        if self.answer.entry_id:
            answered = f"answered with entry {self.answer.entry_id}"
        elif self.answer.status == "no_match":
            answered = (
                "not answered ("
                + ("refused" if self.answer.kind == "none" else self.answer.kind.replace("_", " "))
                + ")"
            )
        else:
            answered = "answered with a " + self.answer.kind.replace("_", " ")
        with Vertical(id="feedback-dialog", classes="dialog"):
            yield Label(Content(f"“{self.answer.question}” — {answered}"), id="feedback-question")
            yield OptionList(
                Option(Content("✓ Right: this answer is right"), id="right"),
                Option(Content("✗ Wrong: this answer is wrong"), id="wrong"),
                *(
                    Option(Content(f"→ Should have been: {s.question} ({s.entry_id})"), id=f"entry:{s.entry_id}")
                    for s in self.answer.suggestions
                ),
                Option(Content("→ Should have been another entry…"), id="pick"),
                id="feedback-choices",
            )
            yield Input(placeholder="Optional one-line comment (Tab to reach it)", id="feedback-comment")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#feedback-dialog").border_title = "Rate the latest answer"
        self.query_one("#feedback-choices", OptionList).focus()

    @property
    def comment(self) -> str:
        return self.query_one("#feedback-comment", Input).value.strip()

    @on(Input.Submitted, "#feedback-comment")
    def _comment_entered(self) -> None:
        self.query_one("#feedback-choices", OptionList).focus()

    @on(OptionList.OptionSelected, "#feedback-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        choice = event.option.id or ""
        if choice == "right":
            self.dismiss(FeedbackChoice("right", self.comment))
        elif choice == "wrong":
            self.dismiss(FeedbackChoice("wrong", self.comment))
        elif choice.startswith("entry:"):
            self.dismiss(FeedbackChoice("wrong", self.comment, choice.removeprefix("entry:")))
        else:
            self.app.push_screen(EntryPickerScreen(self.entries), self._picked)

    def _picked(self, entry_id: str | None) -> None:
        if entry_id:
            self.dismiss(FeedbackChoice("wrong", self.comment, entry_id))
