-- fangkong: foreign keys off
-- 0028: the leads table rebuilt with its CHECK constraints spelled as comparisons joined
-- by OR instead of IN lists. SQLite (3.40, Debian 12) evaluates a CHECK's `x IN (list)`
-- by building a small temporary b-tree of the list for every row it checks: the four
-- IN lists of leads (kind, state, measure_taken, esc_owed) were about 40% of the
-- instructions of bench/loop's push of 101,655 leads (3.7 of 9.2 billion, replayed in
-- the sqlite3 shell under cachegrind). `x = 'a' OR x = 'b'` holds exactly the same rows
-- (the columns are NOT NULL; for NULL both forms give NULL, which a CHECK lets pass) and
-- costs a few comparisons. Nothing else changes: the same columns in the same order with
-- the same types, defaults and references, the same rows and ids, the same indexes.
--
-- SQLite cannot change a table's constraints in place: this is its documented rebuild
-- (create the new table, copy, drop the old, rename). It runs with foreign keys off (the
-- first line above tells the migration runner, store_sqlite.c): with them on, dropping
-- leads would check every row of the six tables that reference it; the runner checks
-- every foreign key of the store (PRAGMA foreign_key_check) before it commits. The view
-- that reads leads is dropped and made again around the rename.
CREATE TABLE leads_0028 (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind = 'close_contact' OR kind = 'secondary_contact'
                         OR kind = 'traveler' OR kind = 'pool_retest' OR kind = 'missed_test'),
    person_id        INTEGER REFERENCES persons(id),
    subject          TEXT NOT NULL DEFAULT '' CHECK (length(subject) <= 63),
    case_id          INTEGER REFERENCES cases(id),
    contact_id       INTEGER REFERENCES contacts(id),
    measure_required TEXT NOT NULL DEFAULT '' CHECK (length(measure_required) <= 31),
    area_code        TEXT NOT NULL REFERENCES areas(code),
    assignee         TEXT,
    state            TEXT NOT NULL DEFAULT 'pushed' CHECK (state = 'pushed'
                         OR state = 'received' OR state = 'found' OR state = 'not_found'
                         OR state = 'refused' OR state = 'controlled' OR state = 'closed'),
    measure_taken    TEXT NOT NULL DEFAULT '' CHECK (measure_taken = ''
                         OR measure_taken = 'transferred_central'
                         OR measure_taken = 'home_isolation_door_sensor'
                         OR measure_taken = 'hospital' OR measure_taken = 'other'),
    pushed_at        INTEGER NOT NULL,
    found_by         INTEGER NOT NULL,
    controlled_by    INTEGER NOT NULL,
    closed_by        INTEGER NOT NULL,
    due_at           INTEGER,
    escalation_level INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 3),
    escalated_at     INTEGER NOT NULL DEFAULT 0,
    updated_at       INTEGER NOT NULL,
    esc_notice_1     INTEGER REFERENCES escalation_notices(id),
    esc_notice_2     INTEGER REFERENCES escalation_notices(id),
    esc_notice_3     INTEGER REFERENCES escalation_notices(id),
    esc_owed         INTEGER NOT NULL DEFAULT 0 CHECK (esc_owed = 0 OR esc_owed = 1),
    CHECK (person_id IS NOT NULL OR length(subject) > 0),
    CHECK (pushed_at <= found_by AND found_by <= controlled_by AND controlled_by <= closed_by),
    CHECK (state <> 'controlled' OR measure_taken <> ''),
    CHECK ((state = 'closed') = (due_at IS NULL))
);
INSERT INTO leads_0028 SELECT * FROM leads;
DROP VIEW traveler_pending;
DROP TABLE leads;
ALTER TABLE leads_0028 RENAME TO leads;

CREATE INDEX leads_area ON leads(area_code);
CREATE INDEX leads_due ON leads(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX leads_case ON leads(case_id, subject);
CREATE INDEX leads_owed ON leads(id) WHERE esc_owed = 1;
CREATE INDEX leads_open_person ON leads(person_id)
    WHERE due_at IS NOT NULL AND person_id IS NOT NULL AND contact_id IS NULL;

-- The contract view of 0019, unchanged.
CREATE VIEW traveler_pending AS
SELECT m.person_id AS person_id, m.level AS level, m.lead_id AS lead_id,
       a.arrived_at AS since
  FROM traveler_matches m
  JOIN leads l ON l.id = m.lead_id
  JOIN arrivals a ON a.id = m.arrival_id
 WHERE l.kind = 'traveler' AND l.state <> 'closed';
