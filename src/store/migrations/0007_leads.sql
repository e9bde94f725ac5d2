-- 0007: leads (推送、排查、管控): one work item for everything pushed to the ground.
-- A lead names a registered person or, when none is known, a subject (phone or ID
-- number) to be found; its origin (case, contact); the measure required; the unit
-- responsible (area_code: the person's community, or the case's); and the deadlines
-- computed from the policy when it was pushed. due_at is the deadline of the state the
-- lead is in (NULL once closed), kept by the store on every change so that the overdue
-- queue is one index range. The state machine is model/lead.c; the checks below are
-- what SQLite can hold on its own. lead_events keeps every change (states, escalations).
CREATE TABLE leads (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('close_contact', 'secondary_contact',
                         'traveler', 'pool_retest', 'missed_test')),
    person_id        INTEGER REFERENCES persons(id),
    subject          TEXT NOT NULL DEFAULT '' CHECK (length(subject) <= 63),
    case_id          INTEGER REFERENCES cases(id),
    contact_id       INTEGER REFERENCES contacts(id),
    measure_required TEXT NOT NULL DEFAULT '' CHECK (length(measure_required) <= 31),
    area_code        TEXT NOT NULL REFERENCES areas(code),
    assignee         TEXT,
    state            TEXT NOT NULL DEFAULT 'pushed' CHECK (state IN ('pushed', 'received',
                         'found', 'not_found', 'refused', 'controlled', 'closed')),
    measure_taken    TEXT NOT NULL DEFAULT '' CHECK (measure_taken IN ('',
                         'transferred_central', 'home_isolation_door_sensor', 'hospital',
                         'other')),
    pushed_at        INTEGER NOT NULL,
    found_by         INTEGER NOT NULL,
    controlled_by    INTEGER NOT NULL,
    closed_by        INTEGER NOT NULL,
    due_at           INTEGER,
    escalation_level INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 3),
    escalated_at     INTEGER NOT NULL DEFAULT 0,
    updated_at       INTEGER NOT NULL,
    CHECK (person_id IS NOT NULL OR length(subject) > 0),
    CHECK (pushed_at <= found_by AND found_by <= controlled_by AND controlled_by <= closed_by),
    CHECK (state <> 'controlled' OR measure_taken <> ''),
    CHECK ((state = 'closed') = (due_at IS NULL))
);
CREATE INDEX leads_area ON leads(area_code);
CREATE INDEX leads_due ON leads(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX leads_case ON leads(case_id, subject);

CREATE TABLE lead_events (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads(id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL CHECK (to_state IN ('pushed', 'received', 'found', 'not_found',
                   'refused', 'controlled', 'closed')),
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lead_events_lead ON lead_events(lead_id, id);
