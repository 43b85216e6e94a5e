"""The command palette matches code cards by words (no fuzzy search on long descriptions): the
phrase that used to freeze the app lists its codes within one refresh."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.style import Style

from faqbot.ui.commands import highlight_words, word_score

from .helpers import SIZE, settle


def _listed(app) -> list[str]:
    assert isinstance(app.screen, CommandPalette)
    commands = app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


async def test_the_palette_lists_codes_by_words_within_one_refresh(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"radiosurgery single")  # seconds a keystroke with fuzzy matching on descriptions
        await pilot.pause()  # one refresh
        listed = _listed(app)
        assert any(text.startswith("Look up 77371") for text in listed), listed
        assert any(text.startswith("Look up 77372") for text in listed), listed
        assert not any(text.startswith("Look up 63620") for text in listed)  # spinal: no "single"


def test_every_typed_word_must_be_in_the_card_and_word_starts_score_higher() -> None:
    text = "77300 Basic radiation dosimetry calculation"
    assert word_score(["dosimetry", "basic"], text) > word_score(["osimetry", "basic"], text) > 0
    assert word_score(["dosimetry", "imrt"], text) == 0
    assert word_score(["773"], text) > word_score(["basic"], text)
    assert word_score([], text) == 0


def test_highlighting_never_reads_markup() -> None:
    content = highlight_words("Look up X — [b]not bold[/b] dosimetry", ["dosimetry"], Style(reverse=True))
    assert content.plain == "Look up X — [b]not bold[/b] dosimetry"
    assert len(content.spans) == 1
