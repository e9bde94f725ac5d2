-- 0019: traveler screening (外防输入) and checkpoint scans (卡口).
--
-- Risk-area lists of other regions arrive as versions: one risk_area_lists row per
-- import of a source (a full snapshot of that source: the newest version of a source
-- replaces its earlier ones; the lists of different sources add up). risk_areas are the
-- rows of one version; dates are local dates 'YYYY-MM-DD', valid_to NULL while in force.
CREATE TABLE risk_area_lists (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 63),
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    row_count   INTEGER NOT NULL CHECK (row_count >= 0),
    digest      TEXT NOT NULL CHECK (length(digest) = 64)   -- SHA-256 of the file, hex
);
CREATE INDEX risk_area_lists_source ON risk_area_lists(source, id);

CREATE TABLE risk_areas (
    id          INTEGER PRIMARY KEY,
    list_id     INTEGER NOT NULL REFERENCES risk_area_lists(id),
    region_code TEXT NOT NULL CHECK (length(region_code) BETWEEN 6 AND 12
                    AND region_code NOT GLOB '*[^0-9]*'),
    area_name   TEXT NOT NULL CHECK (length(area_name) <= 127),
    level       TEXT NOT NULL CHECK (level IN ('high', 'medium', 'low')),
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX risk_areas_list ON risk_areas(list_id, region_code);

-- Checkpoints (卡口): stations, airports, highway exits, ports and gates of the city.
CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    kind       TEXT NOT NULL CHECK (kind IN ('station', 'airport', 'highway', 'port', 'gate')),
    area_code  TEXT NOT NULL REFERENCES areas(code),
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);

-- Arrival registrations (落地登记): a registered person arrived at `arrived_at` through a
-- place of `place_kind` (a checkpoint when one is known) from a region (and area), bound
-- for a community of the city (the unit that takes the lead). source: how it came in.
CREATE TABLE arrivals (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES persons(id),
    arrived_at     INTEGER NOT NULL,
    place_kind     TEXT NOT NULL CHECK (place_kind IN ('station', 'airport', 'highway',
                       'port', 'gate')),
    place          TEXT NOT NULL DEFAULT '' CHECK (length(place) <= 127),
    checkpoint_id  INTEGER REFERENCES checkpoints(id),
    from_region    TEXT NOT NULL CHECK (length(from_region) BETWEEN 6 AND 12
                       AND from_region NOT GLOB '*[^0-9]*'),
    from_area      TEXT NOT NULL DEFAULT '' CHECK (length(from_area) <= 127),
    community_code TEXT NOT NULL REFERENCES areas(code),
    source         TEXT NOT NULL CHECK (source IN ('api', 'import', 'checkpoint', 'demo')),
    registered_by  TEXT NOT NULL,
    registered_at  INTEGER NOT NULL
);
CREATE INDEX arrivals_time ON arrivals(arrived_at);
CREATE INDEX arrivals_person ON arrivals(person_id, arrived_at);
CREATE INDEX arrivals_community ON arrivals(community_code, arrived_at);

-- Itinerary records: where a person stayed over [stay_from, stay_to] (instants).
CREATE TABLE itineraries (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    region_code TEXT NOT NULL CHECK (length(region_code) BETWEEN 6 AND 12
                    AND region_code NOT GLOB '*[^0-9]*'),
    area_name   TEXT NOT NULL DEFAULT '' CHECK (length(area_name) <= 127),
    stay_from   INTEGER NOT NULL,
    stay_to     INTEGER NOT NULL CHECK (stay_to >= stay_from),
    source      TEXT NOT NULL CHECK (source IN ('itinerary_card', 'self_report',
                    'checkpoint')),
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX itineraries_person ON itineraries(person_id, stay_to);

-- A scan at a checkpoint; an inbound scan with from_region registered arrival_id.
CREATE TABLE checkpoint_scans (
    id            INTEGER PRIMARY KEY,
    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    at            INTEGER NOT NULL,
    direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    from_region   TEXT NOT NULL DEFAULT '',
    arrival_id    INTEGER REFERENCES arrivals(id),
    scanned_by    TEXT NOT NULL
);
CREATE INDEX checkpoint_scans_cp ON checkpoint_scans(checkpoint_id, at);

-- A traveler match: an arrival whose stay (its from region, or an itinerary record of the
-- person inside the window) lay in a risk area of `level`, and the lead it made. One lead
-- per arrival and level (traveler_matches_once): matching again, at registration or when
-- a new list version arrives, never makes a second lead for the same stay; a stricter
-- level found later makes its own lead (a different measure).
CREATE TABLE traveler_matches (
    id           INTEGER PRIMARY KEY,
    arrival_id   INTEGER NOT NULL REFERENCES arrivals(id),
    person_id    INTEGER NOT NULL REFERENCES persons(id),
    risk_area_id INTEGER REFERENCES risk_areas(id),   -- NULL for the low tier of a county
    level        TEXT NOT NULL CHECK (level IN ('high', 'medium', 'low')),
    cohort       TEXT NOT NULL,                        -- the policy's measures cohort
    region_code  TEXT NOT NULL,
    area_name    TEXT NOT NULL DEFAULT '',
    itinerary_id INTEGER REFERENCES itineraries(id),  -- NULL: the arrival's from region
    measure      TEXT NOT NULL,                        -- the lead's measure_required
    test_days    TEXT NOT NULL DEFAULT '',             -- e.g. "1,2,3,5,7"
    lead_id      INTEGER NOT NULL REFERENCES leads(id),
    matched_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX traveler_matches_once ON traveler_matches(arrival_id, level);
CREATE INDEX traveler_matches_lead ON traveler_matches(lead_id);
CREATE INDEX traveler_matches_person ON traveler_matches(person_id);

-- The contract view (issue 6): every person with an open traveler lead made by screening.
CREATE VIEW traveler_pending AS
SELECT m.person_id AS person_id, m.level AS level, m.lead_id AS lead_id,
       a.arrived_at AS since
  FROM traveler_matches m
  JOIN leads l ON l.id = m.lead_id
  JOIN arrivals a ON a.id = m.arrival_id
 WHERE l.kind = 'traveler' AND l.state <> 'closed';
