"""One answer in the conversation: labels, notices, the direct answer, misconception, verdict, sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.style import Style
from textual.widgets import Markdown, Static

from faqbot.ui.answer_markdown import (
    confidence_label,
    direct_answer_markdown,
    matched_label,
    notice_label,
)
from faqbot.ui.suggestions import SuggestionChoice, SuggestionList
from faqbot.ui.verdict_table import VerdictTable

if TYPE_CHECKING:  # the engine imports scikit-learn: keep it off the UI's start-up path
    from faqbot.engine import Answer


class Callout(Static):
    """A titled, coloured box for a notice or a common misconception. Never interprets markup."""

    def __init__(self, title: str, text: str, *, classes: str) -> None:
        super().__init__(Content.assemble((title, "bold"), "\n", " ".join(text.split())), classes=classes)


def sources_content(sources) -> Content:
    """``Sources`` and one clickable line per source (title, tier, address).

    One widget, not a Markdown list (four widgets a source): a long conversation lays out, and
    F3 toggles the code panel, without delay."""
    pieces: list[str | tuple[str, str | Style]] = [("Sources", "bold")]
    for source in sources:
        pieces += [
            "\n",
            ("• ", "$text-muted"),
            (source.title, Style(link=source.url, underline=True)),
            (f" · {source.tier} · {source.url}", "$text-muted"),
        ]
    return Content.assemble(*pieces)


CONFIDENCE_STYLES = {
    "high": "$text-success on $success-muted",
    "medium": "$text-warning on $warning-muted",
    "low": "$text-error on $error-muted",
    "none": "$text-warning on $warning-muted",
}


def meta_line(answer: Answer) -> Content:
    """``faqbot  entry x  confidence 0.99 (high)  as of 2026-11-26`` (wraps on narrow screens)."""
    level = answer.confidence_level
    return Content.assemble(
        ("faqbot", "bold $text-primary"),
        "  ",
        (matched_label(answer), "$text-muted"),
        "  ",
        (f" {confidence_label(answer)} ", CONFIDENCE_STYLES[level]),
        "  ",
        (f"as of {answer.as_of.isoformat()}", "$text-muted"),
    )


class AnswerView(Vertical):
    """Everything faqbot says about one question, built from the :class:`Answer` alone."""

    def __init__(self, answer: Answer, choices: tuple[SuggestionChoice, ...] = ()) -> None:
        super().__init__(classes="answer -no-match" if answer.status == "no_match" else "answer")
        self.answer = answer
        self.choices = choices

    def compose(self) -> ComposeResult:
        answer = self.answer
        yield Static(meta_line(answer), classes="answer-meta")
        for notice in answer.notices:
            label = notice_label(notice)
            kind = "-deleted" if label in ("Deleted code", "Reported deleted", "Not yet valid") else "-unknown"
            yield Callout(("⚠ " if kind == "-deleted" else "? ") + label, notice, classes=f"callout notice {kind}")
        # A combination question: the verdict first (the entry's opening words agree with it).
        if answer.rule_check is not None:
            yield VerdictTable(answer.rule_check, classes="verdict")
        body = direct_answer_markdown(answer)
        if body:
            yield Markdown(body, classes="answer-body")
        if answer.misconception:
            yield Callout("✗ Common misconception", answer.misconception, classes="callout misconception")
        if answer.sources:
            yield Static(sources_content(answer.sources), classes="sources")
        if self.choices:
            yield SuggestionList(self.choices)
