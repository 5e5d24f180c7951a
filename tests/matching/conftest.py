from __future__ import annotations

import pytest

from data.generator import generate, public_frame
from matching.engine import Engine


@pytest.fixture(scope="package")
def small_eco():
    orgs, items, outcomes, members = generate(400, seed=5)
    return public_frame(orgs), items, outcomes, members


@pytest.fixture(scope="package")
def engine(small_eco) -> Engine:
    return Engine.build(*small_eco)
