-- Tasks (visits, calls, deliveries) as volunteers list them, without opening every household
-- document: one row per task per household document holding it (a merge copies a task into
-- the kept household under the same id, so an id may appear twice; lists keep one).
-- Filled from the documents by the rebuild that runs after this migration.
CREATE TABLE tasks (
    household_id TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    antenna_id   TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    assigned_to  TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    due          INTEGER NOT NULL,
    note         TEXT,
    PRIMARY KEY (household_id, id)
) WITHOUT ROWID;
CREATE INDEX tasks_by_assignee ON tasks (antenna_id, assigned_to, status, due);
CREATE INDEX tasks_by_id ON tasks (id);
