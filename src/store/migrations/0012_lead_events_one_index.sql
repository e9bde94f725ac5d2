-- 0012: lead_events keeps one index. lead_events_lead (lead_id, id) served a lead's
-- history, which lead_events_state (lead_id, to_state, at) serves as well (a lead has a
-- handful of events, sorted by id after the lookup); every event written paid for both,
-- and a push or an escalation sweep writes one per lead, hundreds of thousands at once.
DROP INDEX lead_events_lead;
