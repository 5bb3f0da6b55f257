-- Duplicate detection and merges, without opening household documents: the address as typed,
-- the household a merged one was marked merged into, and the one that survives it once merge
-- chains and crossed merges are resolved (see duplicates::resolve_merges).
-- Filled from the documents by the rebuild that runs after this migration.
ALTER TABLE households ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN merged_into TEXT;
ALTER TABLE households ADD COLUMN merged_root TEXT;
