from __future__ import annotations

from pathlib import Path

import pytest

from data.store import Store

CORDIS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cordis"


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "kyoso.db") as s:
        yield s
