/*
 * store_int.h - the backend interface behind store.h (private to src/store/).
 *
 * A backend fills one `struct store_ops` with a function per public store_* call
 * (same parameters, minus nothing: the first is always the handle) and returns
 * handles whose first member is `struct store`, so store.c can reach the table:
 *
 *     struct sq_store { struct store base; sqlite3 *db; ... };
 *
 * store.c owns scheme selection and dispatch only; a backend owns its handle from
 * open until ops->close, which frees it. The *_list_free functions are backend
 * independent (every list is one heap array) and live in store.c.
 * Thread safety: as store.h, one handle per thread.
 */
#ifndef FK_STORE_STORE_INT_H
#define FK_STORE_STORE_INT_H

#include "store/store.h"

struct store_ops {
    const char *name;
    void (*close)(store *st);
    int (*schema_version)(store *st);
    int (*map_reads)(store *st, fk_err *err);
    int (*unmap_reads)(store *st, fk_err *err);
    int (*spill_early)(store *st, int kib, fk_err *err);
    int (*checkpoint_later)(store *st, bool later, fk_err *err);
    void (*wal_write_early)(store *st);
    int (*batch_writer)(store *st, fk_err *err);
    int (*check)(store *st, strbuf *report, fk_err *err);

    int (*begin)(store *st, fk_err *err);
    int (*commit)(store *st, fk_err *err);
    void (*rollback)(store *st);

    int (*audit_append)(store *st, const audit_rec *a, fk_err *err);
    int (*audit_append_many)(store *st, const audit_rec *a, size_t n, fk_err *err);
    int (*audit_list)(store *st, const audit_filter *f, audit_list *out, fk_err *err);
    int (*scan_audit_append_many)(store *st, const scan_audit_rec *s, size_t n, fk_err *err);

    int (*area_insert)(store *st, const area *a, fk_err *err);
    int (*area_get)(store *st, const char *code, area *out, fk_err *err);
    int (*area_children)(store *st, const char *parent_code, area_list *out, fk_err *err);
    int (*building_insert)(store *st, building *b, fk_err *err);
    int (*household_insert)(store *st, household *h, fk_err *err);
    int (*household_get)(store *st, int64_t id, household *out, fk_err *err);
    int (*household_list)(store *st, const char *community_code, int limit, int offset,
                          household_list *out, fk_err *err);
    int (*venue_insert)(store *st, venue *v, fk_err *err);
    int (*venue_list)(store *st, const char *area_prefix, const char *kind, int limit,
                      int offset, venue_list *out, fk_err *err);

    int (*stay_insert)(store *st, const stay_rec *s, fk_err *err);
    int (*stays_insert_many)(store *st, const stay_rec *s, size_t n, fk_err *err);
    int (*stays_each)(store *st, int64_t from, int64_t to, stay_fn fn, void *ctx, fk_err *err);
    int (*stays_version)(store *st, int64_t *out, fk_err *err);
    int (*ping_insert)(store *st, const ping_rec *p, fk_err *err);
    int (*pings_each)(store *st, int64_t from, int64_t to, ping_fn fn, void *ctx, fk_err *err);
    int (*detection_insert)(store *st, const detection_rec *d, fk_err *err);
    int (*detections_each)(store *st, int64_t from, int64_t to, detection_fn fn, void *ctx,
                           fk_err *err);

    int (*person_insert)(store *st, person *p, const audit_rec *a, fk_err *err);
    int (*person_update)(store *st, person *p, const audit_rec *a, fk_err *err);
    int (*person_get)(store *st, int64_t id, person *out, fk_err *err);
    int (*person_find_by_subject)(store *st, const char *subject, person *out, fk_err *err);
    int (*person_find_by_id_number)(store *st, const char *id_number, person *out,
                                    fk_err *err);
    int (*person_list)(store *st, const person_filter *f, person_list *out, fk_err *err);

    int (*case_insert)(store *st, epicase *c, const audit_rec *a, fk_err *err);
    int (*case_update)(store *st, epicase *c, const audit_rec *a, fk_err *err);
    int (*case_get)(store *st, int64_t id, epicase *out, fk_err *err);
    int (*case_list)(store *st, const case_filter *f, case_list *out, fk_err *err);
    int (*case_transition)(store *st, int64_t case_id, const char *to, const char *note,
                           const audit_rec *a, case_transition *out, fk_err *err);
    int (*case_transitions)(store *st, int64_t case_id, transition_list *out, fk_err *err);
    int (*case_tally)(store *st, const char *column, const char *area_prefix, tally_list *out,
                      fk_err *err);

    int (*user_insert)(store *st, user *u, const audit_rec *a, fk_err *err);
    int (*user_get_by_name)(store *st, const char *username, user *out, fk_err *err);
    int (*user_get)(store *st, int64_t id, user *out, fk_err *err);
    int (*user_update)(store *st, const user *u, const audit_rec *a, fk_err *err);
    int (*user_list)(store *st, user_list *out, fk_err *err);

    int (*session_insert)(store *st, const char *token_hash, int64_t user_id,
                          int64_t expires_at, fk_err *err);
    int (*session_user)(store *st, const char *token_hash, int64_t now, user *out,
                        fk_err *err);
    int (*session_revoke)(store *st, const char *token_hash, fk_err *err);
    int (*session_revoke_user)(store *st, int64_t user_id, fk_err *err);

    int (*counts_get)(store *st, store_counts *out, fk_err *err);

    int (*stays_after)(store *st, int64_t after_id, int64_t upto_id, stay_fn fn, void *ctx,
                       fk_err *err);
    int (*detections_after)(store *st, int64_t after_id, int64_t upto_id, detection_fn fn,
                            void *ctx, fk_err *err);
    int (*input_ids)(store *st, int64_t ids[3], fk_err *err);
    int (*pings_after)(store *st, int64_t after_id, int64_t upto_id, ping_fn fn, void *ctx,
                       fk_err *err);
    int (*ping_last)(store *st, const char *subject, int64_t upto_id, ping_rec *out,
                     fk_err *err);
    int (*contact_upsert)(store *st, contact_rec *c, const audit_rec *a, fk_err *err);
    int (*contact_get)(store *st, int64_t id, contact_rec *out, fk_err *err);
    int (*contact_list)(store *st, int64_t case_id, contact_rec_list *out, fk_err *err);
    int (*contact_review)(store *st, int64_t id, const char *status, const char *note,
                          const char *reviewer, int64_t at, const audit_rec *a, fk_err *err);
    int (*chain_edges)(store *st, const char *area_prefix, chain_edge_list *out, fk_err *err);
    int (*outbreak_link_insert)(store *st, outbreak_link *l, fk_err *err);
    int (*outbreak_links)(store *st, outbreak_link_list *out, fk_err *err);

    /* leads (store_leads.h) */
    int (*lead_insert)(store *st, lead_rec *l, const char *actor, const char *note,
                       const audit_rec *a, fk_err *err);
    int (*lead_get)(store *st, int64_t id, lead_rec *out, fk_err *err);
    int (*lead_list)(store *st, const lead_filter *f, lead_list *out, fk_err *err);
    int (*lead_each)(store *st, const lead_filter *f, lead_fn fn, void *ctx, fk_err *err);
    int (*lead_events)(store *st, int64_t lead_id, lead_event_list *out, fk_err *err);
    int (*lead_transition)(store *st, int64_t id, const char *from, const char *to,
                           const char *measure_taken, const char *assignee, const char *actor,
                           const char *note, int64_t at, const audit_rec *a, lead_rec *out,
                           fk_err *err);
    int (*lead_escalate)(store *st, int64_t id, int level, int64_t at, const char *actor,
                         const char *note, const audit_rec *a, int *raised, fk_err *err);
    int (*lead_push)(store *st, const lead_push *p, const audit_rec *a, int64_t *first,
                     int64_t *last, fk_err *err);
    int (*lead_range)(store *st, int64_t first, int64_t last, lead_list *out, fk_err *err);
    int (*lead_escalation_pending)(store *st, int64_t now, bool *pending, fk_err *err);
    int (*lead_escalate_page)(store *st, lead_sweep *sw, lead_sweep_page *out, fk_err *err);

    /* accountability (store_accountability.h) */
    int (*resp_set)(store *st, resp_rec *r, const audit_rec *a, fk_err *err);
    int (*resp_at)(store *st, const char *function, const char *area_code, int64_t at,
                   resp_rec *out, fk_err *err);
    int (*resp_list)(store *st, const resp_filter *f, resp_list *out, fk_err *err);
    int (*report_insert)(store *st, report_rec *r, const audit_rec *a, fk_err *err);
    int (*reports_between)(store *st, const char *from_day, const char *to_day,
                           const char *area_prefix, report_list *out, fk_err *err);
    int (*areas_at_levels)(store *st, const char *levels, const char *area_prefix,
                           area_list *out, fk_err *err);
    int (*action_insert)(store *st, action_rec *r, const audit_rec *a, fk_err *err);
    int (*action_list)(store *st, const action_filter *f, action_list *out, fk_err *err);
    int (*lead_facts)(store *st, int64_t from, int64_t to, const char *area_prefix,
                      lead_fact_list *out, fk_err *err);
    int (*lead_fact)(store *st, int64_t id, lead_fact *out, fk_err *err);

    /* isolation (store_isolation.h): its own table, one entry per call */
    const struct store_isolation_ops *isolation;
    /* transfers (store_transfers.h) */
    const struct store_transfer_ops *transfer;
    /* mass testing (store_testing.h) */
    const struct store_testing_ops *testing;
    /* coverage of a round (store_coverage.h) */
    const struct store_coverage_ops *coverage;
    /* sample flow (store_sample_flow.h) */
    const struct store_sample_flow_ops *sample_flow;
    /* holds, notices, recheck rounds (store_positives.h) */
    const struct store_positive_ops *positive;
    /* reconciliation of a round (store_reconcile.h) */
    const struct store_reconcile_ops *reconcile;
    /* bulk reads and writes of testing imports (store_testing_bulk.h) */
    const struct store_testing_bulk_ops *testing_bulk;
    /* the kept residents lookup (store_residents.h) */
    const struct store_residents_ops *residents;
    /* risk zones (store_zones.h) */
    const struct store_zone_ops *zone;
    /* traveler screening and checkpoints (store_travel.h) */
    const struct store_travel_ops *travel;
    /* health codes (store_codes.h) */
    const struct store_codes_ops *codes;
};

/* The health-code section's calls, same parameters as the store_* functions of
 * store_codes.h (dispatched by store_codes.c). */
struct store_codes_ops {
    int (*install)(store *st, const code_settings_rec *s, const code_rule_rec *rules, size_t n,
                   fk_err *err);
    int (*settings)(store *st, code_settings_rec *out, fk_err *err);
    int (*touch)(store *st, codes_by by, int64_t id, const char *ids, int64_t now, fk_err *err);
    int (*recompute)(store *st, int64_t now, const char *operator_, const char *source,
                     code_run *out, fk_err *err);
    int (*code_get)(store *st, int64_t person_id, code_rec *out, fk_err *err);
    int (*code_answers_version)(store *st, int64_t *version, fk_err *err);
    int (*code_history)(store *st, int64_t person_id, int limit, code_change_list *out,
                        fk_err *err);
    int (*override_insert)(store *st, override_rec *o, const audit_rec *a, fk_err *err);
    int (*override_get)(store *st, int64_t id, override_rec *out, fk_err *err);
    int (*override_list)(store *st, const char *status, const char *area_prefix, int limit,
                         int offset, override_list *out, fk_err *err);
    int (*override_decide)(store *st, int64_t id, const char *status, const char *by,
                           int64_t at, const char *note, const audit_rec *a, fk_err *err);
    int (*overrides_expire)(store *st, int64_t now, int64_t *n, fk_err *err);
};

/* The traveler screening section's calls, same parameters as the store_* functions of
 * store_travel.h (dispatched by store_travel.c). */
struct store_travel_ops {
    int (*risk_list_insert)(store *st, risk_list_rec *l, risk_area_rec *rows, size_t n,
                            const struct audit_rec *a, fk_err *err);
    int (*risk_lists)(store *st, risk_list_list *out, fk_err *err);
    int (*risk_list_get)(store *st, int64_t id, risk_list_rec *out, risk_area_list *rows,
                         fk_err *err);
    int (*risk_areas_current)(store *st, risk_area_list *out, fk_err *err);
    int (*checkpoint_insert)(store *st, checkpoint_rec *c, const struct audit_rec *a, fk_err *err);
    int (*checkpoint_get)(store *st, int64_t id, checkpoint_rec *out, fk_err *err);
    int (*checkpoint_list)(store *st, const char *area_prefix, checkpoint_list *out, fk_err *err);
    int (*arrival_insert)(store *st, arrival_rec *r, const struct audit_rec *a, fk_err *err);
    int (*arrival_get)(store *st, int64_t id, arrival_rec *out, fk_err *err);
    int (*arrival_list)(store *st, const arrival_filter *f, arrival_list *out, fk_err *err);
    int (*arrival_ids_since)(store *st, int64_t since, int64_t **ids, size_t *n, fk_err *err);
    int (*arrival_ids_of_person)(store *st, int64_t person_id, int64_t since, int64_t **ids,
                                 size_t *n, fk_err *err);
    int (*itinerary_insert)(store *st, itinerary_rec *r, const struct audit_rec *a, fk_err *err);
    int (*itineraries_of)(store *st, int64_t person_id, int64_t since, itinerary_list *out,
                          fk_err *err);
    int (*scan_insert)(store *st, scan_rec *r, const struct audit_rec *a, fk_err *err);
    int (*person_journeys)(store *st, int64_t person_id, int64_t since, journey_list *out,
                           fk_err *err);
    int (*match_insert)(store *st, match_rec *m, fk_err *err);
    int (*match_levels)(store *st, int64_t arrival_id, unsigned *mask, fk_err *err);
    int (*matches_of_arrival)(store *st, int64_t arrival_id, match_rec **out, size_t *n,
                              fk_err *err);
};

/* The positives section's calls, same parameters as the store_* functions of
 * store_positives.h (dispatched by store_positives.c). */
struct store_positive_ops {
    int (*holds_open)(store *st, const hold_open *h, int64_t *first, int64_t *n,
                      fk_err *err);
    int (*holds_release_corrected)(store *st, const char *ids, int64_t at, const char *by,
                                   const char *note_fmt, int64_t *n,
                                   fk_err *err);
    int (*holds_release_negative)(store *st, const char *ids, int64_t at, const char *by,
                                  const char *note, int64_t *n,
                                  fk_err *err);
    int (*holds_close_leads)(store *st, const char *ids, int64_t at, const char *by,
                             const char *measure, const char *note, fk_err *err);
    int (*single_positives)(store *st, const char *ids, single_positive_list *out,
                            fk_err *err);
    int (*results_to_follow)(store *st, const char *ids, char **out, fk_err *err);
    int (*holds_confirm)(store *st, int64_t person_id, int64_t sampled_at, int64_t replaced,
                         int64_t result_id, int64_t case_id, int64_t at, const char *by,
                         const char *note, int64_t *n, fk_err *err);
    int (*notices_for_results)(store *st, const char *kind, const char *ids,
                               const char *audience, const char *fmt, int64_t at,
                               fk_err *err);
    int (*notice_insert)(store *st, notice_rec *n, fk_err *err);
    int (*notice_list)(store *st, const notice_filter *f, notice_list *out, fk_err *err);
    int (*notice_get)(store *st, int64_t id, notice_rec *out, fk_err *err);
    int (*notice_ack)(store *st, int64_t id, const char *by, int64_t at, const audit_rec *a,
                      fk_err *err);
    int (*hold_list)(store *st, const hold_filter *f, hold_list *out, fk_err *err);
    int (*person_held)(store *st, int64_t person_id, fk_err *err);
};

/* The zones section's calls, same parameters as the store_* functions of store_zones.h
 * (dispatched by store_zones.c). */
struct store_zone_ops {
    int (*zone_live_at)(store *st, const char *unit_kind, const char *area_code, int64_t building_id, zone_rec *out, fk_err *err);
    int (*zone_insert)(store *st, zone_rec *z, fk_err *err);
    int (*zone_update)(store *st, const zone_rec *z, fk_err *err);
    int (*zone_get)(store *st, int64_t id, zone_rec *out, fk_err *err);
    int (*zone_list)(store *st, const zone_filter *f, zone_list *out, fk_err *err);
    int (*zone_case_add)(store *st, int64_t zone_id, int64_t case_id, const char *rule, int64_t at, int *added, fk_err *err);
    int (*zone_cases)(store *st, int64_t zone_id, zone_case_list *out, fk_err *err);
    int (*zone_event_add)(store *st, zone_event *e, fk_err *err);
    int (*zone_events)(store *st, int64_t zone_id, zone_event_list *out, fk_err *err);
    int (*zone_residents)(store *st, int64_t zone_id, int64_t *out, fk_err *err);
    int (*zone_person_ids)(store *st, int64_t zone_id, int64_t **ids, size_t *n, fk_err *err);
    int (*zone_case_places)(store *st, int64_t case_id, int64_t from, int64_t to, zone_place_list *out, fk_err *err);
    int (*zones_holding_case)(store *st, int64_t case_id, int64_t *ids, size_t cap, size_t *n, fk_err *err);
    int (*zone_negative_rounds)(store *st, int64_t zone_id, int64_t *starts, size_t cap, size_t *n, fk_err *err);
    int (*zone_last_contact)(store *st, int64_t zone_id, int64_t *out, fk_err *err);
    int (*zone_venue)(store *st, const char *code, char grid_code[16], char name[132], fk_err *err);
    int (*zone_building)(store *st, int64_t id, char grid_code[16], char name[132], fk_err *err);
    int (*zones_open_other)(store *st, const char *area_prefix, const char *level, int64_t except, int64_t *out, fk_err *err);
};

/* The reconciliation section's calls, same parameters as the store_* functions of
 * store_reconcile.h (dispatched by store_reconcile.c). */
struct store_reconcile_ops {
    int (*box_unpack)(store *st, unpack_rec *u, const int64_t *missing, size_t n_missing,
                      unmatched_rec *extras, size_t n_extras, const audit_rec *a, fk_err *err);
    int (*box_unpack_get)(store *st, int64_t box_id, unpack_rec *out, fk_err *err);
    int (*unmatched_insert)(store *st, unmatched_rec *u, const audit_rec *a, fk_err *err);
    int (*unmatched_get)(store *st, int64_t id, unmatched_rec *out, fk_err *err);
    int (*unmatched_resolve)(store *st, int64_t id, const char *resolution, const char *note,
                             const char *by, int64_t at, const audit_rec *a, fk_err *err);
    int (*each)(store *st, const recon_query *q, recon_fn fn, void *ctx, fk_err *err);
};

/* The bulk section's calls, same parameters as the store_* functions of
 * store_testing_bulk.h (dispatched by store_testing_bulk.c). */
struct store_testing_bulk_ops {
    int (*residents)(store *st, bulk_person_fn fn, void *ctx, fk_err *err);
    int (*open_round_tubes)(store *st, bulk_tube_fn fn, void *ctx, fk_err *err);
    int (*open_rounds)(store *st, bulk_round_fn fn, void *ctx, fk_err *err);
    int (*round_members)(store *st, int64_t round_id, bulk_id_fn fn, void *ctx, fk_err *err);
    int (*testing_flags)(store *st, bulk_flags_fn fn, void *ctx, fk_err *err);
    int (*received_tubes)(store *st, bulk_received_fn fn, void *ctx, fk_err *err);
    bulk_reader *(*reader_open)(store *st, fk_err *err);
    int (*tube_probe)(store *st, const char *barcode, tube_probe *out, fk_err *err);
    int (*scans_add)(store *st, const scan_row *rows, size_t n, const char *by, fk_err *err);
    int (*results_add_checked)(store *st, checked_result *r, size_t n, const char *by,
                               fk_err *err);
    int (*results_checked_hold)(store *st, bool on, fk_err *err);
};

/* The residents section's calls, same parameters as the store_* functions of
 * store_residents.h (dispatched by store_residents.c). */
struct store_residents_ops {
    int (*state)(store *st, residents_mark *now, residents_kept *kept, int *has, fk_err *err);
    int (*read)(store *st, residents_mark *now, residents_kept *kept, residents_alloc_fn alloc,
                void **out, fk_err *err);
    int (*save)(store *st, const residents_mark *from, const void *bytes, size_t n, int64_t at,
                fk_err *err);
};

/* The coverage section's calls, same parameters as the store_* functions of
 * store_coverage.h (dispatched by store_coverage.c). */
struct store_coverage_ops {
    int (*units)(store *st, const coverage_query *q, coverage_unit_list *out, fk_err *err);
    int (*households)(store *st, const coverage_query *q, coverage_household_list *out,
                      fk_err *err);
    int (*untested)(store *st, const coverage_query *q, untested_list *out, fk_err *err);
};

/* The sample-flow section's calls, same parameters as the store_* functions of
 * store_sample_flow.h (dispatched by store_sample_flow.c). */
struct store_sample_flow_ops {
    int (*lab_insert)(store *st, lab_rec *l, const audit_rec *a, fk_err *err);
    int (*lab_get)(store *st, int64_t id, lab_rec *out, fk_err *err);
    int (*lab_list)(store *st, lab_list *out, fk_err *err);
    int (*box_pack)(store *st, box_rec *b, const int64_t *tube_ids, size_t n,
                    const audit_rec *a, fk_err *err);
    int (*box_get)(store *st, const char *code, box_rec *out, fk_err *err);
    int (*box_of_tube)(store *st, int64_t tube_id, box_rec *out, fk_err *err);
    int (*box_barcodes)(store *st, int64_t box_id, char (**out)[24], size_t *n, fk_err *err);
    int (*box_hand_over)(store *st, int64_t id, const char *courier, const char *by,
                         int64_t at, const audit_rec *a, fk_err *err);
    int (*box_receive)(store *st, int64_t id, int64_t lab_id, const char *by, int64_t at,
                       const audit_rec *a, fk_err *err);
    int (*results_add)(store *st, result_rec *r, size_t n, const audit_rec *a, fk_err *err);
    int (*tube_results)(store *st, int64_t tube_id, result_list *out, fk_err *err);
    int (*flow_rows)(store *st, const flow_filter *f, flow_list *out, fk_err *err);
};

/* The testing section's calls, same parameters as the store_* functions of
 * store_testing.h (dispatched by store_testing.c). */
struct store_testing_ops {
    int (*round_insert)(store *st, round_rec *r, const audit_rec *a, fk_err *err);
    int (*round_get)(store *st, int64_t id, round_rec *out, fk_err *err);
    int (*round_head)(store *st, int64_t id, round_rec *out, fk_err *err);
    int (*round_list)(store *st, const char *area_prefix, int limit, int offset,
                      round_list *out, fk_err *err);
    int (*round_set_state)(store *st, int64_t id, const char *from, const char *to,
                           const audit_rec *a, fk_err *err);
    int (*site_insert)(store *st, site_rec *s, const audit_rec *a, fk_err *err);
    int (*site_get)(store *st, int64_t id, site_rec *out, fk_err *err);
    int (*site_list)(store *st, int64_t round_id, int limit, int offset, site_list *out,
                     fk_err *err);
    int (*tubes_issue)(store *st, int64_t round_id, int64_t site_id,
                       const char *const *barcodes, size_t n, const char *by, int64_t at,
                       const audit_rec *a, fk_err *err);
    int (*tube_get)(store *st, const char *barcode, tube_rec *out, member_list *members,
                    fk_err *err);
    int (*round_member)(store *st, int64_t round_id, int64_t person_id, member_rec *out,
                        fk_err *err);
    int (*tube_scan)(store *st, int64_t tube_id, int open_size, member_rec *m,
                     const audit_rec *a, fk_err *err);
    int (*tube_close)(store *st, int64_t tube_id, const char *by, int64_t at,
                      const audit_rec *a, fk_err *err);
    int (*person_samples)(store *st, int64_t person_id, member_list *out, fk_err *err);
    int (*person_testing_flags)(store *st, int64_t person_id, int *isolated, int *contact,
                                fk_err *err);
    int (*site_tubes)(store *st, int64_t site_id, const char *state, int unboxed, int limit,
                      int offset, site_tube_list *out, fk_err *err);
};

/* The transfer section's calls, same parameters as the store_* functions of
 * store_transfers.h (dispatched by store_transfers.c). */
struct store_transfer_ops {
    int (*trip_due_between)(store *st, int64_t from, int64_t to, const char *area_prefix,
                            trip_list *out, fk_err *err);
    int (*vehicle_insert)(store *st, vehicle_rec *v, const audit_rec *a, fk_err *err);
    int (*vehicle_get)(store *st, int64_t id, vehicle_rec *out, fk_err *err);
    int (*vehicle_list)(store *st, const char *area_prefix, int limit, int offset, vehicle_list *out, fk_err *err);
    int (*vehicle_set_state)(store *st, int64_t id, const char *from, const char *to, int64_t at, const audit_rec *a, fk_err *err);
    int (*crew_insert)(store *st, crew_rec *c, const audit_rec *a, fk_err *err);
    int (*crew_get)(store *st, int64_t id, crew_rec *out, fk_err *err);
    int (*crew_list)(store *st, const char *area_prefix, int limit, int offset, crew_list *out, fk_err *err);
    int (*trip_insert)(store *st, trip_rec *t, pickup_rec *p, size_t n, const audit_rec *a, fk_err *err);
    int (*trip_get)(store *st, int64_t id, trip_rec *out, pickup_list *pickups, trip_event_list *events, fk_err *err);
    int (*trip_list)(store *st, const trip_filter *f, trip_list *out, fk_err *err);
    int (*trip_set_state)(store *st, int64_t id, const char *from, const char *to, int64_t at, const char *actor, const char *note, const audit_rec *a, fk_err *err);
    int (*pickup_set_state)(store *st, int64_t trip_id, int64_t pickup_id, const char *from, const char *to, int64_t at, const char *note, const audit_rec *a, fk_err *err);
    int (*trip_escalate)(store *st, int64_t id, int level, int64_t at, const char *actor, const audit_rec *a, int *raised, fk_err *err);
    int (*trip_late_page)(store *st, int64_t now, int64_t after_due, int64_t after_id, int limit, trip_list *out, fk_err *err);
};

/* The isolation section's calls, same parameters as the store_* functions of
 * store_isolation.h (dispatched by store_isolation.c). */
struct store_isolation_ops {
    int (*facility_insert)(store *st, facility_rec *f, const audit_rec *a, fk_err *err);
    int (*facility_update)(store *st, facility_rec *f, const audit_rec *a, fk_err *err);
    int (*facility_get)(store *st, int64_t id, facility_rec *out, fk_err *err);
    int (*facility_list)(store *st, const char *area_prefix, int limit, int offset,
                         facility_list *out, fk_err *err);
    int (*facility_open)(store *st, const char *area_prefix, facility_list *out, fk_err *err);
    int (*rooms_insert)(store *st, int64_t fid, const char *const *numbers, size_t n,
                        int own_bathroom, const audit_rec *a, fk_err *err);
    int (*room_list)(store *st, int64_t fid, const char *state, room_list *out, fk_err *err);
    int (*room_get)(store *st, int64_t id, room_rec *out, fk_err *err);
    int (*room_set_state)(store *st, int64_t id, const char *from, const char *to,
                          const audit_rec *a, fk_err *err);
    int (*rooms_vacant)(store *st, int64_t fid, size_t cap, int64_t *ids, char (*numbers)[32],
                        size_t *n, fk_err *err);
    int (*staff_insert)(store *st, staff_rec *s, const audit_rec *a, fk_err *err);
    int (*staff_list)(store *st, int64_t fid, staff_list *out, fk_err *err);
    int (*check_set)(store *st, int64_t fid, const check_rec *c, const audit_rec *a,
                     fk_err *err);
    int (*check_list)(store *st, int64_t fid, check_list *out, fk_err *err);
    int (*person_places)(store *st, const int64_t *ids, size_t n, person_place *out,
                         fk_err *err);
    int (*lead_areas)(store *st, const int64_t *ids, size_t n, char (*areas)[16], fk_err *err);
    int (*homes_version)(store *st, int64_t *version, fk_err *err);
    int (*homes_each)(store *st, int (*fn)(const person_place *p, void *ctx), void *ctx,
                      fk_err *err);
    int (*allocation_insert)(store *st, allocation_rec *al, const char *actor,
                             const audit_rec *a, fk_err *err);
    int (*allocation_next_id)(store *st, int64_t *id, fk_err *err);
    int (*allocations_insert)(store *st, allocation_rec *al, size_t n, const char *actor,
                              fk_err *err);
    int (*allocation_get)(store *st, int64_t id, allocation_rec *out, fk_err *err);
    int (*allocation_of_person)(store *st, int64_t person_id, allocation_rec *out, fk_err *err);
    int (*isolation_insert)(store *st, isolation_rec *iso, isolation_test_rec *tests, size_t n,
                            const audit_rec *a, fk_err *err);
    int (*isolation_get)(store *st, int64_t id, isolation_rec *out, fk_err *err);
    int (*isolation_list)(store *st, const isolation_filter *f, isolation_list *out,
                          fk_err *err);
    int (*isolation_tests)(store *st, int64_t isolation_id, isolation_test_list *out,
                           fk_err *err);
    int (*isolation_test_result)(store *st, int64_t test_id, const char *result,
                                 const char *by, int64_t at, const audit_rec *a, fk_err *err);
    int (*isolation_end)(store *st, int64_t id, const char *state, int64_t case_id, int64_t at,
                         const audit_rec *a, fk_err *err);
    int (*isolation_due)(store *st, const char *date, const char *area_prefix,
                         isolation_test_list *out, fk_err *err);
    int (*outlook_counts)(store *st, const char *area_prefix, const char *measure,
                          int64_t since, outlook_counts *out, fk_err *err);
    int (*outlook_freeing)(store *st, const char *area_prefix, int64_t by, int64_t cleaning_s,
                           const char *last_end_day, int64_t *out, fk_err *err);
};

/* The common head of every backend's handle. */
struct store {
    const struct store_ops *ops;
};

/* SQLite backend (store_sqlite.c): open or create the database file `path`
 * (its directory exists) and apply pending migrations. NULL + err on failure. */
store *store_sqlite_open(const char *path, fk_err *err);
int store_sqlite_schema_latest(void);
/* The checkpointer of the database file `path` (store.h: store_checkpointer_start). */
store_checkpointer *store_sqlite_checkpointer_start(const char *path,
                                                    const store_checkpoint_limits *lim,
                                                    fk_err *err);

#endif
