-- 0001_init.sql - the initial fangkong schema (SQLite).
-- Applied by store_sqlite.c inside one BEGIN IMMEDIATE transaction together with
-- PRAGMA user_version = 1. Times are integer Unix seconds; dates are 'YYYY-MM-DD' text.

CREATE TABLE areas (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES areas(code),      -- NULL for a district
    level       TEXT NOT NULL CHECK (level IN ('district', 'street', 'community', 'grid')),
    name        TEXT NOT NULL
);
CREATE INDEX areas_parent ON areas(parent_code, code);

CREATE TABLE buildings (
    id        INTEGER PRIMARY KEY,
    grid_code TEXT NOT NULL REFERENCES areas(code),
    name      TEXT NOT NULL,
    lon       REAL NOT NULL DEFAULT 0,
    lat       REAL NOT NULL DEFAULT 0
);
CREATE INDEX buildings_grid ON buildings(grid_code);

CREATE TABLE households (
    id             INTEGER PRIMARY KEY,
    building_id    INTEGER NOT NULL REFERENCES buildings(id),
    room           TEXT NOT NULL,
    community_code TEXT NOT NULL REFERENCES areas(code)
);
CREATE INDEX households_building ON households(building_id);
CREATE INDEX households_community ON households(community_code, id);

CREATE TABLE venues (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    grid_code TEXT NOT NULL REFERENCES areas(code),
    lon       REAL NOT NULL DEFAULT 0,
    lat       REAL NOT NULL DEFAULT 0
);
CREATE INDEX venues_grid ON venues(grid_code, id);

CREATE TABLE persons (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    id_type        TEXT NOT NULL,
    id_number      TEXT NOT NULL,
    sex            TEXT NOT NULL,
    birth_date     TEXT NOT NULL,
    phone          TEXT NOT NULL DEFAULT '',
    resident_type  TEXT NOT NULL,
    household_id   INTEGER REFERENCES households(id),  -- NULL for non-residents
    address        TEXT NOT NULL DEFAULT '',
    community_code TEXT NOT NULL REFERENCES areas(code),
    work_unit      TEXT NOT NULL DEFAULT '',
    flags          INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (id_type, id_number)
);
CREATE INDEX persons_community ON persons(community_code, id);
CREATE INDEX persons_id_number ON persons(id_number);
CREATE INDEX persons_phone ON persons(phone);
CREATE INDEX persons_name ON persons(name);
CREATE INDEX persons_household ON persons(household_id);

-- Named counters incremented inside the transaction that uses them (never reused).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('case_number', 0);

CREATE TABLE cases (
    id             INTEGER PRIMARY KEY,
    number         INTEGER NOT NULL UNIQUE,
    person_id      INTEGER NOT NULL REFERENCES persons(id),
    classification TEXT NOT NULL,
    severity       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    reported_at    INTEGER NOT NULL,
    sampling_date  TEXT NOT NULL,
    onset_date     TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL,
    hospital       TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX cases_person ON cases(person_id);
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_reported ON cases(reported_at);

CREATE TABLE case_transitions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_transitions_case ON case_transitions(case_id, id);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    area_code  TEXT NOT NULL DEFAULT '',
    pw_hash    TEXT NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

-- Append-only: rows are never updated or deleted, so max(id) = count(*).
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL DEFAULT '',
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL DEFAULT '',
    entity_id INTEGER NOT NULL DEFAULT 0,
    detail    TEXT NOT NULL DEFAULT '',
    remote    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_actor ON audit(actor, id);
CREATE INDEX audit_entity ON audit(entity, entity_id, id);
CREATE INDEX audit_at ON audit(at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
