-- 0042: a round's person slots (0035, widened by 0038) in a rowid table, keyed by
-- chunk * 2^24 + round_id. Their rows are 5 KiB: in the WITHOUT ROWID table of 0035
-- every row overflowed (an index B-tree keeps at most about 1 KB of a row on its page)
-- and an interior cell held the whole row, so each key a search compared on its way
-- down was first copied out of its overflow chain. At 10,000,000 persons this was the
-- scans import's writer: perf put 13% of its time in following overflow chains, 11% in
-- the copies' malloc and free, 9% in the search itself, beside the WAL lookups of the
-- pages read (bench/testing, 2026-12-02). A rowid table's interior cells hold the key
-- alone: a search touches one page a level, and only the row found reads its overflow.
-- The key keeps 0035's order (a person's chunks of every round are one range) and needs
-- no index of its own; chunk and round_id stay columns, for the SQL that reads them.
-- Round ids stay below 2^24 (CHECK), chunks below 2^29 (person ids below 2^39).
-- The person trigger of 0038 reads the chunk's range by key; it names round_slots, so it
-- is dropped before the table is swapped and made again after.
DROP TRIGGER IF EXISTS persons_member_deleted;

CREATE TABLE round_slots_keyed (
    id       INTEGER PRIMARY KEY,
    chunk    INTEGER NOT NULL,
    round_id INTEGER NOT NULL REFERENCES testing_rounds(id),
    slots    BLOB NOT NULL CHECK (length(slots) = 5120),
    CHECK (round_id BETWEEN 1 AND 16777215 AND id = chunk * 16777216 + round_id)
);

INSERT INTO round_slots_keyed (id, chunk, round_id, slots)
SELECT chunk * 16777216 + round_id, chunk, round_id, slots FROM round_slots
ORDER BY chunk, round_id;

DROP TABLE round_slots;
ALTER TABLE round_slots_keyed RENAME TO round_slots;

CREATE TRIGGER code_answers_slots_deleted AFTER DELETE ON round_slots
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER persons_member_deleted BEFORE DELETE ON persons
WHEN EXISTS (SELECT 1 FROM round_slots s WHERE s.id BETWEEN (OLD.id >> 10) * 16777216
             AND (OLD.id >> 10) * 16777216 + 16777215
             AND substr(s.slots, (OLD.id & 1023) * 5 + 1, 5) <> x'0000000000')
BEGIN
    SELECT RAISE(ABORT, 'persons: a member of a testing round is not deleted');
END;
