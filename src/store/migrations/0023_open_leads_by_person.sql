-- 0023: a person's open leads by person, for the one read that asks it person by person:
-- a testing scan sizes the tube from the person's group (an open close or secondary
-- contact lead is a key group, testing.pool_by_group), and without this index every scan
-- read the whole leads table (350,000 rows in an outbreak) inside its write transaction.
-- Partial: closed leads (due_at NULL, the leads table's CHECK) are never asked for, and
-- leads without a registered person have nobody to scan. A push pays one entry a lead.
CREATE INDEX leads_open_person ON leads(person_id) WHERE due_at IS NOT NULL AND person_id IS NOT NULL;
