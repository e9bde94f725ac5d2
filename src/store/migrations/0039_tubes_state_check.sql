-- fangkong: foreign keys off
-- 0039: a tube changed without a temporary B-tree. SQLite (3.40) compiles the CHECK
-- `state IN ('issued', 'open', 'closed')` into a temporary B-tree of the three values,
-- built (open, create, fill, close) for every row written whose state changes: a city's
-- scans import (bench/testing, 48,506 tubes opened and closed by one UPDATE each) spent
-- about a fifth of its writer thread's instructions making them (callgrind: the pages
-- they zero, their B-tree's transaction), as 0034 found for tube_results. The same rule
-- written as three comparisons is checked in place. Nothing else changes: the columns,
-- the other CHECKs, the barcode's uniqueness, the index by site, recreated as they were.
-- The rebuild (create, copy, drop, rename) runs with foreign keys off (first line: the
-- migration runner checks every foreign key before it commits). The triggers that read
-- tubes (0014's box_tubes_guard, 0035's tube_sets_count and tube_sets_count_update) are
-- dropped before the rename (which checks every trigger of the schema) and recreated
-- after, as they were.
CREATE TABLE tubes_0039 (
    id        INTEGER PRIMARY KEY,
    barcode   TEXT NOT NULL UNIQUE CHECK (length(barcode) BETWEEN 8 AND 20),
    round_id  INTEGER NOT NULL REFERENCES testing_rounds(id),
    site_id   INTEGER NOT NULL REFERENCES sampling_sites(id),
    size      INTEGER NOT NULL DEFAULT 0 CHECK (size BETWEEN 0 AND 100), -- the policy's pool_sizes
    state     TEXT NOT NULL DEFAULT 'issued'
              CHECK (state = 'issued' OR state = 'open' OR state = 'closed'),
    issued_at INTEGER NOT NULL,
    issued_by TEXT NOT NULL,
    opened_at INTEGER,
    opened_by TEXT,
    closed_at INTEGER,
    closed_by TEXT,
    n_members INTEGER NOT NULL DEFAULT 0 CHECK (n_members >= 0 AND n_members <= max(size, 0)),
    CHECK ((state = 'issued') = (size = 0)),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
INSERT INTO tubes_0039 (id, barcode, round_id, site_id, size, state, issued_at, issued_by,
                        opened_at, opened_by, closed_at, closed_by, n_members)
SELECT id, barcode, round_id, site_id, size, state, issued_at, issued_by, opened_at,
       opened_by, closed_at, closed_by, n_members
FROM tubes ORDER BY id;
DROP TRIGGER box_tubes_guard;
DROP TRIGGER tube_sets_count;
DROP TRIGGER tube_sets_count_update;
DROP TABLE tubes;
ALTER TABLE tubes_0039 RENAME TO tubes;

CREATE INDEX tubes_site ON tubes(site_id, id);

CREATE TRIGGER box_tubes_guard BEFORE INSERT ON box_tubes
WHEN NOT EXISTS (SELECT 1 FROM tubes t JOIN sample_boxes b ON b.id = NEW.box_id
                 WHERE t.id = NEW.tube_id AND t.state = 'closed' AND t.site_id = b.site_id
                 AND b.state = 'packed')
BEGIN
    SELECT RAISE(ABORT, 'box_tubes: the tube is not closed, is of another site, or the box left');
END;

CREATE TRIGGER tube_sets_count BEFORE INSERT ON tube_sets
WHEN json_array_length(NEW.members) IS NOT
     (SELECT t.n_members FROM tubes t WHERE t.id = NEW.tube_id AND t.round_id = NEW.round_id)
BEGIN
    SELECT RAISE(ABORT, 'tube_sets: the members are not the tube''s n_members, or of another round');
END;
CREATE TRIGGER tube_sets_count_update BEFORE UPDATE ON tube_sets
WHEN json_array_length(NEW.members) IS NOT
     (SELECT t.n_members FROM tubes t WHERE t.id = NEW.tube_id AND t.round_id = NEW.round_id)
BEGIN
    SELECT RAISE(ABORT, 'tube_sets: the members are not the tube''s n_members, or of another round');
END;
