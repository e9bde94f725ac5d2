-- 0002: presence records for contact discovery (流调溯源).
-- A subject (phone, resident ID number or person id, kept as given: location data arrives
-- long before anyone is registered) was in a place (grid cell or venue code) over
-- [start, end) in Unix seconds. `source` names the import kind that produced the row.
CREATE TABLE stays (
    id      INTEGER PRIMARY KEY,
    subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 63),
    place   TEXT NOT NULL CHECK (length(place) BETWEEN 1 AND 31),
    start   INTEGER NOT NULL,
    "end"   INTEGER NOT NULL CHECK ("end" > start),
    source  TEXT NOT NULL DEFAULT 'stays'
);
-- No index on time: the trace index is built from a scan, and an index on start (rows
-- arrive ordered by subject, not time) cut the import to about half its speed.
