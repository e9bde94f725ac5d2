-- 0022: a lead's escalation level is derived from its deadlines and the time of the last
-- sweep (model/lead.h: lead_level_seen), so a sweep no longer rewrites every lead it
-- raises (352,077 rows and their index entries at city scale): it writes the notices
-- per unit and new level for the leads whose level rose since the previous sweep, and
-- the sweep's row below. The stored escalation_level stays the floor: a raise by hand,
-- and the level a lead showed when it last moved (a move freezes it, with the notices
-- that raised it, because the rule counts from the new state's deadlines).
--
-- escalation_sweeps: one row per sweep that moved the clock (its `now`); the latest is
-- the clock. A lead's level rose to L at the first sweep after the deadline that takes it
-- to L (lead_level_step), so that sweep's notice for its unit and L is the entry of its
-- history and its `at` the lead's escalated_at. next_at (latest row only): the earliest
-- deadline at or after the clock of an open lead not owed (lead_next_crossing), the
-- instant after which a sweep has something to do; NULL: none. Every write of a lead
-- lowers it; a sweep that raised anything computes it again.
CREATE TABLE escalation_sweeps (
    at      INTEGER PRIMARY KEY,
    next_at INTEGER
);
INSERT INTO escalation_sweeps (at, next_at) SELECT 0, min(due_at) FROM leads;

-- esc_owed: the lead moved (or was pushed) when the rule over its new state already gave
-- more than its stored level as of the clock: no sweep has told anyone yet, so it shows
-- the stored level until the next sweep raises it, as before. Few rows: a sweep clears
-- them.
ALTER TABLE leads ADD COLUMN esc_owed INTEGER NOT NULL DEFAULT 0 CHECK (esc_owed IN (0, 1));
CREATE INDEX leads_owed ON leads(id) WHERE esc_owed = 1;

-- The notice of a sweep for a unit and level, looked up from a lead's deadline.
CREATE INDEX escalation_notices_sweep ON escalation_notices(area_code, level, at);

-- leads_rising (0011) served the sweep's search for leads below command by their stored
-- level, which no longer moves with time; the clock's next_at answers "anything to do?".
DROP INDEX leads_rising;
