-- 0008: isolation (集中隔离): facilities with their rooms, staff and checklist; room
-- allocations; isolations (central or at home) with the tests due on the policy's days.
--
-- Double booking is impossible here, whatever the code above does:
--  * a room has at most one active primary allocation (allocations_room_active, a
--    partial unique index); household members sharing it hold allocations that point
--    to that primary one (primary_id), in the same room (trigger allocations_share);
--  * a primary allocation may only be made for a vacant room (allocations_vacant);
--  * a person has at most one active allocation and one active isolation.
-- Each facility keeps its room counts per state (n_vacant ...), maintained by the
-- triggers on rooms, so a batch chooses a facility without counting rooms.
CREATE TABLE facilities (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    area_code       TEXT NOT NULL REFERENCES areas(code),
    address         TEXT NOT NULL DEFAULT '' CHECK (length(address) <= 255),
    lon             REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat             REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    n_vacant        INTEGER NOT NULL DEFAULT 0 CHECK (n_vacant >= 0),
    n_reserved      INTEGER NOT NULL DEFAULT 0 CHECK (n_reserved >= 0),
    n_occupied      INTEGER NOT NULL DEFAULT 0 CHECK (n_occupied >= 0),
    n_cleaning      INTEGER NOT NULL DEFAULT 0 CHECK (n_cleaning >= 0),
    n_out_of_order  INTEGER NOT NULL DEFAULT 0 CHECK (n_out_of_order >= 0),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (area_code, name)
);
CREATE INDEX facilities_area ON facilities(area_code, id);

CREATE TABLE facility_staff (
    id          INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 95),
    duty        TEXT NOT NULL CHECK (length(duty) BETWEEN 1 AND 31),
    phone       TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 19)
);
CREATE INDEX facility_staff_facility ON facility_staff(facility_id, id);

-- One row per checklist item of the policy (isolation.facility_checklist.items).
CREATE TABLE facility_checks (
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    item        TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 47),
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 255),
    checked_by  TEXT NOT NULL,
    checked_at  INTEGER NOT NULL,
    PRIMARY KEY (facility_id, item)
) WITHOUT ROWID;

CREATE TABLE rooms (
    id           INTEGER PRIMARY KEY,
    facility_id  INTEGER NOT NULL REFERENCES facilities(id),
    number       TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 31),
    own_bathroom INTEGER NOT NULL DEFAULT 1 CHECK (own_bathroom IN (0, 1)),
    state        TEXT NOT NULL DEFAULT 'vacant' CHECK (state IN ('vacant', 'reserved',
                     'occupied', 'cleaning', 'out_of_order')),
    state_since  INTEGER NOT NULL,
    UNIQUE (facility_id, number)
);
CREATE INDEX rooms_state ON rooms(facility_id, state, id);

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
CREATE TRIGGER rooms_count_update AFTER UPDATE OF state ON rooms
WHEN OLD.state <> NEW.state
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

-- A room held for a person (reserved) or lived in (occupied); ended when they leave.
CREATE TABLE allocations (
    id           INTEGER PRIMARY KEY,
    room_id      INTEGER NOT NULL REFERENCES rooms(id),
    person_id    INTEGER NOT NULL REFERENCES persons(id),
    primary_id   INTEGER REFERENCES allocations(id), -- NULL: the room's primary occupant
    lead_id      INTEGER REFERENCES leads(id),
    state        TEXT NOT NULL CHECK (state IN ('reserved', 'occupied', 'ended')),
    distance_m   INTEGER NOT NULL DEFAULT 0 CHECK (distance_m >= 0),
    allocated_at INTEGER NOT NULL,
    ended_at     INTEGER,
    actor        TEXT NOT NULL,
    CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
    CHECK (primary_id IS NULL OR primary_id <> id)
);
CREATE UNIQUE INDEX allocations_room_active ON allocations(room_id)
    WHERE state <> 'ended' AND primary_id IS NULL;
CREATE UNIQUE INDEX allocations_person_active ON allocations(person_id) WHERE state <> 'ended';
CREATE INDEX allocations_primary ON allocations(primary_id) WHERE primary_id IS NOT NULL;
CREATE INDEX allocations_room ON allocations(room_id) WHERE state <> 'ended';

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

CREATE TABLE isolations (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    area_code     TEXT NOT NULL REFERENCES areas(code), -- the person's community (scope)
    cohort        TEXT NOT NULL CHECK (length(cohort) BETWEEN 1 AND 31),
    phase         INTEGER NOT NULL CHECK (phase >= 0),  -- index in measures.<cohort>.phases
    kind          TEXT NOT NULL CHECK (kind IN ('central_isolation', 'home_isolation')),
    allocation_id INTEGER REFERENCES allocations(id),
    household_id  INTEGER REFERENCES households(id),
    lead_id       INTEGER REFERENCES leads(id),
    day1_date     TEXT NOT NULL,
    end_date      TEXT NOT NULL,
    next_kind     TEXT NOT NULL DEFAULT '',
    next_end_date TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'released',
                      'ended_case')),
    case_id       INTEGER REFERENCES cases(id),
    policy_id     TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER,
    CHECK (kind <> 'central_isolation' OR allocation_id IS NOT NULL),
    CHECK (kind <> 'home_isolation' OR allocation_id IS NULL),
    CHECK ((state = 'ended_case') = (case_id IS NOT NULL)),
    CHECK ((state = 'active') = (ended_at IS NULL)),
    CHECK (day1_date <= end_date)
);
CREATE UNIQUE INDEX isolations_person_active ON isolations(person_id) WHERE state = 'active';
CREATE INDEX isolations_area ON isolations(area_code, id);
CREATE INDEX isolations_started ON isolations(started_at);
CREATE INDEX isolations_active_end ON isolations(end_date) WHERE state = 'active';

-- The lab work of an isolation: one row per test due, with its result when recorded.
CREATE TABLE isolation_tests (
    id           INTEGER PRIMARY KEY,
    isolation_id INTEGER NOT NULL REFERENCES isolations(id),
    day          INTEGER NOT NULL CHECK (day >= 1),
    due_date     TEXT NOT NULL,
    test_kind    TEXT NOT NULL,
    result       TEXT NOT NULL DEFAULT '' CHECK (result IN ('', 'negative', 'positive')),
    result_at    INTEGER,
    recorded_by  TEXT NOT NULL DEFAULT '',
    UNIQUE (isolation_id, day),
    CHECK ((result = '') = (result_at IS NULL))
);
CREATE INDEX isolation_tests_due ON isolation_tests(due_date, id) WHERE result = '';
