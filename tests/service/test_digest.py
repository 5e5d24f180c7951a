"""The digest: what an office should act on, for a known store on a fixed date."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import msgspec
import pytest

from data.digests import Digests
from data.records import Explanation, Outcome, Reason, Suggestion
from data.store import Store
from data.stored_lists import write_suggestions
from matching.followup import StallRules
from service.api.app import app_from_env
from service.cli import main
from service.digest import digest, render_text
from service.settings import BadSetting
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG, make_store

ON = date(2026, 11, 20)
ORG = OFFICE_ORG


def ts(day: str) -> str:
    return f"{day}T09:00:00.000000Z"


def _intro(store: Store, intro: str, requester: str, target: str, status: str, created: str,
           decided: str | None = None) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO introductions(id, requester, target, status, created_at, decided_at)"
                     " VALUES (?,?,?,?,?,?)", (intro, requester, target, status, ts(created),
                                               ts(decided) if decided else None))


def _event(store: Store, intro: str, kind: str, by: str, at: str, next_contact: str | None) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO introduction_events(intro_id, key, kind, by_org, at, next_contact,"
                     " body_hash) VALUES (?,?,?,?,?,?,'x')", (intro, f"{intro}:{kind}", kind, by, ts(at),
                                                              next_contact))


def _listed(partner: str, name: str, score: float) -> tuple[str, float, bytes]:
    s = Suggestion(partner_id=partner, partner_name=name, partner_kind="startup", score=score,
                   score_forward=score, score_backward=score, explanation=Explanation(),
                   reasons=(Reason(code="need_met", text=f"{name} meets your need"),))
    return partner, score, msgspec.json.encode(s)


@pytest.fixture
def known(tmp_path):
    db = str(tmp_path / "k.db")
    make_store(db, n=100)
    with Store(db) as store:
        _intro(store, "i-wait", STRANGER_ORG, ORG, "requested", "2026-11-01")   # 19 days unanswered
        _intro(store, "i-mine", ORG, "org-0000003", "requested", "2026-11-15")  # ORG asked: not ORG's move
        _intro(store, "i-soon", ORG, "org-0000004", "accepted", "2026-09-20", "2026-10-01")
        _event(store, "i-soon", "meeting", "org-0000004", "2026-10-05", "2026-11-25")
        _intro(store, "i-late", "org-0000005", ORG, "accepted", "2026-08-20", "2026-09-01")
        _event(store, "i-late", "poc", ORG, "2026-09-10", "2026-11-10")
        _intro(store, "i-no", "org-0000006", ORG, "declined", "2026-10-01", "2026-10-02")
        with store.transaction() as conn:
            for org, day in (("org-0000007", "2026-11-10"), ("org-0000008", "2020-01-01")):
                conn.execute("UPDATE organizations SET registered_at=? WHERE id=?", (ts(day), org))
            conn.execute("INSERT INTO batch_runs(id, since, since_inclusive, until, k, chunk_size, total,"
                         " status, started_at, finished_at) VALUES ('run-1', ?, 0, ?, 20, 100, 1, 'done',"
                         " ?, ?)", (ts("2026-11-01"), ts("2026-11-19"), ts("2026-11-20"), ts("2026-11-20")))
            write_suggestions(conn, ORG, [_listed("org-0000007", "Fresh Robotics", 0.81234),
                                          _listed("org-0000008", "Old Steel", 0.9)], None, ts("2026-11-20"))
        yield store


def test_the_digest_lists_answers_stalls_contacts_and_newcomers(known):
    d = digest(known, ORG, ON, StallRules())
    assert d.batch_run == "run-1"
    assert [(a.introduction, a.requester, a.waiting_days) for a in d.awaiting_answer] == [
        ("i-wait", STRANGER_ORG, 19)]
    assert {(s.introduction, s.rule) for s in d.stalled} == {
        ("i-wait", "unanswered"), ("i-late", "next_contact_passed")}
    assert [(c.introduction, c.next_contact, c.overdue) for c in d.next_contacts] == [
        ("i-late", date(2026, 11, 10), True), ("i-soon", date(2026, 11, 25), False)]
    assert [(n.partner_id, n.partner_name, n.score, n.reasons) for n in d.newcomers] == [
        ("org-0000007", "Fresh Robotics", 0.8123, ["Fresh Robotics meets your need"])]
    text = render_text(d)
    assert "Requests awaiting your answer (1)" in text and "2026-11-10 (overdue)" in text


def test_a_day_later_or_another_office_sees_a_different_digest(known):
    later = digest(known, ORG, date(2026, 12, 10), StallRules())
    assert [c.next_contact for c in later.next_contacts] == [date(2026, 11, 10), date(2026, 11, 25)]
    assert all(c.overdue for c in later.next_contacts)
    other = digest(known, "org-0000003", ON, StallRules())
    assert other.awaiting_answer[0].introduction == "i-mine" and other.newcomers == []


def test_the_digest_route_is_its_offices_and_names_bad_input(api):
    assert api.call("GET", f"/v1/organizations/{ORG}/digest?on=2026-11-20", "office").status_code == 200
    assert api.call("GET", f"/v1/organizations/{STRANGER_ORG}/digest", "office").status_code == 403
    assert api.call("GET", "/v1/organizations/org-nope/digest", "admin").status_code == 404
    bad = api.call("GET", f"/v1/organizations/{ORG}/digest?on=soon", "office")
    assert (bad.status_code, bad.json()["field"]) == (422, "on")


def _office_with_a_waiting_request(tmp_path) -> str:
    """A store where ``ORG`` is an office with a request waiting for its answer."""
    db = str(tmp_path / "k.db")
    make_store(db, n=120)
    with Store(db) as store:
        store.create_api_key("office", ORG)
        _intro(store, "i-wait", STRANGER_ORG, ORG, "requested", "2026-01-01")
    return db


def test_the_nightly_batch_stores_digests_for_offices_and_the_cli_reads_them(tmp_path, capsys):
    db = _office_with_a_waiting_request(tmp_path)
    assert main(["--db", db, "score-batch", "-k", "5"]) == 0
    assert "1 office digests stored" in capsys.readouterr().out
    with Store(db) as store:
        run = Digests(store).last_run()
        assert [org for org, _ in Digests(store).of_run(run)] == [ORG]
    assert main(["--db", db, "digest"]) == 0
    assert f"Kyoso digest for {ORG}" in capsys.readouterr().out
    assert main(["--db", db, "digest", "--org", ORG, "--date", "2026-11-20", "--format", "json"]) == 0
    assert '"awaiting_answer"' in capsys.readouterr().out
    assert main(["--db", db, "digest", "--run", "nope"]) == 2


def test_a_run_stopped_before_its_digests_writes_them_when_started_again(tmp_path, capsys):
    db = _office_with_a_waiting_request(tmp_path)
    assert main(["--db", db, "score-batch", "-k", "5", "--since", "2000-01-01"]) == 0
    capsys.readouterr()
    with Store(db) as store:  # as if the process had died right after the run's last chunk
        run = Digests(store).last_run()
        with store.transaction() as conn:
            conn.execute("DELETE FROM digests")
    assert main(["--db", db, "score-batch", "-k", "5", "--since", "2000-01-01"]) == 0
    assert "already done" in capsys.readouterr().out
    with Store(db) as store:
        assert [org for org, _ in Digests(store).of_run(run)] == [ORG]


@pytest.mark.parametrize("value", ["abc", "-3", "0"])
def test_a_bad_stall_setting_is_a_usage_error_naming_the_variable(tmp_path, capsys, monkeypatch, value):
    monkeypatch.setenv("KYOSO_STALL_QUIET_DAYS", value)
    assert main(["--db", str(tmp_path / "k.db"), "digest", "--org", ORG]) == 2
    assert "KYOSO_STALL_QUIET_DAYS must be a positive integer" in capsys.readouterr().err
    with pytest.raises(BadSetting, match="KYOSO_STALL_QUIET_DAYS"):
        app_from_env()


@pytest.mark.parametrize("history", ["introduction", "outcome"])
def test_a_partner_the_office_already_knows_is_no_fitting_newcomer(known, history):
    if history == "introduction":
        _intro(known, "i-fresh", "org-0000007", ORG, "accepted", "2026-11-12", "2026-11-13")
    else:
        known.append_outcome(Outcome(key="crm-1", members=(ORG, "org-0000007"), stage="meeting",
                                     at=datetime(2026, 11, 14, tzinfo=UTC)))
    assert digest(known, ORG, ON, StallRules()).newcomers == []


def test_a_digest_piped_into_a_reader_that_stops_early_exits_quietly(tmp_path):
    db = str(tmp_path / "k.db")
    make_store(db, n=120)
    with Store(db) as store:
        _intro(store, "i-wait", STRANGER_ORG, ORG, "requested", "2026-01-01")
    child = subprocess.Popen([sys.executable, "-m", "service.cli", "--db", db, "digest", "--org", ORG],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with child:
        child.stdout.close()  # like `| head` that has read all it wanted
        err = child.stderr.read().decode()
    assert child.returncode == 0 and err == "", err
