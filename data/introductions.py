"""Introductions between organisations, and the log of partner- and nda-tier disclosures.

A mutually accepted introduction unlocks partner-tier items between exactly those
two organisations (an NDA both confirm, ``data.ndas``, unlocks nda-tier items); every
disclosure of such items is logged.
"""

from __future__ import annotations

import secrets
from typing import Literal

import msgspec

from data.errors import KyosoError, UnknownOrganization, shown
from data.frames import now_text
from data.store import Store


class Introduction(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    requester: str
    target: str
    status: Literal["requested", "accepted", "declined"]
    message: str | None = None
    reason: str | None = None
    created_at: str
    decided_at: str | None = None
    note: str | None = None  # what the target wrote with a decline, for the requester


class Disclosure(msgspec.Struct, frozen=True, kw_only=True):
    """Partner-tier (``items``) and nda-tier (``nda_items``) items of ``owner_org`` shown to
    ``viewer_org``, on one route."""

    seq: int
    at: str
    viewer_org: str
    owner_org: str
    items: int
    route: str
    nda_items: int = 0


class IntroductionError(KyosoError):
    """An introduction step that does not fit its current state."""


class UnknownIntroduction(KyosoError):
    def __init__(self, intro_id: str) -> None:
        super().__init__(f"unknown introduction: {shown(intro_id)}")
        self.intro_id = intro_id


_INTRO_COLUMNS = "id, requester, target, status, message, reason, created_at, decided_at, note"


def _intro(row: tuple) -> Introduction:
    return Introduction(**dict(zip(_INTRO_COLUMNS.split(", "), row, strict=True)))


class Introductions:
    """Introductions between organisations, on the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def request(self, requester: str, target: str, message: str | None) -> Introduction:
        if requester == target:
            raise IntroductionError("an organisation cannot ask to be introduced to itself")
        for org in (requester, target):
            if not self.store.has_organization(org):
                raise UnknownOrganization(org)
        open_ = self.open_with(requester, [target]).get(target)
        if open_ is not None:
            raise IntroductionError(f"an introduction between {requester} and {target} "
                                    f"already exists ({open_.id}, {open_.status})")
        intro = Introduction(id="intro-" + secrets.token_hex(8), requester=requester, target=target,
                             status="requested", message=message, created_at=now_text())
        with self.store.transaction() as conn:
            conn.execute(f"INSERT INTO introductions({_INTRO_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                         msgspec.structs.astuple(intro))
        return intro

    def open_with(self, org_id: str, partners: list[str]) -> dict[str, Introduction]:
        """The open introduction (requested or accepted, asked by either side) of ``org_id`` with
        each of ``partners`` that has one: while it is open, neither side may ask again."""
        if not partners:
            return {}
        marks = ",".join("?" * len(partners))
        rows = self.store.read(
            f"SELECT {_INTRO_COLUMNS} FROM introductions WHERE status != 'declined' AND"
            f" ((requester=? AND target IN ({marks})) OR (target=? AND requester IN ({marks})))",
            (org_id, *partners, org_id, *partners))
        intros = [_intro(r) for r in rows]
        return {(i.target if i.requester == org_id else i.requester): i for i in intros}

    def get(self, intro_id: str) -> Introduction:
        rows = self.store.read(f"SELECT {_INTRO_COLUMNS} FROM introductions WHERE id=?",
                                 (intro_id,))
        if not rows:
            raise UnknownIntroduction(intro_id)
        return _intro(rows[0])

    def decide(self, intro_id: str, accept: bool, reason: str | None,
               note: str | None = None) -> Introduction:
        with self.store.transaction() as conn:
            row = conn.execute(f"SELECT {_INTRO_COLUMNS} FROM introductions WHERE id=?",
                               (intro_id,)).fetchone()
            if row is None:
                raise UnknownIntroduction(intro_id)
            if row[3] != "requested":
                raise IntroductionError(f"introduction {intro_id} is already {row[3]}")
            conn.execute("UPDATE introductions SET status=?, reason=?, note=?, decided_at=? WHERE id=?",
                         ("accepted" if accept else "declined", reason, note, now_text(), intro_id))
        return self.get(intro_id)

    def for_org(self, org_id: str, limit: int = 100, offset: int = 0) -> list[Introduction]:
        """A page of an organisation's introductions, newest first."""
        return [_intro(r) for r in self.store.read(
            f"SELECT {_INTRO_COLUMNS} FROM introductions WHERE requester=? OR target=?"
            " ORDER BY created_at DESC, id LIMIT ? OFFSET ?", (org_id, org_id, limit, offset))]

    def asked_by(self, org_id: str) -> set[str]:
        """Organisations ``org_id`` has asked to be introduced to (in any state)."""
        return {r[0] for r in self.store.read("SELECT target FROM introductions WHERE requester=?",
                                              (org_id,))}

    def every(self) -> list[Introduction]:
        """Every introduction, oldest first."""
        return [_intro(r) for r in self.store.read(
            f"SELECT {_INTRO_COLUMNS} FROM introductions ORDER BY created_at, id")]

    def partners_of(self, org_id: str) -> set[str]:
        """Organisations with a mutually accepted introduction with ``org_id``."""
        rows = self.store.read(
            "SELECT CASE WHEN requester=? THEN target ELSE requester END FROM introductions"
            " WHERE status='accepted' AND (requester=? OR target=?)", (org_id, org_id, org_id))
        return {r[0] for r in rows}

    def log_disclosures(self, viewer_org: str, counts: dict[str, tuple[int, int]], route: str) -> None:
        """One row per owner whose items ``viewer_org`` was shown (owner → partner-tier,
        nda-tier count), in one transaction."""
        now = now_text()
        with self.store.transaction() as conn:
            conn.executemany("INSERT INTO disclosures(at, viewer_org, owner_org, items, nda_items, route)"
                             " VALUES (?,?,?,?,?,?)",
                             [(now, viewer_org, owner, partner, nda, route)
                              for owner, (partner, nda) in counts.items()])

    def disclosures(self, owner_org: str | None = None, *, after: int = 0,
                    limit: int = 100) -> list[Disclosure]:
        """Logged disclosures in log order after ``after`` (of one owner, or all)."""
        where, args = ["seq > ?"], [after]
        if owner_org:
            where.append("owner_org = ?")
            args.append(owner_org)
        rows = self.store.read("SELECT seq, at, viewer_org, owner_org, items, route, nda_items"
                               f" FROM disclosures WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?",
                               [*args, limit])
        return [Disclosure(seq=r[0], at=r[1], viewer_org=r[2], owner_org=r[3], items=r[4],
                           route=r[5], nda_items=r[6]) for r in rows]
