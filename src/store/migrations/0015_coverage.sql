-- 0015: coverage of a testing round (应检尽检): who of an area should be tested, who was,
-- who was not. One grouped query walks the persons of an area by community code; this
-- index holds every column it reads (resident type for who is counted, birth date for an
-- age exemption, household for the drill-down), so the walk never touches the table.
-- The round's members are found through tube_members UNIQUE(round_id, person_id).
CREATE INDEX persons_coverage ON persons(community_code, resident_type, birth_date,
                                         household_id);
-- An isolation exempts a person when it covers the moment asked about: by person, then
-- start, so the EXISTS probe reads one or two index entries.
CREATE INDEX isolations_person ON isolations(person_id, started_at);
