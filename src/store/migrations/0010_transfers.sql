-- 0010: transfer (转运): vehicles and crews; trips taking the persons of their pickup
-- list to one isolation facility, each pickup holding the room reserved for it
-- (allocations, 0008) before the trip starts ("房、人、车"). The state machines are
-- model/transfer.c; the checks below are what SQLite can hold on its own:
--  * a vehicle is on at most one open trip (trips_vehicle_open);
--  * a lead is on at most one pickup that is not missed (trip_pickups_lead_open);
--  * a pickup's allocation is its own (trip_pickups_allocation).
-- due_at is the earliest controlled_by deadline of the trip's leads (the policy's limit
-- from lead to isolation); late is set when a trip arrives after it.
CREATE TABLE vehicles (
    id         INTEGER PRIMARY KEY,
    plate      TEXT NOT NULL UNIQUE CHECK (length(plate) BETWEEN 1 AND 15),
    seats      INTEGER NOT NULL CHECK (seats BETWEEN 1 AND 60),
    area_code  TEXT NOT NULL REFERENCES areas(code),
    state      TEXT NOT NULL DEFAULT 'available' CHECK (state IN ('available', 'on_trip',
                   'disinfecting', 'out_of_service')),
    updated_at INTEGER NOT NULL
);
CREATE INDEX vehicles_area ON vehicles(area_code, id);

CREATE TABLE crews (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 63),
    leader    TEXT NOT NULL CHECK (length(leader) BETWEEN 1 AND 63),
    phone     TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 19),
    members   INTEGER NOT NULL DEFAULT 2 CHECK (members BETWEEN 1 AND 20),
    area_code TEXT NOT NULL REFERENCES areas(code)
);
CREATE INDEX crews_area ON crews(area_code, id);

CREATE TABLE trips (
    id               INTEGER PRIMARY KEY,
    vehicle_id       INTEGER NOT NULL REFERENCES vehicles(id),
    crew_id          INTEGER NOT NULL REFERENCES crews(id),
    facility_id      INTEGER NOT NULL REFERENCES facilities(id),
    area_code        TEXT NOT NULL REFERENCES areas(code), -- the transfer unit (the vehicle's)
    state            TEXT NOT NULL DEFAULT 'assigned' CHECK (state IN ('assigned',
                         'picked_up', 'arrived', 'cancelled')),
    created_at       INTEGER NOT NULL,
    created_by       TEXT NOT NULL,
    due_at           INTEGER NOT NULL,
    picked_up_at     INTEGER,
    arrived_at       INTEGER,
    late             INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    escalation_level INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 2),
    escalated_at     INTEGER NOT NULL DEFAULT 0,
    CHECK ((state = 'arrived') = (arrived_at IS NOT NULL))
);
CREATE UNIQUE INDEX trips_vehicle_open ON trips(vehicle_id)
    WHERE state IN ('assigned', 'picked_up');
CREATE INDEX trips_area ON trips(area_code, id);
CREATE INDEX trips_open_due ON trips(due_at, id) WHERE state IN ('assigned', 'picked_up');
CREATE INDEX trips_arrived ON trips(arrived_at) WHERE arrived_at IS NOT NULL;

CREATE TABLE trip_pickups (
    id            INTEGER PRIMARY KEY,
    trip_id       INTEGER NOT NULL REFERENCES trips(id),
    lead_id       INTEGER NOT NULL REFERENCES leads(id),
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    allocation_id INTEGER NOT NULL REFERENCES allocations(id),
    state         TEXT NOT NULL DEFAULT 'assigned' CHECK (state IN ('assigned', 'aboard',
                      'arrived', 'missed')),
    due_at        INTEGER NOT NULL,
    aboard_at     INTEGER,
    arrived_at    INTEGER,
    note          TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 255)
);
CREATE INDEX trip_pickups_trip ON trip_pickups(trip_id, id);
CREATE UNIQUE INDEX trip_pickups_lead_open ON trip_pickups(lead_id) WHERE state <> 'missed';
CREATE UNIQUE INDEX trip_pickups_allocation ON trip_pickups(allocation_id);

CREATE TABLE trip_events (
    id         INTEGER PRIMARY KEY,
    trip_id    INTEGER NOT NULL REFERENCES trips(id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX trip_events_trip ON trip_events(trip_id, id);
