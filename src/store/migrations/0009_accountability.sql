-- 0009: responsibility and accountability (压实责任). Independent of 0008.
-- responsibilities: the matrix, one row per area, function and period of office. The
-- current row of an (area, function) has valid_to NULL; setting a new one closes it at
-- the new row's valid_from, so a briefing can name who was responsible at any instant
-- (valid_from <= t < valid_to). area_code '' is the city (the command level), which
-- has no row in areas, hence no foreign key.
CREATE TABLE responsibilities (
    id          INTEGER PRIMARY KEY,
    area_code   TEXT NOT NULL CHECK (length(area_code) IN (0, 6, 9, 12, 15)),
    function    TEXT NOT NULL CHECK (function IN ('testing', 'transfer', 'isolation',
                    'supplies', 'leads', 'reporting')),
    unit        TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 95),
    official    TEXT NOT NULL CHECK (length(official) BETWEEN 1 AND 63),
    phone       TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 19),
    valid_from  INTEGER NOT NULL,
    valid_to    INTEGER CHECK (valid_to IS NULL OR valid_to > valid_from),
    set_by      TEXT NOT NULL,
    set_at      INTEGER NOT NULL
);
CREATE INDEX responsibilities_at ON responsibilities(function, area_code, valid_from);
CREATE UNIQUE INDEX responsibilities_current ON responsibilities(function, area_code)
    WHERE valid_to IS NULL;

-- daily_reports: one report per reporting unit (an area at a policy reporting level)
-- and report day (the local date whose period the policy's cut-off hour bounds).
-- figures is a JSON object of the policy's figure names; zero = 1 means all are 0.
CREATE TABLE daily_reports (
    id           INTEGER PRIMARY KEY,
    area_code    TEXT NOT NULL REFERENCES areas(code),
    day          TEXT NOT NULL CHECK (length(day) = 10),
    zero         INTEGER NOT NULL CHECK (zero IN (0, 1)),
    figures      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 255),
    submitted_by TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    deadline     INTEGER NOT NULL,
    UNIQUE (day, area_code)
);

-- accountability_actions: what the command decided about a failure of a briefing
-- (failure_ref as the briefing names it: "lead:ID:STEP", "report:AREA:DAY"). The
-- unit and official are copied at decision time: the record stays as decided.
CREATE TABLE accountability_actions (
    id          INTEGER PRIMARY KEY,
    failure_ref TEXT NOT NULL CHECK (length(failure_ref) BETWEEN 1 AND 63),
    area_code   TEXT NOT NULL,
    unit        TEXT NOT NULL,
    official    TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 31),
    reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 511),
    decided_by  TEXT NOT NULL,
    decided_at  INTEGER NOT NULL
);
CREATE INDEX accountability_actions_ref ON accountability_actions(failure_ref);
CREATE INDEX accountability_actions_at ON accountability_actions(decided_at);

-- performance and failures read every lead of a period with the times its steps were
-- done: the deadline ranges and each lead's events by state.
CREATE INDEX leads_closed_by ON leads(closed_by);
CREATE INDEX lead_events_state ON lead_events(lead_id, to_state, at);
