"""Sessions, CSRF, cookies, no outside URLs, labelled controls, and bad input named on the page."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from tests.service.conftest import OFFICE_ORG, STRANGER_ORG

OFFICE_PAGES = ["/console", "/console/profile", "/console/suggestions", "/console/inbox",
                "/console/pipeline", "/console/digest", "/console/kpis", f"/console/orgs/{STRANGER_ORG}",
                f"/console/fit?other={STRANGER_ORG}", "/console/consortia?theme=ai-manufacturing-quality"]
ANALYST_PAGES = ["/console", "/console/models", "/console/kpis"]
FORMS = ["/console/signout", "/console/profile", "/console/introductions",
         "/console/introductions/i-1/accept", "/console/introductions/i-1/decline", "/console/models/train",
         "/console/models/v1/promote", "/console/models/rollback"]


@pytest.mark.parametrize("path", OFFICE_PAGES + ANALYST_PAGES[1:])
def test_no_page_without_a_session(console, path):
    r = console.client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/signin"


@pytest.mark.parametrize("path", FORMS)
def test_every_form_refuses_a_post_without_the_csrf_token(console, path):
    console.sign_in("office" if "models" not in path else "analyst")
    for data in ({}, {"_csrf": "forged"}, {"_csrf": "é" * 43}):
        r = console.client.post(path, data={**data, "target": STRANGER_ORG, "confirm": "1"},
                                follow_redirects=False)
        assert r.status_code == 403 and "_csrf" in r.text, (path, r.status_code)
    # Nothing happened: no introduction was asked for, the session still stands.
    assert console.client.get("/console/inbox" if "models" not in path else "/console/models",
                              follow_redirects=False).status_code == 200


def test_sign_in_needs_the_token_and_a_known_key(console):
    r = console.client.post("/console/signin", data={"key": console.keys["office"]}, follow_redirects=False)
    assert r.status_code == 403
    r = console.client.post("/console/signin", data={"key": "ky_wrong", "_csrf": console.csrf()})
    assert r.status_code == 401 and "key" in r.text and "/console/profile" not in r.text


def test_the_session_cookie_is_httponly_strict_and_never_holds_the_key(console):
    r = console.client.post("/console/signin", data={"key": console.keys["office"], "_csrf": console.csrf()},
                            follow_redirects=False)
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("kyoso_console="))
    assert "kyoso_console=" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert console.keys["office"] not in cookie
    for path in OFFICE_PAGES:
        assert console.keys["office"] not in console.client.get(path).text
    # Sign-out ends it.
    assert console.post("/console/signout", {}).status_code == 303
    assert console.client.get("/console/profile", follow_redirects=False).status_code == 303


def test_a_page_is_not_kept_by_the_browser_and_its_request_names_the_key(console, caplog):
    console.sign_in("office")
    with caplog.at_level("INFO", logger="kyoso.access"):
        r = console.client.get("/console/profile")
    assert "no-store" in r.headers.get("cache-control", "")
    lines = [m for m in caplog.messages if '"/console/profile"' in m]
    assert lines and '"key_id": null' not in lines[-1] and '"role": "office"' in lines[-1]


def test_an_unticked_confirmation_is_not_a_confirmation(console):
    console.sign_in("analyst")
    for value in ("0", "", "no"):
        r = console.post("/console/models/rollback", {"confirm": value}, page="/console/models")
        assert r.status_code == 422 and "confirm" in r.text, value


OUTSIDE = re.compile(r"https?://(?!127\.0\.0\.1[:/\"']|localhost[:/\"'])[^\s\"'<>)]+")
REFERENCE = re.compile(r"""(?:src|href|action)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^)"']+)""")


def test_no_served_page_or_asset_names_an_outside_host(console):
    seen = {}
    console.sign_in("office")
    seen.update({p: console.client.get(p).text for p in OFFICE_PAGES})
    console.sign_in("analyst")
    seen.update({p: console.client.get(p).text for p in ANALYST_PAGES})
    console.client.cookies.clear()
    seen["/console/signin"] = console.client.get("/console/signin").text
    seen["/docs"] = console.client.get("/docs").text
    for path in ("/console/static/console.css", "/console/static/vendor/htmx.min.js"):
        seen[path] = console.client.get(path).text
    for path, text in seen.items():
        assert not OUTSIDE.findall(text), (path, OUTSIDE.findall(text)[:3])
    # Swagger UI's bundle is served from here; /docs loads nothing from elsewhere.
    refs = [a or b for a, b in REFERENCE.findall(seen["/docs"])]
    assert refs and all(r.startswith("/") for r in refs), refs
    for ref in refs:
        assert console.client.get(ref).status_code == 200, ref


class Controls(HTMLParser):
    """Form controls that a person sees, and the labels that name them."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.labelled: set[str] = set()
        self.in_label = 0
        self.lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.labelled.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append({**a, "wrapped": self.in_label > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_control_is_labelled_and_the_page_says_its_language(console, lang):
    console.client.headers["Accept-Language"] = "ja-JP,ja;q=0.9" if lang == "ja" else "en-GB"
    for who, pages in (("office", OFFICE_PAGES), ("analyst", ANALYST_PAGES)):
        console.sign_in(who)
        for path in pages:
            parsed = Controls()
            parsed.feed(console.client.get(path).text)
            assert parsed.lang == lang, path
            unlabelled = [c for c in parsed.controls
                          if not c["wrapped"] and c.get("id") not in parsed.labelled]
            assert not unlabelled, (path, unlabelled[:2])


def test_the_language_switch_overrides_accept_language(console):
    console.client.headers["Accept-Language"] = "en-GB"
    console.sign_in("office")
    console.client.get("/console/lang/ja?next=/console/profile")
    assert '<html lang="ja">' in console.client.get("/console/profile").text
    r = console.client.get("/console/lang/en?next=https://example.org/", follow_redirects=False)
    assert r.headers["location"] == "/console"


def test_the_language_switch_keeps_the_page_and_its_filters(console):
    console.sign_in("office")
    page = console.client.get("/console/suggestions?kind=university&theme=telemedicine-remote").text
    link = re.search(r'href="(/console/lang/en\?next=[^"]+)"', page).group(1)
    back = console.client.get(html.unescape(link), follow_redirects=False).headers["location"]
    assert back == "/console/suggestions?kind=university&theme=telemedicine-remote"


def test_bad_profile_input_is_named_on_the_page_not_a_500(console):
    console.sign_in("office")
    r = console.post("/console/profile", {"needs-0-tag": "mob.maas", "needs-0-text": "   ",
                                          "needs-0-tier": "public"}, page="/console/profile")
    assert r.status_code == 422 and "$.needs[0].text" in r.text
    r = console.post("/console/profile", {"needs-0-tag": "no.such.tag", "needs-0-text": "x",
                                          "needs-0-tier": "public"}, page="/console/profile")
    assert r.status_code == 422 and "$.needs[0].tag" in r.text


@pytest.mark.parametrize(("path", "field"), [
    ("/console/suggestions?region=tokyo", "$.region[0]"),
    ("/console/suggestions?theme=nonsense", "theme"),
    ("/console/kpis?from=2025-13-01", "from"),
    ("/console/kpis?from=2025-06-01&to=2025-01-01", "from"),
    ("/console/consortia?theme=ai-manufacturing-quality&size=9", "$.size"),
    ("/console/consortia?theme=nonsense", "$.theme"),
    ("/console/consortia?theme=ai-manufacturing-quality&size=-3", "$.size"),
    ("/console/consortia?theme=ai-manufacturing-quality&size=2.5", "$.size"),
    ("/console/consortia?theme=ai-manufacturing-quality&require_university=-1", "$.require_kinds[...]"),
    ("/console/consortia?theme=ai-manufacturing-quality&require_npo=abc", "$.require_kinds[...]"),
    (f"/console/fit?other={OFFICE_ORG}", None),
    ("/console/fit?other=org-9999999", None),
])
def test_bad_filters_are_named_on_the_page(console, path, field):
    console.sign_in("office")
    r = console.client.get(path)
    assert 400 <= r.status_code < 500 and 'role="alert"' in r.text, r.text[:2000]
    assert field is None or f'data-field="{field}"' in r.text, r.text[:2000]


def test_an_impossible_consortium_is_explained(console):
    console.sign_in("office")
    r = console.client.get("/console/consortia?theme=ai-manufacturing-quality&size=3"
                           "&require_university=2&require_municipality=2&regions=JP-47")
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert "class=\"team\"" not in r.text


def test_the_consortium_builder_proposes_teams_with_their_members(console):
    console.sign_in("office")
    r = console.client.get("/console/consortia?need=AI+for+elderly+care&size=3&require_university=1")
    assert r.status_code == 200 and r.text.count('class="team"') >= 1
    assert "university" in r.text


def test_a_decline_without_a_reason_names_it(console):
    console.sign_in("stranger")
    console.post("/console/introductions", {"target": OFFICE_ORG}, page="/console/inbox")
    console.sign_in("office")
    inbox = console.client.get("/console/inbox").text
    intro = re.search(r"/console/introductions/([^/]+)/decline", inbox).group(1)
    assert re.search(r'<select id="reason-[^"]+" name="reason" required', inbox)
    r = console.post(f"/console/introductions/{intro}/decline", {"reason": ""}, page="/console/inbox")
    assert r.status_code == 422 and "<h1>" in r.text and f'id="reason-{intro}-problem"' in r.text
    assert "Choose a reason for declining" in r.text and "$.reason" not in r.text
    console.client.cookies.set("kyoso_lang", "ja")
    r = console.post(f"/console/introductions/{intro}/decline", {"reason": ""}, page="/console/inbox")
    assert r.status_code == 422 and "辞退の理由を選んでください" in r.text
    r = console.post(f"/console/introductions/{intro}/decline", {"reason": "timing", "note": "next year"},
                     page="/console/inbox")
    assert r.status_code == 303
    console.sign_in("stranger")
    assert "next year" in console.client.get("/console/inbox").text


def test_an_office_page_refuses_an_analyst_as_the_api_would(console):
    console.sign_in("analyst")
    r = console.client.get("/console/profile")
    assert r.status_code == 403 and "office" in r.text


def test_a_refused_form_links_back_in_words_not_an_arrow(console):
    console.sign_in("office")
    r = console.post("/console/introductions/no-such/accept", {}, page="/console/inbox")
    assert r.status_code == 404 and 'href="/console/inbox"' in r.text
    assert ">←<" not in r.text and "Back to the page before" in r.text


def test_an_unknown_language_is_a_404_page_not_a_redirect(console):
    r = console.client.get("/console/lang/xx?next=/console/profile", follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers and "<html" in r.text
    assert "kyoso_lang" not in r.headers.get("set-cookie", "")


@pytest.mark.parametrize(("given", "back"), [
    ("/console/profile", "/console/profile"),
    ("/console/fit?other=x", "/console/fit?other=x"),
    ("/console/../v1/organizations", "/console"),
    ("/console/%2e%2e/v1/organizations", "/console"),
    ("/console/%252e%252e/docs", "/console"),
    ("/console/./profile", "/console"),
    ("/consolex", "/console"),
    ("/v1/organizations", "/console"),
    ("//example.org/console", "/console"),
    ("https://example.org/console", "/console"),
    ("/console\\..\\v1", "/console"),
])
def test_the_language_switch_sends_back_to_a_console_page_only(console, given, back):
    r = console.client.get("/console/lang/ja", params={"next": given}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == back, given


@pytest.mark.parametrize(("lang", "said"), [("en", "Enter a key to sign in."),
                                            ("ja", "API キーを入力してください。")])
def test_signing_in_with_an_empty_key_asks_for_one(console, lang, said):
    console.client.cookies.set("kyoso_lang", lang)
    r = console.client.post("/console/signin", data={"key": "  ", "_csrf": console.csrf()},
                            follow_redirects=False)
    assert r.status_code == 422 and said in r.text and "revoked" not in r.text and "無効" not in r.text


def test_the_pipeline_shows_a_declines_reason_and_note_and_sent_requests_their_date_and_message(console):
    console.sign_in("stranger")
    console.post("/console/introductions", {"target": OFFICE_ORG, "message": "shall we talk"},
                 page="/console/inbox")
    sent = console.client.get("/console/inbox").text
    assert "shall we talk" in sent and re.search(r"<td>\d{4}-\d{2}-\d{2}</td>", sent)
    console.sign_in("office")
    intro = re.search(r"/console/introductions/([^/]+)/decline", console.client.get("/console/inbox").text)
    console.post(f"/console/introductions/{intro.group(1)}/decline",
                 {"reason": "timing", "note": "next year"}, page="/console/inbox")
    for who in ("office", "stranger"):
        console.sign_in(who)
        shown = console.client.get("/console/pipeline").text
        assert "not the right time" in shown and "next year" in shown, who
