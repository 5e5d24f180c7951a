from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import polars as pl
import pytest

from data.migrations import SCHEMA_VERSION
from data.records import Item, Organization, Outcome
from data.registry import LiveChanged, Registry, UnknownModel
from data.store import OutcomeConflict, Store, StoreError, UnknownOrganization
from data.stored_lists import StoredLists

ORG = Organization(id="org-a", name="Acme", kind="company", region="JP-13",
                   strengths=(Item(tag="ai.vision", text="画像認識"),),
                   needs=(Item(tag="mfg.quality", text="quality control", tier="confidential"),))


def outcome(key="key-0000001", stage="meeting", members=("org-a", "org-b")) -> Outcome:
    return Outcome(key=key, members=members, stage=stage, at=datetime(2025, 1, 2, tzinfo=UTC))


@pytest.fixture
def two(store: Store) -> Store:
    store.put_organization(ORG)
    store.put_organization(msgspec.structs.replace(ORG, id="org-b", name="Beta"))
    return store


def test_migrates_from_empty_and_reopens(tmp_path: Path):
    path = tmp_path / "k.db"
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.read("PRAGMA journal_mode")[0][0] == "wal"
    with Store(path) as s:  # a second open finds nothing to do
        assert s.schema_version == SCHEMA_VERSION
        assert s.count("organizations") == 0


def test_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "k.db"
    with Store(path) as s:
        s._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_organization_round_trips_with_items(two: Store):
    got = two.get_organization("org-a")
    assert got.strengths == ORG.strengths and got.needs == ORG.needs
    assert got.registered_at is not None
    with pytest.raises(UnknownOrganization):
        two.get_organization("nope")


def test_update_replaces_items_and_keeps_registration(two: Store):
    before = two.get_organization("org-a")
    assert two.put_organization(msgspec.structs.replace(ORG, needs=())) is False
    after = two.get_organization("org-a")
    assert after.needs == () and after.registered_at == before.registered_at


def test_list_filters_and_counts(two: Store):
    page, total = two.list_organizations(text="画像")
    assert total == 2 and [o.id for o in page] == ["org-a", "org-b"]
    # Confidential text is never searchable.
    assert two.list_organizations(text="quality control")[1] == 0
    assert two.list_organizations(kind="university")[1] == 0


def test_same_key_same_body_is_stored_once(two: Store):
    first = two.append_outcome(outcome())
    again = two.append_outcome(outcome())
    assert first == (first[0], True) and again == (first[0], False)
    assert two.count("outcomes") == 1


def test_same_key_different_body_is_a_conflict(two: Store):
    two.append_outcome(outcome())
    with pytest.raises(OutcomeConflict):
        two.append_outcome(outcome(stage="poc"))
    assert two.get_outcome("key-0000001").stage == "meeting"


def test_outcome_with_unknown_member_writes_nothing(two: Store):
    with pytest.raises(UnknownOrganization):
        two.append_outcome(outcome(members=("org-a", "ghost")))
    assert two.count("outcomes") == 0 and two.count("outcome_members") == 0


def test_snapshot_and_parquet_export(two: Store, tmp_path: Path):
    two.append_outcome(outcome())
    written = two.export_parquet(tmp_path / "out")
    assert written == {"organizations": 2, "items": 4, "outcomes": 1, "members": 2}
    frame = pl.read_parquet(tmp_path / "out" / "outcomes.parquet")
    assert frame["at"].to_list() == [datetime(2025, 1, 2, tzinfo=UTC)]


def test_api_keys_are_stored_hashed(two: Store, tmp_path: Path):
    record, plain = two.create_api_key("office", "org-a")
    assert two.find_api_key(plain) == record
    assert plain not in str(two.read("SELECT * FROM api_keys"))
    assert two.revoke_api_key(record.id)
    assert two.find_api_key(plain) is None
    with pytest.raises(ValueError):
        two.create_api_key("office")
    with pytest.raises(UnknownOrganization):
        two.create_api_key("office", "ghost")


def test_model_registry_switches_and_keeps_the_history_as_a_stack(store: Store):
    registry = Registry(store)
    for v in ("v1", "v2", "v3"):
        registry.register(v, f"/m/{v}", "fp", {"ndcg@10": 0.3}, checksum=None)
    assert registry.switch("v1", "promote", "t", None) is None
    assert registry.switch("v2", "promote", "t", None) == "v1"
    registry.switch("v3", "promote", "t", None)
    assert registry.stack() == ["v1", "v2", "v3"]
    registry.switch("v2", "rollback", "t", None)
    assert registry.stack() == ["v1", "v2"]
    registry.switch("v1", "fallback", "t", "v2 damaged")
    assert registry.stack() == ["v1"] and store.live_model_version() == "v1"
    assert [m.live for m in registry.models()] == [True, False, False]
    registry.switch(None, "fallback", "t", "v1 damaged")
    assert registry.stack() == [] and store.live_model_version() is None
    with pytest.raises(UnknownModel):
        registry.switch("v9", "promote", "t", None)
    with pytest.raises(LiveChanged):
        registry.switch("v1", "promote", "t", None, expect_live="v3", check_live=True)


def test_a_store_with_a_live_model_keeps_it_and_its_rollback_across_the_migration(tmp_path):
    import sqlite3

    from data.migrations import MIGRATIONS

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    for version in range(3):
        conn.executescript(MIGRATIONS[version])
    conn.executescript("INSERT INTO models VALUES ('v1', '/m', 'fp', '{}', 't');"
                       "INSERT INTO models VALUES ('v2', '/m', 'fp', '{}', 't');"
                       "INSERT INTO live_model VALUES (1, 'v2', 'v1', 't'); PRAGMA user_version=3;")
    conn.close()
    with Store(db) as migrated:
        assert Registry(migrated).stack() == ["v1", "v2"]


WRITER = """
import sys
from datetime import datetime, timezone
from data.records import Outcome
from data.store import Store
store = Store(sys.argv[1])
i = 0
while True:
    i += 1
    store.append_outcome(Outcome(key=f"crash-{i:08d}", members=("org-a", "org-b"),
                                 stage="contacted", at=datetime.now(timezone.utc)))
    print(i, flush=True)
"""


def test_acknowledged_outcomes_survive_sigkill(two: Store, tmp_path: Path):
    proc = subprocess.Popen([sys.executable, "-c", WRITER, two.path], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    acknowledged = 0
    deadline = time.monotonic() + 20
    assert proc.stdout is not None
    while acknowledged < 200 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged = int(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert acknowledged >= 200, "writer did not get going"
    with Store(two.path) as reopened:
        keys = reopened.ids("outcomes", prefix="crash-")
    assert {f"crash-{i:08d}" for i in range(1, acknowledged + 1)} <= keys


def test_timestamps_of_early_years_round_trip(store: Store):
    from data import frames as F

    early = datetime(1850, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert F.parse_ts(F.format_ts(early)) == early
    org = msgspec.structs.replace(ORG, registered_at=early)
    store.put_organization(org)
    assert store.get_organization(org.id).registered_at == early


def test_implausible_dates_are_rejected_naming_the_field():
    body = {"id": "x", "name": "X", "kind": "company", "region": "JP-13",
            "registered_at": "0062-10-07T02:44:14Z"}
    with pytest.raises(msgspec.ValidationError, match="registered_at"):
        msgspec.json.decode(msgspec.json.encode(body), type=Organization)


def test_stored_suggestions_are_replaced_whole(two: Store):
    StoredLists(two).replace("org-a", [("org-b", 0.9, b'{"p":1}'), ("org-b", 0.5, b'{"p":2}')], "v1")
    assert [r[1] for r in StoredLists(two).of(["org-a"])["org-a"]] == [0.9, 0.5]
    StoredLists(two).replace("org-a", [("org-b", 0.7, b'{"p":3}')], "v2")
    assert StoredLists(two).of(["org-a"])["org-a"] == [("org-b", 0.7, b'{"p":3}')]


def test_a_store_from_before_the_nda_tier_keeps_its_items_and_takes_nda_items(tmp_path: Path):
    import sqlite3

    from data.migrations import MIGRATIONS

    db = tmp_path / "v9.db"
    conn = sqlite3.connect(db)
    for version in range(9):
        conn.executescript(MIGRATIONS[version])
    conn.executescript(
        "INSERT INTO organizations(id, name, kind, region, nda, registered_at, updated_at)"
        " VALUES ('org-a', 'A', 'company', 'JP-13', 'open', '2025-01-01T00:00:00.000000Z',"
        " '2025-01-01T00:00:00.000000Z');"
        "INSERT INTO items VALUES ('org-a', 'strength', 0, 'ai.vision', 'partner', 'cameras');"
        "INSERT INTO disclosures(at, viewer_org, owner_org, items, route) VALUES ('t', 'b', 'org-a', 1, 'x');"
        "PRAGMA user_version=9;")
    conn.close()
    with Store(db) as migrated:
        org = migrated.get_organization("org-a")
        assert [(i.tier, i.text) for i in org.strengths] == [("partner", "cameras")]
        migrated.put_organization(msgspec.structs.replace(
            org, strengths=(*org.strengths, Item(tag="ai.vision", text="secret", tier="nda"))))
        assert [i.tier for i in migrated.get_organization("org-a").strengths] == ["partner", "nda"]
        assert migrated.read("SELECT items, nda_items FROM disclosures") == [(1, 0)]
