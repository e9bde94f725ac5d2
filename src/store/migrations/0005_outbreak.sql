-- 0005: the demo city's seeded outbreak, as ground truth (issue 3).
-- One row per infection the demo generator simulated: who infected whom, by which
-- route (household | venue | companion), where (venue code or grid cell, as in stays)
-- and when (Unix seconds). Subjects are the ones the movement data uses (phone, or the
-- ID number of a person without one), so a test can trace an infector and look for the
-- infectee among the contacts. Only the generator writes it; nothing reads it in serving.
CREATE TABLE outbreak_links (
    id               INTEGER PRIMARY KEY,
    infector_person  INTEGER NOT NULL REFERENCES persons(id),
    infectee_person  INTEGER NOT NULL REFERENCES persons(id),
    infector_subject TEXT NOT NULL,
    infectee_subject TEXT NOT NULL,
    route            TEXT NOT NULL CHECK (route IN ('household', 'venue', 'companion')),
    place            TEXT NOT NULL,
    time             INTEGER NOT NULL
);
