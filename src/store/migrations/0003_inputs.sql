-- 0003: raw location inputs for contact discovery, kept as they arrived; the trace index
-- turns them into presence when it loads (pings) or into proximity events (detections).
-- Subjects are phones, resident ID numbers or person ids, kept as given (no references).

-- One location ping of a phone at `time` (Unix seconds); `cell` is the grid cell of
-- (lon, lat) at import, by trace_grid_cell with the policy's companion.grid_m.
CREATE TABLE pings (
    id      INTEGER PRIMARY KEY,
    subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 63),
    time    INTEGER NOT NULL,
    cell    TEXT NOT NULL CHECK (length(cell) BETWEEN 1 AND 31),
    lon     REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat     REAL NOT NULL CHECK (lat BETWEEN -90 AND 90)
);
-- store_pings_each reads pings ordered by (subject, time): the converter to presence
-- needs that order, and this index gives it without sorting the whole table.
CREATE INDEX pings_subject_time ON pings (subject, time);

-- One proximity record (e.g. RFID, Bluetooth): subjects a and b were near each other at
-- `time`. The import stores the pair ordered (a < b), so one pair has one spelling.
CREATE TABLE detections (
    id      INTEGER PRIMARY KEY,
    a       TEXT NOT NULL CHECK (length(a) BETWEEN 1 AND 63),
    b       TEXT NOT NULL CHECK (length(b) BETWEEN 1 AND 63 AND b <> a),
    time    INTEGER NOT NULL,
    source  TEXT NOT NULL DEFAULT 'proximity'
);
-- Events are formed per pair from consecutive detections: read in (a, b, time) order.
CREATE INDEX detections_pair_time ON detections (a, b, time);
