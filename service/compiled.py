"""The served ranker's trees compiled to machine code (lleaves, over LLVM).

LightGBM walks its trees node by node for every row; with the same trees compiled, a
list's scoring step (features and both directions of 400+ candidates) fell from 5.4 to
3.6 ms (`benchmarks/suggest_latency.py`, docs/benchmarks.md). A serving process compiles
the model it serves in the background (``LiveEngine``); LightGBM scores until then.
Compiled trees are served only when they reproduce LightGBM's scores on real pairs of the
engine, so a compiler fault costs speed, never a wrong list.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable

import numpy as np

from features.pairs import pair_features
from matching.engine import Engine
from matching.ranker import Ranker

log = logging.getLogger("kyoso.compiled")

PROBE_PAIRS = 2_000  # pairs of the engine the compiled trees must score as LightGBM does
TOLERANCE = 1e-9  # both add the same leaf values in double precision


def compiled_forest(ranker: Ranker):
    """The ranker's trees as machine code (an ``lleaves.Model``)."""
    import lleaves  # only serving processes compile; others never load LLVM

    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:  # lleaves reads a file
        f.write(ranker.model_text())
        f.flush()
        forest = lleaves.Model(model_file=f.name)
        forest.compile()
    return forest


def probe_rows(engine: Engine, n: int = PROBE_PAIRS, seed: int = 0) -> np.ndarray:
    """Feature rows of random pairs of the engine's organisations."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, engine.eco.n, size=(2, n))
    keep = a != b
    return pair_features(engine.ctx, a[keep], b[keep])


def compile_ranker(ranker: Ranker, probe: Callable[[], np.ndarray]) -> bool:
    """Give ``ranker`` its compiled trees if they score the rows ``probe`` gives (e.g.
    ``probe_rows`` of the engine) as LightGBM does; False (and LightGBM goes on scoring) if
    they do not, cannot be checked or cannot be built."""
    started = time.perf_counter()
    try:
        probe = probe()
        if not len(probe):
            log.warning("no pairs to check compiled trees on; LightGBM scores")
            return False
        forest = compiled_forest(ranker)
        expected = ranker.predict(probe)
        got = forest.predict(np.asarray(probe, dtype=np.float64), n_jobs=1)
    except Exception:  # a compiler fault must never take serving down
        log.exception("compiling the ranker's trees failed; LightGBM scores")
        return False
    gap = float(np.abs(expected - got).max())
    if gap > TOLERANCE * max(1.0, float(np.abs(expected).max())):
        log.warning("compiled trees differ from LightGBM by %.3g; LightGBM scores", gap)
        return False
    ranker.compiled_ = forest
    log.info("ranker compiled in %.1fs", time.perf_counter() - started)
    return True
