"""Every process that serves a store maps one copy of its text vectors."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np

from data.store import Store
from service.modeling import build_engine, serving_engine
from service.shared_vectors import KEEP, cache_dir
from tests.service.conftest import make_store


def _lists(engine, askers):
    return [[(s.partner_id, round(s.score, 6)) for s in engine.suggest(a, k=10)] for a in askers]


def _mapped_file(matrix) -> Path:
    """The file a matrix's values are mapped from (fails if they are in private memory)."""
    array = matrix.data
    while not isinstance(array, np.memmap):
        assert array is not None and hasattr(array, "base"), "not a mapped file"
        array = array.base
    return Path(array.filename)


def test_a_second_process_maps_the_vectors_the_first_built_and_serves_the_same(tmp_path):
    db = str(tmp_path / "k.db")
    make_store(db, n=200)
    with Store(db) as store:
        first, generation, *_ = serving_engine(store)
    with Store(db) as store:  # another process at the same generation
        second, same, *_ = serving_engine(store)
        in_memory = build_engine(store, None)
    assert same == generation
    for part in ("strengths", "needs"):
        a, b = getattr(first.ctx.text, part).base, getattr(second.ctx.text, part).base
        assert _mapped_file(a) == _mapped_file(b)
        assert _mapped_file(a).is_relative_to(cache_dir(db))
    askers = [str(first.eco.ids[i]) for i in (0, 7, 99)]
    assert _lists(first, askers) == _lists(second, askers) == _lists(in_memory, askers)


def test_damaged_shared_vectors_are_reported_and_rebuilt_in_memory(tmp_path, caplog):
    db = str(tmp_path / "k.db")
    make_store(db, n=200)
    with Store(db) as store:
        first, *_ = serving_engine(store)
    askers = [str(first.eco.ids[i]) for i in (3, 50)]
    before = _lists(first, askers)
    del first  # no process maps the files while they are damaged
    gc.collect()
    damaged = list(cache_dir(db).glob("*/strengths.base.data.npy"))
    assert damaged
    for f in damaged:
        f.chmod(0o644)
        f.write_bytes(b"not an array")
    with Store(db) as store:
        again, *_ = serving_engine(store)
    assert "unreadable" in caplog.text
    assert _lists(again, askers) == before


def test_only_the_newest_builds_are_kept(tmp_path):
    db = str(tmp_path / "k.db")
    make_store(db, n=120)
    with Store(db) as store:
        orgs = store.list_organizations(limit=KEEP + 2)[0]
        for org in orgs:  # each profile change is a new generation, and a new build
            store.put_organization(org.__class__(**{**{f: getattr(org, f) for f in org.__struct_fields__},
                                                    "name": org.name + " (renamed)"}))
            serving_engine(store)
    assert len([p for p in cache_dir(db).iterdir() if not p.name.startswith(".")]) == KEEP
