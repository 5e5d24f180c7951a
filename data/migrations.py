"""Versioned schema migrations for the SQLite store (tracked in ``PRAGMA user_version``).

Append new steps; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: organisations with their items, the outcome log, suggestions, keys, model registry
    """
    CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        region TEXT NOT NULL,
        industries TEXT NOT NULL DEFAULT '[]',
        lat REAL,
        lon REAL,
        size_band TEXT,
        founded INTEGER,
        modes TEXT NOT NULL DEFAULT '[]',
        nda TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX organizations_kind ON organizations(kind);
    CREATE INDEX organizations_region ON organizations(region);
    CREATE INDEX organizations_registered ON organizations(registered_at);

    CREATE TABLE items (
        org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        side TEXT NOT NULL CHECK (side IN ('strength', 'need')),
        pos INTEGER NOT NULL,
        tag TEXT NOT NULL,
        tier TEXT NOT NULL CHECK (tier IN ('public', 'partner', 'confidential')),
        text TEXT NOT NULL,
        PRIMARY KEY (org_id, side, pos)
    ) WITHOUT ROWID;
    CREATE INDEX items_tag ON items(tag);

    CREATE TABLE outcomes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        stage TEXT NOT NULL,
        at TEXT NOT NULL,
        reason TEXT,
        suggestion_id TEXT,
        theme TEXT,
        body_hash TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX outcomes_at ON outcomes(at);

    CREATE TABLE outcome_members (
        seq INTEGER NOT NULL REFERENCES outcomes(seq),
        pos INTEGER NOT NULL,
        org_id TEXT NOT NULL REFERENCES organizations(id),
        PRIMARY KEY (seq, pos)
    ) WITHOUT ROWID;
    CREATE INDEX outcome_members_org ON outcome_members(org_id);

    CREATE TABLE suggestions (
        org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        partner_id TEXT NOT NULL,
        score REAL NOT NULL,
        body TEXT NOT NULL,
        model_version TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (org_id, rank)
    ) WITHOUT ROWID;

    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'office')),
        org_id TEXT REFERENCES organizations(id),
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );

    CREATE TABLE models (
        version TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        metrics TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
    );
    CREATE TABLE live_model (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        version TEXT NOT NULL REFERENCES models(version),
        previous TEXT REFERENCES models(version),
        switched_at TEXT NOT NULL
    );

    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: introductions (mutual acceptance unlocks partner-tier items) and the disclosure log
    """
    CREATE TABLE introductions (
        id TEXT PRIMARY KEY,
        requester TEXT NOT NULL REFERENCES organizations(id),
        target TEXT NOT NULL REFERENCES organizations(id),
        status TEXT NOT NULL CHECK (status IN ('requested', 'accepted', 'declined')),
        message TEXT,
        reason TEXT,
        created_at TEXT NOT NULL,
        decided_at TEXT
    );
    CREATE INDEX introductions_requester ON introductions(requester);
    CREATE INDEX introductions_target ON introductions(target);

    CREATE TABLE disclosures (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        viewer_org TEXT NOT NULL,
        owner_org TEXT NOT NULL,
        items INTEGER NOT NULL,
        route TEXT NOT NULL
    );
    """,
    # 3: nightly batch runs, resumable by chunk, and the registrants they skipped
    """
    CREATE TABLE batch_runs (
        id TEXT PRIMARY KEY,
        since TEXT,
        since_inclusive INTEGER NOT NULL,
        until TEXT NOT NULL,
        model_version TEXT,
        k INTEGER NOT NULL,
        chunk_size INTEGER NOT NULL,
        total INTEGER NOT NULL,
        chunks_done INTEGER NOT NULL DEFAULT 0,
        scored INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        inserted INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL CHECK (status IN ('running', 'done')),
        started_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE TABLE batch_skips (
        run_id TEXT NOT NULL REFERENCES batch_runs(id),
        org_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (run_id, org_id)
    ) WITHOUT ROWID;
    """,
    # 4: model registry: artefact checksums, the promotion history, evaluations by split
    """
    ALTER TABLE models ADD COLUMN checksum TEXT;

    CREATE TABLE promotions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        action TEXT NOT NULL CHECK (action IN ('promote', 'rollback', 'fallback')),
        version TEXT REFERENCES models(version),
        previous TEXT,
        actor TEXT NOT NULL,
        reason TEXT,
        at TEXT NOT NULL
    );
    INSERT INTO promotions(action, version, previous, actor, reason, at)
        SELECT 'promote', previous, NULL, 'migration', 'live before schema 4', switched_at
        FROM live_model WHERE previous IS NOT NULL;
    INSERT INTO promotions(action, version, previous, actor, reason, at)
        SELECT 'promote', version, previous, 'migration', 'live at schema 4', switched_at
        FROM live_model;

    CREATE TABLE evaluations (
        split_id TEXT NOT NULL,
        system TEXT NOT NULL,
        ndcg REAL NOT NULL,
        queries INTEGER NOT NULL,
        metrics TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (split_id, system)
    ) WITHOUT ROWID;
    """,
    # 5: retractions of outcomes (append-only corrections; the outcome itself stays)
    """
    CREATE TABLE retractions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE REFERENCES outcomes(key),
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
    # 6: the disclosure log is read by owner, page by page
    """
    CREATE INDEX disclosures_owner ON disclosures(owner_org, seq);
    """,
    # 7: the change log every serving process follows, the text vectoriser they share, and
    # the stored lists that quote an organisation (so a changed profile drops them)
    """
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('organization', 'outcome', 'retraction', 'bulk', 'reindex')),
        ref TEXT,
        at TEXT NOT NULL
    );
    CREATE TABLE text_models (
        generation INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        terms TEXT NOT NULL,
        idf BLOB NOT NULL
    );
    CREATE INDEX suggestions_partner ON suggestions(partner_id);
    CREATE INDEX outcomes_theme ON outcomes(theme);
    CREATE TABLE stale_lists (org_id TEXT PRIMARY KEY, since TEXT NOT NULL);
    ALTER TABLE models ADD COLUMN probed TEXT;
    CREATE TABLE batch_extras (
        run_id TEXT NOT NULL REFERENCES batch_runs(id),
        org_id TEXT NOT NULL,
        PRIMARY KEY (run_id, org_id)
    ) WITHOUT ROWID;
    """,
    # 8: what happened after an introduction was accepted (stage events, notes, next contacts)
    """
    CREATE TABLE introduction_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        intro_id TEXT NOT NULL REFERENCES introductions(id),
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('meeting', 'poc', 'contract', 'launched', 'declined', 'note')),
        by_org TEXT NOT NULL REFERENCES organizations(id),
        at TEXT NOT NULL,
        reason TEXT,
        note TEXT,
        next_contact TEXT,
        body_hash TEXT NOT NULL
    );
    CREATE INDEX introduction_events_intro ON introduction_events(intro_id, seq);
    """,
    # 9: training jobs, which any worker may be asked about
    """
    CREATE TABLE training_jobs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        actor TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        version TEXT,
        error TEXT,
        metrics TEXT
    );
    """,
    # 10: the nda tier (items are rebuilt: SQLite cannot change a CHECK in place), the NDA
    # confirmations and revocations of introductions, and nda-tier items in the disclosure log
    """
    CREATE TABLE items_v10 (
        org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        side TEXT NOT NULL CHECK (side IN ('strength', 'need')),
        pos INTEGER NOT NULL,
        tag TEXT NOT NULL,
        tier TEXT NOT NULL CHECK (tier IN ('public', 'partner', 'nda', 'confidential')),
        text TEXT NOT NULL,
        PRIMARY KEY (org_id, side, pos)
    ) WITHOUT ROWID;
    INSERT INTO items_v10 SELECT org_id, side, pos, tag, tier, text FROM items;
    DROP TABLE items;
    ALTER TABLE items_v10 RENAME TO items;
    CREATE INDEX items_tag ON items(tag);

    CREATE TABLE nda_steps (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        intro_id TEXT NOT NULL REFERENCES introductions(id),
        key TEXT NOT NULL UNIQUE,
        action TEXT NOT NULL CHECK (action IN ('confirm', 'revoke')),
        by_org TEXT NOT NULL REFERENCES organizations(id),
        at TEXT NOT NULL,
        body_hash TEXT NOT NULL
    );
    CREATE INDEX nda_steps_intro ON nda_steps(intro_id, seq);

    ALTER TABLE disclosures ADD COLUMN nda_items INTEGER NOT NULL DEFAULT 0;
    """,
    # 11: the note a target may give with a declined request, for the requester to read
    """
    ALTER TABLE introductions ADD COLUMN note TEXT;
    """,
    # 12: the digests a nightly run would send to offices, for a mailer to deliver
    """
    CREATE TABLE digests (
        run_id TEXT NOT NULL REFERENCES batch_runs(id),
        org_id TEXT NOT NULL REFERENCES organizations(id),
        on_date TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, org_id)
    ) WITHOUT ROWID;
    """,
    # 13: KPI reports computed off the request path, each with the state of its inputs
    """
    CREATE TABLE kpi_reports (
        key TEXT PRIMARY KEY,
        inputs TEXT NOT NULL,
        as_of TEXT NOT NULL,
        body BLOB NOT NULL
    ) WITHOUT ROWID;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
