"""Domain errors shared by the store, the engine and the service (which maps them to statuses)."""

from __future__ import annotations

import re

# Control and direction-changing characters: echoed as is, they could reorder a message's line.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def shown(value: str, limit: int = 64) -> str:
    """An id for a message: as given, or cut to ``limit`` characters (never echo unbounded
    input), with control and direction characters written as escapes."""
    cut = value if len(value) <= limit else f"{value[:limit]}… ({len(value)} characters)"
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", cut)


class KyosoError(Exception):
    """Base of Kyoso's domain errors."""


class UnknownOrganization(KyosoError):
    def __init__(self, org_id: str) -> None:
        super().__init__(f"unknown organization: {shown(org_id)}")
        self.org_id = org_id
