#include "http/router.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/handlers.h"

static const route routes[] = {
    {"POST", "/api/v1/session", h_session_create, false, "Log in: username and password for a bearer token", "session"},
    {"DELETE", "/api/v1/session", h_session_delete, true, "Log out: revoke the bearer token", "session"},
    {"GET", "/api/v1/me", h_me, true, "The authenticated user", "session"},
    {"GET", "/api/v1/persons", h_persons_list, true, "List persons (q, community_code, resident_type, sex, flag, limit, offset)", "persons"},
    {"POST", "/api/v1/persons", h_persons_create, true, "Register a person", "persons"},
    {"GET", "/api/v1/persons/{id}", h_person_get, true, "Read one person", "persons"},
    {"PUT", "/api/v1/persons/{id}", h_person_put, true, "Replace a person's record", "persons"},
    {"PATCH", "/api/v1/persons/{id}", h_person_patch, true, "Change some fields of a person", "persons"},
    {"GET", "/api/v1/cases", h_cases_list, true, "List cases (q, classification, status, source, person_id, limit, offset)", "cases"},
    {"POST", "/api/v1/cases", h_cases_create, true, "Report a case", "cases"},
    {"GET", "/api/v1/cases/{id}", h_case_get, true, "Read one case", "cases"},
    {"PATCH", "/api/v1/cases/{id}", h_case_patch, true, "Change classification, severity, dates, source or hospital", "cases"},
    {"GET", "/api/v1/cases/{id}/transitions", h_case_transitions_list, true, "Status history of a case", "cases"},
    {"POST", "/api/v1/cases/{id}/transitions", h_case_transitions_create, true, "Move a case to its next status", "cases"},
    {"GET", "/api/v1/cases/{id}/contacts", h_case_contacts, true, "The stored contacts of a case, with evidence and review", "tracing"},
    {"POST", "/api/v1/cases/{id}/contacts/discover", h_case_contacts_discover, true, "Discover the case's companions (companions: false leaves them out), close and (secondary: true) secondary contacts and store them (from, to optional)", "tracing"},
    {"POST", "/api/v1/cases/{id}/contacts", h_case_contacts_create, true, "A person named in the case interview (contact, place, start, note)", "tracing"},
    {"POST", "/api/v1/cases/{id}/trajectory", h_case_trajectory_create, true, "A place of the case's trajectory from the interview (place, start, end)", "tracing"},
    {"PATCH", "/api/v1/contacts/{id}", h_contact_review, true, "Review a contact: status confirmed, dismissed or proposed, note", "tracing"},
    {"GET", "/api/v1/chains", h_chains, true, "Transmission chains: cases and the contact edges between them", "tracing"},
    {"GET", "/api/v1/leads", h_leads_list, true, "The leads queue (state, kind, case_id, overdue=1, area, limit, offset); escalates overdue leads first", "leads"},
    {"POST", "/api/v1/leads", h_leads_create, true, "A lead by hand (kind, person_id or subject, case_id, area_code, measure_required, assignee, pushed_at)", "leads"},
    {"GET", "/api/v1/leads/{id}", h_lead_get, true, "One lead with its events", "leads"},
    {"PATCH", "/api/v1/leads/{id}", h_lead_patch, true, "Move a lead (state, measure_taken, note, assignee)", "leads"},
    {"POST", "/api/v1/cases/{id}/leads", h_case_leads_push, true, "Push the case's contacts as leads (close and secondary contacts; dismissed and already pushed ones skipped); items=0 answers the count and the new ids only", "leads"},
    {"GET", "/api/v1/responsibilities", h_resp_list, true, "The responsibility matrix (area, function, at, history=1, limit, offset): current rows by default", "accountability"},
    {"POST", "/api/v1/responsibilities", h_resp_set, true, "Put a unit and official in office for an area and function (area_code, function, unit, official, phone, valid_from); ends the current term", "accountability"},
    {"GET", "/api/v1/reports/daily", h_reports_list, true, "The units expected to report on a day (date, area, now) and the state of each report: submitted, zero, late, missing, pending", "accountability"},
    {"POST", "/api/v1/reports/daily", h_report_submit, true, "The caller's unit's daily report (day, zero, figures, note)", "accountability"},
    {"GET", "/api/v1/performance", h_performance, true, "Performance per unit of a level for a period (from, to, level, now)", "accountability"},
    {"GET", "/api/v1/briefings", h_briefing, true, "The accountability briefing of a period (from, to, now): failures, who answered for each, actions decided", "accountability"},
    {"GET", "/api/v1/accountability/actions", h_actions_list, true, "Actions decided about failures (failure_ref, area, limit, offset)", "accountability"},
    {"POST", "/api/v1/accountability/actions", h_action_record, true, "Record an action about a failure (failure_ref, action, reason, unit, official)", "accountability"},
    {"GET", "/api/v1/transfers/vehicles", h_vehicles_list, true, "Transfer vehicles (area, limit, offset)", "transfers"},
    {"POST", "/api/v1/transfers/vehicles", h_vehicles_create, true, "A vehicle (plate, seats, area_code)", "transfers"},
    {"PATCH", "/api/v1/transfers/vehicles/{id}", h_vehicle_patch, true, "A vehicle's state by hand (available, disinfecting, out_of_service)", "transfers"},
    {"GET", "/api/v1/transfers/crews", h_crews_list, true, "Transfer crews (area, limit, offset)", "transfers"},
    {"POST", "/api/v1/transfers/crews", h_crews_create, true, "A crew (name, leader, phone, members, area_code)", "transfers"},
    {"GET", "/api/v1/transfers", h_transfers_list, true, "Trips (area, state, late=1, limit, offset), open ones soonest due first", "transfers"},
    {"POST", "/api/v1/transfers", h_transfers_create, true, "A trip (vehicle_id, crew_id, lead_ids, household): a room reserved for every person first", "transfers"},
    {"GET", "/api/v1/transfers/{id}", h_transfer_get, true, "A trip with its pickups and events", "transfers"},
    {"PATCH", "/api/v1/transfers/{id}/pickups/{pid}", h_transfer_pickup_patch, true, "A pickup aboard or missed (state, note)", "transfers"},
    {"POST", "/api/v1/transfers/{id}/arrive", h_transfer_arrive, true, "The trip arrives: isolations start in the reserved rooms, leads controlled", "transfers"},
    {"GET", "/api/v1/testing/rounds", h_testing_rounds_list, true, "Testing rounds (area, limit, offset), newest first", "testing"},
    {"POST", "/api/v1/testing/rounds", h_testing_rounds_create, true, "A testing round over an area and a time window (name, area_code, starts_at, ends_at, state planned or open)", "testing"},
    {"GET", "/api/v1/testing/rounds/{id}", h_testing_round_get, true, "One testing round with its counts of sites, tubes and persons scanned", "testing"},
    {"PATCH", "/api/v1/testing/rounds/{id}", h_testing_round_patch, true, "Open or close a testing round (state)", "testing"},
    {"GET", "/api/v1/testing/rounds/{id}/sites", h_testing_sites_list, true, "The sampling sites of a round (limit, offset)", "testing"},
    {"POST", "/api/v1/testing/rounds/{id}/sites", h_testing_sites_create, true, "A sampling site of the round (name, area_code, team, lon, lat)", "testing"},
    {"POST", "/api/v1/testing/sites/{id}/tubes", h_testing_tubes_issue, true, "Issue tube barcodes to a site (barcodes, or prefix, first, count, digits); all or none", "testing"},
    {"GET", "/api/v1/testing/sites/{id}/tubes", h_testing_site_tubes, true, "The tubes of a site by barcode, each with its box (box_code, box_state) and current result (state, unboxed=1, limit, offset)", "testing"},
    {"GET", "/api/v1/testing/tubes/{barcode}", h_testing_tube_get, true, "A tube with its members", "testing"},
    {"POST", "/api/v1/testing/tubes/{barcode}/scans", h_testing_tube_scan, true, "Scan a person into the tube (person_id or id_number); the tube closes when full", "testing"},
    {"POST", "/api/v1/testing/tubes/{barcode}/close", h_testing_tube_close, true, "Close an open tube by hand", "testing"},
    {"GET", "/api/v1/testing/rounds/{id}/coverage", h_coverage_units, true, "A round's coverage per unit: expected, tested, untested, exempt, rate (area, level, now)", "testing"},
    {"GET", "/api/v1/testing/rounds/{id}/coverage/households", h_coverage_households, true, "A round's coverage per household of an area, most untested first (area, now, limit, offset)", "testing"},
    {"GET", "/api/v1/testing/rounds/{id}/untested", h_coverage_untested, true, "The untested persons of an area with the reasons any needs home sampling, masked per role (area, household, home=1: only 上门采样, now, limit, offset)", "testing"},
    {"GET", "/api/v1/testing/rounds/{id}/untested.csv", h_coverage_untested_file, true, "The untested of an area as CSV for door-to-door follow-up (area, home=1: the 上门采样 list, now); audited", "testing"},
    {"GET", "/api/v1/testing/rounds/{id}/untested.xlsx", h_coverage_untested_file, true, "The untested of an area as XLSX (area, home, now); audited", "testing"},
    {"GET", "/api/v1/testing/labs", h_testing_labs_list, true, "The city's testing labs", "testing"},
    {"POST", "/api/v1/testing/labs", h_testing_labs_create, true, "A testing lab (name, area_code)", "testing"},
    {"POST", "/api/v1/testing/boxes", h_testing_boxes_create, true, "Pack closed tubes of one site into a transport box (code, site_id, barcodes); all or none", "testing"},
    {"GET", "/api/v1/testing/boxes/{code}", h_testing_box_get, true, "A transport box with its tubes", "testing"},
    {"POST", "/api/v1/testing/boxes/{code}/handover", h_testing_box_handover, true, "Hand a packed box to a courier (courier)", "testing"},
    {"POST", "/api/v1/testing/boxes/{code}/receive", h_testing_box_receive, true, "A lab receives a box handed over (lab_id)", "testing"},
    {"POST", "/api/v1/testing/boxes/{code}/results", h_testing_box_results, true, "The first results of tubes of a received box (lab_id, results of barcode, result, ct_orf1ab, ct_n); all or none", "testing"},
    {"POST", "/api/v1/testing/tubes/{barcode}/result", h_testing_tube_result, true, "A tube's first result: negative, positive with Ct values (ct_orf1ab, ct_n) or invalid (lab_id)", "testing"},
    {"POST", "/api/v1/testing/tubes/{barcode}/result/correction", h_testing_tube_correction, true, "Correct a tube's current result with a reason; the history is kept", "testing"},
    {"GET", "/api/v1/testing/flow", h_testing_flow, true, "Tubes waiting at each step and over the policy's limits, per site and per lab (round, site, lab, now)", "testing"},
    {"GET", "/api/v1/persons/{id}/code", h_person_code, true, "A person's health code: color, reasons, override, last negative test, a signed token valid until valid_until and its QR as SVG (audited)", "codes"},
    {"GET", "/api/v1/persons/{id}/code/history", h_person_code_history, true, "A person's colour log, newest first: at, from, to, rule, reason, operator, source, policy_version, override_id (limit)", "codes"},
    {"GET", "/api/v1/codes/{token}", h_code_scan, false, "A gate's scan of a code token (public): color, masked name, last negative test, valid_until, reasons, override; 400 malformed, 403 forged, 410 expired", "codes"},
    {"POST", "/api/v1/public/code", h_public_code, false, "One's own health code by ID number and phone (public; a wrong pair is 401)", "codes"},
    {"POST", "/api/v1/persons/{id}/code/overrides", h_code_override_create, true, "Ask for a manual override of a person's code (color, a written reason, until); pending until another user approves", "codes"},
    {"GET", "/api/v1/code-overrides", h_code_overrides_list, true, "Manual code overrides (status: pending, approved, rejected, expired; limit, offset), newest first", "codes"},
    {"POST", "/api/v1/code-overrides/{id}/approve", h_code_override_approve, true, "Approve an override (by another user than the requester): the code changes at once, logged", "codes"},
    {"POST", "/api/v1/code-overrides/{id}/reject", h_code_override_reject, true, "Reject an override (by another user than the requester)", "codes"},
    {"GET", "/api/v1/persons/{id}/samples", h_person_samples, true, "The person's testing history: round, site, tube, pool size, time, the tube's result; and the person's holds", "testing"},
    {"GET", "/api/v1/testing/holds", h_testing_holds, true, "Holds after positive pools and invalid tubes (round, state, person, tube, area, limit, offset), masked per role", "testing"},
    {"GET", "/api/v1/zones", h_zones_list, true, "Risk zones (status, level, area, case, limit, offset) with their dates and over-reach flags", "zones"},
    {"GET", "/api/v1/zones/{id}", h_zone_get, true, "One zone with its cases, events, flags and resident count", "zones"},
    {"PATCH", "/api/v1/zones/{id}", h_zone_patch, true, "Edit a proposed or published zone: level, unit (unit_kind with area_code or building_id), name, note", "zones"},
    {"POST", "/api/v1/zones/{id}/publish", h_zone_publish, true, "Publish a proposed zone (note)", "zones"},
    {"POST", "/api/v1/zones/{id}/reject", h_zone_reject, true, "Reject a proposed zone (note)", "zones"},
    {"POST", "/api/v1/zones/{id}/downgrade", h_zone_downgrade, true, "Take the policy's next downgrade step (note; force with a written reason before the date)", "zones"},
    {"POST", "/api/v1/zones/{id}/lift", h_zone_lift, true, "Lift a published zone (note; force with a written reason before the date)", "zones"},
    {"POST", "/api/v1/cases/{id}/zones/propose", h_case_zones_propose, true, "Propose zones from a case's residence and activity places (or extend the live ones)", "zones"},
    {"GET", "/api/v1/public/risk-areas", h_public_risk_areas, false, "PUBLIC: the risk areas in force (format=csv: region_code,area_name,level,from,to)", "public"},
    {"GET", "/api/v1/public/risk-areas/history", h_public_risk_areas_history, false, "PUBLIC: every risk area ever published with from and to (format=csv)", "public"},
    {"GET", "/api/v1/notifications", h_notifications_list, true, "The caller's notices for its role and area, newest first (unacked=1, limit, offset)", "notifications"},
    {"POST", "/api/v1/notifications/{id}/ack", h_notification_ack, true, "Acknowledge a notice for the unit", "notifications"},
    {"POST", "/api/v1/testing/boxes/{code}/unpack", h_testing_box_unpack, true, "The tubes a lab finds in a received box (barcodes, lab_id): the listed ones not found are missing at receipt, the others unmatched; once a box", "testing"},
    {"POST", "/api/v1/testing/labs/{id}/unmatched-results", h_testing_unmatched_result, true, "A result the lab cannot match to a tube it received (barcode, result, ct_orf1ab, ct_n, round_id, note)", "testing"},
    {"PATCH", "/api/v1/testing/unmatched/{id}", h_testing_unmatched_patch, true, "Resolve an unmatched tube or result (resolution matched, resampled or discarded; note)", "testing"},
    {"GET", "/api/v1/testing/rounds/{id}/reconciliation", h_testing_reconciliation, true, "A round's reconciliation: unreceived, unsampled, unknown results, no result, duplicate persons (day, area, now, limit); audited", "testing"},
    {"GET", "/api/v1/facilities", h_facilities_list, true, "Isolation facilities with their room counts by state (area, limit, offset)", "isolation"},
    {"POST", "/api/v1/facilities", h_facilities_create, true, "An isolation facility (name, area_code, address, lon, lat)", "isolation"},
    {"POST", "/api/v1/facilities/allocate", h_facilities_allocate, true, "Rooms for a batch of persons in one transaction (persons: [{person_id, lead_id}], household_sharing); all or nothing", "isolation", false, true},
    {"GET", "/api/v1/facilities/outlook", h_facilities_outlook, true, "Capacity outlook: rooms needed and available at the policy's horizons, with a warning when they run out (area)", "isolation"},
    {"GET", "/api/v1/facilities/{id}", h_facility_get, true, "One facility with its staff and the policy's checklist", "isolation"},
    {"PATCH", "/api/v1/facilities/{id}", h_facility_patch, true, "Change a facility (name, address, lon, lat, state open or closed)", "isolation"},
    {"GET", "/api/v1/facilities/{id}/rooms", h_facility_rooms_list, true, "The rooms of a facility (state)", "isolation"},
    {"POST", "/api/v1/facilities/{id}/rooms", h_facility_rooms_create, true, "Add rooms (numbers, or count and prefix; own_bathroom)", "isolation"},
    {"PATCH", "/api/v1/facilities/{id}/rooms/{room}", h_facility_room_patch, true, "Set a room's state by hand (vacant, cleaning, out_of_order)", "isolation"},
    {"POST", "/api/v1/facilities/{id}/staff", h_facility_staff_create, true, "Add a staff member (name, duty, phone)", "isolation"},
    {"POST", "/api/v1/facilities/{id}/checklist", h_facility_checklist_set, true, "Tick an item of the policy's facility checklist (item, ok, note)", "isolation"},
    {"GET", "/api/v1/isolations", h_isolations_list, true, "Isolations (state, kind, facility_id, person_id, area, limit, offset)", "isolation"},
    {"POST", "/api/v1/isolations", h_isolations_create, true, "Start an isolation (person_id, cohort, day1_date, lead_id, allocation_id); tests due from the policy", "isolation"},
    {"GET", "/api/v1/isolations/due", h_isolations_due, true, "Tests due on or before a date, not yet recorded (date): the lab work list", "isolation"},
    {"GET", "/api/v1/isolations/{id}", h_isolation_get, true, "One isolation with its tests", "isolation"},
    {"PATCH", "/api/v1/isolations/{id}/tests/{test}", h_isolation_test_patch, true, "Record a test result (negative, or positive: a case, the isolation ended early)", "isolation"},
    {"POST", "/api/v1/isolations/{id}/release", h_isolation_release, true, "Release at the end of the isolation, every test negative; the room goes to cleaning", "isolation"},
    {"POST", "/api/v1/isolations/{id}/end", h_isolation_end, true, "End early into a case of the person (case_id)", "isolation"},
    {"POST", "/api/v1/imports/{kind}", h_import_upload, true, "Import a CSV file (the body) as persons, cases, areas, stays, checkins, pings, proximity, scans, results, risk-areas (source=NAME), arrivals or itineraries (skip_bad=1, dry_run=1)", "imports", true},
    {"POST", "/api/v1/travel/arrivals", h_travel_arrival_create, true, "Register an arrival (落地登记: person_id or id_number, arrived_at, place_kind, place, checkpoint_id, from_region, from_area, community_code) and match it against the current risk-area lists", "travel"},
    {"GET", "/api/v1/travel/arrivals", h_travel_arrivals_list, true, "Arrivals to communities in jurisdiction with their match and lead (area, since, matched=1, limit, offset), masked per role", "travel"},
    {"POST", "/api/v1/travel/itineraries", h_travel_itinerary_create, true, "An itinerary stay (person_id or id_number, region_code, area_name, from, to, source); the person's recent arrivals are matched again", "travel"},
    {"GET", "/api/v1/risk-area-lists", h_risk_lists, true, "Risk-area list versions, newest first (current = newest of its source)", "travel"},
    {"GET", "/api/v1/risk-area-lists/{id}", h_risk_list_get, true, "One risk-area list version with its rows", "travel"},
    {"POST", "/api/v1/checkpoints", h_checkpoint_create, true, "A checkpoint (name, kind station|airport|highway|port|gate, area_code)", "travel"},
    {"GET", "/api/v1/checkpoints", h_checkpoints_list, true, "Checkpoints in jurisdiction", "travel"},
    {"POST", "/api/v1/checkpoints/{id}/scans", h_checkpoint_scan, true, "A scan at a checkpoint (id_number, person_id or token; direction in|out; from_region; at): an inbound scan with from_region registers an arrival; every scan is a stay for tracing", "travel"},
    {"GET", "/api/v1/areas", h_areas_list, true, "Children of an area (parent; none = districts)", "areas"},
    {"GET", "/api/v1/areas/{code}", h_area_get, true, "One area", "areas"},
    {"GET", "/api/v1/households", h_households_list, true, "Households of a community (community_code)", "areas"},
    {"GET", "/api/v1/venues", h_venues_list, true, "Venues (area, kind)", "areas"},
    {"GET", "/api/v1/audit", h_audit_list, true, "The audit log (command role only), newest first: the audit table and the gates' scans of health codes merged by time, each item's log saying which (audit, code_scans: numbered apart) (actor, entity, entity_id, limit, offset)", "audit"},
    {"GET", "/api/v1/stats", h_stats, true, "Counts for the dashboard", "operations"},
    {"GET", "/api/v1/policy", h_policy, true, "The policy in force: protocol version, rules, sources, local overrides", "operations"},
    {"GET", "/api/v1/openapi.json", h_openapi, false, "This document", "operations"},
    {"GET", "/healthz", h_healthz, false, "Liveness and store health", "operations"},
};

#define NROUTES (sizeof routes / sizeof routes[0])

/* Dispatch by section: a path's section is its text up to the end of its third segment
 * ("/api/v1/codes" of "/api/v1/codes/TOKEN", "/healthz" of "/healthz"). Every route's
 * section is literal text (no {param} in the first three segments, checked when the index
 * is built), so only the routes of the path's own section can match it: the index keeps
 * the routes sorted by section, table order kept within one, and a lookup is a binary
 * search plus the few patterns of that section instead of the whole table. Built once
 * (pthread_once); read-only after. A route whose section has a {param} would make every
 * path a candidate: such routes are tried for every path, in table order (none today). */
static size_t by_section[NROUTES]; /* route indexes sorted by (section, index) */
static size_t section_of[NROUTES]; /* each route's section length, for the search */
static size_t n_indexed;
static size_t loose[NROUTES]; /* routes whose section has a parameter */
static size_t n_loose;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static size_t section_len(const char *path)
{
    size_t n = 0;
    for (int slashes = 0; path[n]; n++)
        if (path[n] == '/' && ++slashes == 4)
            break;
    return n;
}

static int section_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static int by_section_cmp(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    const char *a = routes[i].pattern, *b = routes[j].pattern;
    int c = section_cmp(a, section_len(a), b, section_len(b));
    return c ? c : (i > j) - (i < j);
}

static void index_build(void)
{
    for (size_t i = 0; i < NROUTES; i++) {
        const char *p = routes[i].pattern;
        section_of[i] = section_len(p);
        if (memchr(p, '{', section_of[i]))
            loose[n_loose++] = i;
        else
            by_section[n_indexed++] = i;
    }
    qsort(by_section, n_indexed, sizeof by_section[0], by_section_cmp);
}

/* The first position in by_section whose section is not below the path's. */
static size_t section_first(const char *path, size_t n)
{
    size_t lo = 0, hi = n_indexed;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t r = by_section[mid];
        if (section_cmp(routes[r].pattern, section_of[r], path, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Match one pattern against a path, capturing {params}. */
static bool match(const char *pattern, const char *path, http_req *rq)
{
    int np = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *pend = strchr(pattern, '}');
            size_t n = strcspn(path, "/");
            if (!pend || n == 0 || np >= HTTP_MAX_PARAMS)
                return false;
            if (rq) { /* too long for any parameter: given as "", which no handler takes */
                size_t k = n < sizeof rq->pbuf[0] ? n : 0;
                memcpy(rq->pbuf[np], path, k);
                rq->pbuf[np][k] = '\0';
                rq->params[np] = rq->pbuf[np];
            }
            np++;
            pattern = pend + 1;
            path += n;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return *pattern == '\0' && *path == '\0';
}

/* Route i against the request: 1 found (*out set), 0 path only, -1 no match. */
static int try_route(size_t i, const char *method, const char *path, http_req *rq,
                     const route **out)
{
    if (!match(routes[i].pattern, path, rq))
        return -1;
    if (strcmp(routes[i].method, method))
        return 0;
    *out = &routes[i];
    return 1;
}

route_match router_find(const char *method, const char *path, http_req *rq, const route **out)
{
    bool path_seen = false;
    size_t n = section_len(path);
    pthread_once(&index_once, index_build);
    for (size_t k = section_first(path, n); k < n_indexed; k++) {
        size_t i = by_section[k];
        if (section_cmp(routes[i].pattern, section_of[i], path, n) != 0)
            break;
        int r = try_route(i, method, path, rq, out);
        if (r > 0)
            return ROUTE_FOUND;
        path_seen |= r == 0;
    }
    for (size_t k = 0; k < n_loose; k++) {
        int r = try_route(loose[k], method, path, rq, out);
        if (r > 0)
            return ROUTE_FOUND;
        path_seen |= r == 0;
    }
    return path_seen ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}

static json_t *operation(const route *r)
{
    json_t *op = json_pack("{s:s, s:[s], s:{s:{s:s}, s:{s:s}}}", "summary", r->summary, "tags",
                           r->tag, "responses", "200", "description", "success", "default",
                           "description", "{\"error\":{\"code\",\"message\",\"field\"}}");
    if (r->auth)
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
    if (r->upload)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s, s:s}}}}", "required", 1, "content",
                                      "text/csv", "schema", "type", "string", "format",
                                      "binary"));
    json_t *params = json_array();
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        char name[32];
        size_t n = strcspn(p + 1, "}");
        snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in",
                                                "path", "required", 1, "schema", "type",
                                                strcmp(name, "id") ? "string" : "integer"));
    }
    json_object_set_new(op, "parameters", params);
    return op;
}

json_t *router_openapi(void)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < NROUTES; i++) {
        json_t *item = json_object_get(paths, routes[i].pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, routes[i].pattern, item);
        }
        char m[8];
        size_t k = 0;
        for (; routes[i].method[k] && k < sizeof m - 1; k++)
            m[k] = (char)(routes[i].method[k] | 0x20);
        m[k] = '\0';
        json_object_set_new(item, m, operation(&routes[i]));
    }
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:{s:{s:s, s:s}}}}", "openapi", "3.0.3", "info",
                     "title", "fangkong API", "version", "1", "paths", paths, "components",
                     "securitySchemes", "bearer", "type", "http", "scheme", "bearer");
}
