-- Version 1 of the device store.
--
-- Source of truth: `documents` (latest snapshot of each Automerge document) and `changes`
-- (changes appended since that snapshot). Everything below "Derived" is rebuilt from the
-- documents by `Store::rebuild_indexes` and may be dropped at any time.

CREATE TABLE device (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- The member identity this device acts as, per antenna.
CREATE TABLE memberships (
    antenna_id TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL
) WITHOUT ROWID;

-- Rowid tables (not WITHOUT ROWID) for rows holding blobs: SQLite packs large rows far
-- better there (measured: the changes table took 2.4x its payload as WITHOUT ROWID).
CREATE TABLE documents (
    id                TEXT NOT NULL UNIQUE,
    antenna_id        TEXT NOT NULL,
    kind              TEXT NOT NULL,
    snapshot          BLOB,
    incremental_bytes INTEGER NOT NULL DEFAULT 0,
    next_seq          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX documents_by_antenna ON documents (antenna_id, kind);

CREATE TABLE changes (
    doc_id TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    bytes  BLOB    NOT NULL,
    UNIQUE (doc_id, seq)
);

-- Derived: households as listed and filtered (from household documents, or from the antenna's
-- household index for households whose document is not on this device yet).
CREATE TABLE households (
    id            TEXT PRIMARY KEY,
    antenna_id    TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    priority      INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    open_needs    INTEGER NOT NULL,
    assigned_to   TEXT,
    registered_at INTEGER NOT NULL,
    head_name     TEXT,
    sort_name     TEXT,
    phone_digits  TEXT,
    has_document  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX households_by_priority ON households (antenna_id, priority DESC, registered_at);

-- Derived: the local name and phone search index.
CREATE TABLE search_terms (
    term         TEXT NOT NULL,
    household_id TEXT NOT NULL,
    PRIMARY KEY (term, household_id)
) WITHOUT ROWID;
CREATE INDEX search_terms_by_household ON search_terms (household_id);

-- Derived: the ledgers, for balances without loading ledger documents.
CREATE TABLE donations (
    id            TEXT PRIMARY KEY,
    antenna_id    TEXT    NOT NULL,
    ledger_id     TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    unit          TEXT    NOT NULL,
    item          TEXT,
    amount        INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    restricted_to TEXT,
    recorded_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX donations_by_antenna ON donations (antenna_id);
CREATE INDEX donations_by_ledger ON donations (ledger_id);

CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY,
    antenna_id   TEXT    NOT NULL,
    ledger_id    TEXT    NOT NULL,
    household_id TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    delivered_at INTEGER NOT NULL,
    acknowledged INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX deliveries_by_household ON deliveries (household_id);

-- What each delivery took from each donation; the household is repeated here so that
-- balances and "households reached" are one scan of a covering index.
CREATE TABLE allocations (
    delivery_id  TEXT    NOT NULL,
    donation_id  TEXT    NOT NULL,
    household_id TEXT    NOT NULL,
    amount       INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, donation_id)
) WITHOUT ROWID;
CREATE INDEX allocations_by_donation ON allocations (donation_id, household_id, amount);
