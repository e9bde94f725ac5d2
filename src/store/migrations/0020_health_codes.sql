-- 0020: health codes (健康码): the colour of every person, derived by the policy's ordered
-- rules (health_code.rules) from the state the other tables hold, every change of it in
-- an append-only log, and manual overrides that take effect only after a second person
-- approves them (Zhengzhou 2022: a colour must never change quietly).
--
-- What SQLite holds, whatever the code above does:
--  * code_changes is append-only (no UPDATE, no DELETE), like audit;
--  * health_codes (the current code, one row per person, materialised so that a scan is
--    one primary-key read) changes its colour, rule or override only by citing a NEW
--    code_changes row of the same person that says exactly that change (change_id, the
--    person's latest log row): a write without its log row is refused; rows are never
--    deleted;
--  * an override moves pending > approved | rejected, approved > expired; it is decided
--    by a different user than the one who asked (code_overrides_decide).

-- The compiled rules of the policy in force (services/codes.c installs them from
-- health_code.rules; the recompute reads them, so every process applies the same rules).
CREATE TABLE code_rules (
    ord       INTEGER PRIMARY KEY,           -- 0-based; the first match wins
    rule      TEXT NOT NULL UNIQUE CHECK (length(rule) BETWEEN 1 AND 47),
    zh        TEXT NOT NULL,
    colour    TEXT NOT NULL CHECK (colour IN ('red', 'yellow', 'green')),
    condition TEXT NOT NULL CHECK (length(condition) BETWEEN 1 AND 47),
    params    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params))
);

-- One row: the policy the rules came from and the settings the conditions read.
CREATE TABLE code_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    policy_version  TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,           -- of the compiled rules and settings
    utc_offset_h    INTEGER NOT NULL,        -- the city's dates (reporting.utc_offset_h)
    overdue_grace_h INTEGER NOT NULL CHECK (overdue_grace_h >= 0),
    red_restricted  INTEGER NOT NULL CHECK (red_restricted IN (0, 1)),
    red_cohorts     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(red_cohorts)),
    installed_at    INTEGER NOT NULL
);

CREATE TABLE code_overrides (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES persons(id),
    colour       TEXT NOT NULL CHECK (colour IN ('red', 'yellow', 'green')),
    reason       TEXT NOT NULL CHECK (length(trim(reason)) >= 4 AND length(reason) <= 500),
    until        INTEGER,                    -- NULL: until lifted by another override
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    requested_by TEXT NOT NULL CHECK (length(requested_by) >= 1),
    requested_at INTEGER NOT NULL,
    decided_by   TEXT,
    decided_at   INTEGER,
    note         TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    CHECK ((status = 'pending') = (decided_by IS NULL)),
    CHECK ((decided_by IS NULL) = (decided_at IS NULL)),
    CHECK (decided_by IS NULL OR decided_by <> requested_by),
    CHECK (until IS NULL OR until > requested_at)
);
CREATE INDEX code_overrides_person ON code_overrides(person_id, status, id);
CREATE INDEX code_overrides_status ON code_overrides(status, id);
CREATE INDEX code_overrides_until ON code_overrides(until) WHERE status = 'approved';

CREATE TRIGGER code_overrides_decide BEFORE UPDATE ON code_overrides
WHEN NEW.person_id <> OLD.person_id OR NEW.colour <> OLD.colour OR NEW.reason <> OLD.reason
  OR NEW.until IS NOT OLD.until OR NEW.requested_by <> OLD.requested_by
  OR NEW.requested_at <> OLD.requested_at
  OR NOT ((OLD.status = 'pending' AND NEW.status IN ('approved', 'rejected'))
          OR (OLD.status = 'approved' AND NEW.status = 'expired'
              AND NEW.decided_by IS OLD.decided_by))
BEGIN
    SELECT RAISE(ABORT, 'code_overrides: pending > approved | rejected by another user, approved > expired; nothing else changes');
END;
CREATE TRIGGER code_overrides_kept BEFORE DELETE ON code_overrides
BEGIN
    SELECT RAISE(ABORT, 'code_overrides: an override is never deleted');
END;

-- Every colour assignment, the first one included. from_colour NULL: the first.
CREATE TABLE code_changes (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES persons(id),
    at             INTEGER NOT NULL,
    from_colour    TEXT CHECK (from_colour IN ('red', 'yellow', 'green')),
    to_colour      TEXT NOT NULL CHECK (to_colour IN ('red', 'yellow', 'green')),
    rule           TEXT NOT NULL CHECK (length(rule) >= 1),
    reason         TEXT NOT NULL DEFAULT '',
    operator       TEXT NOT NULL CHECK (length(operator) >= 1),
    source         TEXT NOT NULL CHECK (length(source) >= 1),
    policy_version TEXT NOT NULL CHECK (length(policy_version) >= 1),
    override_id    INTEGER REFERENCES code_overrides(id)
);
CREATE INDEX code_changes_person ON code_changes(person_id, id);

CREATE TRIGGER code_changes_no_update BEFORE UPDATE ON code_changes
BEGIN
    SELECT RAISE(ABORT, 'code_changes: the colour log is append-only');
END;
CREATE TRIGGER code_changes_no_delete BEFORE DELETE ON code_changes
BEGIN
    SELECT RAISE(ABORT, 'code_changes: the colour log is append-only');
END;

CREATE TABLE health_codes (
    person_id        INTEGER PRIMARY KEY REFERENCES persons(id),
    colour           TEXT NOT NULL CHECK (colour IN ('red', 'yellow', 'green')),
    rule             TEXT NOT NULL,          -- the rule that decided (under an override too)
    cohort           TEXT,                   -- the cohort the rule matched, when it names one
    detail           TEXT NOT NULL DEFAULT '',
    since            INTEGER NOT NULL,       -- of the colour and rule
    policy_version   TEXT NOT NULL,
    last_negative_at INTEGER,
    override_id      INTEGER REFERENCES code_overrides(id),
    change_id        INTEGER NOT NULL REFERENCES code_changes(id)
);
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

-- The reads the conditions make per person.
CREATE INDEX isolations_person_codes ON isolations(person_id, state);
