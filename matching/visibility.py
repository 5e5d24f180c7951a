"""Who may see which item: the staged-disclosure rule, given to the engine as an input."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Viewer:
    """The asker of a request, as far as disclosure goes.

    ``public`` items are visible to anyone; ``partner`` items to the owner and to
    organisations with a mutually accepted introduction with it; ``confidential``
    items only to the owner (and to admins, ``sees_all``).
    """

    org: int | None = None
    partners: frozenset[int] = field(default_factory=frozenset)
    sees_all: bool = False

    def can_see(self, owner: int, tier: str) -> bool:
        if tier == "public" or self.sees_all or owner == self.org:
            return True
        return tier == "partner" and owner in self.partners


PUBLIC = Viewer()
