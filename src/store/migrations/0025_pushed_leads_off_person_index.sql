-- 0025: a push no longer writes an entry in leads_open_person (0023) for every lead. Its
-- key, person_id, is random in a push (a case's contacts are people all over the city),
-- so each push's commit rewrote about one leaf page of that index per lead it made:
-- about 0.2 s of server CPU and wall in bench/loop's push of 101,655 leads. A pushed
-- lead (contact_id set: only a push sets it) is found from its person through the
-- contact it came from instead: contacts_person, then leads_case on the contact's
-- (case_id, subject), the pair a push copies into the lead (store_sqlite_testing.c,
-- the one read that asks). The index keeps the open leads made any other way (by hand,
-- travelers, retests), which no contact leads to.
DROP INDEX leads_open_person;
CREATE INDEX leads_open_person ON leads(person_id)
    WHERE due_at IS NOT NULL AND person_id IS NOT NULL AND contact_id IS NULL;
