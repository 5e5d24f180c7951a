"""NDAs between the two organisations of an introduction: when one is in force — pure, no I/O.

Both sides confirm a signed NDA; a revocation by either side ends it, and it holds again
only once both have confirmed after that revocation. While it holds, ``nda``-tier items
open between exactly those two (``matching.visibility.Viewer``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from matching.followup import EventRejected, NotAParty

NdaAction = Literal["confirm", "revoke"]


class NdaStep(msgspec.Struct, frozen=True, kw_only=True):
    """One confirmation or revocation (as the rule sees it)."""

    action: NdaAction
    by: str
    at: datetime


def confirmed_by(steps: list[NdaStep]) -> set[str]:
    """The sides whose confirmation stands (given since the last revocation)."""
    standing: set[str] = set()
    for s in steps:
        if s.action == "revoke":
            standing.clear()
        else:
            standing.add(s.by)
    return standing


def in_force(parties: tuple[str, str], steps: list[NdaStep]) -> bool:
    return set(parties) <= confirmed_by(steps)


def check_nda_step(status: str, steps: list[NdaStep], action: str, by: str,
                   parties: tuple[str, str]) -> None:
    """Raise EventRejected unless ``by`` may ``action`` the NDA of this introduction now.

    ``status`` is the introduction's (``requested``, ``accepted``, ``declined``): an NDA is
    signed only between two organisations that accepted to meet, and a declined
    introduction discloses nothing more.
    """
    if by not in parties:
        raise NotAParty(f"{by} is not a party of this introduction ({parties[0]}, {parties[1]})",
                        "$.by")
    if status != "accepted":
        raise EventRejected(f"an NDA {action} needs an accepted introduction; this one is {status}",
                            "$.action")
    standing = confirmed_by(steps)
    if action == "confirm" and by in standing:
        raise EventRejected(f"{by} has already confirmed the NDA", "$.action")
    # A side revokes its own confirmation; one it never gave would wipe the other side's.
    if action == "revoke" and by not in standing:
        raise EventRejected(f"{by} has no NDA confirmation standing to revoke", "$.action")
