-- fangkong: foreign keys off
-- 0040: what a results import's follow-up costs for each person it touches.
--
-- 1. The tables it writes, rebuilt with their CHECKs of the
-- form `x IN ('a', 'b', 'c')` spelled as comparisons joined by OR, as 0028 (leads), 0034
-- (tube_results) and 0039 (tubes) did. SQLite (3.40, Debian 12) checks such an IN list
-- (three values or more) through a temporary B-tree of the list built for every row
-- written, and with its default secure delete zeroes a page to clear it: health_codes'
-- colour, code_changes' two colours, testing_holds' state and lead_events' to_state cost
-- 20-25 M instructions of the follow-up of a city's results import for 480 persons
-- touched (bench/testing, callgrind: a fifth of it). `x = 'a' OR x = 'b' OR ...` holds
-- exactly the same rows (for NULL both forms give NULL, which a CHECK lets pass; only
-- code_changes.from_colour may be NULL) and costs a few comparisons. Nothing else
-- changes: the same columns in the same order with the same types, defaults and
-- references, the same rows and ids, the same other CHECKs, indexes and triggers.
--
-- SQLite cannot change a table's constraints in place: this is its documented rebuild
-- (create the new table, copy, drop the old, rename), with foreign keys off (first line:
-- the migration runner checks every foreign key of the store before it commits). The
-- triggers of each table go with it when it is dropped and are recreated after the
-- rename, as they were (0020, 0033 for health_codes' code_answers_*). The copies run
-- before the triggers exist: they write no code_changes row and move no answers version.
-- health_codes' two triggers that read code_changes go first: the rename of code_changes
-- checks every trigger of the schema, and theirs would name a table not there yet. It
-- applies again on its own result (tests that set the version back re-run it).
--
-- 2. contacts by person, kind and exposure (at the end): the health code's
-- pending_clearance reads each touched person's latest contact of each kind (ORDER BY
-- first_overlap DESC, id DESC LIMIT 1). By contacts_person alone SQLite sorted the
-- person's contacts in a temporary B-tree, built and cleared for every person and kind
-- even with no contact at all (10 M instructions for 480 persons, bench/testing); this
-- index gives the order, and the first row not dismissed is the answer.

DROP TRIGGER health_codes_logged_insert;
DROP TRIGGER health_codes_logged_update;

CREATE TABLE code_changes_0040 (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES persons(id),
    at             INTEGER NOT NULL,
    from_colour    TEXT CHECK (from_colour = 'red' OR from_colour = 'yellow'
                                OR from_colour = 'green'),
    to_colour      TEXT NOT NULL CHECK (to_colour = 'red' OR to_colour = 'yellow'
                                        OR to_colour = 'green'),
    rule           TEXT NOT NULL CHECK (length(rule) >= 1),
    reason         TEXT NOT NULL DEFAULT '',
    operator       TEXT NOT NULL CHECK (length(operator) >= 1),
    source         TEXT NOT NULL CHECK (length(source) >= 1),
    policy_version TEXT NOT NULL CHECK (length(policy_version) >= 1),
    override_id    INTEGER REFERENCES code_overrides(id)
);
INSERT INTO code_changes_0040 (id, person_id, at, from_colour, to_colour, rule, reason,
                               operator, source, policy_version, override_id)
SELECT id, person_id, at, from_colour, to_colour, rule, reason, operator, source,
       policy_version, override_id
FROM code_changes ORDER BY id;
DROP TABLE code_changes;
ALTER TABLE code_changes_0040 RENAME TO code_changes;

CREATE INDEX code_changes_person ON code_changes(person_id, id);
CREATE TRIGGER code_changes_no_update BEFORE UPDATE ON code_changes
BEGIN
    SELECT RAISE(ABORT, 'code_changes: the colour log is append-only');
END;
CREATE TRIGGER code_changes_no_delete BEFORE DELETE ON code_changes
BEGIN
    SELECT RAISE(ABORT, 'code_changes: the colour log is append-only');
END;

CREATE TABLE health_codes_0040 (
    person_id        INTEGER PRIMARY KEY REFERENCES persons(id),
    colour           TEXT NOT NULL CHECK (colour = 'red' OR colour = 'yellow'
                                          OR colour = 'green'),
    rule             TEXT NOT NULL,          -- the rule that decided (under an override too)
    cohort           TEXT,                   -- the cohort the rule matched, when it names one
    detail           TEXT NOT NULL DEFAULT '',
    since            INTEGER NOT NULL,       -- of the colour and rule
    policy_version   TEXT NOT NULL,
    last_negative_at INTEGER,
    override_id      INTEGER REFERENCES code_overrides(id),
    change_id        INTEGER NOT NULL REFERENCES code_changes(id)
);
INSERT INTO health_codes_0040 (person_id, colour, rule, cohort, detail, since,
                               policy_version, last_negative_at, override_id, change_id)
SELECT person_id, colour, rule, cohort, detail, since, policy_version, last_negative_at,
       override_id, change_id
FROM health_codes ORDER BY person_id;
DROP TABLE health_codes;
ALTER TABLE health_codes_0040 RENAME TO health_codes;

CREATE INDEX health_codes_rule ON health_codes(rule);
CREATE INDEX health_codes_override ON health_codes(override_id) WHERE override_id IS NOT NULL;
CREATE TRIGGER health_codes_logged_insert BEFORE INSERT ON health_codes
WHEN NOT EXISTS (SELECT 1 FROM code_changes c WHERE c.id = NEW.change_id
                 AND c.person_id = NEW.person_id AND c.to_colour = NEW.colour
                 AND c.rule = NEW.rule AND c.override_id IS NEW.override_id)
  OR EXISTS (SELECT 1 FROM code_changes c WHERE c.person_id = NEW.person_id
             AND c.id > NEW.change_id)
BEGIN
    SELECT RAISE(ABORT, 'health_codes: a colour is written only with its code_changes row');
END;
CREATE TRIGGER health_codes_logged_update BEFORE UPDATE ON health_codes
WHEN NEW.person_id <> OLD.person_id
  OR ((NEW.colour <> OLD.colour OR NEW.rule <> OLD.rule
       OR NEW.override_id IS NOT OLD.override_id OR NEW.change_id <> OLD.change_id)
      AND (NEW.change_id <= OLD.change_id
           OR NOT EXISTS (SELECT 1 FROM code_changes c WHERE c.id = NEW.change_id
                          AND c.person_id = NEW.person_id AND c.to_colour = NEW.colour
                          AND c.rule = NEW.rule AND c.override_id IS NEW.override_id)
           OR EXISTS (SELECT 1 FROM code_changes c WHERE c.person_id = NEW.person_id
                      AND c.id > NEW.change_id)))
BEGIN
    SELECT RAISE(ABORT, 'health_codes: a colour is written only with its code_changes row');
END;
CREATE TRIGGER health_codes_kept BEFORE DELETE ON health_codes
BEGIN
    SELECT RAISE(ABORT, 'health_codes: a code is never deleted');
END;
CREATE TRIGGER code_answers_code_added AFTER INSERT ON health_codes
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_code_changed AFTER UPDATE ON health_codes
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_code_deleted AFTER DELETE ON health_codes
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

CREATE TABLE testing_holds_0040 (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    tube_id         INTEGER NOT NULL REFERENCES tubes(id),
    round_id        INTEGER NOT NULL REFERENCES testing_rounds(id),
    result_id       INTEGER NOT NULL REFERENCES tube_results(id),
    reason          TEXT NOT NULL CHECK (reason IN ('positive_pool', 'invalid')),
    state           TEXT NOT NULL DEFAULT 'held'
                    CHECK (state = 'held' OR state = 'released' OR state = 'confirmed'),
    area_code       TEXT NOT NULL REFERENCES areas(code), -- the person's community
    lead_id         INTEGER REFERENCES leads(id),
    held_at         INTEGER NOT NULL,
    held_by         TEXT NOT NULL,
    ended_at        INTEGER,
    ended_by        TEXT,
    ended_result_id INTEGER REFERENCES tube_results(id),
    case_id         INTEGER REFERENCES cases(id),
    note            TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 300),
    CHECK ((state = 'held') = (ended_at IS NULL)),
    CHECK ((ended_at IS NULL) = (ended_by IS NULL)),
    CHECK ((ended_at IS NULL) = (ended_result_id IS NULL))
);
INSERT INTO testing_holds_0040 (id, person_id, tube_id, round_id, result_id, reason, state,
                                area_code, lead_id, held_at, held_by, ended_at, ended_by,
                                ended_result_id, case_id, note)
SELECT id, person_id, tube_id, round_id, result_id, reason, state, area_code, lead_id,
       held_at, held_by, ended_at, ended_by, ended_result_id, case_id, note
FROM testing_holds ORDER BY id;
DROP TABLE testing_holds;
ALTER TABLE testing_holds_0040 RENAME TO testing_holds;

CREATE UNIQUE INDEX testing_holds_open ON testing_holds(tube_id, person_id)
    WHERE state = 'held';
CREATE INDEX testing_holds_person ON testing_holds(person_id, state);
CREATE INDEX testing_holds_round ON testing_holds(round_id, state);
CREATE INDEX testing_holds_tube ON testing_holds(tube_id, result_id);
CREATE INDEX testing_holds_area ON testing_holds(area_code, id);
CREATE INDEX testing_holds_ended ON testing_holds(ended_result_id)
    WHERE ended_result_id IS NOT NULL;
CREATE TRIGGER testing_holds_moves BEFORE UPDATE ON testing_holds
WHEN NEW.person_id <> OLD.person_id OR NEW.tube_id <> OLD.tube_id
  OR NEW.round_id <> OLD.round_id OR NEW.result_id <> OLD.result_id
  OR NEW.reason <> OLD.reason OR NEW.held_at <> OLD.held_at
  OR (OLD.state <> 'held' AND NEW.state = 'held')
  OR (OLD.state <> 'held' AND NEW.state <> OLD.state
      AND NEW.ended_result_id IS OLD.ended_result_id)
BEGIN
    SELECT RAISE(ABORT, 'testing_holds: held > released | confirmed; an ended hold changes only with a correction of the result that ended it');
END;
CREATE TRIGGER testing_holds_kept BEFORE DELETE ON testing_holds
BEGIN
    SELECT RAISE(ABORT, 'testing_holds: a hold is never deleted');
END;

CREATE TABLE lead_events_0040 (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads(id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL CHECK (to_state = 'pushed' OR to_state = 'received'
                   OR to_state = 'found' OR to_state = 'not_found' OR to_state = 'refused'
                   OR to_state = 'controlled' OR to_state = 'closed'),
    note       TEXT NOT NULL DEFAULT ''
);
INSERT INTO lead_events_0040 (id, lead_id, at, actor, from_state, to_state, note)
SELECT id, lead_id, at, actor, from_state, to_state, note FROM lead_events ORDER BY id;
DROP TABLE lead_events;
ALTER TABLE lead_events_0040 RENAME TO lead_events;

CREATE INDEX lead_events_state ON lead_events(lead_id, to_state, at);

CREATE INDEX IF NOT EXISTS contacts_latest ON contacts(person_id, kind, first_overlap);
