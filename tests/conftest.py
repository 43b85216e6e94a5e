"""Shared fixtures: the real shipped knowledge base, loaded once, and small fixture folders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from faqbot.engine import Faqbot
from faqbot.knowledge import default_kb_dir, load_knowledge
from faqbot.model import KnowledgeBase

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 11, 26)


@pytest.fixture(scope="session", autouse=True)
def index_cache_in_a_temporary_folder(tmp_path_factory):
    """Tests never write the fitted-index cache into the real user cache folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FAQBOT_CACHE_DIR", str(tmp_path_factory.mktemp("index-cache")))
        patch.delenv("FAQBOT_NO_CACHE", raising=False)
        yield


@pytest.fixture(autouse=True)
def data_home_in_a_temporary_folder(tmp_path_factory, monkeypatch):
    """Tests never write the question log or exports into the real user data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))
    monkeypatch.delenv("FAQBOT_NO_LOG", raising=False)
    monkeypatch.delenv("FAQBOT_KB", raising=False)


@pytest.fixture(scope="session")
def kb_dir() -> Path:
    return default_kb_dir()


@pytest.fixture(scope="session")
def kb(kb_dir: Path) -> KnowledgeBase:
    return load_knowledge(kb_dir)


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Faqbot:
    return Faqbot(kb)


@pytest.fixture(scope="session")
def seed_entries(kb: KnowledgeBase):
    entries = [entry for entry in kb.entries if entry.seed]
    assert len(entries) >= 16
    return entries
