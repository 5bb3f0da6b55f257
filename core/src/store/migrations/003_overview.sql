-- Open grievances per household, so a lead's antenna overview needs no household document.
-- Filled from the documents by the rebuild that runs after this migration.
ALTER TABLE households ADD COLUMN open_grievances INTEGER NOT NULL DEFAULT 0;
