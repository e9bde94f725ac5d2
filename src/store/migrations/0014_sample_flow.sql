-- 0014: sample flow (样本转运与检测), the second slice of mass testing: closed tubes are
-- packed into transport boxes (转运箱) at their site, a box is handed to a courier, a lab
-- receives it, and the lab reports a result per tube. Each step keeps its time and who.
-- What SQLite holds itself:
--  * a tube is in at most one box (box_tubes.tube_id UNIQUE), and only a closed tube of
--    the box's own site enters a box that is still packed (box_tubes_guard);
--  * a box moves packed > handed_over > received, its times and lab filled exactly in
--    the states that have them (CHECKs);
--  * results are rows, never changed nor deleted (tube_results_frozen): the current
--    result of a tube is its latest row; a correction names the row it replaces and a
--    reason, and only the latest row can be replaced (tube_results_guard);
--  * a result needs its tube received, by the lab that reports it: a result does not
--    imply receipt (tube_results_guard);
--  * a positive carries both Ct values (ORF1ab, N), the other results none; a Ct lies
--    within a PCR run's cycles, 0 < Ct <= 45 (the bound of the run, not a domain rule).
CREATE TABLE labs (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 127),
    area_code  TEXT NOT NULL REFERENCES areas(code),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sample_boxes (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 8 AND 20),
    round_id    INTEGER NOT NULL REFERENCES testing_rounds(id),
    site_id     INTEGER NOT NULL REFERENCES sampling_sites(id),
    state       TEXT NOT NULL DEFAULT 'packed'
                CHECK (state IN ('packed', 'handed_over', 'received')),
    packed_at   INTEGER NOT NULL,
    packed_by   TEXT NOT NULL,
    handed_at   INTEGER,
    handed_by   TEXT,
    courier     TEXT CHECK (courier IS NULL OR length(courier) BETWEEN 1 AND 127),
    received_at INTEGER,
    received_by TEXT,
    lab_id      INTEGER REFERENCES labs(id),
    CHECK ((state = 'packed') = (handed_at IS NULL)),
    CHECK ((handed_at IS NULL) = (courier IS NULL)),
    CHECK ((state = 'received') = (received_at IS NOT NULL)),
    CHECK ((received_at IS NULL) = (lab_id IS NULL))
);
CREATE INDEX sample_boxes_site ON sample_boxes(site_id, id);
CREATE INDEX sample_boxes_lab ON sample_boxes(lab_id, id);

CREATE TABLE box_tubes (
    id        INTEGER PRIMARY KEY,
    box_id    INTEGER NOT NULL REFERENCES sample_boxes(id),
    tube_id   INTEGER NOT NULL UNIQUE REFERENCES tubes(id),
    packed_at INTEGER NOT NULL
);
CREATE INDEX box_tubes_box ON box_tubes(box_id, id);

CREATE TRIGGER box_tubes_guard BEFORE INSERT ON box_tubes
WHEN NOT EXISTS (SELECT 1 FROM tubes t JOIN sample_boxes b ON b.id = NEW.box_id
                 WHERE t.id = NEW.tube_id AND t.state = 'closed' AND t.site_id = b.site_id
                 AND b.state = 'packed')
BEGIN
    SELECT RAISE(ABORT, 'box_tubes: the tube is not closed, is of another site, or the box left');
END;

CREATE TABLE tube_results (
    id          INTEGER PRIMARY KEY,
    tube_id     INTEGER NOT NULL REFERENCES tubes(id),
    result      TEXT NOT NULL CHECK (result IN ('negative', 'positive', 'invalid')),
    ct_orf1ab   REAL CHECK (ct_orf1ab IS NULL OR (ct_orf1ab > 0 AND ct_orf1ab <= 45)),
    ct_n        REAL CHECK (ct_n IS NULL OR (ct_n > 0 AND ct_n <= 45)),
    lab_id      INTEGER NOT NULL REFERENCES labs(id),
    reported_at INTEGER NOT NULL,
    reported_by TEXT NOT NULL,
    replaces    INTEGER UNIQUE REFERENCES tube_results(id),
    reason      TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 255),
    CHECK ((result = 'positive') = (ct_orf1ab IS NOT NULL)),
    CHECK ((result = 'positive') = (ct_n IS NOT NULL)),
    CHECK ((replaces IS NULL) = (reason IS NULL))
);
CREATE INDEX tube_results_tube ON tube_results(tube_id, id);

CREATE TRIGGER tube_results_guard BEFORE INSERT ON tube_results
WHEN NOT EXISTS (SELECT 1 FROM box_tubes bt JOIN sample_boxes b ON b.id = bt.box_id
                 WHERE bt.tube_id = NEW.tube_id AND b.state = 'received'
                 AND b.lab_id = NEW.lab_id)
  OR coalesce(NEW.replaces, 0) <>
     coalesce((SELECT max(id) FROM tube_results WHERE tube_id = NEW.tube_id), 0)
BEGIN
    SELECT RAISE(ABORT, 'tube_results: not received by this lab, or not the current result');
END;

CREATE TRIGGER tube_results_frozen_update BEFORE UPDATE ON tube_results
BEGIN
    SELECT RAISE(ABORT, 'tube_results: a result is corrected by a new row, never changed');
END;

CREATE TRIGGER tube_results_frozen_delete BEFORE DELETE ON tube_results
BEGIN
    SELECT RAISE(ABORT, 'tube_results: a result is never deleted');
END;
