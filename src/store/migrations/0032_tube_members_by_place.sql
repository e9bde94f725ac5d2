-- fangkong: foreign keys off
-- 0032: tube_members keyed by the member's place in its tube, two B-trees a scan
-- instead of four. A member's id is now tube_id * 128 + place, place 1..size (a tube's
-- size is at most 100, tubes' CHECK): the table, ordered by id, is ordered by tube and
-- then by scan order within the tube, so it is its own index by tube (a tube's members
-- are the id range tube_id * 128 + 1 .. + 127, store_sqlite_int.h's SQ_MEMBERS_OF), and
-- the index (tube_id, id) goes. The round-person uniqueness is kept as UNIQUE(person_id,
-- round_id), which is also the person's index: the person's scans (health codes, the
-- testing history) read it, and the separate (person_id, scanned_at) index goes. Reads
-- by round alone (the round's member count: sum of its tubes' n_members; the members a
-- bulk import reads: through the round's sites and tubes) no longer need an index
-- leading with the round. bench/testing: inserting the 970,001 members of a city's
-- round in SQL took 3.0 s with the four B-trees, 1.5 s with these two.
--
-- What SQLite still holds itself (0013's rules, the guard extended by the place):
--  * a person is scanned at most once per round (UNIQUE(person_id, round_id));
--  * a member enters only an open tube of its round, not full, at the next place:
--    NEW.id = tube_id * 128 + n_members + 1 (tube_members_guard); n_members counts the
--    members (tube_members_count), never above size; a place is taken once (the id);
--  * the id names the member's tube (CHECK).
-- The rebuild (create, copy, drop, rename) runs with foreign keys off (first line: the
-- migration runner checks every foreign key before it commits); existing members get
-- their places in their tube's id order, which was their scan order.
CREATE TABLE tube_members_0032 (
    id         INTEGER PRIMARY KEY,
    tube_id    INTEGER NOT NULL REFERENCES tubes(id),
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    round_id   INTEGER NOT NULL REFERENCES testing_rounds(id),
    scanned_at INTEGER NOT NULL,
    scanned_by TEXT NOT NULL,
    UNIQUE (person_id, round_id),
    CHECK (id > tube_id * 128 AND id <= tube_id * 128 + 100)
);
INSERT INTO tube_members_0032 (id, tube_id, person_id, round_id, scanned_at, scanned_by)
SELECT tube_id * 128 + row_number() OVER (PARTITION BY tube_id ORDER BY id), tube_id,
       person_id, round_id, scanned_at, scanned_by
FROM tube_members ORDER BY tube_id, id;
DROP TABLE tube_members;
ALTER TABLE tube_members_0032 RENAME TO tube_members;

CREATE TRIGGER tube_members_guard BEFORE INSERT ON tube_members
WHEN NOT EXISTS (SELECT 1 FROM tubes t WHERE t.id = NEW.tube_id AND t.state = 'open'
                 AND t.n_members < t.size AND t.round_id = NEW.round_id
                 AND NEW.id = t.id * 128 + t.n_members + 1)
BEGIN
    SELECT RAISE(ABORT, 'tube_members: tube not open, full, of another round, or not its next place');
END;

CREATE TRIGGER tube_members_count AFTER INSERT ON tube_members
BEGIN
    UPDATE tubes SET n_members = n_members + 1 WHERE id = NEW.tube_id;
END;
