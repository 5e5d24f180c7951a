"""The canary leak test through the console: no page shows a partner, nda or confidential
item to a role the disclosure rule keeps it from."""

from __future__ import annotations

import re

import pytest

from tests.service.test_disclosure import MARK, ORG_OF, allowed, leaky  # noqa: F401 - the fixture

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
OTHERS = sorted({o for o in ORG_OF.values() if o} | {f"org-{i:07d}" for i in range(0, 300, 23)})


def sign_in(client, key: str) -> None:
    client.cookies.clear()
    token = CSRF.search(client.get("/console/signin").text).group(1)
    assert client.post("/console/signin", data={"key": key, "_csrf": token},
                       follow_redirects=False).status_code == 303


def pages_of(who: str) -> list[str]:
    if ORG_OF[who] is None:
        return ["/console", "/console/models", "/console/kpis"]
    return ["/console", "/console/profile", "/console/suggestions",
            "/console/suggestions?mode=collaboration", "/console/suggestions?kind=university",
            "/console/inbox", "/console/pipeline", "/console/digest", "/console/kpis"]


@pytest.mark.parametrize("who", sorted(ORG_OF))
def test_no_canary_in_any_console_page_the_rule_forbids(leaky, who):  # noqa: F811
    api, partners, ndas = leaky
    client = api.client
    sign_in(client, api.keys[who])
    seen = 0
    for path in [*pages_of(who), *(f"/console/orgs/{o}" for o in OTHERS)]:
        r = client.get(path)
        assert r.status_code < 500, (path, r.text[:500])
        for tier, owner in MARK.findall(r.text):
            seen += 1
            assert allowed(who, partners, ndas, tier, owner), (who, path, tier, owner)
    client.cookies.clear()
    if who in ("admin", "office", "target"):
        assert seen, "the test would not notice a leak: no canary was shown even where allowed"


def test_the_partner_sees_the_targets_partner_items_and_a_stranger_does_not(leaky):  # noqa: F811
    api, _, _ = leaky
    client = api.client
    target = ORG_OF["target"]
    sign_in(client, api.keys["office"])
    assert f"CANARY-partner-{target}#" in client.get(f"/console/orgs/{target}").text
    sign_in(client, api.keys["stranger"])
    assert "CANARY-" not in client.get(f"/console/orgs/{target}").text
    client.cookies.clear()
