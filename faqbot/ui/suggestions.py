""" "Did you mean" choices for an answer (and a long post's other questions), and the option list that
offers them (keyboard and mouse)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from faqbot.codes import CodeMention

if TYPE_CHECKING:  # the engine imports scikit-learn: keep it off the UI's start-up path
    from faqbot.engine import Answer


_MARKS = {"code": "↳ ", "entry": "? ", "also": "+ "}


@dataclass(frozen=True, slots=True)
class SuggestionChoice:
    """One thing the user may ask instead: the same question with a corrected code, or an entry's question."""

    kind: Literal["code", "entry", "also"]
    label: str
    question: str


def substitute_code(question: str, typed: str, guess: str, mentions: Iterable[CodeMention]) -> str:
    """``question`` with every mention of the code ``typed`` replaced by ``guess`` (modifiers kept)."""
    out = question
    hits = [m for m in mentions if m.code == typed and not m.range_end]
    for mention in sorted(hits, key=lambda m: m.start, reverse=True):
        replacement = guess + "".join(f"-{modifier}" for modifier in mention.modifiers)
        out = out[: mention.start] + replacement + out[mention.end :]
    if not hits:
        out = out.replace(typed, guess)
    return out


def suggestion_choices(answer: Answer, mentions: Iterable[CodeMention] = ()) -> tuple[SuggestionChoice, ...]:
    """The choices to offer: code typos first, then (for a weak match) the entries' questions, then the
    other questions a long post asks (each asked on its own)."""
    mentions = tuple(mentions)
    choices: list[SuggestionChoice] = []
    for typed, guess in answer.did_you_mean.items():
        question = substitute_code(answer.question, typed, guess, mentions)
        choices.append(SuggestionChoice("code", f"{guess} instead of {typed}: “{question}”", question))
    if answer.status == "no_match" or answer.did_you_mean:
        for suggestion in answer.suggestions:
            if all(c.question != suggestion.question for c in choices):
                choices.append(SuggestionChoice("entry", suggestion.question, suggestion.question))
    # A long post's other questions: asking one on its own shows the entry that answers it.
    for other in answer.also_asked:
        choices.append(SuggestionChoice("also", f"Also asked: “{other.part}” ({other.question})", other.part))
    return tuple(choices)


class SuggestionList(OptionList):
    """The choices under an answer. Enter or a click asks the chosen question."""

    BINDINGS = [
        Binding("escape", "back_to_input", "Back to question", id="suggestions.back"),
    ]

    DEFAULT_CSS = """
    SuggestionList {
        height: auto;
        max-height: 8;
        border: round $secondary 60%;
        border-title-color: $text-secondary;
        background: transparent;
        padding: 0 1;
        &:focus { border: round $secondary; }
    }
    """

    class Chosen(Message):
        """The user chose a suggestion: ask ``question``."""

        def __init__(self, question: str) -> None:
            super().__init__()
            self.question = question

    def __init__(self, choices: tuple[SuggestionChoice, ...], *, id: str | None = None) -> None:
        self.choices = choices
        super().__init__(
            *(Option(Content(_MARKS[c.kind] + c.label), id=f"choice-{i}") for i, c in enumerate(choices)),
            id=id,
        )
        self.border_title = "Did you mean"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.choices[event.option_index].question))

    async def action_back_to_input(self) -> None:
        await self.run_action("app.focus_question")
