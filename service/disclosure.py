"""Staged disclosure over the store: who a caller is to the rule, what it is shown, and what
is logged. The rule itself is ``matching.visibility.Viewer``; this module only gathers its
inputs (accepted introductions, NDAs in force) and applies it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import msgspec

from data.introductions import Introductions
from data.records import NeedMatch, Organization
from data.store import Store
from matching.visibility import DISCLOSED_TIERS, Viewer
from service.nda import nda_partners_of


def viewer_for(store: Store, org_id: str | None, *, sees_all: bool = False) -> Viewer:
    """The disclosure rule's view of a caller (organisation ids; ``Viewer.indexed`` for the engine)."""
    if sees_all:
        return Viewer(sees_all=True)
    if org_id is None:
        return Viewer()
    return Viewer(org=org_id, partners=frozenset(Introductions(store).partners_of(org_id)),
                  nda_partners=frozenset(nda_partners_of(store, org_id)))


def visible_organization(org: Organization, viewer: Viewer) -> Organization:
    """The organisation with only the items ``viewer`` may see."""
    return msgspec.structs.replace(
        org, strengths=tuple(i for i in org.strengths if viewer.can_see(org.id, i.tier)),
        needs=tuple(i for i in org.needs if viewer.can_see(org.id, i.tier)))


Disclosed = dict[str, Counter]  # owner → items shown by tier (partner, nda)


def disclosed_items(orgs: Iterable[Organization], viewer: Viewer) -> Disclosed:
    """What showing these (already filtered) organisations discloses to ``viewer``."""
    found: Disclosed = {}
    for org in orgs:
        tiers = Counter(i.tier for i in (*org.strengths, *org.needs) if viewer.discloses(org.id, i.tier))
        if tiers:
            found[org.id] = tiers
    return found


def disclosed_matches(matches: Iterable[NeedMatch], viewer: Viewer) -> Disclosed:
    """What quoting these need ↔ strength matches discloses to ``viewer``."""
    found: Disclosed = {}
    for m in matches:
        for owner, tier in ((m.need_org, m.need_tier), (m.strength_org, m.strength_tier)):
            if viewer.discloses(owner, tier):
                found.setdefault(owner, Counter())[tier] += 1
    return found


def log_disclosed(store: Store, viewer: Viewer, disclosed: Disclosed, route: str) -> None:
    """Record, for each owner, the partner- and nda-tier items shown to the viewer's organisation."""
    if viewer.org is None or viewer.sees_all:
        return
    rows = {owner: (c["partner"], c["nda"]) for owner, c in disclosed.items()
            if owner != viewer.org and any(c[t] for t in DISCLOSED_TIERS)}
    if rows:
        Introductions(store).log_disclosures(str(viewer.org), rows, route)
