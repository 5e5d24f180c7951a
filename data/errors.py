"""Domain errors shared by the store, the engine and the service (which maps them to statuses)."""

from __future__ import annotations


class KyosoError(Exception):
    """Base of Kyoso's domain errors."""


class UnknownOrganization(KyosoError):
    def __init__(self, org_id: str) -> None:
        super().__init__(f"unknown organization: {org_id}")
        self.org_id = org_id
