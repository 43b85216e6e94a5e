"""The core never imports Textual: the CLI and library stay usable without the UI."""

from __future__ import annotations

import os
import subprocess
import sys

CORE = [
    "faqbot.model",
    "faqbot.codes",
    "faqbot.knowledge",
    "faqbot.ranking",
    "faqbot.rules",
    "faqbot.engine",
    "faqbot.question_context",
    "faqbot.transcripts",
    "faqbot.terminal_format",
    "faqbot.cli",
]


def test_core_modules_do_not_import_textual() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_answering_from_a_cached_index_does_not_import_scikit_learn(tmp_path) -> None:
    """scikit-learn builds the index; answering from the cached one needs numpy and scipy.sparse only."""
    env_code = (
        "import contextlib, io, sys\n"
        "from faqbot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['ask', '--json', 'can 77295 and 77300 be billed together'])\n"
        "print('sklearn' in sys.modules)"
    )
    env = {**os.environ, "FAQBOT_CACHE_DIR": str(tmp_path)}
    env.pop("FAQBOT_NO_CACHE", None)
    first = subprocess.run([sys.executable, "-c", env_code], capture_output=True, text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "True"  # the first run fits the index: scikit-learn is needed
    second = subprocess.run([sys.executable, "-c", env_code], capture_output=True, text=True, timeout=300, env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "False"
