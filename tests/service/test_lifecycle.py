"""The model lifecycle: honest splits, one promotion rule, rollback through the history,
checked artefacts and fallback at start-up — from the CLI, the API and training jobs."""

from __future__ import annotations

import logging
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar.testing import TestClient

from data.frames import format_ts
from data.records import Outcome
from data.registry import Registry
from data.store import Store
from features.ecosystem import to_days
from service.api.app import create_app
from service.cli import main
from service.lifecycle import servable_model
from service.modeling import MIN_TEST_QUERIES, prepare, split_span
from service.settings import Settings
from service.verify import ProbeInterrupted
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG, make_store
from tests.service.test_model_swap import register_random_model

FUTURE = datetime(2099, 6, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    """A store large enough for a test split of more than MIN_TEST_QUERIES queries."""
    db = tmp_path_factory.mktemp("big") / "k.db"
    make_store(str(db), n=600)
    return db


@pytest.fixture
def big_db(big_store, tmp_path) -> str:
    db = tmp_path / "k.db"
    shutil.copy(big_store, db)
    return str(db)


def cli(db: str, *args: str) -> int:
    return main(["--db", db, *args])


@pytest.fixture(autouse=True)
def models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KYOSO_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


# --- honest split, enough queries -----------------------------------------------------------


def test_future_dated_outcome_does_not_move_the_split(big_db, tmp_path, capsys):
    with Store(big_db) as store:
        honest = prepare(store.snapshot())
        # The API refuses such times now; a store can still hold one from an import or an
        # older version, and the split must not follow it.
        store.append_outcome(Outcome(key="typo-2099", members=(OFFICE_ORG, STRANGER_ORG),
                                     stage="contract", at=datetime.now(UTC)))
        with store.transaction() as conn:
            conn.execute("UPDATE outcomes SET at=? WHERE key='typo-2099'", (format_ts(FUTURE),))
        assert [o.at.year for o in store.outcomes(key="typo-2099")] == [FUTURE.year]  # readable
        prep = prepare(store.snapshot())
    assert prep.split == honest.split
    assert prep.split.last_day < to_days(datetime.now(UTC)) + 2
    assert prep.warnings and "1 outcome(s) dated after" in prep.warnings[0]
    assert cli(big_db, "train") == 0
    out = capsys.readouterr()
    assert "warning: 1 outcome(s) dated after" in out.out and "is live" in out.out
    assert cli(big_db, "evaluate", "--report", str(tmp_path / "r.md")) == 0
    assert "warning: 1 outcome(s) dated after" in capsys.readouterr().err


def test_too_few_test_queries_fails_the_training_job_without_promoting(api):
    # The API's store (300 organisations) holds fewer test queries than an evaluation needs.
    job = api.call("POST", "/v1/models/train", who="analyst").json()
    for _ in range(600):
        status = api.call("GET", f"/v1/models/jobs/{job['id']}").json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status["status"] == "failed"
    assert "TooFewQueries" in status["error"] and f"fewer than the {MIN_TEST_QUERIES}" in status["error"]
    assert api.call("GET", "/v1/models").json()["models"] == []
    assert api.call("GET", "/ready", who=None).json()["scorer"] == "heuristic"


def test_too_few_test_queries_fails_cli_training(tmp_path, capsys):
    db = str(tmp_path / "small.db")
    make_store(db)
    assert cli(db, "train") == 1
    assert f"fewer than the {MIN_TEST_QUERIES}" in capsys.readouterr().err
    with Store(db) as store:
        assert Registry(store).models() == [] and store.live_model_version() is None


# --- one promotion rule ----------------------------------------------------------------------


def test_cli_promotion_of_a_worse_model_is_refused_without_force(big_db, tmp_path, models_dir,
                                                                 capsys):
    assert cli(big_db, "train") == 0
    with Store(big_db) as store:
        trained = store.live_model_version()
        register_random_model(store, models_dir, "v-random", 1, 0.99)  # its own claim is ignored
    capsys.readouterr()
    assert cli(big_db, "models", "promote", "v-random") == 1
    err = capsys.readouterr().err
    assert "v-random" in err and ("below the live model" in err or "does not beat" in err)
    with Store(big_db) as store:
        assert store.live_model_version() == trained
        split_id = prepare(store.snapshot()).split_id
        # Both were judged on the same split: the trained model's evaluation was re-used.
        assert Registry(store).evaluation(split_id, trained) is not None
        assert Registry(store).evaluation(split_id, "v-random") is not None
        store.append_outcome(Outcome(key="crm-late-1", members=(OFFICE_ORG, STRANGER_ORG),
                                     stage="meeting", at=datetime(2026, 9, 30, tzinfo=UTC)))
        moved = prepare(store.snapshot()).split_id
    # On another split both are evaluated again, and the rule still refuses.
    assert moved != split_id
    assert cli(big_db, "models", "promote", "v-random") == 1
    with Store(big_db) as store:
        assert Registry(store).evaluation(moved, trained) is not None
        assert Registry(store).evaluation(moved, "v-random") is not None
    assert cli(big_db, "models", "promote", "v-random", "--force") == 0
    assert "forced by cli" in capsys.readouterr().out
    with Store(big_db) as store:
        assert store.live_model_version() == "v-random"


# --- rollback walks back the history --------------------------------------------------------


def test_rollback_twice_walks_back_two_steps(api, tmp_path, capsys, caplog):
    caplog.set_level(logging.INFO, logger="kyoso.models")
    store = api.client.app.state.store
    for i, v in enumerate(("v1", "v2", "v3")):
        register_random_model(store, tmp_path / "m", v, i + 1, 0.3)
        assert api.call("POST", f"/v1/models/{v}/promote", json={"force": True}).status_code == 200
    assert api.call("POST", "/v1/models/rollback", who="analyst").json()["live"] == "v2"
    assert api.call("POST", "/v1/models/rollback", who="analyst").json()["live"] == "v1"
    again = api.call("POST", "/v1/models/rollback")
    assert again.status_code == 409 and again.json()["code"] == "no_earlier_model"
    assert api.call("GET", "/ready", who=None).json()["model_version"] == "v1"
    assert cli(api.db, "models", "rollback") == 1
    assert "nothing earlier than v1" in capsys.readouterr().err
    actions = [(h.action, h.version) for h in Registry(store).history()]
    assert actions == [("promote", "v1"), ("promote", "v2"), ("promote", "v3"),
                       ("rollback", "v2"), ("rollback", "v1")]
    logged = [r.getMessage() for r in caplog.records if r.name == "kyoso.models"]
    assert any("rolled back by key" in m and "(analyst): v2 -> v1" in m for m in logged)
    assert any("promoted by key" in m and "(admin)" in m for m in logged)


# --- damaged artefacts ------------------------------------------------------------------------


def truncate(path: Path) -> None:  # head -c 3000
    path.write_bytes(path.read_bytes()[:3000])


def overwrite(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[2000:2040] = b"\x00" * 40
    path.write_bytes(bytes(raw))


DAMAGE = {
    "truncated": truncate,
    "overwritten": overwrite,
    "garbage": lambda p: p.write_bytes(b"this is not a model\n" * 50),
    "empty": lambda p: p.write_bytes(b""),
    "missing": lambda p: p.unlink(),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_model_file_on_promote_is_a_clear_4xx_and_the_server_stays_up(api, tmp_path,
                                                                              damage):
    store = api.client.app.state.store
    path = Path(register_random_model(store, tmp_path / "m", "v-bad", 1, 0.3))
    DAMAGE[damage](path / "model.txt")
    r = api.call("POST", "/v1/models/v-bad/promote", json={"force": True})
    assert r.status_code == 422 and r.json()["code"] == "model_damaged"
    assert "v-bad" in r.json()["message"]
    assert api.call("GET", "/health", who=None).status_code == 200
    assert store.live_model_version() is None


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_model_file_that_aborts_lightgbm_is_loaded_in_isolation(api, tmp_path, damage):
    # No checksum to catch it (a version registered before checksums): only the child
    # process that loads it first keeps LightGBM's fatal error away from the server.
    store = api.client.app.state.store
    path = Path(register_random_model(store, tmp_path / "m", "v-old", 1, 0.3))
    with store.transaction() as conn:
        conn.execute("UPDATE models SET checksum = NULL WHERE version = 'v-old'")
    manifest = path / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"checksum"', '"ignored_checksum"'))
    DAMAGE[damage](path / "model.txt")
    r = api.call("POST", "/v1/models/v-old/promote", json={"force": True})
    assert r.status_code == 422 and r.json()["code"] == "model_damaged"
    assert "LightGBM cannot load" in r.json()["message"]
    assert api.call("GET", "/health", who=None).status_code == 200


def _two_promoted(db: str, models_dir: Path) -> None:
    with Store(db) as store:
        registry = Registry(store)
        for i, v in enumerate(("v1", "v2")):
            register_random_model(store, models_dir, v, i + 1, 0.3)
            registry.switch(v, "promote", "test", None)


def test_damaged_live_model_at_start_up_falls_back_and_ready_says_so(tmp_path, models_dir):
    db = str(tmp_path / "k.db")
    make_store(db)
    _two_promoted(db, models_dir)
    truncate(models_dir / "v2" / "model.txt")
    with Store(db) as store:
        key = store.create_api_key("office", OFFICE_ORG)[1]
    with TestClient(create_app(Settings(db=db, models_dir=str(models_dir)))) as client:
        ready = client.get("/ready").json()
        assert ready["model_version"] == "v1" and ready["scorer"] == "model"
        assert "v2 is damaged" in ready["fallback"]
        r = client.get(f"/v1/organizations/{OFFICE_ORG}/suggestions?k=3", headers={"X-API-Key": key})
        assert r.status_code == 200 and r.json()["model_version"] == "v1"
        last = Registry(client.app.state.store).history()[-1]
        assert (last.action, last.version, last.actor) == ("fallback", "v1", "service")


def test_no_good_version_at_start_up_falls_back_to_the_heuristic(tmp_path, models_dir):
    db = str(tmp_path / "k.db")
    make_store(db)
    _two_promoted(db, models_dir)
    for v in ("v1", "v2"):
        (models_dir / v / "model.txt").unlink()
    with TestClient(create_app(Settings(db=db, models_dir=str(models_dir)))) as client:
        ready = client.get("/ready").json()
        assert ready["scorer"] == "heuristic" and ready["model_version"] is None
        assert "heuristic" in ready["fallback"]


def test_a_fallback_to_the_heuristic_keeps_earlier_good_versions_for_the_next_one(tmp_path, models_dir):
    db = str(tmp_path / "k.db")
    make_store(db)
    _two_promoted(db, models_dir)  # v1, then v2
    original = (models_dir / "v1" / "model.txt").read_bytes()
    (models_dir / "v1" / "model.txt").write_bytes(b"")
    (models_dir / "v2" / "model.txt").write_bytes(b"")
    with Store(db) as store:
        assert servable_model(store).version is None  # nothing servable: the heuristic
        (models_dir / "v1" / "model.txt").write_bytes(original)  # an operator restores v1
        register_random_model(store, models_dir, "v3", 3, 0.3)
        Registry(store).switch("v3", "promote", "test", None)
        (models_dir / "v3" / "model.txt").write_bytes(b"")
        assert servable_model(store).version == "v1"  # not the heuristic: v1 is good again


def test_a_check_stopped_from_outside_is_not_damage(tmp_path, models_dir, monkeypatch):
    import signal
    import subprocess

    db = str(tmp_path / "k.db")
    make_store(db)
    _two_promoted(db, models_dir)
    stopped = subprocess.CompletedProcess([], -signal.SIGTERM, b"", b"")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: stopped)
    with Store(db) as store, pytest.raises(ProbeInterrupted):
        servable_model(store)
    with Store(db) as store:
        assert Registry(store).live() == "v2"  # no fallback was recorded
        assert [h.action for h in Registry(store).history()] == ["promote", "promote"]


def test_serve_does_not_retrain_over_a_fallback(tmp_path, models_dir):
    from service.serve import prepare_first_run

    db = str(tmp_path / "k.db")
    make_store(db)
    _two_promoted(db, models_dir)
    for v in ("v1", "v2"):
        (models_dir / v / "model.txt").write_bytes(b"")
    with Store(db) as store:
        assert servable_model(store).version is None
    said: list[str] = []
    prepare_first_run(Settings(db=db, models_dir=str(models_dir)), "127.0.0.1", 8000, said.append)
    assert not any("training" in line for line in said)
    with Store(db) as store:
        assert len(Registry(store).models()) == 2 and Registry(store).live() is None


def test_serve_on_a_large_store_without_a_model_serves_at_once_and_says_how_to_train(tmp_path, monkeypatch):
    import service.serve as serve

    db = str(tmp_path / "k.db")
    make_store(db)
    monkeypatch.setattr(serve, "FIRST_RUN_TRAIN_MAX", 100)  # the store holds more than this
    said: list[str] = []
    serve.prepare_first_run(Settings(db=db, models_dir=str(tmp_path / "m")), "127.0.0.1", 8000, said.append)
    assert any("kyoso train" in line for line in said) and not any("training one" in line for line in said)
    with Store(db) as store:
        assert Registry(store).models() == []


# --- retractions --------------------------------------------------------------------------------


def test_retraction_is_honoured_by_snapshot_training_and_stats(api, tmp_path, capsys):
    store = api.client.app.state.store
    body = {"key": "crm-wrong-1", "members": [OFFICE_ORG, STRANGER_ORG], "stage": "contract",
            "at": "2026-09-01T09:00:00Z"}
    assert api.call("POST", "/v1/outcomes", json=body, who="office").status_code == 201
    before = prepare(store.snapshot()).split_id
    path = "/v1/outcomes/crm-wrong-1/retract"
    assert api.call("POST", path, json={"reason": "typo"}, who="stranger").status_code == 403
    assert api.call("POST", "/v1/outcomes/nope/retract", json={"reason": "x"}).status_code == 404
    first = api.call("POST", path, json={"reason": "entered for the wrong partner"}, who="office")
    assert first.status_code == 201 and first.json()["retraction"]["role"] == "office"
    again = api.call("POST", path, json={"reason": "other"}, who="analyst")
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["retraction"]["reason"] == "entered for the wrong partner"
    snap = store.snapshot()
    assert "crm-wrong-1" not in snap.outcomes["key"].to_list()
    assert prepare(snap).split_id != before  # training and evaluation read this snapshot
    assert store.get_outcome("crm-wrong-1") is not None  # the log itself is not rewritten
    listed = api.call("GET", f"/v1/outcomes?org={OFFICE_ORG}&limit=500").json()
    assert "crm-wrong-1" in [o["outcome"]["key"] for o in listed["outcomes"]]
    assert listed["retracted"] == ["crm-wrong-1"]
    assert cli(api.db, "stats") == 0
    assert "retracted outcomes: 1" in capsys.readouterr().out


# --- disclosures ------------------------------------------------------------------------------


def test_partner_items_shown_by_search_are_logged_and_readable(api):
    store = api.client.app.state.store
    target = next(o["id"] for o in api.call("GET", "/v1/organizations?limit=200").json()["items"]
                  if any(i["tier"] == "partner" for i in (*o["strengths"], *o["needs"]))
                  and o["id"] not in (OFFICE_ORG, STRANGER_ORG))
    api.keys["target"] = store.create_api_key("office", target)[1]
    intro = api.call("POST", "/v1/introductions", json={"requester": OFFICE_ORG, "target": target},
                     who="office").json()["id"]
    assert api.call("POST", f"/v1/introductions/{intro}/accept", who="analyst").status_code == 403
    assert api.call("POST", f"/v1/introductions/{intro}/accept", who="target").status_code == 200
    assert api.call("GET", "/v1/organizations?limit=200", who="office").status_code == 200
    api.call("GET", f"/v1/organizations/{target}", who="office")
    seen = api.call("GET", "/v1/disclosures", who="target").json()
    assert [(d["viewer_org"], d["route"]) for d in seen["disclosures"]] == [
        (OFFICE_ORG, "search"), (OFFICE_ORG, "organization")]
    assert all(d["owner_org"] == target and d["items"] > 0 for d in seen["disclosures"])
    page = api.call("GET", "/v1/disclosures?limit=1", who="target").json()
    assert len(page["disclosures"]) == 1 and page["next_after"] is not None
    rest = api.call("GET", f"/v1/disclosures?limit=1&after={page['next_after']}", who="target")
    assert rest.json()["disclosures"][0]["route"] == "organization"
    assert api.call("GET", f"/v1/disclosures?owner={target}", who="stranger").status_code == 403
    assert api.call("GET", "/v1/disclosures", who="analyst").status_code == 403
    assert len(api.call("GET", "/v1/disclosures").json()["disclosures"]) == 2
    assert api.call("GET", "/v1/disclosures?limit=501").status_code in (400, 422)


def test_the_held_out_window_ends_on_the_day_of_the_last_outcome_wherever_it_is_said(big_db):
    with Store(big_db) as store:
        prep = prepare(store.snapshot())
        last = datetime.fromisoformat(store.read("SELECT max(at) FROM outcomes")[0][0]).date()
    assert prep.split.last_held_out == last
    assert split_span(prep.split_id).test_to == last  # the console reads it from the split id
