"""Measure start-up: time from launch to a usable question box, and to the first answer.

    python -m faqbot.ui.timing [RUNS]

Each run is a fresh Python process (so imports count), running the real app headless at 120x40.
"Usable" means the question box is mounted and focused; "first answer" means the answer to a
combination question is on screen. Prints the median of the runs, in milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

QUESTION = "Can CPT 77295 and 77300 be billed together?"


async def _one_run(launched: float) -> dict[str, float]:
    from datetime import date

    from textual.widgets import Input

    from faqbot.knowledge import default_kb_dir
    from faqbot.ui.app import FaqbotApp
    from faqbot.ui.conversation import Turn

    imported = time.time() - launched
    app = FaqbotApp(kb_dir=default_kb_dir(), as_of=date(2026, 11, 26))
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.focused, Input) and app.focused.id == "question" and app.focused.is_mounted):
            await asyncio.sleep(0.001)
        usable = time.time() - launched
        app.query_one("#question", Input).value = QUESTION
        await pilot.press("enter")
        while not any(turn.answer is not None for turn in app.query(Turn)):
            await asyncio.sleep(0.001)
        await pilot.pause()
        answered = time.time() - launched
        while app.engine is None:
            await asyncio.sleep(0.001)
    return {"imports": imported * 1000, "usable_input": usable * 1000, "first_answer": answered * 1000}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--child":
        print(json.dumps(asyncio.run(_one_run(float(os.environ["FAQBOT_TIMING_T0"])))))
        return 0
    runs = int(args[0]) if args else 7
    results = startup_runs(runs)
    for key in ("imports", "usable_input", "first_answer"):
        values = [r[key] for r in results]
        print(
            f"{key:>13}: median {statistics.median(values):7.1f} ms   (min {min(values):.1f}, max {max(values):.1f}, {runs} runs)"
        )
    return 0


def startup_runs(runs: int) -> list[dict[str, float]]:
    """Each run in a fresh process: milliseconds to imports done, usable input, first answer.
    One extra first run is discarded: it compiles the app's bytecode, as a user's first launch does."""
    from faqbot.bench import bytecode_env

    results: list[dict[str, float]] = []
    for _ in range(runs + 1):
        env = dict(bytecode_env(), FAQBOT_TIMING_T0=repr(time.time()))
        out = subprocess.run(
            [sys.executable, "-m", "faqbot.ui.timing", "--child"], env=env, capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results[1:]


def measure_startup(runs: int) -> dict[str, float]:
    """Medians over ``runs`` fresh processes, in seconds: launch to usable input, to first answer."""
    results = startup_runs(runs)
    return {
        "usable input s (median)": statistics.median(r["usable_input"] for r in results) / 1000,
        "first answer s (median)": statistics.median(r["first_answer"] for r in results) / 1000,
    }


if __name__ == "__main__":
    raise SystemExit(main())
