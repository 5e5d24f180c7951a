"""The SQLite store: the system of record (WAL mode, synchronous=FULL).

Organisations with their items, the append-only outcome log (idempotent by key),
stored suggestions, hashed API keys and the live model pointer (the registry
itself is ``data.registry``; retractions are ``data.retractions``). A call that returned
has committed: its write survives a crash of the process.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import msgspec
import polars as pl

from data import frames as F
from data.errors import KyosoError, UnknownOrganization
from data.generations import record_change
from data.migrations import MIGRATIONS, SCHEMA_VERSION
from data.records import Item, Organization, Outcome, StoredOutcome
from data.slices import id_slices
from data.stored_lists import drop_lists_quoting

Role = Literal["admin", "analyst", "office"]
_json = msgspec.json.Encoder(order="deterministic")
_str_list = msgspec.json.Decoder(list[str])


class StoreError(KyosoError):
    """Base of the store's domain errors."""


class OutcomeConflict(StoreError):
    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used with a different body")
        self.key = key


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    role: Role
    org_id: str | None
    created_at: str
    revoked_at: str | None = None


class Snapshot(msgspec.Struct, frozen=True):
    """The store as polars frames (see ``data.frames``), at one generation of the change log."""

    organizations: pl.DataFrame
    items: pl.DataFrame
    outcomes: pl.DataFrame
    members: pl.DataFrame
    generation: int = 0


def _json_list(column: str) -> pl.Expr:
    """JSON text of a list of identifier strings (no quoting needed: ids are [a-z_.])."""
    col = pl.col(column)
    joined = pl.concat_str([pl.lit('["'), col.list.join('","'), pl.lit('"]')])
    return pl.when(col.list.len() == 0).then(pl.lit("[]")).otherwise(joined).alias(column)


def outcome_hash(outcome: Outcome) -> str:
    return hashlib.sha256(_json.encode(outcome)).hexdigest()


def _like_literal(text: str) -> str:
    """``text`` for a LIKE pattern that matches it literally: LIKE's own wildcards escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def hash_key(plain: str) -> str:
    # Keys are 256-bit random tokens, so a fast hash is enough (no guessing to slow down).
    return hashlib.sha256(plain.encode()).hexdigest()


class Store:
    """One connection to a Kyoso database; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=10000")
        try:
            self.migrate()
        except BaseException:
            self._conn.close()
            raise

    # --- plumbing ------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def read(self, sql: str, args: Iterable[Any] = ()) -> list[tuple]:
        """Rows of one read-only statement."""
        with self._lock:
            return self._conn.execute(sql, tuple(args)).fetchall()

    @property
    def schema_version(self) -> int:
        return self.read("PRAGMA user_version")[0][0]

    def migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise StoreError(f"database schema {current} is newer than this Kyoso ({SCHEMA_VERSION})")
        for version in range(current, SCHEMA_VERSION):
            with self.transaction() as conn:
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={version + 1}")

    def get_meta(self, key: str) -> str | None:
        rows = self.read("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- organisations -------------------------------------------------------------------

    def put_organization(self, org: Organization) -> bool:
        """Insert or replace one organisation with its items; True if it was new."""
        now = F.now_text()
        registered = F.format_ts(org.registered_at) if org.registered_at else now
        with self.transaction() as conn:
            existed = conn.execute(
                "SELECT registered_at FROM organizations WHERE id=?", (org.id,)
            ).fetchone()
            if existed and org.registered_at is None:
                registered = existed[0]
            conn.execute(
                "INSERT INTO organizations(id, name, kind, region, industries, lat, lon, size_band,"
                " founded, modes, nda, registered_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET name=excluded.name, kind=excluded.kind,"
                " region=excluded.region, industries=excluded.industries, lat=excluded.lat,"
                " lon=excluded.lon, size_band=excluded.size_band, founded=excluded.founded,"
                " modes=excluded.modes, nda=excluded.nda, registered_at=excluded.registered_at,"
                " updated_at=excluded.updated_at",
                (org.id, org.name, org.kind, org.region, _json.encode(org.industries).decode(),
                 org.lat, org.lon, org.size_band, org.founded, _json.encode(org.modes).decode(),
                 org.nda, registered, now),
            )
            conn.execute("DELETE FROM items WHERE org_id=?", (org.id,))
            drop_lists_quoting(conn, org.id, now)
            conn.executemany(
                "INSERT INTO items(org_id, side, pos, tag, tier, text) VALUES (?,?,?,?,?,?)",
                [(org.id, side, pos, it.tag, it.tier, it.text)
                 for side, items in (("strength", org.strengths), ("need", org.needs))
                 for pos, it in enumerate(items)],
            )
            record_change(conn, "organization", org.id, now)
        return existed is None

    def get_organization(self, org_id: str) -> Organization:
        rows = self.read(
            "SELECT id, name, kind, region, industries, lat, lon, size_band, founded, modes, nda,"
            " registered_at FROM organizations WHERE id=?", (org_id,))
        if not rows:
            raise UnknownOrganization(org_id)
        return self._assemble([rows[0]])[0]

    def has_organization(self, org_id: str) -> bool:
        return bool(self.read("SELECT 1 FROM organizations WHERE id=?", (org_id,)))

    def organizations_named(self, text: str, limit: int = 20) -> list[tuple[str, str, str, str]]:
        """(id, name, kind, region) of organisations whose name holds ``text`` (or whose id is
        it), the closest names first: an exact name or id, then names that start with it."""
        like = "%" + _like_literal(text) + "%"
        return [tuple(r) for r in self.read(  # type: ignore[misc]
            "SELECT id, name, kind, region FROM organizations WHERE name LIKE ? ESCAPE '\\' OR id = ?"
            " ORDER BY (name = ? OR id = ?) DESC, (name LIKE ? ESCAPE '\\') DESC, length(name), id"
            " LIMIT ?", (like, text, text, text, _like_literal(text) + "%", limit))]

    def list_organizations(
        self, *, kind: str | None = None, region: str | None = None,
        industry: str | None = None, text: str | None = None, limit: int = 50, offset: int = 0,
    ) -> tuple[list[Organization], int]:
        """A page of organisations matching every given filter, and the total count."""
        where, args = [], []
        if kind:
            where.append("o.kind = ?")
            args.append(kind)
        if region:
            where.append("o.region = ?")
            args.append(region)
        if industry:
            where.append("EXISTS (SELECT 1 FROM json_each(o.industries) WHERE value = ?)")
            args.append(industry)
        if text:
            where.append("(o.name LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM items i"
                         " WHERE i.org_id = o.id AND i.tier = 'public' AND i.text LIKE ? ESCAPE '\\'))")
            # The text matches literally: LIKE's own wildcards in it are escaped.
            like = "%" + _like_literal(text) + "%"
            args += [like, like]
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.read(f"SELECT count(*) FROM organizations o{clause}", args)[0][0]
        rows = self.read(
            "SELECT id, name, kind, region, industries, lat, lon, size_band, founded, modes, nda,"
            f" registered_at FROM organizations o{clause} ORDER BY id LIMIT ? OFFSET ?",
            [*args, limit, offset])
        return self._assemble(rows), total

    def _assemble(self, rows: list[tuple]) -> list[Organization]:
        if not rows:
            return []
        ids = [r[0] for r in rows]
        items: dict[tuple[str, str], list[Item]] = {}
        marks = ",".join("?" * len(ids))
        for org_id, side, tag, tier, text in self.read(
            f"SELECT org_id, side, tag, tier, text FROM items WHERE org_id IN ({marks})"
            " ORDER BY org_id, side, pos", ids):
            items.setdefault((org_id, side), []).append(Item(tag=tag, text=text, tier=tier))
        return [
            Organization(
                id=r[0], name=r[1], kind=r[2], region=r[3],
                industries=tuple(_str_list.decode(r[4])), lat=r[5], lon=r[6], size_band=r[7],
                founded=r[8], modes=tuple(_str_list.decode(r[9])), nda=r[10],
                registered_at=F.parse_ts(r[11]),
                strengths=tuple(items.get((r[0], "strength"), ())),
                needs=tuple(items.get((r[0], "need"), ())),
            )
            for r in rows
        ]

    def ids(self, table: str, prefix: str = "") -> set[str]:
        """Every organisation id, or every outcome key, starting with ``prefix``."""
        column = {"organizations": "id", "outcomes": "key"}[table]
        return {r[0] for r in self.read(
            f"SELECT {column} FROM {table} WHERE {column} >= ? AND {column} < ?",
            (prefix, prefix + "\U0010ffff"))}

    def count(self, table: str) -> int:
        assert table in {"organizations", "items", "outcomes", "outcome_members", "suggestions",
                         "api_keys", "models", "retractions", "promotions",
                         "disclosures", "introductions", "introduction_events", "nda_steps"}
        return self.read(f"SELECT count(*) FROM {table}")[0][0]

    # --- bulk loading (generator, importers) -----------------------------------------------

    def load_frames(
        self, organizations: pl.DataFrame, items: pl.DataFrame,
        outcomes: pl.DataFrame | None = None, members: pl.DataFrame | None = None,
        *, chunk: int = 200_000,
    ) -> None:
        """Bulk-insert snapshot frames in one transaction (new ids only)."""
        now = F.now_text()
        orgs = organizations.select(
            "id", "name", "kind", "region",
            _json_list("industries"), "lat", "lon", "size_band", "founded", _json_list("modes"),
            "nda", F.ts_to_text("registered_at"), pl.lit(now).alias("updated_at"),
        )
        with self.transaction() as conn, self._bulk(conn):
            for part in orgs.iter_slices(chunk):
                conn.executemany(
                    "INSERT INTO organizations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", part.iter_rows())
            for part in items.select(list(F.ITEM_SCHEMA)).iter_slices(chunk):
                conn.executemany("INSERT INTO items VALUES (?,?,?,?,?,?)", part.iter_rows())
            if outcomes is not None and members is not None:
                self._load_outcomes(conn, outcomes, members, now, chunk)
            record_change(conn, "bulk", None, now)

    @contextmanager
    def _bulk(self, conn: sqlite3.Connection) -> Iterator[None]:
        """Drop secondary indexes for a bulk load and rebuild them after (same transaction):
        one sort per index instead of millions of random B-tree inserts."""
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                               " AND sql IS NOT NULL").fetchall()
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute("PRAGMA cache_size=-1048576")  # 1 GiB while loading
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        try:
            yield
        finally:
            for _, sql in indexes:
                conn.execute(sql)
            conn.execute(f"PRAGMA cache_size={cache}")

    def _load_outcomes(
        self, conn: sqlite3.Connection, outcomes: pl.DataFrame, members: pl.DataFrame,
        now: str, chunk: int,
    ) -> None:
        # Frames carry their own seq; shift it past what the log already holds.
        base = conn.execute("SELECT coalesce(max(seq), 0) FROM outcomes").fetchone()[0]
        shift = base + 1 - int(outcomes["seq"].min() or 0)
        grouped = members.sort("seq", "pos").group_by("seq", maintain_order=True).agg("org_id")
        rows = outcomes.join(grouped, on="seq", how="left").sort("seq").with_columns(
            F.ts_to_text("at").alias("at_text"))
        for part in rows.iter_slices(chunk):
            records = []
            for seq, key, stage, at, at_text, reason, sid, theme, member_ids in part.select(
                    "seq", "key", "stage", "at", "at_text", "reason", "suggestion_id", "theme",
                    "org_id").iter_rows():
                outcome = Outcome(key=key, members=tuple(member_ids), stage=stage, at=at,
                                  reason=reason, suggestion_id=sid, theme=theme)
                records.append((seq + shift, key, stage, at_text, reason, sid, theme,
                                outcome_hash(outcome), now))
            conn.executemany("INSERT INTO outcomes VALUES (?,?,?,?,?,?,?,?,?)", records)
        shifted = members.select(pl.col("seq") + shift, "pos", "org_id")
        for part in shifted.iter_slices(chunk):
            conn.executemany("INSERT INTO outcome_members VALUES (?,?,?)", part.iter_rows())

    # --- outcomes ------------------------------------------------------------------------

    def append_outcome(self, outcome: Outcome) -> tuple[int, bool]:
        """Append an outcome; returns (seq, created). Same key + same body is a no-op.

        Raises:
            OutcomeConflict: the key was used with a different body.
            UnknownOrganization: a member is not in the store.
        """
        with self.transaction() as conn:
            return self.insert_outcome(conn, outcome)

    def insert_outcome(self, conn: sqlite3.Connection, outcome: Outcome) -> tuple[int, bool]:
        """``append_outcome`` inside a transaction the caller holds (so other rows can share it)."""
        digest = outcome_hash(outcome)
        row = conn.execute("SELECT seq, body_hash FROM outcomes WHERE key=?",
                           (outcome.key,)).fetchone()
        if row is not None:
            if row[1] != digest:
                raise OutcomeConflict(outcome.key)
            return row[0], False
        marks = ",".join("?" * len(outcome.members))
        known = {r[0] for r in conn.execute(
            f"SELECT id FROM organizations WHERE id IN ({marks})", outcome.members)}
        for member in outcome.members:
            if member not in known:
                raise UnknownOrganization(member)
        seq = conn.execute(
            "INSERT INTO outcomes(key, stage, at, reason, suggestion_id, theme, body_hash,"
            " recorded_at) VALUES (?,?,?,?,?,?,?,?)",
            (outcome.key, outcome.stage, F.format_ts(outcome.at), outcome.reason,
             outcome.suggestion_id, outcome.theme, digest, F.now_text()),
        ).lastrowid
        conn.executemany("INSERT INTO outcome_members VALUES (?,?,?)",
                         [(seq, pos, m) for pos, m in enumerate(outcome.members)])
        record_change(conn, "outcome", str(seq), F.now_text())
        return int(seq), True

    def get_outcome(self, key: str) -> Outcome | None:
        found = self.outcomes(key=key)
        return found[0] if found else None

    def outcomes(
        self, *, org_id: str | None = None, key: str | None = None, limit: int = 100,
        after_seq: int = 0,
    ) -> list[Outcome]:
        return [o for _, o in self.outcome_entries(org_id=org_id, key=key, limit=limit,
                                                   after_seq=after_seq)]

    def outcome_entries(
        self, *, org_id: str | None = None, key: str | None = None, limit: int = 100,
        after_seq: int = 0,
    ) -> list[tuple[int, Outcome]]:
        """Outcomes in log order after ``after_seq``, each with its sequence number."""
        where, args = ["o.seq > ?"], [after_seq]
        if org_id:
            where.append("o.seq IN (SELECT seq FROM outcome_members WHERE org_id = ?)")
            args.append(org_id)
        if key:
            where.append("o.key = ?")
            args.append(key)
        rows = self.read(
            "SELECT o.seq, o.key, o.stage, o.at, o.reason, o.suggestion_id, o.theme,"
            " (SELECT json_group_array(org_id) FROM (SELECT org_id FROM outcome_members m"
            "  WHERE m.seq = o.seq ORDER BY pos))"
            f" FROM outcomes o WHERE {' AND '.join(where)} ORDER BY o.seq LIMIT ?",
            [*args, limit])
        return [(r[0], StoredOutcome(key=r[1], members=tuple(_str_list.decode(r[7])), stage=r[2],
                                     at=F.parse_ts(r[3]), reason=r[4], suggestion_id=r[5],
                                     theme=r[6]))
                for r in rows]

    # --- snapshot and export ---------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """Read the whole store into polars frames for training and scoring, with the
        generation they are at (one read transaction: frames and generation agree)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                generation = self._conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
                orgs, items = self.organization_frames()
                outcomes, members = self.outcome_frames()
            finally:
                self._conn.execute("COMMIT")
        return Snapshot(orgs, items, outcomes, members, generation=int(generation))

    def _frame(self, sql: str, schema: dict[str, pl.DataType], args: Iterable[Any] = ()) -> pl.DataFrame:
        rows = self.read(sql, args)
        raw = {k: (pl.String() if v == F.TS or isinstance(v, pl.List) else v) for k, v in schema.items()}
        return pl.DataFrame(rows, schema=raw, orient="row")

    def organization_frames(self, ids: list[str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Organisations and their items as snapshot frames: every one, or those ``ids``."""
        # Registration order (rowid: an update keeps it), so a grown engine indexes as a fresh one.
        orgs = self._frames("SELECT id, name, kind, region, industries, lat, lon, size_band, founded,"
                            " modes, nda, registered_at, rowid FROM organizations", "id", ids,
                            {**F.ORG_SCHEMA, "rowid": pl.Int64()})
        orgs = orgs.with_columns(
            pl.col("industries").str.json_decode(pl.List(pl.String())),
            pl.col("modes").str.json_decode(pl.List(pl.String())),
            F.text_to_ts("registered_at"),
        ).sort("rowid").drop("rowid")
        items = self._frames("SELECT org_id, side, pos, tag, tier, text FROM items", "org_id", ids,
                             F.ITEM_SCHEMA)
        return orgs, items

    def outcome_frames(self, seqs: list[int] | None = None, *, member: str | None = None,
                       ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Outcomes and their members as snapshot frames: every one, those ``seqs``, or those
        ``member`` is one of the members of."""
        # Retracted outcomes stay in the log but are left out of every snapshot.
        kept, args = "key NOT IN (SELECT key FROM retractions)", ()
        kept_members = "seq NOT IN (SELECT o.seq FROM outcomes o JOIN retractions r ON r.key = o.key)"
        if member is not None:
            among = " AND seq IN (SELECT seq FROM outcome_members WHERE org_id = ?)"
            kept, kept_members, args = kept + among, kept_members + among, (member,)
        outcomes = self._frames("SELECT seq, key, stage, at, reason, suggestion_id, theme FROM outcomes",
                                "seq", seqs, F.OUTCOME_SCHEMA, kept, args
                                ).with_columns(F.text_to_ts("at")).sort("seq")
        members = self._frames("SELECT seq, pos, org_id FROM outcome_members", "seq", seqs,
                               F.MEMBER_SCHEMA, kept_members, args)
        return outcomes, members

    def _frames(self, select: str, column: str, keys: list | None,
                schema: dict[str, pl.DataType], where: str = "1", args: tuple = ()) -> pl.DataFrame:
        """One SELECT as a frame: every row that meets ``where`` (its parameters ``args``), or
        those of them whose ``column`` is among ``keys``."""
        if keys is None:
            return self._frame(f"{select} WHERE {where}", schema, args)
        parts = [self._frame(f"{select} WHERE {where} AND {column} IN ({', '.join('?' * len(part))})",
                             schema, (*args, *part)) for part in id_slices(list(keys))]
        return pl.concat(parts) if parts else self._frame(select + " WHERE 0", schema)

    def export_parquet(self, directory: str | Path) -> dict[str, int]:
        """Write the snapshot as Parquet files; returns rows written per file."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        snap = self.snapshot()
        written = {}
        for name in ("organizations", "items", "outcomes", "members"):
            frame: pl.DataFrame = getattr(snap, name)
            frame.write_parquet(out / f"{name}.parquet")
            written[name] = frame.height
        return written

    # --- API keys --------------------------------------------------------------------------

    def create_api_key(self, role: Role, org_id: str | None = None) -> tuple[ApiKey, str]:
        """Create a key; returns its record and the plain key (shown once, never stored)."""
        if (role == "office") != (org_id is not None):
            raise ValueError("an office key needs --org; admin and analyst keys take none")
        if org_id is not None and not self.has_organization(org_id):
            raise UnknownOrganization(org_id)
        key_id = secrets.token_hex(6)
        plain = f"ky_{key_id}_{secrets.token_urlsafe(32)}"
        record = ApiKey(id=key_id, role=role, org_id=org_id, created_at=F.now_text())
        with self.transaction() as conn:
            conn.execute("INSERT INTO api_keys VALUES (?,?,?,?,?,NULL)",
                         (key_id, hash_key(plain), role, org_id, record.created_at))
        return record, plain

    def find_api_key(self, plain: str) -> ApiKey | None:
        return self._live_api_key("key_hash", hash_key(plain))

    def api_key_by_id(self, key_id: str) -> ApiKey | None:
        """A key that is not revoked, by its id (a console session holds the id, never the key)."""
        return self._live_api_key("id", key_id)

    def _live_api_key(self, column: str, value: str) -> ApiKey | None:
        rows = self.read("SELECT id, role, org_id, created_at, revoked_at FROM api_keys"
                         f" WHERE {column}=? AND revoked_at IS NULL", (value,))
        return ApiKey(id=rows[0][0], role=rows[0][1], org_id=rows[0][2], created_at=rows[0][3],
                      revoked_at=rows[0][4]) if rows else None

    def revoke_api_key(self, key_id: str) -> bool:
        with self.transaction() as conn:
            cur = conn.execute("UPDATE api_keys SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
                               (F.now_text(), key_id))
        return cur.rowcount > 0

    # --- the live model (the registry itself is data.registry) -----------------------------

    def live_model_version(self) -> str | None:
        rows = self.read("SELECT version FROM live_model WHERE slot=1")
        return rows[0][0] if rows else None
