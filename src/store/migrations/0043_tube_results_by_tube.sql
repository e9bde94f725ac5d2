-- fangkong: foreign keys off
-- 0043: a tube's results keyed by the tube: a result's id is tube_id * 128 + n, n its
-- rank among the tube's results (0 the first result, 1 its first correction, ...), as a
-- tube's members are keyed (0032). A tube's results are then one range of the table's
-- own key, and the index by tube (tube_results_tube: (tube_id, id)) goes. Writing it was
-- a third of the results import's writer (82 M of 238 M instructions, 190 of 1,061 WAL
-- frames: callgrind and the WAL of bench/testing's 48,506 results, 2026-12-03), the
-- thread that bounds the import. The ids become:
--   * a first result: tube_id * 128; a correction: the id it replaces + 1 (the guard
--     below: replaces is the tube's current result, so the next rank);
--   * at most 128 results a tube (a first and 127 corrections): CHECK (id >> 7 = tube_id).
-- Existing rows are renumbered in their old order within each tube; the references to
-- them follow (replaces here, testing_holds.result_id and ended_result_id). The audit and
-- the notices name tubes, not results: nothing else holds a result id.
-- Readers of a tube's results (SQ_RESULTS_OF, store_sqlite_int.h) say the range: SQLite
-- does not derive it from tube_id.
-- The rebuild runs with foreign keys off (first line: the runner checks every foreign
-- key before it commits). The triggers of other tables that read tube_results (0034's on
-- tube_members is gone with 0035's view; 0035's on tube_sets) and testing_holds' guard
-- (it refuses a changed result_id) are dropped first and made again after.
DROP TRIGGER IF EXISTS code_answers_set_added;
DROP TRIGGER IF EXISTS code_answers_set_changed;
DROP TRIGGER IF EXISTS testing_holds_moves;

CREATE TABLE tube_result_ids_0043 (
    old INTEGER PRIMARY KEY,
    new INTEGER NOT NULL
);
INSERT INTO tube_result_ids_0043 (old, new)
SELECT id, tube_id * 128 + row_number() OVER (PARTITION BY tube_id ORDER BY id) - 1
FROM tube_results;

CREATE TABLE tube_results_0043 (
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
    CHECK (id >> 7 = tube_id),
    CHECK ((result = 'positive') = (ct_orf1ab IS NOT NULL)),
    CHECK ((result = 'positive') = (ct_n IS NOT NULL)),
    CHECK ((replaces IS NULL) = (reason IS NULL))
);
INSERT INTO tube_results_0043 (id, tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at,
                               reported_by, replaces, reason)
SELECT m.new, r.tube_id, r.result, r.ct_orf1ab, r.ct_n, r.lab_id, r.reported_at,
       r.reported_by, (SELECT p.new FROM tube_result_ids_0043 p WHERE p.old = r.replaces),
       r.reason
FROM tube_results r JOIN tube_result_ids_0043 m ON m.old = r.id ORDER BY m.new;

UPDATE testing_holds SET
    result_id = (SELECT m.new FROM tube_result_ids_0043 m WHERE m.old = result_id),
    ended_result_id = (SELECT m.new FROM tube_result_ids_0043 m
                       WHERE m.old = ended_result_id);

DROP TABLE tube_results;
DROP TABLE tube_result_ids_0043;
ALTER TABLE tube_results_0043 RENAME TO tube_results;

CREATE UNIQUE INDEX tube_results_replaces ON tube_results(replaces)
WHERE replaces IS NOT NULL;

-- A result is written for a tube received by the row's lab; a first result as the tube's
-- rank 0, a correction replacing the tube's current (latest) result as the next rank.
CREATE TRIGGER tube_results_guard BEFORE INSERT ON tube_results
WHEN NOT EXISTS (SELECT 1 FROM box_tubes bt JOIN sample_boxes b ON b.id = bt.box_id
                 WHERE bt.tube_id = NEW.tube_id AND b.state = 'received'
                 AND b.lab_id = NEW.lab_id)
  OR coalesce(NEW.replaces, 0) <>
     coalesce((SELECT max(id) FROM tube_results
               WHERE id BETWEEN NEW.tube_id * 128 AND NEW.tube_id * 128 + 127), 0)
  OR NEW.id IS NOT coalesce(NEW.replaces + 1, NEW.tube_id * 128)
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

CREATE TRIGGER code_answers_set_added AFTER INSERT ON tube_sets
WHEN EXISTS (SELECT 1 FROM tube_results r
             WHERE r.id BETWEEN NEW.tube_id * 128 AND NEW.tube_id * 128 + 127)
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_set_changed AFTER UPDATE ON tube_sets
WHEN NEW.tube_id <> OLD.tube_id OR NEW.round_id <> OLD.round_id
  OR substr(NEW.members, 1, length(OLD.members) - 1) <> substr(OLD.members, 1, length(OLD.members) - 1)
  OR EXISTS (SELECT 1 FROM tube_results r
             WHERE r.id BETWEEN NEW.tube_id * 128 AND NEW.tube_id * 128 + 127)
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER testing_holds_moves BEFORE UPDATE ON testing_holds
WHEN NEW.person_id <> OLD.person_id OR NEW.tube_id <> OLD.tube_id
  OR NEW.round_id <> OLD.round_id OR NEW.result_id <> OLD.result_id
  OR NEW.reason <> OLD.reason OR NEW.held_at <> OLD.held_at
  OR (OLD.state <> 'held' AND NEW.state = 'held')
  OR (OLD.state <> 'held' AND NEW.state <> OLD.state
      AND NEW.ended_result_id IS OLD.ended_result_id)
BEGIN
    SELECT RAISE(ABORT, 'testing_holds: held > released | confirmed; an ended hold changes only with a correction of the result that ended it');
END;
