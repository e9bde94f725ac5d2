-- fangkong: foreign keys off
-- 0031: rooms and allocations rebuilt with their CHECK constraints spelled as comparisons
-- joined by OR instead of IN lists; the homes version also moved by a new building and
-- by a building's grid.
--
-- CHECKs. As for leads in 0028: SQLite (3.40, Debian 12) evaluates a CHECK's
-- `x IN (list)` of three or more values by building a small temporary b-tree of the list
-- (a malloc'd page or two) for every row it checks. A batch allocation checks
-- allocations.state for each row it inserts and rooms.state for each room it reserves:
-- 100,000 such b-trees for bench/loop's 50,000 persons. `x = 'a' OR x = 'b'` holds
-- exactly the same rows (the columns are NOT NULL) and costs a few comparisons. Nothing
-- else changes: the same columns in the same order with the same types, defaults and
-- references, the same rows and ids, the same indexes and triggers (those of 0008, 0024
-- and 0027, written again below because they go with their tables).
--
-- SQLite cannot change a table's constraints in place: this is its documented rebuild
-- (create the new table, copy, drop the old, rename), with foreign keys off (the first
-- line above tells the migration runner, which checks every foreign key of the store
-- before it commits). The two triggers of allocations that read rooms are dropped
-- first: a rename checks every trigger of the schema, and they would name a table that
-- is gone for a moment.
DROP TRIGGER allocations_vacant;
DROP TRIGGER allocations_share;

CREATE TABLE rooms_0031 (
    id           INTEGER PRIMARY KEY,
    facility_id  INTEGER NOT NULL REFERENCES facilities(id),
    number       TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 31),
    own_bathroom INTEGER NOT NULL DEFAULT 1 CHECK (own_bathroom = 0 OR own_bathroom = 1),
    state        TEXT NOT NULL DEFAULT 'vacant' CHECK (state = 'vacant' OR state = 'reserved'
                     OR state = 'occupied' OR state = 'cleaning' OR state = 'out_of_order'),
    state_since  INTEGER NOT NULL,
    UNIQUE (facility_id, number)
);
INSERT INTO rooms_0031 SELECT * FROM rooms;
DROP TABLE rooms;
ALTER TABLE rooms_0031 RENAME TO rooms;
CREATE INDEX rooms_vacant ON rooms(facility_id, id) WHERE state = 'vacant';
CREATE INDEX rooms_cleaning ON rooms(state_since) WHERE state = 'cleaning';

CREATE TRIGGER rooms_count_insert AFTER INSERT ON rooms
BEGIN
    UPDATE facilities SET
        n_vacant = n_vacant + (NEW.state = 'vacant'),
        n_reserved = n_reserved + (NEW.state = 'reserved'),
        n_occupied = n_occupied + (NEW.state = 'occupied'),
        n_cleaning = n_cleaning + (NEW.state = 'cleaning'),
        n_out_of_order = n_out_of_order + (NEW.state = 'out_of_order')
    WHERE id = NEW.facility_id;
END;
-- As in 0027. The batch allocation no longer holds room_counts_by_writer (its writes run
-- with the connection's triggers off, store_sqlite_isolation.c); the row stays a way for
-- any other writer that counts its rooms itself.
CREATE TRIGGER rooms_count_update AFTER UPDATE OF state ON rooms
WHEN OLD.state <> NEW.state AND NOT EXISTS (SELECT 1 FROM room_counts_by_writer)
BEGIN
    UPDATE facilities SET
        n_vacant = n_vacant + (NEW.state = 'vacant') - (OLD.state = 'vacant'),
        n_reserved = n_reserved + (NEW.state = 'reserved') - (OLD.state = 'reserved'),
        n_occupied = n_occupied + (NEW.state = 'occupied') - (OLD.state = 'occupied'),
        n_cleaning = n_cleaning + (NEW.state = 'cleaning') - (OLD.state = 'cleaning'),
        n_out_of_order = n_out_of_order + (NEW.state = 'out_of_order')
                         - (OLD.state = 'out_of_order')
    WHERE id = NEW.facility_id;
END;
CREATE TRIGGER rooms_no_delete BEFORE DELETE ON rooms
BEGIN
    SELECT RAISE(ABORT, 'rooms are never deleted: set them out_of_order');
END;

CREATE TABLE allocations_0031 (
    id           INTEGER PRIMARY KEY,
    room_id      INTEGER NOT NULL REFERENCES rooms(id),
    person_id    INTEGER NOT NULL REFERENCES persons(id),
    primary_id   INTEGER REFERENCES allocations(id), -- NULL: the room's primary occupant
    lead_id      INTEGER REFERENCES leads(id),
    state        TEXT NOT NULL CHECK (state = 'reserved' OR state = 'occupied'
                     OR state = 'ended'),
    distance_m   INTEGER NOT NULL DEFAULT 0 CHECK (distance_m >= 0),
    allocated_at INTEGER NOT NULL,
    ended_at     INTEGER,
    actor        TEXT NOT NULL,
    CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
    CHECK (primary_id IS NULL OR primary_id <> id)
);
INSERT INTO allocations_0031 SELECT * FROM allocations;
DROP TABLE allocations;
ALTER TABLE allocations_0031 RENAME TO allocations;
CREATE UNIQUE INDEX allocations_person_active ON allocations(person_id) WHERE state <> 'ended';
CREATE INDEX allocations_primary ON allocations(primary_id) WHERE primary_id IS NOT NULL;
CREATE UNIQUE INDEX allocations_room_holders
    ON allocations(room_id, CASE WHEN primary_id IS NULL THEN 0 ELSE id END)
    WHERE state <> 'ended';

CREATE TRIGGER allocations_vacant BEFORE INSERT ON allocations
WHEN NEW.primary_id IS NULL AND (SELECT state FROM rooms WHERE id = NEW.room_id) <> 'vacant'
BEGIN
    SELECT RAISE(ABORT, 'room is not vacant');
END;
CREATE TRIGGER allocations_share BEFORE INSERT ON allocations
WHEN NEW.primary_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM allocations p
    WHERE p.id = NEW.primary_id AND p.room_id = NEW.room_id AND p.state <> 'ended'
      AND p.primary_id IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'a shared allocation must point to the active primary one of its room');
END;

-- Homes (0027). The server now also keeps the homes located by their community's centre
-- (the mean of its buildings, for a person without a household or whose building has no
-- coordinates): a new building, or a building moved to another grid, moves that centre,
-- so they move the version too (a bulk import of buildings moves it once a row: one
-- small update each). IF NOT EXISTS: the migration tests apply the migrations after 0028
-- again on the same store (test_leads), and everything else here is rebuilt anyway.
CREATE TRIGGER IF NOT EXISTS homes_building_added AFTER INSERT ON buildings
BEGIN
    UPDATE homes_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS homes_building_regridded AFTER UPDATE OF grid_code ON buildings
WHEN OLD.grid_code IS NOT NEW.grid_code
BEGIN
    UPDATE homes_version SET version = version + 1 WHERE id = 1;
END;
