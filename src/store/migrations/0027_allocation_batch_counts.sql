-- 0027: a batch allocation keeps the facilities' room counts itself, once per facility;
-- the server keeps the homes of persons in memory, told by a version when they change.
--
-- Room counts. Each facility row keeps its rooms per state (0008), maintained by the
-- triggers on rooms: one UPDATE of the facility row per room moved. A batch of 500
-- allocations moved 500 rooms from vacant to reserved, so 500 updates of a few facility
-- rows. A writer that knows how many rooms of each facility it moves (the batch) may now
-- say so: while the row of room_counts_by_writer exists, rooms_count_update does nothing
-- and the writer adds the counts itself, one UPDATE per facility, before it deletes the
-- row, in the same transaction (store_sqlite_isolation.c: rooms_reserve). The
-- row never outlives the writer's transaction: it is inserted and deleted inside it (a
-- failure rolls both back), so every other writer, and every other connection, sees the
-- trigger as it was. Room inserts keep their trigger as before.
CREATE TABLE room_counts_by_writer (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
DROP TRIGGER rooms_count_update;
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

-- Homes. A batch plans with where each person lives (household, community, birth date,
-- the building's coordinates), which the server keeps in memory (services/homes.h)
-- instead of reading 500 persons, households and buildings a batch. What it keeps is
-- current as long as `version` has not moved: every change of those columns, and every
-- deletion of a person, household or building, moves it, whoever writes it (the API, the
-- CLI, the sqlite3 shell), and the server then forgets what it kept. A new person needs no
-- move: the server has never kept them. (A new building changes only the community centres
-- of homes without coordinates, which the server never keeps.)
CREATE TABLE homes_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO homes_version (id, version) VALUES (1, 1);
CREATE TRIGGER homes_person_moved AFTER UPDATE OF household_id, community_code, birth_date
ON persons
WHEN OLD.household_id IS NOT NEW.household_id OR OLD.community_code IS NOT NEW.community_code
     OR OLD.birth_date IS NOT NEW.birth_date
BEGIN
    UPDATE homes_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER homes_person_deleted AFTER DELETE ON persons
BEGIN
    UPDATE homes_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER homes_household_moved AFTER UPDATE OF building_id ON households
WHEN OLD.building_id IS NOT NEW.building_id
BEGIN
    UPDATE homes_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER homes_household_deleted AFTER DELETE ON households
BEGIN
    UPDATE homes_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER homes_building_moved AFTER UPDATE OF lon, lat ON buildings
WHEN OLD.lon IS NOT NEW.lon OR OLD.lat IS NOT NEW.lat
BEGIN
    UPDATE homes_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER homes_building_deleted AFTER DELETE ON buildings
BEGIN
    UPDATE homes_version SET version = version + 1 WHERE id = 1;
END;
