-- 0016: what follows a lab result (阳性处置): a positive pool holds its members in place
-- (就地管控) until each is re-sampled singly (单采复核); an invalid tube's members owe a
-- re-sample; the community, the police and the epidemiologists are told through an inbox.
--
-- Recheck rounds: tube_members UNIQUE(round_id, person_id) lets a person be scanned once
-- per round, so the single re-samples of a round's held persons go into its recheck round
-- (kind 'recheck', parent_id the round), opened by the first hold of that round. A round
-- has at most one recheck round (testing_rounds_recheck); a recheck round may have its own
-- (an invalid single tube in it).
ALTER TABLE testing_rounds ADD COLUMN kind TEXT NOT NULL DEFAULT 'mass'
    CHECK (kind IN ('mass', 'recheck'));
ALTER TABLE testing_rounds ADD COLUMN parent_id INTEGER REFERENCES testing_rounds(id);
CREATE UNIQUE INDEX testing_rounds_recheck ON testing_rounds(parent_id)
    WHERE parent_id IS NOT NULL;

CREATE TRIGGER testing_rounds_kind_guard BEFORE INSERT ON testing_rounds
WHEN (NEW.kind = 'recheck') <> (NEW.parent_id IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'testing_rounds: a recheck round, and only one, names its parent');
END;

-- A hold (就地管控 / 待重采): one person of one tube whose result held them. reason
-- positive_pool: a pooled tube was positive; invalid: the tube must be re-sampled. A
-- hold moves held > released (a negative single re-sample taken after it, or a
-- correction of the result that made it) | confirmed (a positive single re-sample: a
-- case). An ended hold changes again only when the result that ended it is corrected
-- (ended_result_id changes with it); it never goes back to held. What SQLite holds:
--  * one open hold per (tube, person) (testing_holds_open): holding twice is a no-op;
--  * the times and who of each state (CHECKs); rows are never deleted.
CREATE TABLE testing_holds (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    tube_id         INTEGER NOT NULL REFERENCES tubes(id),
    round_id        INTEGER NOT NULL REFERENCES testing_rounds(id),
    result_id       INTEGER NOT NULL REFERENCES tube_results(id),
    reason          TEXT NOT NULL CHECK (reason IN ('positive_pool', 'invalid')),
    state           TEXT NOT NULL DEFAULT 'held'
                    CHECK (state IN ('held', 'released', 'confirmed')),
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

-- The inbox (通知): one row per audience (a role) and area; whoever of that audience in
-- that area acknowledges it, for the unit. Messages carry no ID number.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    audience   TEXT NOT NULL CHECK (length(audience) BETWEEN 1 AND 31),
    area_code  TEXT NOT NULL REFERENCES areas(code),
    kind       TEXT NOT NULL CHECK (kind IN ('pool_positive', 'screening_positive',
                   'pool_cleared', 'result_corrected')),
    entity     TEXT NOT NULL,
    entity_id  INTEGER NOT NULL,
    message    TEXT NOT NULL CHECK (length(message) BETWEEN 1 AND 500),
    created_at INTEGER NOT NULL,
    ack_at     INTEGER,
    ack_by     TEXT,
    CHECK ((ack_at IS NULL) = (ack_by IS NULL))
);
CREATE INDEX notifications_inbox ON notifications(audience, area_code, id);
CREATE INDEX notifications_entity ON notifications(entity, entity_id, kind);
