-- 0033: a gate's scan (GET /api/v1/codes/{token}) answers from memory while nothing that
-- feeds its answer has changed. The server keeps, per worker thread, the answer of each
-- person it scanned (colour, rule and its Chinese name, masked name, last negative test,
-- override mark) with the `version` below as it was read; a scan reads this one row (one
-- page, no join) and uses what it kept only while the version has not moved. Every
-- change of what the answer is made of moves it, whoever writes it (the API, the CLI's
-- imports while the server runs, the sqlite3 shell), in the writer's own transaction:
--   health_codes  any row written or removed (colour, rule, override, isolation negative)
--   persons       a name changed, a person removed
--   code_rules    the rules replaced (a rule's Chinese name)
--   tube_results  any result written or changed (a tube's current result: last negative)
--   tube_members  a scan removed or moved, or added into a tube that already has a result
--                 (a new scan into a tube without one changes no answer: the read skips it)
-- The scan audit (code_scans, about once a second) touches none of them. A version
-- that moves for a write that changed no answer costs the next scan of each person
-- one full read, never a stale answer.
CREATE TABLE code_answers_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO code_answers_version (id, version) VALUES (1, 1);

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

CREATE TRIGGER code_answers_person_renamed AFTER UPDATE OF name ON persons
WHEN OLD.name IS NOT NEW.name
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_person_deleted AFTER DELETE ON persons
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER code_answers_rule_added AFTER INSERT ON code_rules
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_rule_changed AFTER UPDATE ON code_rules
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_rule_deleted AFTER DELETE ON code_rules
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER code_answers_result_added AFTER INSERT ON tube_results
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_result_changed AFTER UPDATE ON tube_results
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_result_deleted AFTER DELETE ON tube_results
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER code_answers_scan_added AFTER INSERT ON tube_members
WHEN EXISTS (SELECT 1 FROM tube_results r WHERE r.tube_id = NEW.tube_id)
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_scan_changed AFTER UPDATE OF tube_id, person_id, scanned_at
ON tube_members
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER code_answers_scan_deleted AFTER DELETE ON tube_members
BEGIN
    UPDATE code_answers_version SET version = version + 1 WHERE id = 1;
END;
