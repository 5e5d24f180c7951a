from datetime import UTC, datetime, timedelta

from tests.service.conftest import OFFICE_ORG, STRANGER_ORG


def _accepted(api):
    made = api.call("POST", "/v1/introductions", "office",
                    json={"requester": OFFICE_ORG, "target": STRANGER_ORG})
    assert made.status_code == 201, made.text
    intro = made.json()["id"]
    assert api.call("POST", f"/v1/introductions/{intro}/accept", "stranger").status_code == 200
    return intro


def test_events_move_the_pipeline_on_and_are_logged_as_outcomes_once(api):
    intro = _accepted(api)
    soon = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    body = {"key": "m1", "kind": "poc", "by": OFFICE_ORG, "next_contact": soon}
    first = api.call("POST", f"/v1/introductions/{intro}/events", "office", json=body)
    assert first.status_code == 201, first.text
    again = api.call("POST", f"/v1/introductions/{intro}/events", "office", json=body)
    assert again.status_code == 200
    entry = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/pipeline", "office").json()["introductions"][0]
    assert entry["stage"] == "poc" and entry["next_contact"] == soon
    assert set(entry["reached"]) == {"requested", "accepted", "poc"}
    assert entry["acts_next"] == STRANGER_ORG and entry["stalled"] is False
    pocs = [o for o in api.call("GET", f"/v1/outcomes?org={OFFICE_ORG}&limit=500").json()["outcomes"]
            if o["outcome"]["suggestion_id"] == intro and o["outcome"]["stage"] == "poc"]
    assert len(pocs) == 1


def test_a_declined_requester_sees_the_coded_reason_and_note(api):
    intro = _accepted(api)
    declined = api.call("POST", f"/v1/introductions/{intro}/events", "stranger",
                        json={"key": "d1", "kind": "declined", "by": STRANGER_ORG,
                              "reason": "budget", "note": "no budget this fiscal year"})
    assert declined.status_code == 201, declined.text
    entry = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/pipeline", "office").json()["introductions"][0]
    assert (entry["stage"], entry["decline_reason"], entry["decline_note"]) == (
        "declined", "budget", "no budget this fiscal year")
    late = api.call("POST", f"/v1/introductions/{intro}/events", "office",
                    json={"key": "n1", "kind": "note", "by": OFFICE_ORG})
    assert late.status_code == 409 and late.json()["field"] == "$.kind"


def test_bad_events_are_4xx_naming_the_field_and_write_nothing(api):
    made = api.call("POST", "/v1/introductions", "office",
                    json={"requester": OFFICE_ORG, "target": STRANGER_ORG}).json()["id"]
    early = api.call("POST", f"/v1/introductions/{made}/events", "office",
                     json={"key": "c1", "kind": "contract", "by": OFFICE_ORG})
    assert early.status_code == 409 and early.json()["field"] == "$.kind"
    api.call("POST", f"/v1/introductions/{made}/accept", "stranger")
    outsider = api.call("POST", f"/v1/introductions/{made}/events", "admin",
                        json={"key": "x1", "kind": "meeting", "by": "org-0000005"})
    assert outsider.status_code == 403 and outsider.json()["field"] == "$.by"
    past = api.call("POST", f"/v1/introductions/{made}/events", "office",
                    json={"key": "p1", "kind": "meeting", "by": OFFICE_ORG, "next_contact": "2020-01-01"})
    assert past.status_code == 422 and past.json()["field"] == "$.next_contact"
    foreign = api.call("POST", f"/v1/introductions/{made}/events", "office",
                       json={"key": "f1", "kind": "meeting", "by": STRANGER_ORG})
    assert foreign.status_code == 403
    logged = [o["outcome"]["stage"] for o in
              api.call("GET", f"/v1/outcomes?org={OFFICE_ORG}&limit=500").json()["outcomes"]
              if o["outcome"]["suggestion_id"] == made]
    assert logged == ["contacted", "meeting"]  # the request and the acceptance only


def test_an_office_sees_only_its_own_pipeline(api):
    assert api.call("GET", f"/v1/organizations/{STRANGER_ORG}/pipeline", "office").status_code == 403
    assert api.call("GET", f"/v1/organizations/{STRANGER_ORG}/pipeline", "analyst").status_code == 200
    assert api.call("GET", "/v1/organizations/nope/pipeline", "admin").status_code == 404


def test_the_pipeline_shows_who_confirmed_the_nda_and_whether_it_holds(api):
    intro = _accepted(api)
    api.call("POST", f"/v1/introductions/{intro}/nda", "office",
             json={"key": "n1", "by": OFFICE_ORG, "action": "confirm"})
    entry = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/pipeline", "office").json()["introductions"][0]
    assert (entry["nda_confirmed_by"], entry["nda_in_force"]) == ([OFFICE_ORG], False)
    api.call("POST", f"/v1/introductions/{intro}/nda", "stranger",
             json={"key": "n2", "by": STRANGER_ORG, "action": "confirm"})
    pipe = api.call("GET", f"/v1/organizations/{STRANGER_ORG}/pipeline", "stranger").json()
    entry = pipe["introductions"][0]
    assert (sorted(entry["nda_confirmed_by"]), entry["nda_in_force"]) == (
        sorted([OFFICE_ORG, STRANGER_ORG]), True)


def test_a_request_declined_at_once_reaches_the_requester_with_its_reason_and_note(api):
    made = api.call("POST", "/v1/introductions", "office",
                    json={"requester": OFFICE_ORG, "target": STRANGER_ORG}).json()["id"]
    no = api.call("POST", f"/v1/introductions/{made}/decline", "stranger",
                  json={"reason": "capacity", "note": "our lab is full until April"})
    assert no.status_code == 200, no.text
    entry = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/pipeline", "office").json()["introductions"][0]
    assert (entry["stage"], entry["decline_reason"], entry["decline_note"]) == (
        "declined", "capacity", "our lab is full until April")
    listed = api.call("GET", "/v1/introductions", "office").json()["introductions"][0]
    assert (listed["reason"], listed["note"]) == ("capacity", "our lab is full until April")
    blank = api.call("POST", f"/v1/introductions/{made}/decline", "stranger",
                     json={"reason": "capacity", "note": "  "})
    assert (blank.status_code, blank.json()["field"]) == (422, "$.note")


def test_an_office_sees_which_suggestions_it_acted_on_and_which_introductions_are_open(api):
    listed = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/suggestions?k=5&fresh=true", "office").json()
    assert (listed["acted_on"], listed["introductions"]) == ([], {})
    chosen = listed["suggestions"][1]["partner_id"]
    made = api.call("POST", "/v1/introductions", "office", json={"requester": OFFICE_ORG, "target": chosen})
    assert made.status_code == 201
    again = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/suggestions?k=5&fresh=true", "office").json()
    assert again["acted_on"] == [chosen] and chosen in [s["partner_id"] for s in again["suggestions"]]
    assert again["introductions"] == {chosen: {"id": made.json()["id"], "status": "requested",
                                               "requester": OFFICE_ORG}}


def test_an_analyst_cannot_record_an_event_on_a_sides_behalf(api):
    intro = _accepted(api)
    refused = api.call("POST", f"/v1/introductions/{intro}/events", "analyst",
                       json={"key": "d1", "kind": "declined", "by": STRANGER_ORG, "reason": "budget"})
    assert refused.status_code == 403 and refused.json()["field"] == "$.by"
    entry = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/pipeline", "office").json()["introductions"][0]
    assert entry["stage"] == "accepted"


def test_an_events_by_is_an_organisation_id_and_never_echoed_unbounded(api):
    intro = _accepted(api)
    for by in ("x" * 200_000, "", "a b"):
        bad = api.call("POST", f"/v1/introductions/{intro}/events", "office",
                       json={"key": "m1", "kind": "meeting", "by": by})
        assert bad.status_code == 422 and bad.json()["field"] == "$.by", bad.text[:200]
        assert len(bad.text) < 1000
    foreign = api.call("POST", f"/v1/introductions/{intro}/events", "office",
                       json={"key": "m1", "kind": "meeting", "by": "y" * 64})
    assert foreign.status_code == 403 and len(foreign.json()["message"]) < 200


def test_errors_about_a_path_parameter_key_org_or_body_name_it(api):
    intro = _accepted(api)
    events, nda = f"/v1/introductions/{intro}/events", f"/v1/introductions/{intro}/nda"
    api.call("POST", events, "office", json={"key": "k1", "kind": "meeting", "by": OFFICE_ORG})
    api.call("POST", nda, "office", json={"key": "k1", "by": OFFICE_ORG, "action": "confirm"})
    for path, body in ((events, {"key": "k1", "kind": "poc", "by": OFFICE_ORG}),
                       (nda, {"key": "k1", "by": OFFICE_ORG, "action": "revoke"})):
        conflict = api.call("POST", path, "office", json=body)
        assert (conflict.status_code, conflict.json()["field"]) == (409, "$.key")
    ghost = api.call("POST", f"/v1/introductions/{'i' * 5000}/events", "office",
                     json={"key": "k2", "kind": "meeting", "by": OFFICE_ORG})
    assert (ghost.status_code, ghost.json()["field"]) == (404, "intro_id")
    assert len(ghost.json()["message"]) < 200
    for route in ("pipeline", "kpis", "digest"):
        unknown = api.call("GET", f"/v1/organizations/org-nope/{route}", "admin")
        assert (unknown.status_code, unknown.json()["field"]) == (404, "org_id"), route
        foreign = api.call("GET", f"/v1/organizations/{STRANGER_ORG}/{route}", "office")
        assert (foreign.status_code, foreign.json()["field"]) == (403, "org_id"), route
    no_org = api.call("GET", "/v1/introductions", "admin")
    assert (no_org.status_code, no_org.json()["field"]) == (422, "org")
    headers = {"X-API-Key": api.keys["office"], "Content-Type": "application/json"}
    for content, status in ((b"", 400), (b"[]", 422)):
        bad = api.client.post(events, content=content, headers=headers)
        assert (bad.status_code, bad.json()["field"]) == (status, "$"), content


def test_an_outcome_cannot_squat_the_key_of_an_introductions_event(api):
    intro = _accepted(api)
    squat = api.call("POST", "/v1/outcomes", "office",
                     json={"key": f"{intro}:event:m1", "members": [OFFICE_ORG, STRANGER_ORG],
                           "stage": "meeting", "at": "2026-10-01T09:00:00Z"})
    assert (squat.status_code, squat.json()["field"]) == (422, "$.key")
    assert "reserved" in squat.json()["message"]
    event = api.call("POST", f"/v1/introductions/{intro}/events", "stranger",
                     json={"key": "m1", "kind": "meeting", "by": STRANGER_ORG})
    assert event.status_code == 201, event.text


def test_a_far_next_contact_or_an_empty_note_event_is_422_naming_the_field(api):
    intro = _accepted(api)
    path = f"/v1/introductions/{intro}/events"
    far = api.call("POST", path, "office",
                   json={"key": "f1", "kind": "meeting", "by": OFFICE_ORG, "next_contact": "9999-12-31"})
    assert (far.status_code, far.json()["field"]) == (422, "$.next_contact")
    empty = api.call("POST", path, "office", json={"key": "e1", "kind": "note", "by": OFFICE_ORG})
    assert (empty.status_code, empty.json()["field"]) == (422, "$.note")
    entry = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/pipeline", "office").json()["introductions"][0]
    assert entry["stage"] == "accepted" and entry["next_contact"] is None


def test_control_and_direction_characters_are_refused_in_messages_and_notes_and_escaped_in_errors(api):
    hidden = api.call("POST", "/v1/introductions", "office",
                      json={"requester": OFFICE_ORG, "target": STRANGER_ORG, "message": "a\x00b"})
    assert (hidden.status_code, hidden.json()["field"]) == (422, "$.message")
    made = api.call("POST", "/v1/introductions", "office",
                    json={"requester": OFFICE_ORG, "target": STRANGER_ORG, "message": "ご相談"}).json()["id"]
    flipped = api.call("POST", f"/v1/introductions/{made}/decline", "stranger",
                       json={"reason": "timing", "note": "🙏\u202e"})
    assert (flipped.status_code, flipped.json()["field"]) == (422, "$.note")
    unknown = api.call("GET", "/v1/organizations/org-\u202eevil/kpis", "admin")
    assert unknown.status_code == 404 and "\u202e" not in unknown.text
    assert "\\u202e" in unknown.json()["message"]


def test_a_message_of_spaces_is_refused_naming_it(api):
    blank = api.call("POST", "/v1/introductions", "office",
                     json={"requester": OFFICE_ORG, "target": STRANGER_ORG, "message": "   "})
    assert (blank.status_code, blank.json()["field"]) == (422, "$.message")
