-- 0038: a person who is a member of a round (a slot of theirs in round_slots, 0035) is
-- not deleted. tube_members' foreign key held this before 0035; the members' blobs have
-- none. With it, the store's one writer of members no longer looks each person up
-- (store_sqlite_members.c: its callers pass persons they read in the same write
-- transaction, which nobody can then delete; a batch of 970,001 scans spent about 0.6 s
-- of CPU on those lookups): what existed when it was read still exists at the commit,
-- and ever after while the member stands. The app deletes no person; this holds the
-- rule against any other connection (the sqlite3 shell) as the foreign key did.
CREATE TRIGGER persons_member_deleted BEFORE DELETE ON persons
WHEN EXISTS (SELECT 1 FROM round_slots s WHERE s.chunk = OLD.id >> 10
             AND substr(s.slots, (OLD.id & 1023) * 4 + 1, 4) <> x'00000000')
BEGIN
    SELECT RAISE(ABORT, 'persons: a member of a testing round is not deleted');
END;
