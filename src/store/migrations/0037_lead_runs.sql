-- 0037: a pushed lead has no entry of its own in the index of leads by area. Each push's
-- ~1,300 leads spread over every community of the city, so leads_area (0007) took one
-- entry per lead at ~44 places of the index: each insert searched it from its root and
-- each push's commit rewrote ~44 of its leaf pages (bench/loop's push of 101,655 leads:
-- a fifth of the instructions, half the WAL pages). Instead a push writes one row per
-- area it reached, naming that area's leads of the push, and leads_area keeps only the
-- leads that are in no such row.
--
-- lead_runs: one row per (push, area): the ids (a JSON array of integers) of the push's
-- leads that are in area_code, exactly: written by the push, a lead that
-- leaves the area is taken out (the trigger below), so an area's count is the sum of its
-- runs' lengths. first_id is the push's (lead_pushes.first_id). Rows are appended in
-- push order (its rowid), so a push adds its rows at the end of the table;
-- lead_runs_area finds an area's rows (and a push's row of an area).
CREATE TABLE lead_runs (
    id        INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL,
    first_id  INTEGER NOT NULL,
    ids       TEXT NOT NULL
);
CREATE INDEX lead_runs_area ON lead_runs(area_code, first_id);
-- in_run = 1: the lead is named by the lead_runs row of its push and its current area
-- (only a push sets it); 0: it is found through leads_area. A change of area_code clears
-- it and takes the lead out of its run (the trigger below, so no writer can forget),
-- which puts the lead into leads_area under its new area. So the runs of an area and
-- leads_area's range of it name its leads exactly, each once: what the readers rely on
-- (store_sqlite_leads.c, sq_lead_area_from).
ALTER TABLE leads ADD COLUMN in_run INTEGER NOT NULL DEFAULT 0 CHECK (in_run = 0 OR in_run = 1);
-- The leads pushed before this migration (lead_pushes names each push's id range, 0021)
-- grouped into runs by push and current area; every other lead stays in leads_area.
INSERT INTO lead_runs (area_code, first_id, ids)
SELECT l.area_code, p.first_id, json_group_array(l.id)
  FROM lead_pushes p JOIN leads l ON l.id BETWEEN p.first_id AND p.last_id
 GROUP BY p.first_id, l.area_code ORDER BY p.first_id, l.area_code;
UPDATE leads SET in_run = 1
 WHERE EXISTS (SELECT 1 FROM lead_pushes p WHERE p.first_id = (SELECT max(first_id) FROM
               lead_pushes WHERE first_id <= leads.id) AND leads.id <= p.last_id);
DROP INDEX leads_area;
CREATE INDEX leads_area ON leads(area_code) WHERE in_run = 0;
CREATE TRIGGER leads_area_moved AFTER UPDATE OF area_code ON leads
  WHEN old.in_run = 1 AND new.area_code IS NOT old.area_code
BEGIN
    UPDATE leads SET in_run = 0 WHERE id = new.id;
    UPDATE lead_runs SET ids = (SELECT json_group_array(j.value) FROM json_each(lead_runs.ids) j
                                 WHERE j.value <> old.id)
     WHERE area_code = old.area_code
       AND first_id = (SELECT max(first_id) FROM lead_pushes WHERE first_id <= old.id);
END;
