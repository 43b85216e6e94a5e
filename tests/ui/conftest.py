"""Fixtures for the chat-app tests: the shipped knowledge base (the session's one engine, from the
root conftest), a fixed date, exports into tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from faqbot.engine import Faqbot
from faqbot.ui.app import FaqbotApp

from .helpers import AS_OF, KB_DIR


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def app(export_dir: Path, engine: Faqbot) -> FaqbotApp:
    """The app on the session's engine (loading is tested on its own in test_screens.py)."""
    return FaqbotApp(kb_dir=KB_DIR, as_of=AS_OF, export_dir=export_dir, engine=engine)


@pytest.fixture
def loading_app(export_dir: Path) -> FaqbotApp:
    """The app as a user starts it: the knowledge base loads in a worker."""
    return FaqbotApp(kb_dir=KB_DIR, as_of=AS_OF, export_dir=export_dir)
