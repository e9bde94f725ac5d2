-- fangkong: foreign keys off
-- 0044: a tube's first result packed with those of its 127 neighbours, as a round's
-- members are (0035). A round's results were a row each: the results import's writer
-- spent 213 M instructions on 48,506 rows (callgrind, bench/testing 2026-12-03), the thread
-- that bounds the import; a chunk is one row write for up to 128 results.
--   * result_chunks: one row per 128 tubes (id = tube_id >> 7), a tube's first result in
--     its slot (tube_id & 127); the format is store_sqlite_results.c's. A slot's code byte
--     sits at a fixed place (2 + slot, 1-based), so the triggers here test a tube's first
--     result in plain SQL: substr(slots, 2 + (tube_id & 127), 1) <> x'00'. Bit 7 of the
--     byte says the tube has corrections (result_corrections_mark).
--   * result_corrections: the corrections, rows as tube_results had them (0043's ids:
--     tube_id * 128 + rank, rank 1..127, a correction replacing the id before it).
--   * fk_results, a virtual table (store_sqlite_results.c), reads both as the rows
--     tube_results had: the store's SQL reads results only through it.
-- A first result is never changed nor removed (the writer adds slots only, a chunk row is
-- never deleted); a correction is never changed nor removed either.
-- testing_holds' references to a result (result_id, ended_result_id) are no longer foreign
-- keys (a first result has no row to refer to): the holds are written from results read in
-- the same unit, and results are never removed. The table is rebuilt without them (its
-- indexes and triggers made again as 0040 and 0043 left them).
-- The rebuild runs with foreign keys off (first line: the runner checks every foreign key
-- before it commits).
DROP TRIGGER IF EXISTS code_answers_set_added;
DROP TRIGGER IF EXISTS code_answers_set_changed;
DROP TRIGGER IF EXISTS testing_holds_moves;
DROP TRIGGER IF EXISTS testing_holds_kept;

CREATE TABLE result_chunks (
    id    INTEGER PRIMARY KEY, -- tube_id >> 7
    slots BLOB NOT NULL
);
INSERT INTO result_chunks (id, slots)
SELECT r.tube_id >> 7,
       fk_results_pack(r.tube_id, r.result, r.ct_orf1ab, r.ct_n, r.lab_id, r.reported_at,
                       r.reported_by,
                       EXISTS (SELECT 1 FROM tube_results c WHERE c.id = r.id + 1))
FROM tube_results r WHERE r.id & 127 = 0
GROUP BY r.tube_id >> 7 ORDER BY 1;

CREATE TABLE result_corrections (
    id          INTEGER PRIMARY KEY,
    tube_id     INTEGER NOT NULL REFERENCES tubes(id),
    result      TEXT NOT NULL
                CHECK (result = 'negative' OR result = 'positive' OR result = 'invalid'),
    ct_orf1ab   REAL CHECK (ct_orf1ab IS NULL OR (ct_orf1ab > 0 AND ct_orf1ab <= 45)),
    ct_n        REAL CHECK (ct_n IS NULL OR (ct_n > 0 AND ct_n <= 45)),
    lab_id      INTEGER NOT NULL REFERENCES labs(id),
    reported_at INTEGER NOT NULL,
    reported_by TEXT NOT NULL,
    replaces    INTEGER NOT NULL,
    reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 255),
    CHECK (id >> 7 = tube_id AND (id & 127) > 0 AND replaces = id - 1),
    CHECK ((result = 'positive') = (ct_orf1ab IS NOT NULL)),
    CHECK ((result = 'positive') = (ct_n IS NOT NULL))
);
INSERT INTO result_corrections (id, tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at,
                                reported_by, replaces, reason)
SELECT id, tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at, reported_by, replaces,
       reason
FROM tube_results WHERE id & 127 <> 0 ORDER BY id;

DROP TABLE tube_results;

CREATE TABLE testing_holds_0044 (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    tube_id         INTEGER NOT NULL REFERENCES tubes(id),
    round_id        INTEGER NOT NULL REFERENCES testing_rounds(id),
    result_id       INTEGER NOT NULL, -- a result of fk_results
    reason          TEXT NOT NULL CHECK (reason IN ('positive_pool', 'invalid')),
    state           TEXT NOT NULL DEFAULT 'held'
                    CHECK (state = 'held' OR state = 'released' OR state = 'confirmed'),
    area_code       TEXT NOT NULL REFERENCES areas(code), -- the person's community
    lead_id         INTEGER REFERENCES leads(id),
    held_at         INTEGER NOT NULL,
    held_by         TEXT NOT NULL,
    ended_at        INTEGER,
    ended_by        TEXT,
    ended_result_id INTEGER, -- a result of fk_results
    case_id         INTEGER REFERENCES cases(id),
    note            TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 300),
    CHECK ((state = 'held') = (ended_at IS NULL)),
    CHECK ((ended_at IS NULL) = (ended_by IS NULL)),
    CHECK ((ended_at IS NULL) = (ended_result_id IS NULL))
);
INSERT INTO testing_holds_0044 SELECT * FROM testing_holds ORDER BY id;
DROP TABLE testing_holds;
ALTER TABLE testing_holds_0044 RENAME TO testing_holds;

CREATE UNIQUE INDEX testing_holds_open ON testing_holds(tube_id, person_id)
    WHERE state = 'held';
CREATE INDEX testing_holds_person ON testing_holds(person_id, state);
CREATE INDEX testing_holds_round ON testing_holds(round_id, state);
CREATE INDEX testing_holds_tube ON testing_holds(tube_id, result_id);
CREATE INDEX testing_holds_area ON testing_holds(area_code, id);
CREATE INDEX testing_holds_ended ON testing_holds(ended_result_id)
    WHERE ended_result_id IS NOT NULL;

CREATE TRIGGER testing_holds_kept BEFORE DELETE ON testing_holds
BEGIN
    SELECT RAISE(ABORT, 'testing_holds: a hold is never deleted');
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

-- A chunk is never removed; a first result moves the health codes' answers (0033).
CREATE TRIGGER result_chunks_kept BEFORE DELETE ON result_chunks
BEGIN
    SELECT RAISE(ABORT, 'result_chunks: a result is never deleted');
END;
CREATE TRIGGER code_answers_chunk_added AFTER INSERT ON result_chunks
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_chunk_changed AFTER UPDATE ON result_chunks
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

-- A correction is written for a tube received by the row's lab, replacing the tube's
-- current result: its latest correction, or its first result (the chunk's slot) when it
-- has none.
CREATE TRIGGER result_corrections_guard BEFORE INSERT ON result_corrections
WHEN NOT EXISTS (SELECT 1 FROM box_tubes bt JOIN sample_boxes b ON b.id = bt.box_id
                 WHERE bt.tube_id = NEW.tube_id AND b.state = 'received'
                 AND b.lab_id = NEW.lab_id)
  OR NEW.replaces IS NOT coalesce(
       (SELECT max(id) FROM result_corrections
        WHERE id BETWEEN NEW.tube_id * 128 + 1 AND NEW.tube_id * 128 + 127),
       (SELECT NEW.tube_id * 128 FROM result_chunks c WHERE c.id = NEW.tube_id >> 7
        AND substr(c.slots, 2 + (NEW.tube_id & 127), 1) <> x'00'))
BEGIN
    SELECT RAISE(ABORT, 'result_corrections: not received by this lab, or not the current result');
END;

-- The first result's code byte gets bit 7: its tube has corrections. (|| makes text of
-- the blob's bytes, unchanged; the cast makes it a blob again, so substr counts bytes.)
CREATE TRIGGER result_corrections_mark AFTER INSERT ON result_corrections
BEGIN
    UPDATE result_chunks SET slots = CAST(
        substr(slots, 1, 1 + (NEW.tube_id & 127))
        || CASE substr(slots, 2 + (NEW.tube_id & 127), 1)
               WHEN x'01' THEN x'81' WHEN x'02' THEN x'82' WHEN x'03' THEN x'83'
               ELSE substr(slots, 2 + (NEW.tube_id & 127), 1) END
        || substr(slots, 3 + (NEW.tube_id & 127)) AS BLOB)
    WHERE id = NEW.tube_id >> 7;
END;

CREATE TRIGGER result_corrections_frozen_update BEFORE UPDATE ON result_corrections
BEGIN
    SELECT RAISE(ABORT, 'result_corrections: a result is corrected by a new row, never changed');
END;
CREATE TRIGGER result_corrections_frozen_delete BEFORE DELETE ON result_corrections
BEGIN
    SELECT RAISE(ABORT, 'result_corrections: a result is never deleted');
END;
CREATE TRIGGER code_answers_correction_added AFTER INSERT ON result_corrections
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

-- 0043's triggers on tube_sets, a tube's results now found by its first result.
CREATE TRIGGER code_answers_set_added AFTER INSERT ON tube_sets
WHEN EXISTS (SELECT 1 FROM result_chunks c WHERE c.id = NEW.tube_id >> 7
             AND substr(c.slots, 2 + (NEW.tube_id & 127), 1) <> x'00')
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_set_changed AFTER UPDATE ON tube_sets
WHEN NEW.tube_id <> OLD.tube_id OR NEW.round_id <> OLD.round_id
  OR substr(NEW.members, 1, length(OLD.members) - 1) <> substr(OLD.members, 1, length(OLD.members) - 1)
  OR EXISTS (SELECT 1 FROM result_chunks c WHERE c.id = NEW.tube_id >> 7
             AND substr(c.slots, 2 + (NEW.tube_id & 127), 1) <> x'00')
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
