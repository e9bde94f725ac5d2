-- 0018: risk zones (风险区域划定): graded zones of the policy's scheme (封控区/管控区/
-- 防范区 or 高/中/低风险区) drawn over a unit of the hierarchy, proposed from cases,
-- reviewed, published, downgraded and lifted by the command; zone_persons for the codes.
--
-- A zone's unit: a building (unit_kind 'building', building_id; area_code its grid) or an
-- area (unit_kind the area's level: grid, community, street, district; area_code the
-- area). area_code serves jurisdiction (prefix) and the public list. Days are local
-- calendar days 'YYYY-MM-DD' (reporting.utc_offset_h). A zone moves
--     proposed > published > lifted,  proposed > rejected
-- and never back; one live (proposed or published) zone per unit (zones_live_unit), so a
-- second case at the same unit joins the zone (zone_cases) and pushes its dates out.
-- flags: 1 unit larger than the level allows, 4 a step forced before its date (the
-- written reason in zone_events); 2 (kept too long) is computed when read.
CREATE TABLE zones (
    id                 INTEGER PRIMARY KEY,
    scheme             TEXT NOT NULL CHECK (length(scheme) BETWEEN 1 AND 31),
    level              TEXT NOT NULL CHECK (length(level) BETWEEN 1 AND 15),
    origin_level       TEXT NOT NULL CHECK (length(origin_level) BETWEEN 1 AND 15),
    steps              INTEGER NOT NULL DEFAULT 0 CHECK (steps >= 0),
    pending_level      TEXT,          -- positive_inside_becomes: a stricter level proposed
    unit_kind          TEXT NOT NULL
                       CHECK (unit_kind IN ('building', 'grid', 'community', 'street', 'district')),
    building_id        INTEGER REFERENCES buildings(id),
    area_code          TEXT NOT NULL REFERENCES areas(code),
    name               TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    status             TEXT NOT NULL DEFAULT 'proposed'
                       CHECK (status IN ('proposed', 'published', 'lifted', 'rejected')),
    rule               TEXT NOT NULL CHECK (length(rule) BETWEEN 1 AND 160),
    policy_version     TEXT NOT NULL,
    start_date         TEXT NOT NULL,
    last_case_date     TEXT NOT NULL,
    last_step_date     TEXT,
    may_downgrade_date TEXT,
    may_downgrade_to   TEXT,
    may_lift_date      TEXT,
    flags              INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    created_by         TEXT NOT NULL,
    published_at       INTEGER,
    published_by       TEXT,
    lifted_at          INTEGER,
    lifted_by          TEXT,
    updated_at         INTEGER NOT NULL,
    CHECK ((unit_kind = 'building') = (building_id IS NOT NULL)),
    CHECK ((published_at IS NULL) = (published_by IS NULL)),
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
    CHECK (status NOT IN ('published', 'lifted') OR published_at IS NOT NULL),
    CHECK ((status = 'lifted') = (lifted_at IS NOT NULL))
);
CREATE UNIQUE INDEX zones_live_unit ON zones(unit_kind, area_code, ifnull(building_id, 0))
    WHERE status IN ('proposed', 'published');
CREATE INDEX zones_status ON zones(status, area_code);
CREATE INDEX zones_area ON zones(area_code, id);
CREATE INDEX zones_building ON zones(building_id) WHERE building_id IS NOT NULL;

CREATE TRIGGER zones_moves BEFORE UPDATE OF status ON zones
WHEN NEW.status <> OLD.status AND NOT (
       (OLD.status = 'proposed' AND NEW.status IN ('published', 'rejected'))
    OR (OLD.status = 'published' AND NEW.status = 'lifted'))
BEGIN
    SELECT RAISE(ABORT, 'zones: proposed > published > lifted | proposed > rejected');
END;
CREATE TRIGGER zones_kept BEFORE DELETE ON zones
BEGIN
    SELECT RAISE(ABORT, 'zones: a zone is never deleted');
END;

-- The cases behind a zone, and the rule that put each there (residence, activity place).
CREATE TABLE zone_cases (
    zone_id  INTEGER NOT NULL REFERENCES zones(id),
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    rule     TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (zone_id, case_id)
) WITHOUT ROWID;
CREATE INDEX zone_cases_case ON zone_cases(case_id);

-- Every change of a zone, append-only: proposed, extended, edited, published, downgraded,
-- lifted, rejected, upgrade_proposed; forced = 1 when a step was taken before its date.
CREATE TABLE zone_events (
    id         INTEGER PRIMARY KEY,
    zone_id    INTEGER NOT NULL REFERENCES zones(id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('proposed', 'extended', 'edited', 'published',
                   'downgraded', 'lifted', 'rejected', 'upgrade_proposed')),
    from_level TEXT NOT NULL DEFAULT '',
    to_level   TEXT NOT NULL DEFAULT '',
    forced     INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    note       TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500)
);
CREATE INDEX zone_events_zone ON zone_events(zone_id, id);
CREATE TRIGGER zone_events_no_update BEFORE UPDATE ON zone_events
BEGIN
    SELECT RAISE(ABORT, 'zone_events: append-only');
END;
CREATE TRIGGER zone_events_no_delete BEFORE DELETE ON zone_events
BEGIN
    SELECT RAISE(ABORT, 'zone_events: append-only');
END;

-- Every person whose residence lies inside a published zone (issue 6 contract). The
-- residence is the household's building (-> its grid -> the areas up the chain, by area
-- code prefix: codes are hierarchical), or persons.community_code when the person has no
-- household. Each branch walks an index from the zone: buildings_grid /
-- households_building / persons_household, or persons_community for the others.
CREATE VIEW zone_persons (person_id, zone_id, level) AS
    SELECT p.id, z.id, z.level
      FROM zones z
      JOIN households h ON h.building_id = z.building_id
      JOIN persons p ON p.household_id = h.id
     WHERE z.status = 'published' AND z.unit_kind = 'building'
    UNION ALL
    SELECT p.id, z.id, z.level
      FROM zones z
      JOIN buildings b ON b.grid_code >= z.area_code AND b.grid_code < z.area_code || '~'
      JOIN households h ON h.building_id = b.id
      JOIN persons p ON p.household_id = h.id
     WHERE z.status = 'published' AND z.unit_kind <> 'building'
    UNION ALL
    SELECT p.id, z.id, z.level
      FROM zones z
      JOIN persons p ON p.community_code >= z.area_code AND p.community_code < z.area_code || '~'
     WHERE z.status = 'published' AND z.unit_kind IN ('community', 'street', 'district')
       AND p.household_id IS NULL;
