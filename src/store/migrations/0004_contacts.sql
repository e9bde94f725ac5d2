-- 0004: the contacts of cases (流调溯源), as discovered and reviewed.
-- One row per (case, contact subject, kind, place, degree, via): a later discovery
-- refreshes the evidence of a row and never its review. `subject` is kept as the data
-- gave it; person_id links it to a registered person when one matched at discovery.
-- Interview contacts (named by the epidemiologist) are rows of kind 'interview'.
CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    subject       TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 63),
    person_id     INTEGER REFERENCES persons(id),
    kind          TEXT NOT NULL
                  CHECK (kind IN ('companion', 'venue', 'proximity', 'household', 'interview')),
    place         TEXT NOT NULL DEFAULT '',
    first_overlap INTEGER NOT NULL,
    overlap_s     INTEGER NOT NULL DEFAULT 0 CHECK (overlap_s >= 0),
    source        TEXT NOT NULL,
    degree        INTEGER NOT NULL DEFAULT 1 CHECK (degree IN (1, 2)),
    via           TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'proposed'
                  CHECK (status IN ('proposed', 'confirmed', 'dismissed')),
    note          TEXT NOT NULL DEFAULT '',
    found_at      INTEGER NOT NULL,
    reviewed_by   TEXT NOT NULL DEFAULT '',
    reviewed_at   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (case_id, subject, kind, place, degree, via)
);
CREATE INDEX contacts_person ON contacts(person_id);
CREATE INDEX contacts_subject ON contacts(subject);
