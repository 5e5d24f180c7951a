from __future__ import annotations

from pathlib import Path

import pytest

from data.store import Store

CORDIS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cordis"


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "kyoso.db") as s:
        yield s


@pytest.fixture(scope="session")
def small_eco():
    """A small generated ecosystem as snapshot frames (shared: it is never modified)."""
    from data.generator import generate, public_frame

    orgs, items, outcomes, members = generate(400, seed=5)
    return public_frame(orgs), items, outcomes, members


@pytest.fixture(scope="session")
def engine(small_eco):
    from matching.engine import Engine

    return Engine.build(*small_eco)
