"""A bulk load of introductions with their events and NDA steps (the generator's follow-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from data.store import Store

if TYPE_CHECKING:
    from data.generator.follow_up import FollowUp


def load_follow_up(store: Store, rows: FollowUp) -> dict[str, int]:
    """Insert the rows in one transaction (ids already stored are left as they are); rows
    written per table."""
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO introductions(id, requester, target, status, message, reason,"
            " created_at, decided_at, note) VALUES (?,?,?,?,?,?,?,?,?)", rows.introductions.iter_rows())
        conn.executemany(
            "INSERT OR IGNORE INTO introduction_events(intro_id, key, kind, by_org, at, reason, note,"
            " next_contact, body_hash) VALUES (?,?,?,?,?,?,?,?,?)", rows.events.iter_rows())
        conn.executemany(
            "INSERT OR IGNORE INTO nda_steps(intro_id, key, action, by_org, at, body_hash)"
            " VALUES (?,?,?,?,?,?)", rows.ndas.iter_rows())
    return {"introductions": rows.introductions.height, "introduction_events": rows.events.height,
            "nda_steps": rows.ndas.height}
