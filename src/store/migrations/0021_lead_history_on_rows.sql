-- 0021: the two kinds of lead history written in bulk live once per batch, not once per
-- lead. A push of a case wrote one lead_events row per lead ('' -> pushed, the same
-- time, actor and note for all), an escalation sweep one per raised lead (the unit's
-- note, the same for every lead of a unit and level in a page): at city scale hundreds
-- of thousands of rows and index entries that repeat what one row says. The history
-- API (store_lead_events) still returns every entry, built from these rows in the
-- place the stored event would have had; lead_events keeps everything else (every
-- move, by hand or by the system, and what was written before this migration).
--
-- lead_pushes: one row per push, naming its leads as the id range [first_id, last_id]
-- (a push inserts them with one statement: consecutive ids). Its pushed entry comes
-- first in each lead's history.
CREATE TABLE lead_pushes (
    first_id INTEGER PRIMARY KEY,
    last_id  INTEGER NOT NULL CHECK (last_id >= first_id),
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    note     TEXT NOT NULL DEFAULT ''
);

-- escalation_notices: one row per (sweep page, unit, new level): when, by whom, the
-- note naming who answers at the new level. events_before is the highest lead_events
-- id when it was written, so a lead's entry goes after its stored events up to it (and
-- takes the state of the last of them, the one the sweep saw). A lead points to the
-- notice that raised it to each level (levels only rise, so each is set at most once;
-- a raise from 1 to 3 sets esc_notice_3 alone, as it wrote one event).
CREATE TABLE escalation_notices (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    area_code     TEXT NOT NULL,
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    note          TEXT NOT NULL,
    events_before INTEGER NOT NULL
);
ALTER TABLE leads ADD COLUMN esc_notice_1 INTEGER REFERENCES escalation_notices(id);
ALTER TABLE leads ADD COLUMN esc_notice_2 INTEGER REFERENCES escalation_notices(id);
ALTER TABLE leads ADD COLUMN esc_notice_3 INTEGER REFERENCES escalation_notices(id);

-- leads_closed_by (0009) serves no query: the performance and briefing read of a
-- period's leads (store_sqlite_accountability.c, sq_lead_facts) filters on pushed_at,
-- due_at, closed_by and updated_at joined by OR, which no index covers, so SQLite scans
-- leads (EXPLAIN QUERY PLAN: SCAN l); every lead inserted paid for its entry.
DROP INDEX leads_closed_by;
