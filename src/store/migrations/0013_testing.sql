-- 0013: mass nucleic-acid testing (全员核酸), first slice: rounds over an area and a time
-- window, sampling sites (采样点) with their teams, tubes issued to a site as printed stock
-- and the persons scanned into them. A tube's life: issued (barcode printed and handed to
-- the site, size 0) > open (its first person scanned: size is the pool size of that
-- person's group, from the policy) > closed (full, or by hand). What SQLite holds itself:
--  * a barcode exists once in the whole city (tubes.barcode UNIQUE);
--  * a person is scanned at most once per round (tube_members UNIQUE(round_id, person_id));
--  * no member enters a tube that is not open, is full, or belongs to another round
--    (tube_members_guard), and n_members counts the members exactly
--    (tube_members_count), never above size.
CREATE TABLE testing_rounds (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    area_code  TEXT NOT NULL REFERENCES areas(code),
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    state      TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'open', 'closed')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX testing_rounds_area ON testing_rounds(area_code, id);

CREATE TABLE sampling_sites (
    id        INTEGER PRIMARY KEY,
    round_id  INTEGER NOT NULL REFERENCES testing_rounds(id),
    name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    area_code TEXT NOT NULL REFERENCES areas(code),
    team      TEXT NOT NULL DEFAULT '' CHECK (length(team) <= 127),
    lon       REAL,
    lat       REAL
);
CREATE INDEX sampling_sites_round ON sampling_sites(round_id, id);

CREATE TABLE tubes (
    id        INTEGER PRIMARY KEY,
    barcode   TEXT NOT NULL UNIQUE CHECK (length(barcode) BETWEEN 8 AND 20),
    round_id  INTEGER NOT NULL REFERENCES testing_rounds(id),
    site_id   INTEGER NOT NULL REFERENCES sampling_sites(id),
    size      INTEGER NOT NULL DEFAULT 0 CHECK (size BETWEEN 0 AND 100), -- the policy's pool_sizes
    state     TEXT NOT NULL DEFAULT 'issued' CHECK (state IN ('issued', 'open', 'closed')),
    issued_at INTEGER NOT NULL,
    issued_by TEXT NOT NULL,
    opened_at INTEGER,
    opened_by TEXT,
    closed_at INTEGER,
    closed_by TEXT,
    n_members INTEGER NOT NULL DEFAULT 0 CHECK (n_members >= 0 AND n_members <= max(size, 0)),
    CHECK ((state = 'issued') = (size = 0)),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX tubes_site ON tubes(site_id, id);

CREATE TABLE tube_members (
    id         INTEGER PRIMARY KEY,
    tube_id    INTEGER NOT NULL REFERENCES tubes(id),
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    round_id   INTEGER NOT NULL REFERENCES testing_rounds(id),
    scanned_at INTEGER NOT NULL,
    scanned_by TEXT NOT NULL,
    UNIQUE (round_id, person_id)
);
CREATE INDEX tube_members_tube ON tube_members(tube_id, id);
CREATE INDEX tube_members_person ON tube_members(person_id, scanned_at);

CREATE TRIGGER tube_members_guard BEFORE INSERT ON tube_members
WHEN NOT EXISTS (SELECT 1 FROM tubes t WHERE t.id = NEW.tube_id AND t.state = 'open'
                 AND t.n_members < t.size AND t.round_id = NEW.round_id)
BEGIN
    SELECT RAISE(ABORT, 'tube_members: the tube is not open, is full, or is of another round');
END;

CREATE TRIGGER tube_members_count AFTER INSERT ON tube_members
BEGIN
    UPDATE tubes SET n_members = n_members + 1 WHERE id = NEW.tube_id;
END;
