from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from data.batch_runs import BatchRuns
from data.records import Item, Organization, Suggestion
from data.store import Store
from service.batch import BatchSummary, run_batch
from service.cli import main
from tests.service.conftest import CANARY, make_store

K = 10


def quiet(_message: str) -> None:
    pass


def stored(store: Store) -> list[tuple]:
    """Every stored list, without the write time."""
    return store.read("SELECT org_id, rank, partner_id, score, body, model_version FROM suggestions "
                      "ORDER BY org_id, rank")


def lists(store: Store) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for org, _rank, pid, score, *_ in stored(store):
        out.setdefault(org, []).append((pid, score))
    return out


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("batch") / "base.db")
    make_store(path, n=300)
    return path


@pytest.fixture(scope="module")
def first_run(base_db, tmp_path_factory) -> tuple[str, BatchSummary]:
    """The base store after a first batch run (which covers everyone)."""
    path = str(tmp_path_factory.mktemp("batch") / "scored.db")
    shutil.copy(base_db, path)
    with Store(path) as store:
        return path, run_batch(store, k=K, chunk_size=40, log=quiet, progress=False)


def _copy(source: str, tmp_path: Path) -> str:
    path = str(tmp_path / "k.db")
    shutil.copy(source, path)
    return path


@pytest.fixture
def db(base_db, tmp_path) -> str:
    return _copy(base_db, tmp_path)


@pytest.fixture
def scored_db(first_run, tmp_path) -> str:
    return _copy(first_run[0], tmp_path)


def test_first_run_stores_a_list_for_everyone_and_a_rerun_changes_nothing(first_run, tmp_path):
    db, first = first_run
    db = _copy(db, tmp_path)
    with Store(db) as store:
        assert first.registrants == 300 and first.scored + first.skipped == 300
        assert first.scored > 280
        found = lists(store)
        assert len(found) == first.scored
        for org, rows in found.items():
            partners = [p for p, _ in rows]
            assert 0 < len(rows) <= K and org not in partners and len(set(partners)) == len(partners)
        body = msgspec.json.decode(stored(store)[0][4], type=Suggestion)
        assert body.explanation.factors  # stored lists carry their reasons
        before = stored(store)
        again = run_batch(store, k=K, chunk_size=40, log=quiet, progress=False)
        assert again.registrants == 0  # by default a run covers what came since the last one
        assert stored(store) == before


def test_rerunning_the_same_window_changes_nothing(db):
    since = datetime(2026, 1, 1, tzinfo=UTC)
    with Store(db) as store:
        first = run_batch(store, since=since, k=K, chunk_size=20, log=quiet, progress=False)
        assert first.registrants > 0 and not first.already_done
        before = stored(store)
        again = run_batch(store, since=since, k=K, chunk_size=20, log=quiet, progress=False)
        assert again.already_done and again.run_id == first.run_id
        assert stored(store) == before


def newcomer_for(store: Store, target: str, org_id: str = "org-new-0001",
                 registered_at: datetime | None = None) -> Organization:
    """A registrant offering exactly what ``target`` needs and needing what it offers."""
    t = store.get_organization(target)
    flip = {"strength": t.needs, "need": t.strengths}
    return Organization(
        id=org_id, name="新規登録 Newcomer 株式会社", kind="startup", region=t.region,
        industries=t.industries[:1],
        strengths=tuple(Item(tag=i.tag, text=i.text, tier="public") for i in flip["strength"]),
        needs=tuple(Item(tag=i.tag, text=i.text, tier="public") for i in flip["need"]),
        registered_at=registered_at)


def test_newcomers_are_scored_and_placed_where_they_reach_the_top_k(scored_db):
    with Store(scored_db) as store:
        old = lists(store)
        store.put_organization(newcomer_for(store, "org-0000010"))
        summary = run_batch(store, k=K, chunk_size=50, log=quiet, progress=False)
        assert summary.registrants == 1 and summary.scored == 1
        new = lists(store)
        assert len(new["org-new-0001"]) > 0
        placed = [org for org, rows in new.items() if any(p == "org-new-0001" for p, _ in rows)]
        assert summary.inserted == len(placed) > 0
        for org in placed:
            score = dict(new[org])["org-new-0001"]
            assert len(new[org]) <= K
            assert len(old[org]) < K or score > min(s for _, s in old[org])
            # the rest of the list is the old one, less at most its lowest entry
            kept = [p for p, _ in new[org] if p != "org-new-0001"]
            assert kept == [p for p, _ in old[org] if p in kept]
            assert len(kept) >= min(len(old[org]), K - 1)
        untouched = [org for org in old if org not in placed]
        assert all(new[org] == old[org] for org in untouched)


def test_an_unusable_registrant_is_skipped_and_nothing_stored_is_lost(scored_db):
    when = datetime(2030, 1, 1, tzinfo=UTC)
    with Store(scored_db) as store:
        before = lists(store)
        template = store.get_organization("org-0000020")
        hidden = tuple(msgspec.structs.replace(i, tier="confidential") for i in template.strengths)
        store.put_organization(msgspec.structs.replace(
            template, id="org-hidden", strengths=hidden, needs=(), registered_at=when))
        store.put_organization(newcomer_for(store, "org-0000030", registered_at=when))
        summary = run_batch(store, since=when, k=K, log=quiet, progress=False)
        assert summary.scored == 1 and summary.skipped == 1
        assert summary.skips == [("org-hidden", "no public or partner-tier strengths or needs to "
                                                "match on")]
        after = lists(store)
    assert "org-hidden" not in after and "org-new-0001" in after
    for org, rows in before.items():  # every list is still there, at most one entry replaced
        assert len(after[org]) >= len(rows)
        assert len({p for p, _ in rows} - {p for p, _ in after[org]}) <= 1


def _kyoso(db: str, *args: str) -> subprocess.Popen:
    """`kyoso score-batch` in its own process, its output in ``db``.log."""
    with open(db + ".log", "w") as log:
        return subprocess.Popen([sys.executable, "-m", "service.cli", "--db", db, "score-batch", *args],
                                stdout=log, stderr=subprocess.STDOUT)


def test_a_killed_run_resumes_and_ends_as_an_uninterrupted_one(db, tmp_path):
    twin = str(tmp_path / "twin.db")
    shutil.copy(db, twin)
    args = ("--since", "2025-01-01", "--chunk", "5", "-k", str(K))
    assert _kyoso(twin, *args).wait(timeout=300) == 0

    proc = _kyoso(db, *args)
    deadline = time.monotonic() + 240
    with Store(db) as store:
        runs = BatchRuns(store)
        while time.monotonic() < deadline:
            run = runs.unfinished()
            if run is not None and run.chunks_done >= 3:
                break
            assert proc.poll() is None, Path(db + ".log").read_text()
            time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with Store(db) as store:
        run = BatchRuns(store).unfinished()
        assert run is not None and 3 <= run.chunks_done < -(-run.total // 5)  # killed half-way
    assert _kyoso(db, *args).wait(timeout=300) == 0
    out = Path(db + ".log").read_text()
    assert "resuming batch" in out and "resumed at chunk" in out
    with Store(db) as a, Store(twin) as b:
        assert stored(a) == stored(b)
        assert a.read("SELECT scored, skipped, inserted, status FROM batch_runs") == \
            b.read("SELECT scored, skipped, inserted, status FROM batch_runs")


def test_cli_reports_and_rejects_bad_options(db, capsys):
    assert main(["--db", db, "score-batch", "--since", "2026-06-01", "-k", "5"]) == 0
    out = capsys.readouterr().out
    assert "registrants" in out and "scored" in out and "0 registrants" not in out
    assert main(["--db", db, "score-batch"]) == 0
    assert "0 registrants" in capsys.readouterr().out
    assert main(["--db", db, "score-batch", "--engine", "dask"]) == 2
    assert "--scheduler" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db, "score-batch", "--since", "yesterday"])
    assert exit_info.value.code == 2
    assert "--since" in capsys.readouterr().err


def test_stored_lists_quote_public_items_only(tmp_path):
    db = str(tmp_path / "canary.db")
    make_store(db, n=200, canaries=True)
    with Store(db) as store:
        summary = run_batch(store, since=datetime(2026, 1, 1, tzinfo=UTC), k=K, log=quiet,
                            progress=False)
        assert summary.scored > 0
        bodies = [r[4] for r in stored(store)]
    assert bodies and not [b for b in bodies if CANARY in b]


def test_lists_dropped_for_a_changed_partner_are_restored_by_the_next_run(first_run, tmp_path):
    path = _copy(first_run[0], tmp_path)
    with Store(path) as store:
        before = lists(store)
        partner = max({p for rows in before.values() for p, _ in rows},
                      key=lambda p: sum(p in dict(rows) for rows in before.values()))
        naming = {o for o, rows in before.items() if partner in dict(rows)} | {partner}
        store.put_organization(store.get_organization(partner))  # a profile update
        after = lists(store)
        assert not naming & set(after) and set(after) == set(before) - naming
        summary = run_batch(store, k=K, chunk_size=40, log=quiet, progress=False)
        assert summary.scored >= len(naming)
        assert set(lists(store)) == set(before)
        assert not BatchRuns(store).stale()[0]
        restored = stored(store)
        again = run_batch(store, k=K, chunk_size=40, log=quiet, progress=False)
        assert again.scored == 0 and stored(store) == restored
