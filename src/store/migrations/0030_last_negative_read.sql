-- 0030: a person's last negative test is read with the code, not written per person by
-- every negative tube. A round's results wrote health_codes.last_negative_at for each
-- member of each negative tube: one UPDATE of 970,001 rows for a city of 1,000,000,
-- 1.5-2.8 s of the 2.8-5 s results import (bench/testing). A result now writes its one
-- row; the code's read (store_sqlite_codes.c, CODE_GET) takes the later of
--  * health_codes.last_negative_at, from now on the last negative isolation test only
--    (isolation_tests: written by the recompute that recording such a test runs), and
--  * the person's last scan into a tube whose current result is negative (tube_members
--    by person, newest first; the tube's latest tube_results row),
-- the same value the column held before. Existing rows keep only the isolation part.
UPDATE health_codes SET last_negative_at = (
    SELECT max(x.result_at) FROM isolations i JOIN isolation_tests x ON x.isolation_id = i.id
    WHERE i.person_id = health_codes.person_id AND x.result = 'negative')
WHERE last_negative_at IS NOT NULL;
