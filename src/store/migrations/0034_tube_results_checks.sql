-- fangkong: foreign keys off
-- 0034: a tube result written without an ephemeral table per row. SQLite (3.40) compiles
-- the CHECK `result IN ('negative', 'positive', 'invalid')` into a temporary B-tree of the
-- three values built for every row inserted (OpenEphemeral: open, create, fill, close),
-- which was most of the cost of writing a result: the results import of bench/testing
-- (48,506 rows) spent about 0.2 s of CPU writing them. The same rule written as three
-- comparisons is checked in place. `replaces` was UNIQUE, an index entry for every row
-- though only corrections carry it: it is now a unique index of the corrections alone
-- (a partial index, WHERE replaces IS NOT NULL), the same rule (NULLs never collide),
-- and `WHERE replaces = ?` still reads it. Nothing else changes: the columns, the other
-- CHECKs, the index by tube, the triggers (0014's guard and frozen rows, 0033's version
-- moves), recreated as they were.
-- The rebuild (create, copy, drop, rename) runs with foreign keys off (first line: the
-- migration runner checks every foreign key before it commits). 0033's
-- code_answers_scan_added (on tube_members) reads tube_results: it is dropped before the
-- rename (which checks every trigger of the schema) and recreated after.
CREATE TABLE tube_results_0034 (
    id          INTEGER PRIMARY KEY,
    tube_id     INTEGER NOT NULL REFERENCES tubes(id),
    result      TEXT NOT NULL
                CHECK (result = 'negative' OR result = 'positive' OR result = 'invalid'),
    ct_orf1ab   REAL CHECK (ct_orf1ab IS NULL OR (ct_orf1ab > 0 AND ct_orf1ab <= 45)),
    ct_n        REAL CHECK (ct_n IS NULL OR (ct_n > 0 AND ct_n <= 45)),
    lab_id      INTEGER NOT NULL REFERENCES labs(id),
    reported_at INTEGER NOT NULL,
    reported_by TEXT NOT NULL,
    replaces    INTEGER REFERENCES tube_results(id),
    reason      TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 255),
    CHECK ((result = 'positive') = (ct_orf1ab IS NOT NULL)),
    CHECK ((result = 'positive') = (ct_n IS NOT NULL)),
    CHECK ((replaces IS NULL) = (reason IS NULL))
);
INSERT INTO tube_results_0034 (id, tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at,
                               reported_by, replaces, reason)
SELECT id, tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at, reported_by, replaces,
       reason
FROM tube_results ORDER BY id;
DROP TRIGGER code_answers_scan_added;
DROP TABLE tube_results;
ALTER TABLE tube_results_0034 RENAME TO tube_results;

CREATE INDEX tube_results_tube ON tube_results(tube_id, id);
CREATE UNIQUE INDEX tube_results_replaces ON tube_results(replaces)
WHERE replaces IS NOT NULL;

CREATE TRIGGER tube_results_guard BEFORE INSERT ON tube_results
WHEN NOT EXISTS (SELECT 1 FROM box_tubes bt JOIN sample_boxes b ON b.id = bt.box_id
                 WHERE bt.tube_id = NEW.tube_id AND b.state = 'received'
                 AND b.lab_id = NEW.lab_id)
  OR coalesce(NEW.replaces, 0) <>
     coalesce((SELECT max(id) FROM tube_results WHERE tube_id = NEW.tube_id), 0)
BEGIN
    SELECT RAISE(ABORT, 'tube_results: not received by this lab, or not the current result');
END;

CREATE TRIGGER tube_results_frozen_update BEFORE UPDATE ON tube_results
BEGIN
    SELECT RAISE(ABORT, 'tube_results: a result is corrected by a new row, never changed');
END;

CREATE TRIGGER tube_results_frozen_delete BEFORE DELETE ON tube_results
BEGIN
    SELECT RAISE(ABORT, 'tube_results: a result is never deleted');
END;

CREATE TRIGGER code_answers_result_added AFTER INSERT ON tube_results
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_result_changed AFTER UPDATE ON tube_results
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_result_deleted AFTER DELETE ON tube_results
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER code_answers_scan_added AFTER INSERT ON tube_members
WHEN EXISTS (SELECT 1 FROM tube_results r WHERE r.tube_id = NEW.tube_id)
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
