-- Duplicate detection and merges, without opening household documents: the address as typed,
-- the household a merged one was marked merged into, and the one that survives it once merge
-- chains and crossed merges are resolved (see duplicates::resolve_merges).
-- Filled from the documents by the rebuild that runs after this migration.
ALTER TABLE households ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN merged_into TEXT;
ALTER TABLE households ADD COLUMN merged_root TEXT;
-- What a lead follows up without opening every document: a shock recorded at registration
-- (horizontal expansion), and referrals still waiting (proposed or accepted).
ALTER TABLE households ADD COLUMN after_shock INTEGER NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN open_referrals INTEGER NOT NULL DEFAULT 0;
CREATE INDEX households_merged ON households (antenna_id) WHERE merged_into IS NOT NULL;
