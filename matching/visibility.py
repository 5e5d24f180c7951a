"""Who may see which item: the staged-disclosure rule, given to the engine as an input."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

# Tiers beyond public whose showing to another organisation is logged for the owner.
DISCLOSED_TIERS: tuple[str, ...] = ("partner", "nda")


@dataclass(frozen=True)
class Viewer:
    """The asker of a request, as far as disclosure goes.

    ``public`` items are visible to anyone; ``partner`` items to the owner and to
    organisations with a mutually accepted introduction with it; ``nda`` items to the owner
    and to organisations with which both sides confirmed a signed NDA (and have not revoked
    it); ``confidential`` items only to the owner (and to admins, ``sees_all``).

    Owners are named the way the caller names them: organisation ids for records read from
    the store, engine indices inside the engine (``indexed``).
    """

    org: Hashable | None = None
    partners: frozenset = field(default_factory=frozenset)
    nda_partners: frozenset = field(default_factory=frozenset)
    sees_all: bool = False

    def can_see(self, owner: Hashable, tier: str) -> bool:
        if tier == "public" or self.sees_all or owner == self.org:
            return True
        if tier == "partner":
            return owner in self.partners or owner in self.nda_partners
        return tier == "nda" and owner in self.nda_partners

    def discloses(self, owner: Hashable, tier: str) -> bool:
        """Whether showing this item to the viewer is a disclosure the owner can read about."""
        return (self.org is not None and owner != self.org and tier in DISCLOSED_TIERS
                and self.can_see(owner, tier))

    def indexed(self, index: Mapping[str, int]) -> Viewer:
        """The same viewer with organisation ids turned into the engine's indices (ids the
        engine does not hold yet are left out: they cannot appear in its answers)."""
        if self.sees_all:
            return self
        return Viewer(org=index.get(self.org) if isinstance(self.org, str) else self.org,
                      partners=frozenset(index[p] for p in self.partners if p in index),
                      nda_partners=frozenset(index[p] for p in self.nda_partners if p in index))


PUBLIC = Viewer()
