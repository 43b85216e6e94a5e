"""The core never imports Textual: the CLI and library stay usable without the UI."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "faqbot.model", "faqbot.codes", "faqbot.knowledge", "faqbot.ranking", "faqbot.rules",
    "faqbot.engine", "faqbot.question_context", "faqbot.transcripts", "faqbot.terminal_format", "faqbot.cli",
]


def test_core_modules_do_not_import_textual() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
