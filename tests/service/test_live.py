"""The API serves a live ecosystem: registrations, updates and outcomes are served at once,
and a text made confidential is never quoted again, stored lists included."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from data.retractions import Retractions
from data.store import Store
from data.stored_lists import StoredLists
from service.batch import run_batch
from service.live import LiveEngine
from service.modeling import serving_engine
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG

TOWN = {
    "id": "org-live-town", "name": "能登町", "kind": "municipality", "region": "JP-17",
    "strengths": [{"tag": "mob.maas", "text": "高齢者が多い町での実証フィールド"}],
    "needs": [{"tag": "mob.lowspeed", "text": "高齢者の移動を支える低速モビリティ"}],
}


def quoted_texts(body: dict) -> set[str]:
    return {t for s in body["suggestions"] for m in s["explanation"]["need_matches"]
            for t in (m["need_text"], m["strength_text"]) if t}


def test_register_suggest_update_suggest_serves_the_newcomer_and_its_new_text(api):
    assert api.call("POST", "/v1/organizations", json=TOWN).status_code == 201
    first = api.call("GET", f"/v1/organizations/{TOWN['id']}/suggestions?k=5&fresh=true").json()
    assert len(first["suggestions"]) == 5
    assert "高齢者の移動を支える低速モビリティ" in quoted_texts(first)
    changed = {**TOWN, "needs": [{"tag": "mob.lowspeed", "text": "観光客向けの電動カートの共同運行"}]}
    assert api.call("PUT", f"/v1/organizations/{TOWN['id']}", json=changed).status_code == 200
    second = api.call("GET", f"/v1/organizations/{TOWN['id']}/suggestions?k=5&fresh=true").json()
    texts = quoted_texts(second)
    assert "観光客向けの電動カートの共同運行" in texts
    assert "高齢者の移動を支える低速モビリティ" not in texts
    # Others' live lists can reach the newcomer right away: it is a candidate like anyone.
    served = api.client.app.state.live.served
    assert TOWN["id"] in served.engine.eco.index
    ready = api.call("GET", "/ready", who=None).json()
    assert ready["generation"] == ready["store_generation"] and ready["indexed"] == 301


def test_an_outcome_changes_the_pairs_features_in_the_next_list(api):
    live = api.client.app.state.live
    a, b = OFFICE_ORG, STRANGER_ORG
    engine = live.served.engine
    i, j = engine.index_of(a), engine.index_of(b)
    before = float(engine.ctx.graph.weight[i, j])
    outcome = {"key": "live-contract-1", "members": [a, b], "stage": "contract",
               "at": datetime.now(UTC).isoformat()}
    assert api.call("POST", "/v1/outcomes", json=outcome).status_code == 201
    fit = api.call("GET", f"/v1/organizations/{a}/fit/{b}").json()
    engine = live.served.engine
    assert float(engine.ctx.graph.weight[i, j]) > before
    assert fit["explanation"]["path"]["nodes"] == [a, b]  # now repeat partners


def test_a_live_engine_after_many_changes_equals_a_fresh_build_of_the_store(api):
    store = api.client.app.state.store
    live = api.client.app.state.live
    orgs = store.list_organizations(limit=40)[0]
    for n, org in enumerate(orgs[:15]):  # updates: each keeps one strength, gains a need
        store.put_organization(org.__class__(**{
            **{f: getattr(org, f) for f in org.__struct_fields__},
            "needs": (*org.needs[:1], TOWN_NEED(n))}))
    for n in range(10):  # registrations
        store.put_organization(org_like(orgs[20 + n], f"org-live-{n:02d}"))
    for n in range(10):  # outcomes among old and new
        store.append_outcome(outcome_of(f"live-o-{n}", orgs[n].id, f"org-live-{n:02d}"))
    served = live.sync_now()
    for key in ("live-o-1", "live-o-7"):  # retractions, applied as changes like the rest
        Retractions(store).retract(key, "recorded by mistake", "test", "admin")
    served = live.sync_now()
    assert not live.rebuilding
    eng = served.engine
    pair = eng.index_of(orgs[1].id), eng.index_of("org-live-01")
    assert eng.ctx.graph.furthest[pair] == 0, "a retracted meeting leaves no history"
    assert eng.ctx.graph.furthest[eng.index_of(orgs[2].id), eng.index_of("org-live-02")] > 0
    fresh, generation, *_ = serving_engine(store)
    assert served.generation == generation
    for asker in [orgs[0].id, orgs[3].id, "org-live-01", "org-live-07", orgs[30].id]:
        got = [(s.partner_id, round(s.score, 5)) for s in served.engine.suggest(asker, k=10)]
        want = [(s.partner_id, round(s.score, 5)) for s in fresh.suggest(asker, k=10)]
        assert got == want


def TOWN_NEED(n: int):
    from data.records import Item

    return Item(tag="mob.lowspeed", text=f"低速モビリティの実証 {n}")


def org_like(org, new_id: str):
    fields = {f: getattr(org, f) for f in org.__struct_fields__}
    return org.__class__(**{**fields, "id": new_id, "registered_at": None})


def outcome_of(key: str, a: str, b: str):
    from data.records import Outcome

    return Outcome(key=key, members=(a, b), stage="meeting", at=datetime.now(UTC))


@pytest.fixture
def canary_api(tmp_path):
    from tests.service.conftest import open_api

    yield from open_api(tmp_path)


def test_an_item_made_confidential_is_never_quoted_again_stored_lists_included(canary_api, tmp_path):
    api = canary_api
    store = api.client.app.state.store
    owner = store.get_organization(STRANGER_ORG)
    marker = "CANARY-RECLASSIFIED"
    strengths = tuple(s.__class__(tag=s.tag, text=f"{s.text} {marker}", tier=s.tier)
                      for s in owner.strengths)
    public = owner.__class__(**{**{f: getattr(owner, f) for f in owner.__struct_fields__},
                                "strengths": strengths})
    assert api.call("PUT", f"/v1/organizations/{owner.id}", json=to_json(public)).status_code == 200
    # The nightly batch stores lists that quote the (still public) marked strengths.
    with Store(api.db) as batch_store:
        run_batch(batch_store, log=lambda _m: None, progress=False)
    quoting = [o for o, rows in StoredLists(store).of(StoredLists(store).owners()).items()
               if o != owner.id and any(marker in body.decode() for _, _, body in rows)]
    assert quoting, "the batch should quote the public text in others' lists"
    hidden = owner.__class__(**{**{f: getattr(owner, f) for f in owner.__struct_fields__},
                                "strengths": tuple(s.__class__(tag=s.tag, text=s.text, tier="confidential")
                                                   for s in strengths)})
    assert api.call("PUT", f"/v1/organizations/{owner.id}", json=to_json(hidden)).status_code == 200
    for asker in quoting:
        key = store.create_api_key("office", asker)[1]
        r = api.client.get(f"/v1/organizations/{asker}/suggestions?k=20",
                           headers={"X-API-Key": key})
        assert r.status_code == 200 and marker not in r.text
    for who in ("analyst", "office"):
        r = api.call("GET", f"/v1/organizations/{owner.id}", who=who)
        assert marker not in r.text
    lists = StoredLists(store)
    assert not any(marker in body.decode() for o, rows in lists.of(lists.owners()).items()
                   if o != owner.id for _, _, body in rows)


def to_json(org) -> dict:
    import msgspec

    body = msgspec.to_builtins(org)
    body.pop("registered_at", None)
    return body


def test_a_damaged_change_does_not_stop_the_follower(tmp_path):
    from tests.service.conftest import make_store

    db = str(tmp_path / "k.db")
    make_store(db)
    live = LiveEngine(db, follow=False)
    try:
        with Store(db) as store, store.transaction() as conn:  # a change whose organisation is gone
            conn.execute("INSERT INTO changes(kind, ref, at) VALUES ('organization', 'ghost', 'x')")
        live.sync()
        assert live.served.generation == Store(db).read("SELECT max(seq) FROM changes")[0][0]
    finally:
        live.close()


def test_a_reindex_is_built_in_the_background_while_the_old_engine_serves(tmp_path):
    from service.modeling import reindex
    from tests.service.conftest import make_store

    db = str(tmp_path / "k.db")
    make_store(db)
    live = LiveEngine(db, follow=False)
    try:
        before = live.served
        with Store(db) as store:
            store.put_organization(org_like(store.get_organization(OFFICE_ORG), "org-reindex-1"))
            model = reindex(store)
        live.sync()  # applies the registration, then meets the reindex: a full build starts
        assert live.rebuilding or live._rebuilt is not None
        assert live.served.generation == model.generation - 1  # still the old vectoriser
        assert live.served.engine.ctx.text.vectorizer.vocabulary_ == \
            before.engine.ctx.text.vectorizer.vocabulary_
        live._rebuilding.join(timeout=120)
        live.sync()
        assert live.served.generation == model.generation
        terms = live.served.engine.ctx.text.vectorizer.vocabulary_
        assert len(terms) == len(model.terms) and "org-reindex-1" in live.served.engine.eco.index
    finally:
        live.close()


def test_a_vectoriser_stored_in_an_older_form_is_learned_anew_for_every_process(tmp_path):
    """Concepts were once stored as n-grams of two-character code words; a store that holds
    such a vocabulary gets a new one (and a reindex that every worker follows), so its
    Japanese and English texts keep sharing concepts."""
    from data.generations import Generations
    from features.text import speaks_today
    from service.modeling import shared_vectorizer
    from tests.service.conftest import make_store

    db = str(tmp_path / "k.db")
    make_store(db)
    with Store(db) as store:
        generations = Generations(store)
        shared_vectorizer(store, store.snapshot())
        old = generations.text_model()
        assert old is not None and speaks_today(old.terms)
        legacy = [*old.terms, " \ue000\ue100"]
        with store.transaction() as conn:
            conn.execute("DELETE FROM text_models")
        generations.save_text_model(type(old)(old.generation, legacy, [*old.idf, 1.0]))
        vectorizer = shared_vectorizer(store, store.snapshot())
        stored = generations.text_model()
        assert stored.generation > old.generation and speaks_today(stored.terms)
        assert sorted(vectorizer.vocabulary_) == sorted(stored.terms)


def test_lists_waiting_for_the_engine_do_not_hold_up_other_requests(api):
    """While one list computes, those waiting for the engine must not take every request
    thread: /ready and a write still answer."""
    live = api.client.app.state.live
    answered: list[int] = []
    live.computing.acquire()  # a long list is being computed
    try:
        waiting = [threading.Thread(target=lambda: api.call(
            "GET", f"/v1/organizations/{OFFICE_ORG}/suggestions?k=3&fresh=true")) for _ in range(12)]
        for w in waiting:
            w.start()
        time.sleep(1.0)
        others = threading.Thread(target=lambda: answered.extend([
            api.call("GET", "/ready").status_code,
            api.call("POST", "/v1/organizations", json={**TOWN, "id": "org-while-busy"}).status_code]))
        others.start()
        others.join(timeout=10)
        in_time = list(answered)  # before the list being computed lets the others go
    finally:
        live.computing.release()
    for w in [*waiting, others]:
        w.join(timeout=60)
    assert in_time == [200, 201]
