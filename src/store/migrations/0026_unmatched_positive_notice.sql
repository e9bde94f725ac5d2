-- 0026: a positive result the lab cannot match to a tube (an unmatched row, 0017) tells
-- the policy's audiences at once (testing.unmatched_positive.notify), as a pool positive
-- or a positive single tube does: until now it was audited and listed by the day's
-- reconciliation only, so a positive somewhere in the round waited for someone to read
-- the report. The inbox's kinds are a CHECK, hence the table is rebuilt with one more
-- kind; rows, ids and indexes are kept as they were. Nothing references notifications.
CREATE TABLE notifications_0026 (
    id         INTEGER PRIMARY KEY,
    audience   TEXT NOT NULL CHECK (length(audience) BETWEEN 1 AND 31),
    area_code  TEXT NOT NULL REFERENCES areas(code),
    kind       TEXT NOT NULL CHECK (kind IN ('pool_positive', 'screening_positive',
                   'pool_cleared', 'result_corrected', 'unmatched_positive')),
    entity     TEXT NOT NULL,
    entity_id  INTEGER NOT NULL,
    message    TEXT NOT NULL CHECK (length(message) BETWEEN 1 AND 500),
    created_at INTEGER NOT NULL,
    ack_at     INTEGER,
    ack_by     TEXT,
    CHECK ((ack_at IS NULL) = (ack_by IS NULL))
);
INSERT INTO notifications_0026 SELECT id, audience, area_code, kind, entity, entity_id,
    message, created_at, ack_at, ack_by FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_0026 RENAME TO notifications;
CREATE INDEX notifications_inbox ON notifications(audience, area_code, id);
CREATE INDEX notifications_entity ON notifications(entity, entity_id, kind);
