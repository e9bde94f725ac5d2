-- 0038: the members' slots (0035) widened to 5 bytes, and a member's person kept.
--
-- round_slots: a slot held a member id (tube_id * 128 + place) in 4 bytes, so a tube id
-- had to stay below 2^25 (33,554,431): a city of 10,000,000 testing daily in pools of
-- 10 issues that many tubes within about a month, after which no scan could be written.
-- A slot is now 5 bytes (a chunk 1,024 * 5 = 5,120 bytes; tube ids below 2^33, the
-- writer refusing past it by name), every chunk rewritten by fk_slots_widen
-- (store_sqlite_members.c: the same member ids, one more zero byte each). The table is
-- built anew (its CHECK names the length) with the same key, and 0035's trigger on it
-- again.
--
-- persons_member_deleted: a person who is a member of a round (a slot of theirs is
-- taken) is not deleted. tube_members' foreign key held this before 0035; the members'
-- blobs have none. With it, the store's one writer of members no longer looks each
-- person up (its callers pass persons they read in the same write transaction, which
-- nobody can then delete; a city's 970,001 scans spent about 0.6 s of CPU on those
-- lookups): what existed when it was read still exists at the commit, and ever after
-- while the member stands. The app deletes no person; this holds the rule against any
-- other connection (the sqlite3 shell) as the foreign key did.
CREATE TABLE round_slots_wide (
    chunk    INTEGER NOT NULL,
    round_id INTEGER NOT NULL REFERENCES testing_rounds(id),
    slots    BLOB NOT NULL CHECK (length(slots) = 5120),
    PRIMARY KEY (chunk, round_id)
) WITHOUT ROWID;

INSERT INTO round_slots_wide (chunk, round_id, slots)
SELECT chunk, round_id, fk_slots_widen(slots) FROM round_slots ORDER BY chunk, round_id;

DROP TABLE round_slots;
ALTER TABLE round_slots_wide RENAME TO round_slots;

CREATE TRIGGER code_answers_slots_deleted AFTER DELETE ON round_slots
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER persons_member_deleted BEFORE DELETE ON persons
WHEN EXISTS (SELECT 1 FROM round_slots s WHERE s.chunk = OLD.id >> 10
             AND substr(s.slots, (OLD.id & 1023) * 5 + 1, 5) <> x'0000000000')
BEGIN
    SELECT RAISE(ABORT, 'persons: a member of a testing round is not deleted');
END;
