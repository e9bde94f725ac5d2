-- 0036: the residents lookup kept instead of read at every import (issue 5).
--
-- An import of scans checks every row's ID number against the residents (ID number ->
-- person, community). Reading them and building that table was 0.7-0.9 s of a 1,000,000-
-- person city's import, before its first row (bench/README.md). The table is now kept
-- ready in the store, built once (services/residents.h: by the server in the background
-- and by an import that finds it stale) and read back in pieces (sqlite3_blob_read).
--
-- What it says is current while `version` has not moved and no person was added since
-- (persons' largest id, kept beside it): every change of a person's ID number, its type
-- or community, and every deletion of a person, moves it, whoever writes it (the API, the
-- CLI, the sqlite3 shell). A new person needs no move: one missing from the lookup is
-- looked up in the store, as before, so an insert (the registry's bulk path) carries no
-- trigger; the lookup's builders compare the largest id to know it is incomplete.
-- The lookup is never a second source of truth: one of another version is never used.
CREATE TABLE residents_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO residents_version (id, version) VALUES (1, 1);
CREATE TRIGGER residents_person_changed AFTER UPDATE OF id_type, id_number, community_code
ON persons
WHEN OLD.id_type IS NOT NEW.id_type OR OLD.id_number IS NOT NEW.id_number
     OR OLD.community_code IS NOT NEW.community_code
BEGIN
    UPDATE residents_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER residents_person_deleted AFTER DELETE ON persons
BEGIN
    UPDATE residents_version SET version = version + 1 WHERE id = 1;
END;

-- The kept lookup: one row says what it was built from (version, top_person: persons'
-- largest id then) and how many bytes it has; the bytes are in parts of at most 16 MiB
-- (part 0, 1, ...), their layout services/residents.c's. Replaced whole, in one
-- transaction, by whoever rebuilds it.
CREATE TABLE residents_lookup (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    INTEGER NOT NULL,
    top_person INTEGER NOT NULL,
    bytes      INTEGER NOT NULL CHECK (bytes >= 0),
    built_at   INTEGER NOT NULL
);
CREATE TABLE residents_lookup_parts (
    part INTEGER PRIMARY KEY CHECK (part >= 0),
    body BLOB NOT NULL
);
