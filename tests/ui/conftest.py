"""Fixtures for the chat-app tests: the shipped knowledge base, a fixed date, exports into tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from faqbot.engine import Faqbot
from faqbot.ui.app import FaqbotApp

from .helpers import AS_OF, KB_DIR


@pytest.fixture(scope="session")
def engine() -> Faqbot:
    return Faqbot.from_path(KB_DIR)


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def app(export_dir: Path) -> FaqbotApp:
    return FaqbotApp(kb_dir=KB_DIR, as_of=AS_OF, export_dir=export_dir)


