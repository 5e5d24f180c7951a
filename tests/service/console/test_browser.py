"""The console in a real browser: headless Chromium (Debian's) driven by Playwright, against
`create_app` served by uvicorn on 127.0.0.1. Screenshots go to reports/console/ (git ignores it)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from data.store import Store
from service import lifecycle
from service.api import create_app
from service.settings import Settings
from tests.service.conftest import OFFICE_ORG, make_store

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[3] / "reports" / "console"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {CHROMIUM} for the browser tests (apt-get install chromium)",
                    pytrace=False)
    pytest.skip(f"no {CHROMIUM}: browser tests skipped outside CI", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """A served store of 600 organisations (enough to train on) with one model live."""
    root = tmp_path_factory.mktemp("console")
    db, models = str(root / "k.db"), str(root / "models")
    make_store(db, n=600)
    with Store(db) as store:
        lifecycle.train(store, models, actor="fixture", promote="force", log_line=lambda _m: None)
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(db=db, models_dir=models)),
                                           host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}", db
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def new_page(browser, locale: str = "en-GB") -> Page:
    page = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": locale}).new_page()
    page.set_default_timeout(15_000)
    return page


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, key: str) -> None:
    page.goto(f"{base}/console")
    expect(page).to_have_url(f"{base}/console/signin")  # no session: sent to sign in
    page.get_by_label("API key").or_(page.get_by_label("API キー")).fill(key)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/console")


def partner_text(db: str, org_id: str) -> str | None:
    with Store(db) as store:
        org = store.get_organization(org_id)
    return next((i.text for i in (*org.strengths, *org.needs) if i.tier == "partner"), None)


NEED = "高齢者の移動支援の実証パートナーを探しています（カナリア）"


def test_office_journey_request_accept_disclose(site, browser):
    base, db = site
    started = time.monotonic()
    with Store(db) as store:
        office_key = store.create_api_key("office", OFFICE_ORG)[1]
    a = new_page(browser, "ja-JP")
    sign_in(a, base, office_key)
    expect(a.locator("html")).to_have_attribute("lang", "ja")
    shot(a, "01-home-ja")

    # Edit a need in Japanese: the tag picked by its Japanese label, partner tier.
    a.goto(f"{base}/console/profile")
    new_row = a.locator("tr.new").nth(1)  # strengths first, then needs
    new_row.locator("select").first.select_option(label="低速モビリティ")
    new_row.locator("textarea").fill(NEED)
    new_row.locator("select").nth(1).select_option("partner")
    a.get_by_role("button", name="保存").click()
    expect(a.get_by_role("status")).to_have_text("保存しました。")
    assert NEED in a.content()
    shot(a, "02-profile-ja")

    # Suggestions with reasons; request an introduction to the first.
    a.goto(f"{base}/console/suggestions")
    first = a.locator("li.suggestion").first
    expect(first.locator("ul.reasons li").first).to_be_visible()
    target = (first.get_attribute("id") or "").removeprefix("s-")
    assert target
    shot(a, "03-suggestions-ja")
    secret = partner_text(db, target)
    a.goto(f"{base}/console/orgs/{target}")
    if secret:
        assert secret not in a.content()  # not yet: no accepted introduction
    a.goto(f"{base}/console/suggestions")
    a.locator(f"#s-{target}").get_by_role("button", name="紹介を依頼").click()
    expect(a.get_by_role("status")).to_have_text("紹介を依頼しました。")
    shot(a, "04-inbox-requester")

    # The other office accepts (in English).
    with Store(db) as store:
        other_key = store.create_api_key("office", target)[1]
    b = new_page(browser, "en-GB")
    sign_in(b, base, other_key)
    expect(b.locator("html")).to_have_attribute("lang", "en")
    b.goto(f"{base}/console/inbox")
    b.locator("li.awaiting").filter(has=b.locator(f'a[href="/console/orgs/{OFFICE_ORG}"]')) \
        .get_by_role("button", name="Accept").click()
    expect(b.get_by_role("status")).to_have_text("Accepted.")
    shot(b, "05-inbox-accepted")

    # Both now see each other's partner-tier items.
    b.goto(f"{base}/console/orgs/{OFFICE_ORG}")
    expect(b.get_by_text(NEED)).to_be_visible()
    shot(b, "06-partner-sees-need")
    a.goto(f"{base}/console/orgs/{target}")
    if secret:
        expect(a.get_by_text(secret, exact=False).first).to_be_visible()
    a.goto(f"{base}/console/pipeline")
    expect(a.locator("table")).to_contain_text("紹介成立")  # the accepted stage, in Japanese
    shot(a, "07-pipeline-ja")
    a.goto(f"{base}/console/kpis")
    expect(a.locator("figure svg").first).to_be_visible()
    shot(a, "08-kpis-ja")
    assert time.monotonic() - started < 60


def test_keyboard_reaches_the_main_actions(site, browser):
    base, db = site
    with Store(db) as store:
        key = store.create_api_key("office", OFFICE_ORG)[1]
    page = new_page(browser)
    page.goto(f"{base}/console/signin")
    page.keyboard.press("Tab")  # the skip link, then the nav, then the form
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert "key" in reached
    page.locator("#key").fill(key)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/console")
    page.goto(f"{base}/console/suggestions")
    names = []
    for _ in range(40):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert "Show" in names and "Request an introduction" in names


def test_analyst_trains_compares_promotes_and_rolls_back(site, browser):
    base, db = site
    with Store(db) as store:
        key = store.create_api_key("analyst")[1]
        first = store.live_model_version()
    page = new_page(browser)
    sign_in(page, base, key)
    page.goto(f"{base}/console/models")
    page.get_by_role("button", name="Start training").click()
    # htmx (vendored) refreshes the job's status line and the jobs' table in place until the
    # job is done, then stops asking.
    expect(page.locator("#jobs td.job-status").first).to_have_text(re.compile("queued|running"))
    expect(page.locator("#job")).to_contain_text("done", timeout=90_000)
    expect(page.locator("#jobs td.job-status").first).to_have_text("done", timeout=10_000)
    assert page.evaluate("!document.querySelector('#jobs').hasAttribute('hx-trigger')")
    job = page.locator("#job").text_content() or ""
    assert "Verdict" in job
    page.reload()
    # The chart compares on the split the verdict judged on: the live model's figure is the same.
    judged = re.search(r"live model \S+'s (\d\.\d{4})", job)
    assert judged and judged.group(1) in (page.locator("#comparison").text_content() or "")
    expect(page.locator("#comparison svg")).to_contain_text("baseline")
    shot(page, "09-models-trained")
    with Store(db) as store:
        second = max(v for v, in store.read("SELECT version FROM models"))
        live = store.live_model_version()
    if live != second:  # the rule kept the first: promote the new one by force
        row = page.locator("tr", has_text=second)
        row.get_by_label("I confirm").check()
        row.get_by_label("Promote despite the rule").check()
        row.get_by_role("button", name="Promote").click()
        expect(page.locator(".verdict")).to_contain_text(second)
    with Store(db) as store:
        assert store.live_model_version() == second
    shot(page, "10-models-promoted")
    # Rolling back needs the confirmation: without it, refused on the page.
    page.locator("form[action='/console/models/rollback']").get_by_label("I confirm").check()
    page.get_by_role("button", name="Roll back").click()
    expect(page.locator(".verdict")).to_contain_text(f"rolled back to {first}")
    expect(page).to_have_url(f"{base}/console/models")  # post-redirect-get: a reload asks again for nothing
    page.reload()
    expect(page.locator(".verdict")).to_have_count(0)
    with Store(db) as store:
        assert store.live_model_version() == first
    shot(page, "11-models-rolled-back")


def test_an_office_finds_the_other_organisation_of_a_pair_by_its_name(site, browser):
    base, db = site
    with Store(db) as store:
        key = store.create_api_key("office", OFFICE_ORG)[1]
        unique = next(name for name, in store.read("SELECT name FROM organizations WHERE id != ?"
                                                   " ORDER BY id", (OFFICE_ORG,))
                      if len(store.organizations_named(name)) == 1)
    page = new_page(browser, "ja-JP")
    sign_in(page, base, key)
    page.goto(f"{base}/console/fit")
    # Part of a name that many share: a list to pick from, then the fit of the one picked.
    page.get_by_label("相手の組織名").fill("大学")
    page.keyboard.press("Enter")
    picks = page.locator("ul.matches a")
    expect(picks.first).to_be_visible()
    assert picks.count() > 1
    picked = picks.first.text_content()
    picks.first.click()
    expect(page.locator("h2").first).to_have_text(re.compile(re.escape(picked or "?")))
    expect(page.locator("ul.reasons li").first).to_be_visible()
    shot(page, "12-fit-picked-ja")
    # A whole name that only one organisation has: its fit at once.
    page.get_by_label("相手の組織名").fill(unique)
    page.keyboard.press("Enter")
    expect(page.locator("h2").first).to_contain_text(unique)
    assert page.locator("ul.matches").count() == 0
