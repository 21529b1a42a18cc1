"""Shared fixtures: the repository, Foundation's measured facts, the CLI binary."""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACTS = json.loads((ROOT / "Tests/EconomyTests/Fixtures/foundation-facts.json").read_text())


@pytest.fixture(scope="session")
def facts():
    return FACTS


@pytest.fixture(scope="session")
def tutorial_config():
    """Foundation's tutorial env_config (the facts' setting), as Foundation code passes it."""
    return dict(FACTS["config"])


@pytest.fixture(scope="session")
def cli() -> str:
    """The economist binary: $ECONOMIST_CLI, else the repository's release or debug build."""
    candidates = [os.environ.get("ECONOMIST_CLI", ""), ROOT / ".build/release/economist", ROOT / ".build/debug/economist"]
    for c in candidates:
        if c and Path(c).is_file():
            return str(c)
    pytest.fail("no economist binary: build it (swift build -c release) or set ECONOMIST_CLI")
