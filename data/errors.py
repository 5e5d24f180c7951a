"""Domain errors shared by the store, the engine and the service (which maps them to statuses)."""

from __future__ import annotations


def shown(value: str, limit: int = 64) -> str:
    """An id for a message: as given, or cut to ``limit`` characters (never echo unbounded input)."""
    return value if len(value) <= limit else f"{value[:limit]}… ({len(value)} characters)"


class KyosoError(Exception):
    """Base of Kyoso's domain errors."""


class UnknownOrganization(KyosoError):
    def __init__(self, org_id: str) -> None:
        super().__init__(f"unknown organization: {shown(org_id)}")
        self.org_id = org_id
