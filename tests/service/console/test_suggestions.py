"""Suggestions: a pair with an open introduction is not offered a request again, whoever asked;
a theme nobody brings is said, not silently ignored."""

from __future__ import annotations

import re
import time

from litestar.testing import TestClient

from data.store import Store
from data.themes import THEME_BY_ID
from service.console import pending
from tests.service.conftest import OFFICE_ORG, app_with_keys
from tests.service.console.conftest import Console


def listed(console, path: str = "/console/suggestions") -> dict[str, str]:
    """Each suggested partner's block of the page, by partner id."""
    text = console.client.get(path).text
    blocks = text.split('<li class="suggestion" id="s-')[1:]
    return {b.split('"', 1)[0]: b for b in blocks}


def intro_id(console, partner: str) -> str:
    inbox = console.client.get("/console/inbox").text
    found = re.search(rf'href="/console/orgs/{partner}"[^>]*>.*?/console/introductions/([^/]+)/accept',
                      inbox, re.S)
    assert found, "no request awaiting an answer"
    return found.group(1)


def test_a_pending_or_accepted_introduction_shows_its_state_not_a_request_button(console):
    console.sign_in("office")
    first, second = list(listed(console))[:2]
    with Store(console.db) as store:
        console.keys["first"] = store.create_api_key("office", first)[1]
    # The partner asks us: we are offered no second request, but the way to answer.
    console.sign_in("first")
    assert console.post("/console/introductions", {"target": OFFICE_ORG},
                        page="/console/suggestions").status_code == 303
    console.sign_in("office")
    # We ask the other one.
    assert console.post("/console/introductions", {"target": second},
                        page="/console/suggestions").status_code == 303
    blocks = listed(console)
    assert first in blocks and second in blocks, "both stay suggested"
    for partner, words in ((first, "They have asked to be introduced to you."),
                           (second, "Introduction requested: awaiting their answer")):
        assert words in blocks[partner], partner
        assert f'name="target" value="{partner}"' not in blocks[partner], partner
    assert 'href="/console/inbox#i-' in blocks[first]
    # Once accepted, the pair is introduced.
    assert console.post(f"/console/introductions/{intro_id(console, first)}/accept", {},
                        page="/console/inbox").status_code == 303
    assert "Introduced: both sides agreed" in listed(console)[first]


def test_the_no_contact_filter_says_what_it_leaves_out_in_both_languages(console):
    console.sign_in("office")
    for lang, words in (("en-GB", "Only organisations you have had no contact with"),
                        ("ja-JP", "これまで接点のない相手のみ")):
        console.client.headers["Accept-Language"] = lang
        text = console.client.get("/console/suggestions").text
        assert words in text and 'aria-describedby="new-only-hint"' in text


THEME = "telemedicine-remote"


def test_a_theme_nobody_brings_is_said_and_one_somebody_brings_is_not(tmp_path):
    app, keys, db = app_with_keys(tmp_path)
    caps = THEME_BY_ID[THEME].capabilities
    with Store(db) as store, store.transaction() as conn:  # nobody states its capabilities now
        conn.execute(f"DELETE FROM items WHERE side='strength' AND tag IN ({', '.join('?' * len(caps))})",
                     caps)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        console = Console(client, keys, db)
        console.sign_in("office")
        unmet = console.client.get(f"/console/suggestions?theme={THEME}").text
        assert listed(console, f"/console/suggestions?theme={THEME}")
        assert "No organisation shows this theme" in unmet
        assert "No organisation shows this theme" not in console.client.get(
            "/console/suggestions?theme=airport-tourism-dx").text


def test_a_list_that_takes_longer_than_a_page_waits_shows_progress_then_swaps_in(console, monkeypatch):
    monkeypatch.setattr(pending, "PAGE_WAIT", 0.05)
    console.sign_in("office")
    live = console.client.app.state.live
    live.computing.acquire()  # another list is being computed
    try:
        first = console.client.get("/console/suggestions?kind=university")
        assert first.status_code == 200 and 'class="computing"' in first.text
        assert 'hx-get="/console/suggestions/list?mode=co-creation&amp;kind=university"' in first.text
    finally:
        live.computing.release()
    for _ in range(100):
        part = console.client.get("/console/suggestions/list?mode=co-creation&kind=university",
                                  headers={"HX-Request": "true"}).text
        if "hx-get" not in part:
            break
        time.sleep(0.1)
    assert part.lstrip().startswith('<section id="suggestion-list"') and '<li class="suggestion"' in part
