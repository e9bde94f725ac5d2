-- 0017: reconciliation of a testing round (对账), the lab's side of what it actually finds.
-- A box's receipt says the box arrived; unpacking it says which tubes were in it. When a
-- lab unpacks a received box it scans the tubes it finds: a tube the box lists and the lab
-- did not find is missing at receipt (box_tubes_missing); a barcode found that the box
-- does not list is an unmatched tube (kind 'found'). A result the lab cannot match to a
-- tube is an unmatched tube too (kind 'result'): a positive for an unknown tube must
-- never vanish. Unmatched tubes are resolved later (who, when, how), never deleted.
-- What SQLite holds itself:
--  * a box is unpacked once, by the lab that received it (box_unpacks_guard);
--  * a tube is missing at most once, and only from the box that lists it;
--  * an unmatched row keeps what was recorded; only its resolution is filled, once
--    (unmatched_tubes_frozen);
--  * a 'result' row carries a result (a positive both Ct values), a 'found' row its box.
CREATE TABLE box_unpacks (
    id          INTEGER PRIMARY KEY,
    box_id      INTEGER NOT NULL UNIQUE REFERENCES sample_boxes(id),
    lab_id      INTEGER NOT NULL REFERENCES labs(id),
    unpacked_at INTEGER NOT NULL,
    unpacked_by TEXT NOT NULL,
    found       INTEGER NOT NULL CHECK (found >= 0),
    missing     INTEGER NOT NULL CHECK (missing >= 0),
    extra       INTEGER NOT NULL CHECK (extra >= 0)
);

CREATE TRIGGER box_unpacks_guard BEFORE INSERT ON box_unpacks
WHEN NOT EXISTS (SELECT 1 FROM sample_boxes b WHERE b.id = NEW.box_id
                 AND b.state = 'received' AND b.lab_id = NEW.lab_id)
BEGIN
    SELECT RAISE(ABORT, 'box_unpacks: the box was not received by this lab');
END;

CREATE TABLE box_tubes_missing (
    id        INTEGER PRIMARY KEY,
    unpack_id INTEGER NOT NULL REFERENCES box_unpacks(id),
    tube_id   INTEGER NOT NULL UNIQUE REFERENCES tubes(id)
);

CREATE TRIGGER box_tubes_missing_guard BEFORE INSERT ON box_tubes_missing
WHEN NOT EXISTS (SELECT 1 FROM box_unpacks u JOIN box_tubes bt ON bt.box_id = u.box_id
                 WHERE u.id = NEW.unpack_id AND bt.tube_id = NEW.tube_id)
BEGIN
    SELECT RAISE(ABORT, 'box_tubes_missing: the tube is not listed in the unpacked box');
END;

CREATE TABLE unmatched_tubes (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('found', 'result')),
    round_id        INTEGER NOT NULL REFERENCES testing_rounds(id),
    area_code       TEXT NOT NULL, -- the tube's or box's site, else the round's
    barcode         TEXT NOT NULL CHECK (length(barcode) BETWEEN 8 AND 20),
    reason          TEXT NOT NULL CHECK (reason IN ('unknown', 'other_box', 'not_boxed',
                                                    'never_sampled', 'not_received')),
    tube_id         INTEGER REFERENCES tubes(id),
    box_id          INTEGER REFERENCES sample_boxes(id), -- found: the box it was found in
    lab_id          INTEGER NOT NULL REFERENCES labs(id),
    result          TEXT CHECK (result IS NULL OR result IN ('negative', 'positive', 'invalid')),
    ct_orf1ab       REAL CHECK (ct_orf1ab IS NULL OR (ct_orf1ab > 0 AND ct_orf1ab <= 45)),
    ct_n            REAL CHECK (ct_n IS NULL OR (ct_n > 0 AND ct_n <= 45)),
    note            TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 255),
    recorded_at     INTEGER NOT NULL,
    recorded_by     TEXT NOT NULL,
    resolution      TEXT CHECK (resolution IS NULL OR
                                resolution IN ('matched', 'resampled', 'discarded')),
    resolution_note TEXT CHECK (resolution_note IS NULL OR
                                length(resolution_note) BETWEEN 1 AND 255),
    resolved_at     INTEGER,
    resolved_by     TEXT,
    CHECK ((kind = 'result') = (result IS NOT NULL)),
    CHECK ((kind = 'found') = (box_id IS NOT NULL)),
    CHECK ((coalesce(result, '') = 'positive') = (ct_orf1ab IS NOT NULL)),
    CHECK ((coalesce(result, '') = 'positive') = (ct_n IS NOT NULL)),
    CHECK ((resolution IS NULL) = (resolved_at IS NULL)),
    CHECK ((resolution IS NULL) = (resolution_note IS NULL))
);
-- The reconciliation reads a round's unmatched rows of one kind over a day.
CREATE INDEX unmatched_tubes_round ON unmatched_tubes(round_id, kind, recorded_at);

CREATE TRIGGER unmatched_tubes_frozen_update BEFORE UPDATE ON unmatched_tubes
WHEN OLD.resolution IS NOT NULL OR NEW.kind IS NOT OLD.kind OR NEW.round_id IS NOT OLD.round_id
  OR NEW.barcode IS NOT OLD.barcode OR NEW.reason IS NOT OLD.reason
  OR NEW.result IS NOT OLD.result OR NEW.ct_orf1ab IS NOT OLD.ct_orf1ab
  OR NEW.ct_n IS NOT OLD.ct_n OR NEW.lab_id IS NOT OLD.lab_id
  OR NEW.recorded_at IS NOT OLD.recorded_at OR NEW.note IS NOT OLD.note
BEGIN
    SELECT RAISE(ABORT, 'unmatched_tubes: only an open row is resolved, once');
END;

CREATE TRIGGER unmatched_tubes_frozen_delete BEFORE DELETE ON unmatched_tubes
BEGIN
    SELECT RAISE(ABORT, 'unmatched_tubes: a row is never deleted');
END;
