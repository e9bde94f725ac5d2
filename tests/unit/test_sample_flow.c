/* test_sample_flow.c - the sample flow (services/sample_flow.h, migration 0014): the
 * rules of one result (a positive needs both Ct values in a PCR run's range, the others
 * none), the schema's refusals at the store (only a closed tube of the box's site, once;
 * box moves in order; a result only for a tube received by that lab; corrections only of
 * the current result, history kept, rows never changed; a batch of first results checked
 * as a set, all or none), and the flow's tally at `now`. */
#include "testutil.h"

#include "services/sample_flow.h"
#include "store_fixture.h"

static result_input in(const char *result, int orf, double ct_orf, int n, double ct_n)
{
    return (result_input){.barcode = "T0000001", .result = result, .has_orf1ab = orf,
                          .ct_orf1ab = ct_orf, .has_n = n, .ct_n = ct_n};
}

static void refused(result_input r, const char *field)
{
    fk_err err;
    assert_int_equal(sample_result_check(&r, NULL, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, field);
}

static void result_rules(void **state)
{
    (void)state;
    fk_err err;
    result_input ok[] = {in("negative", 0, 0, 0, 0), in("invalid", 0, 0, 0, 0),
                         in("positive", 1, 28.5, 1, 31.2), in("positive", 1, 0.1, 1, 45)};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(sample_result_check(&ok[i], NULL, &err), 0);
    refused(in("", 0, 0, 0, 0), "result");
    refused(in("Positive", 1, 30, 1, 30), "result");
    refused(in("positive", 0, 0, 0, 0), "ct_orf1ab");
    refused(in("positive", 1, 30, 0, 0), "ct_n");
    refused(in("positive", 1, 0, 1, 30), "ct_orf1ab");
    refused(in("positive", 1, 30, 1, 45.5), "ct_n");
    refused(in("positive", 1, -3, 1, 30), "ct_orf1ab");
    refused(in("negative", 1, 38, 0, 0), "ct_orf1ab");
    refused(in("invalid", 0, 0, 1, 38), "ct_n");
    result_input r = in("positive", 1, 30, 0, 0);
    assert_int_equal(sample_result_check(&r, "results[2].", &err), -1);
    assert_non_null(strstr(err.message, "results[2].ct_n"));
}

/* A round, two sites, two labs, tubes T0000001..4 issued to site 1 (the first three
 * closed, the fourth still issued) and T9000001 to site 2 (closed). */
typedef struct world { int64_t round, site1, site2, lab, lab2, tubes[4], other; } world;

static int64_t tube_id(store *st, const char *code)
{
    fk_err err;
    tube_rec t;
    if (store_tube_get(st, code, &t, NULL, &err) != 0)
        fail_msg("%s: %s", code, err.message);
    return t.id;
}

static void make_world(store *st, world *w)
{
    fk_err err;
    round_rec r = {.name = "第一轮", .area_code = "510104001", .starts_at = 0, .ends_at = 99999,
                   .state = "open", .created_by = "t", .created_at = 1};
    assert_int_equal(store_round_insert(st, &r, NULL, &err), 0);
    site_rec s1 = {.round_id = r.id, .name = "采样点一", .area_code = "510104001001"};
    site_rec s2 = {.round_id = r.id, .name = "采样点二", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &s1, NULL, &err), 0);
    assert_int_equal(store_site_insert(st, &s2, NULL, &err), 0);
    const char *codes[] = {"T0000001", "T0000002", "T0000003", "T0000004"}, *o[] = {"T9000001"};
    assert_int_equal(store_tubes_issue(st, r.id, s1.id, codes, 4, "t", 1, NULL, &err), 0);
    assert_int_equal(store_tubes_issue(st, r.id, s2.id, o, 1, "t", 1, NULL, &err), 0);
    lab_rec l = {.name = "第三方检测实验室", .area_code = "510104", .created_by = "t"};
    lab_rec l2 = {.name = "区疾控实验室", .area_code = "510104", .created_by = "t"};
    assert_int_equal(store_lab_insert(st, &l, NULL, &err), 0);
    assert_int_equal(store_lab_insert(st, &l2, NULL, &err), 0);
    lab_rec dup = l;
    assert_int_equal(store_lab_insert(st, &dup, NULL, &err), -1);
    assert_string_equal(err.field, "name");
    *w = (world){.round = r.id, .site1 = s1.id, .site2 = s2.id, .lab = l.id, .lab2 = l2.id};
    for (int i = 0; i < 4; i++)
        w->tubes[i] = tube_id(st, codes[i]);
    w->other = tube_id(st, "T9000001");
    int64_t ids[] = {w->tubes[0], w->tubes[1], w->tubes[2], w->other};
    for (int i = 0; i < 4; i++) {
        person p = fixture_person("S", i);
        fixture_person_insert(st, &p);
        member_rec m = {.person_id = p.id, .round_id = r.id, .scanned_at = 1000,
                        .scanned_by = "s"};
        assert_int_equal(store_tube_scan(st, ids[i], 5, &m, NULL, &err), 0);
        assert_int_equal(store_tube_close(st, ids[i], "s", 1000 + i, NULL, &err), 0);
    }
}

static box_rec box(const char *code, const world *w)
{
    box_rec b = {.round_id = w->round, .site_id = w->site1, .packed_at = 2000,
                 .packed_by = "s"};
    snprintf(b.code, sizeof b.code, "%s", code);
    return b;
}

static result_rec result(int64_t tube, int64_t lab, const char *what, int64_t replaces)
{
    result_rec r = {.tube_id = tube, .lab_id = lab, .reported_at = 9000, .replaces = replaces,
                    .reported_by = "lab"};
    snprintf(r.result, sizeof r.result, "%s", what);
    if (!strcmp(what, "positive")) {
        r.has_ct = 1;
        r.ct_orf1ab = 30.5;
        r.ct_n = 32.25;
    }
    if (replaces)
        snprintf(r.reason, sizeof r.reason, "复核");
    return r;
}

static size_t results_of(store *st, int64_t tube)
{
    fk_err err;
    result_list h = {0};
    assert_int_equal(store_tube_results(st, tube, &h, &err), 0);
    size_t n = h.n;
    result_list_free(&h);
    return n;
}

static void store_refuses_out_of_order(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    make_world(st, &w);
    box_rec b = box("BOX00001", &w);
    /* an issued tube, another site's tube: the whole box is refused */
    int64_t with_open[] = {w.tubes[0], w.tubes[3]}, with_other[] = {w.tubes[0], w.other};
    assert_int_equal(store_box_pack(st, &b, with_open, 2, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "barcodes");
    assert_int_equal(store_box_pack(st, &b, with_other, 2, NULL, &err), -1);
    box_rec got;
    assert_int_equal(store_box_get(st, "BOX00001", &got, &err), -1); /* all or none */
    assert_int_equal(store_box_of_tube(st, w.tubes[0], &got, &err), 0);

    int64_t two[] = {w.tubes[0], w.tubes[1]};
    assert_int_equal(store_box_pack(st, &b, two, 2, NULL, &err), 0);
    /* a tube in one box only; a code once */
    box_rec b2 = box("BOX00002", &w);
    int64_t again[] = {w.tubes[2], w.tubes[1]};
    assert_int_equal(store_box_pack(st, &b2, again, 2, NULL, &err), -1);
    assert_string_equal(err.field, "barcodes");
    box_rec b3 = b;
    assert_int_equal(store_box_pack(st, &b3, &w.tubes[2], 1, NULL, &err), -1);
    assert_string_equal(err.field, "code");

    /* a result before receipt; receipt before hand-over */
    result_rec r = result(w.tubes[0], w.lab, "negative", 0);
    assert_int_equal(store_results_add(st, &r, 1, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(store_box_receive(st, b.id, w.lab, "lab", 3000, NULL, &err), -1);
    assert_string_equal(err.field, "code");
    assert_int_equal(store_box_hand_over(st, b.id, "王师傅", "s", 2500, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b.id, "王师傅", "s", 2500, NULL, &err), -1);
    assert_int_equal(store_box_receive(st, b.id, w.lab, "lab", 3000, NULL, &err), 0);
    assert_int_equal(store_box_get(st, "BOX00001", &got, &err), 0);
    assert_string_equal(got.state, "received");
    assert_string_equal(got.courier, "王师傅");
    assert_int_equal(got.tubes, 2);
    assert_int_equal(got.lab_id, w.lab);

    /* another lab may not report it; a positive without Ct is refused by the schema */
    r = result(w.tubes[0], w.lab2, "negative", 0);
    assert_int_equal(store_results_add(st, &r, 1, NULL, &err), -1);
    r = result(w.tubes[0], w.lab, "positive", 0);
    r.has_ct = 0;
    assert_int_equal(store_results_add(st, &r, 1, NULL, &err), -1);
    /* a batch is all or none */
    result_rec batch[] = {result(w.tubes[0], w.lab, "positive", 0),
                          result(w.tubes[2], w.lab, "negative", 0)};
    assert_int_equal(store_results_add(st, batch, 2, NULL, &err), -1);
    result_list h = {0};
    assert_int_equal(store_tube_results(st, w.tubes[0], &h, &err), 0);
    assert_int_equal(h.n, 0);

    r = result(w.tubes[0], w.lab, "positive", 0);
    assert_int_equal(store_results_add(st, &r, 1, NULL, &err), 0);
    /* a second first result; a correction of anything but the current row */
    result_rec twice = result(w.tubes[0], w.lab, "negative", 0);
    assert_int_equal(store_results_add(st, &twice, 1, NULL, &err), -1);
    result_rec c1 = result(w.tubes[0], w.lab, "negative", r.id);
    assert_int_equal(store_results_add(st, &c1, 1, NULL, &err), 0);
    result_rec stale = result(w.tubes[0], w.lab, "invalid", r.id);
    assert_int_equal(store_results_add(st, &stale, 1, NULL, &err), -1);
    result_rec c2 = result(w.tubes[0], w.lab, "invalid", c1.id);
    assert_int_equal(store_results_add(st, &c2, 1, NULL, &err), 0);

    assert_int_equal(store_tube_results(st, w.tubes[0], &h, &err), 0);
    assert_int_equal(h.n, 3); /* the history is kept, the current result last */
    assert_string_equal(h.items[0].result, "positive");
    assert_true(h.items[0].has_ct);
    assert_true(h.items[0].ct_n == 32.25);
    assert_int_equal(h.items[1].replaces, h.items[0].id);
    assert_string_equal(h.items[1].reason, "复核");
    assert_string_equal(h.items[2].result, "invalid");
    /* keyed by the tube (0043): tube * 128 + the result's rank */
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(h.items[k].id, w.tubes[0] * 128 + (int64_t)k);
    result_list_free(&h);
    /* a first and 127 corrections, then no more: the tube's range is full */
    int64_t current = c2.id;
    for (int k = 3; k < 128; k++) {
        result_rec c = result(w.tubes[0], w.lab, k % 2 ? "negative" : "invalid", current);
        assert_int_equal(store_results_add(st, &c, 1, NULL, &err), 0);
        current = c.id;
    }
    assert_int_equal(current, w.tubes[0] * 128 + 127);
    result_rec full = result(w.tubes[0], w.lab, "negative", current);
    assert_int_equal(store_results_add(st, &full, 1, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(results_of(st, w.tubes[0]), 128);
    assert_int_equal(results_of(st, w.tubes[0] + 1), 0);
}

/* Two or more first results are inserted with the triggers off and checked as a set
 * (store_sqlite_sample_flow.c): each refusal of the guard still refuses the whole batch,
 * and the triggers are back on after it, refused or not. */
static void store_checks_a_batch_of_results(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    make_world(st, &w);
    box_rec b = box("BOX00001", &w), b2 = box("BOX00002", &w);
    int64_t two[] = {w.tubes[0], w.tubes[1]};
    assert_int_equal(store_box_pack(st, &b, two, 2, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b.id, "王师傅", "s", 2500, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b.id, w.lab, "lab", 3000, NULL, &err), 0);
    assert_int_equal(store_box_pack(st, &b2, &w.tubes[2], 1, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b2.id, "李师傅", "s", 2500, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b2.id, w.lab2, "lab", 3000, NULL, &err), 0);

    result_rec other_lab[] = {result(w.tubes[0], w.lab, "negative", 0),
                              result(w.tubes[2], w.lab, "negative", 0)};
    result_rec twice[] = {result(w.tubes[0], w.lab, "negative", 0),
                          result(w.tubes[0], w.lab, "positive", 0)};
    result_rec unboxed[] = {result(w.tubes[1], w.lab, "negative", 0),
                            result(w.tubes[3], w.lab, "negative", 0)};
    result_rec *bad[] = {other_lab, twice, unboxed};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(store_results_add(st, bad[i], 2, NULL, &err), -1);
        assert_int_equal(err.code, FK_ECONFLICT);
        assert_string_equal(err.field, "barcode");
        for (int k = 0; k < 4; k++)
            assert_int_equal(results_of(st, w.tubes[k]), 0); /* all or none */
    }
    /* the triggers are on again: one row for another lab's tube is refused */
    result_rec one = result(w.tubes[2], w.lab, "negative", 0);
    assert_int_equal(store_results_add(st, &one, 1, NULL, &err), -1);

    result_rec good[] = {result(w.tubes[0], w.lab, "positive", 0),
                         result(w.tubes[1], w.lab, "negative", 0)};
    assert_int_equal(store_results_add(st, good, 2, NULL, &err), 0);
    assert_int_equal(good[0].id, store_first_result_id(w.tubes[0]));
    assert_int_equal(good[1].id, store_first_result_id(w.tubes[1]));
    assert_int_equal(results_of(st, w.tubes[0]), 1);
    assert_int_equal(results_of(st, w.tubes[1]), 1);
    /* a tube with a result in the store refuses a batch naming it again */
    result_rec again[] = {result(w.tubes[2], w.lab2, "negative", 0),
                          result(w.tubes[1], w.lab, "negative", 0)};
    assert_int_equal(store_results_add(st, again, 2, NULL, &err), -1);
    assert_int_equal(results_of(st, w.tubes[2]), 0);
    assert_int_equal(results_of(st, w.tubes[1]), 1);
    /* and the triggers are on after a good batch too */
    result_rec second = result(w.tubes[1], w.lab, "invalid", 0);
    assert_int_equal(store_results_add(st, &second, 1, NULL, &err), -1);
    assert_int_equal(store_results_add(st, again, 1, NULL, &err), 0);
    assert_int_equal(results_of(st, w.tubes[2]), 1);
}

static flow_row row(int64_t site, int64_t lab, const char *state, int64_t closed,
                    int64_t received, int64_t resulted, const char *result)
{
    flow_row r = {.site_id = site, .lab_id = lab, .closed_at = closed, .received_at = received,
                  .resulted_at = resulted};
    snprintf(r.site_name, sizeof r.site_name, "site %lld", (long long)site);
    snprintf(r.lab_name, sizeof r.lab_name, "lab %lld", (long long)lab);
    snprintf(r.box_state, sizeof r.box_state, "%s", state);
    snprintf(r.result, sizeof r.result, "%s", result);
    return r;
}

static void flow_tally(void **state)
{
    (void)state;
    fk_err err;
    const int64_t H = 3600, now = 100 * H;
    flow_row rows[] = {
        row(1, 0, "", now - 5 * H, 0, 0, ""),               /* waiting to pack, over */
        row(1, 0, "packed", now - 1 * H, 0, 0, ""),         /* waiting for the courier */
        row(1, 0, "handed_over", now - 3 * H, 0, 0, ""),    /* in transit, in time */
        row(1, 7, "received", now - 30 * H, now - 25 * H, 0, ""), /* late to lab, over result */
        row(2, 7, "received", now - 10 * H, now - 8 * H, now - 7 * H, "positive"),
        row(2, 8, "received", now - 50 * H, now - 48 * H, now - 20 * H, "negative"), /* late */
    };
    flow_report r;
    assert_int_equal(sample_flow_tally(rows, 6, now, 4 * H, 24 * H, &r, &err), 0);
    assert_int_equal(r.n_sites, 2);
    assert_int_equal(r.n_labs, 2);
    flow_counts *s1 = &r.sites[0], *s2 = &r.sites[1], *l7 = &r.labs[0], *l8 = &r.labs[1];
    assert_int_equal(s1->waiting_pack, 1);
    assert_int_equal(s1->waiting_handover, 1);
    assert_int_equal(s1->in_transit, 1);
    assert_int_equal(s1->waiting_result, 1);
    assert_int_equal(s1->over_sample_to_lab, 1);
    assert_int_equal(s1->late_to_lab, 1);
    assert_int_equal(s1->over_lab_to_result, 1);
    assert_int_equal(s2->resulted, 2);
    assert_int_equal(s2->positive, 1);
    assert_int_equal(s2->negative, 1);
    assert_int_equal(s2->late_result, 1);
    assert_int_equal(l7->id, 7);
    assert_int_equal(l7->waiting_result, 1);
    assert_int_equal(l7->resulted, 1);
    assert_int_equal(l7->over_lab_to_result, 1);
    assert_int_equal(l8->late_result, 1);
    assert_int_equal(l8->waiting_pack, 0);
    assert_int_equal(r.sample_to_lab_h, 4);
    sample_flow_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(result_rules),
        cmocka_unit_test_setup_teardown(store_refuses_out_of_order, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_checks_a_batch_of_results,
                                        store_fixture_setup_areas, store_fixture_teardown),
        cmocka_unit_test(flow_tally),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
