"""Measure the command palette: the time faqbot's provider takes to answer each keystroke.

    python -m faqbot.ui.palette_timing

Runs the real app headless on the shipped knowledge base (the whole code table) and, for every
prefix of a few typed phrases (a command, codes, words from code descriptions), times faqbot's
command provider producing all of its hits, as the palette asks for them on each keystroke.
Prints the median and the slowest keystroke, in milliseconds.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import date

from faqbot.engine import Faqbot

TYPED = (
    "open code browser",
    "look up 77014",
    "77295 77300",
    "stereotactic radiosurgery",
    "imrt plan",
    "brachytherapy isodose plan",
    "weekly treatment management",
    "xyz nothing matches this",
)


async def _keystroke_seconds(engine: Faqbot) -> list[float]:
    from faqbot.ui.app import FaqbotApp
    from faqbot.ui.commands import FaqbotCommands

    app = FaqbotApp(as_of=date(2026, 11, 26), engine=engine)
    seconds: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while app.engine is None:
            await pilot.pause()
        provider = FaqbotCommands(app.screen)
        for typed in TYPED:
            for end in range(1, len(typed) + 1):
                start = time.perf_counter()
                async for _ in provider.search(typed[:end]):
                    pass
                seconds.append(time.perf_counter() - start)
    return seconds


def measure_palette(engine: Faqbot | None = None) -> dict[str, float]:
    """Per keystroke, in milliseconds: median and slowest, over every prefix of :data:`TYPED`."""
    engine = engine or Faqbot.from_path()
    seconds = asyncio.run(_keystroke_seconds(engine))
    return {
        "keystrokes": len(seconds),
        "codes": len(engine.kb.codes),
        "p50_ms": statistics.median(seconds) * 1000,
        "max_ms": max(seconds) * 1000,
    }


def main() -> int:
    figures = measure_palette()
    print(
        f"palette, {figures['keystrokes']:.0f} keystrokes over {figures['codes']:.0f} codes: "
        f"median {figures['p50_ms']:.2f} ms, slowest {figures['max_ms']:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
