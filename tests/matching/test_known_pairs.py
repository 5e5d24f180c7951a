"""Known-answer ranking cases: complementary newcomers find each other in the bundled ecosystem,
with the heuristic scorer and with a model trained on that ecosystem's outcome log."""

from __future__ import annotations

import pytest

from data.records import MATCH_MODES
from matching.engine import Engine
from tests.matching.known_pairs import PAIRS, bundled_with_cases

TOP = 5
MODES = MATCH_MODES


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.build(*bundled_with_cases())


@pytest.fixture(scope="module")
def trained_engine() -> Engine:
    """The cases beside a ranker trained as `kyoso train` trains it on the bundled store."""
    from data.generator import END
    from data.store import Snapshot
    from service.modeling import prepare, train_ranker

    snapshot = Snapshot(*bundled_with_cases())
    ranker, _ = train_ranker(prepare(snapshot, now=END), seed=0)
    return Engine.build(snapshot.organizations, snapshot.items, snapshot.outcomes,
                        snapshot.members, scorer=ranker)


def _found(engine: Engine, mode: str, asker: str) -> list[str]:
    return [s.partner_id for s in engine.suggest(asker, k=TOP, mode=mode)]


CASES = [(mode, x, y) for mode in MODES for a, b in PAIRS for x, y in ((a, b), (b, a))]
# The model learns need coverage from declared tags, the only thing the generator's outcomes
# follow; the town's second need (elderly residents' mobility) is answered by the company only
# in words, so a trained model ranks the town below generated towns that declare every tag the
# company needs (benchmarks/known_pairs.py --train prints where).
TEXT_ONLY = pytest.mark.xfail(reason="a need answered only in words is not yet credited by the "
                                     "model's coverage features", strict=True)


@pytest.mark.parametrize(("mode", "asker", "partner"), CASES)
def test_complementary_newcomers_reach_each_others_top_five(engine, mode, asker, partner):
    found = _found(engine, mode, asker)
    assert partner in found, found


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "asker", "partner"), [
    pytest.param(*case, marks=TEXT_ONLY) if case[1:] == ("ka-ev", "ka-town") else case
    for case in CASES])
def test_complementary_newcomers_reach_each_others_top_five_with_a_trained_model(
        trained_engine, mode, asker, partner):
    found = _found(trained_engine, mode, asker)
    assert partner in found, found


def test_the_town_reads_why_in_japanese(engine):
    first = next(s for s in engine.suggest("ka-town", k=TOP, lang="ja") if s.partner_id == "ka-ev")
    texts = [r.text for r in first.reasons]
    assert any("貴組織のニーズ" in t for t in texts)
    assert any("石川県内・同じ地域" in t for t in texts) or len(texts) == 3
