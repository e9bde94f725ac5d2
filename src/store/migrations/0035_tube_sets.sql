-- 0035: a round's scans stored one row per tube, without a B-tree entry per person.
-- tube_members (0032: rowid tube * 128 + place, UNIQUE(person_id, round_id)) wrote a
-- city's round of 970,001 scans in 1.49 s in the sqlite3 shell, more than the shell's
-- `.import` of the whole file; one row per tube plus per-round chunks of person slots
-- wrote in 0.45-0.5 s (bench/testing/floor.c). Two tables replace it:
--
--  tube_sets   one row per tube that has members: tube_id, its round, and
--    members     JSON text [[person_id, scanned_at], ...] in place order (place k is
--                element k - 1; the member's id stays tube_id * 128 + place);
--    scanned_by  JSON array of usernames: one element when every member was scanned by
--                the same user (an import's actor, a site's one sampler), else one per
--                member in place order.
--  round_slots per round, person -> member: WITHOUT ROWID, keyed (chunk, round_id)
--              (person_id >> 10 = chunk: a person's chunks of every round are one key
--              range, 13-17 us a lookup against 29-42 keyed (round, chunk), floor.c);
--              slots: 1,024 little-endian uint32, slot person_id & 1023 = the member id
--              (tube_id * 128 + place; 0 = not scanned in the round). A tube id is thus
--              below 2^25 (33,554,431; the writer refuses larger).
--
-- Readers: the store's connections read both through the eponymous virtual table
-- fk_members (store_sqlite_members.c: the old columns id, tube_id, person_id, round_id,
-- scanned_at, scanned_by; by tube one row read, by person and round one chunk slot, by
-- person a chunk range). The view tube_members below gives the same columns from
-- tube_sets alone in plain SQL, for any connection (the sqlite3 shell, tests): it reads
-- every tube unless narrowed to one by tube_id.
--
-- The rules tube_members' triggers held are checked in C by the store's one writer of
-- members (store_sqlite_members.c: the API's scan and the imports' batches) inside the
-- write transaction: the tube open, of the member's round, not full, the member at its
-- next place (n_members + 1), the person existing and once per round (its slot empty).
-- What SQLite still holds here: a tube's members count is its n_members
-- (tube_sets_count, with the tubes' CHECK n_members <= size); a chunk is 1,024 slots;
-- 0033's version moves (code_answers_version) when a member is added to a tube that
-- already has a result, when a tube's members change other than by appending, or a
-- tube's set or a chunk is removed. (The imports' batches write with the connection's
-- triggers off and do the same in C.)
CREATE TABLE tube_sets (
    tube_id    INTEGER PRIMARY KEY REFERENCES tubes(id),
    round_id   INTEGER NOT NULL REFERENCES testing_rounds(id),
    members    TEXT NOT NULL,
    scanned_by TEXT NOT NULL
);

CREATE TABLE round_slots (
    chunk    INTEGER NOT NULL,
    round_id INTEGER NOT NULL REFERENCES testing_rounds(id),
    slots    BLOB NOT NULL CHECK (length(slots) = 4096),
    PRIMARY KEY (chunk, round_id)
) WITHOUT ROWID;

INSERT INTO tube_sets (tube_id, round_id, members, scanned_by)
SELECT tube_id, max(round_id), json_group_array(json_array(person_id, scanned_at)),
       CASE WHEN count(DISTINCT scanned_by) = 1 THEN json_array(max(scanned_by))
            ELSE json_group_array(scanned_by) END
FROM (SELECT * FROM tube_members ORDER BY tube_id, id) GROUP BY tube_id;

INSERT INTO round_slots (chunk, round_id, slots)
SELECT person_id >> 10, round_id, fk_slots_pack(person_id & 1023, id)
FROM tube_members GROUP BY person_id >> 10, round_id;

DROP TABLE tube_members;

CREATE VIEW tube_members (id, tube_id, person_id, round_id, scanned_at, scanned_by) AS
SELECT s.tube_id * 128 + j.key + 1, s.tube_id, j.value ->> 0, s.round_id, j.value ->> 1,
       coalesce(s.scanned_by ->> j.key, s.scanned_by ->> 0)
FROM tube_sets s, json_each(s.members) j;

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

CREATE TRIGGER code_answers_set_added AFTER INSERT ON tube_sets
WHEN EXISTS (SELECT 1 FROM tube_results r WHERE r.tube_id = NEW.tube_id)
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_set_changed AFTER UPDATE ON tube_sets
WHEN NEW.tube_id <> OLD.tube_id OR NEW.round_id <> OLD.round_id
  OR substr(NEW.members, 1, length(OLD.members) - 1) <> substr(OLD.members, 1, length(OLD.members) - 1)
  OR EXISTS (SELECT 1 FROM tube_results r WHERE r.tube_id = NEW.tube_id)
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_set_deleted AFTER DELETE ON tube_sets
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_slots_deleted AFTER DELETE ON round_slots
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
