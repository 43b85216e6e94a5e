"""Save an SVG screenshot of the real app answering a combination question (for the README).

python -m faqbot.ui.screenshot [OUTPUT.svg]
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path

from textual.widgets import Input

from faqbot.knowledge import default_kb_dir
from faqbot.ui.app import FaqbotApp

QUESTION = "Can CPT 77295 and 77300 be billed together?"
AS_OF = date(2026, 11, 26)
SIZE = (120, 58)


async def save(output: Path) -> Path:
    app = FaqbotApp(kb_dir=default_kb_dir(), as_of=AS_OF, export_dir=Path("/nonexistent-export-dir"))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        app.query_one("#question", Input).value = QUESTION
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        output.parent.mkdir(parents=True, exist_ok=True)
        app.save_screenshot(filename=output.name, path=str(output.parent))
    return output


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0]) if args else Path(__file__).resolve().parent / "screenshot.svg"
    print(asyncio.run(save(output)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
