-- 0011: the escalation sweep finds the leads it can still raise in one index range.
-- leads_due holds every open lead, so a sweep (the server's, every interval, and the
-- one before each list of the queue) read every overdue lead's row only to find it
-- already at command: about 0.1 s when a few hundred thousand are. This index holds
-- only the open leads below command (3, the top of the CHECK in 0007); a lead leaves
-- it when it reaches the top or is closed. The sweep's queries say
-- "escalation_level < 3" literally so that the planner can use it.
CREATE INDEX leads_rising ON leads(due_at) WHERE due_at IS NOT NULL AND escalation_level < 3;
