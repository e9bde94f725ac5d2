-- 0006: many stays in one row, for bulk imports (a city's location data is hundreds of
-- millions of stays, and SQLite's cost is per row: about a million a second at best).
-- A row with `pack` NULL is one stay, as before. A row with a pack holds the stays
-- encoded in it (format: src/store/store_sqlite_stays.c), all of one source; its own
-- columns then say subject '*', place '*', start = the smallest start and "end" = the
-- largest end of its stays, so a time-span query selects it whenever one of its stays
-- may overlap and filters the stays one by one.
ALTER TABLE stays ADD COLUMN pack BLOB;
