/*
 * handlers.h - every API handler, one file per resource (h_*.c).
 * Contract of each: see router.h (http_handler) and request.h.
 */
#ifndef FK_HTTP_HANDLERS_H
#define FK_HTTP_HANDLERS_H

#include "http/request.h"

int h_session_create(http_req *rq, fk_err *err);
int h_session_delete(http_req *rq, fk_err *err);
int h_me(http_req *rq, fk_err *err);

int h_persons_list(http_req *rq, fk_err *err);
int h_persons_create(http_req *rq, fk_err *err);
int h_person_get(http_req *rq, fk_err *err);
int h_person_put(http_req *rq, fk_err *err);
int h_person_patch(http_req *rq, fk_err *err);

int h_cases_list(http_req *rq, fk_err *err);
int h_cases_create(http_req *rq, fk_err *err);
int h_case_get(http_req *rq, fk_err *err);
int h_case_patch(http_req *rq, fk_err *err);
int h_case_transitions_list(http_req *rq, fk_err *err);
int h_case_transitions_create(http_req *rq, fk_err *err);
int h_case_contacts(http_req *rq, fk_err *err);
int h_case_contacts_discover(http_req *rq, fk_err *err);
int h_case_contacts_create(http_req *rq, fk_err *err);
int h_case_trajectory_create(http_req *rq, fk_err *err);
int h_contact_review(http_req *rq, fk_err *err);
int h_chains(http_req *rq, fk_err *err);

int h_leads_list(http_req *rq, fk_err *err);
int h_lead_get(http_req *rq, fk_err *err);
int h_leads_create(http_req *rq, fk_err *err);
int h_case_leads_push(http_req *rq, fk_err *err);
int h_lead_patch(http_req *rq, fk_err *err);

int h_resp_list(http_req *rq, fk_err *err);
int h_resp_set(http_req *rq, fk_err *err);
int h_reports_list(http_req *rq, fk_err *err);
int h_report_submit(http_req *rq, fk_err *err);
int h_performance(http_req *rq, fk_err *err);
int h_briefing(http_req *rq, fk_err *err);
int h_actions_list(http_req *rq, fk_err *err);
int h_action_record(http_req *rq, fk_err *err);
int h_transfers_list(http_req *rq, fk_err *err);
int h_transfers_create(http_req *rq, fk_err *err);
int h_transfer_get(http_req *rq, fk_err *err);
int h_transfer_pickup_patch(http_req *rq, fk_err *err);
int h_transfer_arrive(http_req *rq, fk_err *err);
/* h_sample_flow.c */
int h_testing_labs_list(http_req *rq, fk_err *err);
int h_testing_labs_create(http_req *rq, fk_err *err);
int h_testing_boxes_create(http_req *rq, fk_err *err);
int h_testing_box_get(http_req *rq, fk_err *err);
int h_testing_box_handover(http_req *rq, fk_err *err);
int h_testing_box_receive(http_req *rq, fk_err *err);
int h_testing_box_results(http_req *rq, fk_err *err);
int h_testing_tube_result(http_req *rq, fk_err *err);
int h_testing_tube_correction(http_req *rq, fk_err *err);
int h_testing_flow(http_req *rq, fk_err *err);
/* Add a tube's box, steps and results to its JSON j (for h_testing_tube_get). */
struct tube_rec;
int h_sample_flow_tube(http_req *rq, const struct tube_rec *t, json_t *j, fk_err *err);
/* h_testing.c */
int h_testing_rounds_list(http_req *rq, fk_err *err);
int h_testing_rounds_create(http_req *rq, fk_err *err);
int h_testing_round_get(http_req *rq, fk_err *err);
int h_testing_round_patch(http_req *rq, fk_err *err);
int h_testing_sites_list(http_req *rq, fk_err *err);
int h_testing_sites_create(http_req *rq, fk_err *err);
int h_testing_tubes_issue(http_req *rq, fk_err *err);
int h_testing_site_tubes(http_req *rq, fk_err *err);
int h_testing_tube_get(http_req *rq, fk_err *err);
int h_testing_tube_scan(http_req *rq, fk_err *err);
int h_testing_tube_close(http_req *rq, fk_err *err);
int h_person_samples(http_req *rq, fk_err *err);
/* h_codes.c */
int h_person_code(http_req *rq, fk_err *err);
int h_person_code_history(http_req *rq, fk_err *err);
int h_code_scan(http_req *rq, fk_err *err);
int h_public_code(http_req *rq, fk_err *err);
int h_code_override_create(http_req *rq, fk_err *err);
int h_code_overrides_list(http_req *rq, fk_err *err);
int h_code_override_approve(http_req *rq, fk_err *err);
int h_code_override_reject(http_req *rq, fk_err *err);
int h_testing_holds(http_req *rq, fk_err *err);
int h_notifications_list(http_req *rq, fk_err *err);
int h_notification_ack(http_req *rq, fk_err *err);

/* h_zones.c */
int h_zones_list(http_req *rq, fk_err *err);
int h_zone_get(http_req *rq, fk_err *err);
int h_zone_patch(http_req *rq, fk_err *err);
int h_zone_publish(http_req *rq, fk_err *err);
int h_zone_reject(http_req *rq, fk_err *err);
int h_zone_downgrade(http_req *rq, fk_err *err);
int h_zone_lift(http_req *rq, fk_err *err);
int h_case_zones_propose(http_req *rq, fk_err *err);
int h_public_risk_areas(http_req *rq, fk_err *err);
int h_public_risk_areas_history(http_req *rq, fk_err *err);
/* h_reconcile.c */
int h_testing_box_unpack(http_req *rq, fk_err *err);
int h_testing_unmatched_result(http_req *rq, fk_err *err);
int h_testing_unmatched_patch(http_req *rq, fk_err *err);
int h_testing_reconciliation(http_req *rq, fk_err *err);
/* h_coverage.c */
int h_coverage_units(http_req *rq, fk_err *err);
int h_coverage_households(http_req *rq, fk_err *err);
int h_coverage_untested(http_req *rq, fk_err *err);
int h_coverage_untested_file(http_req *rq, fk_err *err);
int h_vehicles_list(http_req *rq, fk_err *err);
int h_vehicles_create(http_req *rq, fk_err *err);
int h_vehicle_patch(http_req *rq, fk_err *err);
int h_crews_list(http_req *rq, fk_err *err);
int h_crews_create(http_req *rq, fk_err *err);
int h_facilities_list(http_req *rq, fk_err *err);
int h_facilities_create(http_req *rq, fk_err *err);
int h_facility_get(http_req *rq, fk_err *err);
int h_facility_patch(http_req *rq, fk_err *err);
int h_facility_rooms_list(http_req *rq, fk_err *err);
int h_facility_rooms_create(http_req *rq, fk_err *err);
int h_facility_room_patch(http_req *rq, fk_err *err);
int h_facility_staff_create(http_req *rq, fk_err *err);
int h_facility_checklist_set(http_req *rq, fk_err *err);
int h_facilities_allocate(http_req *rq, fk_err *err);
int h_facilities_outlook(http_req *rq, fk_err *err);

int h_isolations_list(http_req *rq, fk_err *err);
int h_isolations_create(http_req *rq, fk_err *err);
int h_isolations_due(http_req *rq, fk_err *err);
int h_isolation_get(http_req *rq, fk_err *err);
int h_isolation_test_patch(http_req *rq, fk_err *err);
int h_isolation_release(http_req *rq, fk_err *err);
int h_isolation_end(http_req *rq, fk_err *err);

int h_import_upload(http_req *rq, fk_err *err);

/* h_travel.c: traveler screening, checkpoints */
int h_travel_arrival_create(http_req *rq, fk_err *err);
int h_travel_arrivals_list(http_req *rq, fk_err *err);
int h_travel_itinerary_create(http_req *rq, fk_err *err);
int h_risk_lists(http_req *rq, fk_err *err);
int h_risk_list_get(http_req *rq, fk_err *err);
int h_checkpoint_create(http_req *rq, fk_err *err);
int h_checkpoints_list(http_req *rq, fk_err *err);
int h_checkpoint_scan(http_req *rq, fk_err *err);

int h_areas_list(http_req *rq, fk_err *err);
int h_area_get(http_req *rq, fk_err *err);
int h_households_list(http_req *rq, fk_err *err);
int h_venues_list(http_req *rq, fk_err *err);

int h_audit_list(http_req *rq, fk_err *err);
int h_stats(http_req *rq, fk_err *err);
int h_openapi(http_req *rq, fk_err *err);
int h_healthz(http_req *rq, fk_err *err);
int h_policy(http_req *rq, fk_err *err);

#endif
