"""The profile form: every row sent is kept, whatever its number, or refused by name."""

from __future__ import annotations

from data.store import Store
from tests.service.conftest import OFFICE_ORG


def row(side: str, i: int, text: str, tag: str = "mob.maas", tier: str = "public") -> dict:
    return {f"{side}-{i}-tag": tag, f"{side}-{i}-text": text, f"{side}-{i}-tier": tier}


def test_rows_after_a_gap_in_the_numbers_are_kept(console):
    console.sign_in("office")
    # Row 2 was removed in the browser: rows 0, 1 and 3 arrive.
    sent = {**row("strengths", 0, "kept strength"), **row("needs", 0, "need zero"),
            **row("needs", 1, "need one"), **row("needs", 3, "need three", tier="partner")}
    r = console.post("/console/profile", sent, page="/console/profile")
    assert r.status_code == 303, r.text[:2000]
    with Store(console.db) as store:
        org = store.get_organization(OFFICE_ORG)
    assert [i.text for i in org.needs] == ["need zero", "need one", "need three"]
    assert org.needs[2].tier == "partner"
    assert [i.text for i in org.strengths] == ["kept strength"]


def test_rows_are_taken_in_the_order_of_their_numbers_not_of_the_form(console):
    console.sign_in("office")
    sent = {**row("needs", 10, "ten"), **row("needs", 2, "two"), **row("strengths", 0, "s")}
    assert console.post("/console/profile", sent, page="/console/profile").status_code == 303
    with Store(console.db) as store:
        assert [i.text for i in store.get_organization(OFFICE_ORG).needs] == ["two", "ten"]


def test_a_row_field_that_is_no_rows_is_refused_by_name(console):
    console.sign_in("office")
    with Store(console.db) as store:
        before = store.get_organization(OFFICE_ORG)
    for name in ("needs-x-tag", "needs-1-colour", "strengths-99999-text"):
        r = console.post("/console/profile", {**row("needs", 0, "n"), name: "v"}, page="/console/profile")
        assert r.status_code == 422 and name in r.text, (name, r.status_code)
    with Store(console.db) as store:
        assert store.get_organization(OFFICE_ORG) == before  # nothing was written


def test_a_row_without_its_tag_is_named_not_dropped(console):
    console.sign_in("office")
    r = console.post("/console/profile", {**row("needs", 0, "n"), "needs-4-text": "orphan",
                                          "needs-4-tier": "public"}, page="/console/profile")
    assert r.status_code == 422 and "Need 2, tag" in r.text


def test_a_refused_field_is_said_in_plain_words_not_msgspecs(console):
    console.sign_in("office")
    r = console.post("/console/profile", row("needs", 0, ""), page="/console/profile")
    assert r.status_code == 422 and "Need 1, text" in r.text and "This text must not be empty." in r.text
    assert "Expected" not in r.text and "<code>$.needs" not in r.text
    console.client.cookies.set("kyoso_lang", "ja")
    r = console.post("/console/profile", row("needs", 0, ""), page="/console/profile")
    assert r.status_code == 422 and "ニーズ 1、内容" in r.text and "Expected" not in r.text


def test_a_text_with_a_control_character_is_refused_in_words(console):
    console.sign_in("office")
    with Store(console.db) as store:
        before = store.get_organization(OFFICE_ORG)
    r = console.post("/console/profile", row("needs", 0, "a\u202eb\u0000"), page="/console/profile")
    assert r.status_code == 422 and "Need 1, text" in r.text and "no control characters" in r.text
    console.client.cookies.set("kyoso_lang", "ja")
    r = console.post("/console/profile", row("needs", 0, "\ufeffx"), page="/console/profile")
    assert r.status_code == 422 and "制御文字" in r.text and "Expected" not in r.text
    with Store(console.db) as store:
        assert store.get_organization(OFFICE_ORG) == before
