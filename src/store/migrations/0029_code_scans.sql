-- 0029: a gate's scans of health codes (GET /api/v1/codes/{token}) are audited in a
-- table of their own instead of the audit table. At tens of thousands of scans a second
-- each audit row paid for three indexes (actor, entity, at): the writer's commit once a
-- second rewrote a leaf of audit_entity per scanned person and cost the server about a
-- fifth of its rate and much of a gate's p99 (README, health codes). A scan row is the
-- scan and nothing else: when, whose code, the colour shown, the gate's address; the
-- actor ('public'), action ('scan') and entity ('health_code') are implied. Rows are
-- appended in time order (the queue stamps them under its lock; store_sqlite_scans.c),
-- so the rowid is the time order and no index is kept: the audit list reads both tables
-- and merges them newest first; a person's scans are a scan of this table. Append-only,
-- as the audit table. Existing scan rows stay in the audit table, which is still read.
CREATE TABLE code_scans (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    colour    TEXT NOT NULL,
    remote    TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER code_scans_no_update BEFORE UPDATE ON code_scans
BEGIN
    SELECT RAISE(ABORT, 'the scan audit is append-only');
END;
CREATE TRIGGER code_scans_no_delete BEFORE DELETE ON code_scans
BEGIN
    SELECT RAISE(ABORT, 'the scan audit is append-only');
END;
