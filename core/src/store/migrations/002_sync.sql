-- Version 2 of the device store: syncing through a relay.

-- The relay each antenna syncs through, with this device's credentials there. `feed_cursor`
-- is the relay's change-feed position up to which every listed document has been synced.
CREATE TABLE relay_links (
    antenna_id     TEXT PRIMARY KEY,
    relay_url      TEXT    NOT NULL,
    device_id      TEXT    NOT NULL,
    token          TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    feed_cursor    INTEGER NOT NULL DEFAULT 0,
    last_synced_at INTEGER
) WITHOUT ROWID;

-- Per document, what the relay is known to have (Automerge's persisted sync state: the
-- heads both sides share), so a reconnect resumes instead of starting over.
CREATE TABLE sync_states (
    doc_id TEXT PRIMARY KEY,
    state  BLOB NOT NULL
) WITHOUT ROWID;

-- Changes made on this device that the relay has not confirmed yet.
CREATE TABLE outbox (
    doc_id TEXT NOT NULL,
    hash   BLOB NOT NULL,
    PRIMARY KEY (doc_id, hash)
) WITHOUT ROWID;
