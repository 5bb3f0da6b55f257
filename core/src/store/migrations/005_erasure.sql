-- Erasure: the households whose tombstone (the antenna document's `erased` map) reached this
-- device. Their changes are refused from now on, so no old copy brings one back.
-- Derived from the antenna documents; filled by the rebuild that runs after this migration.
CREATE TABLE erased_households (
    id         TEXT PRIMARY KEY,
    antenna_id TEXT NOT NULL
) WITHOUT ROWID;
