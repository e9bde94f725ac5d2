/* test_transfer.c - the transfer rules (model/transfer.h): trip, pickup and vehicle
 * moves, a trip's state from its pickups, lateness and escalation levels. */
#include "testutil.h"

#include "model/transfer.h"

static void trip_and_pickup_moves(void **state)
{
    (void)state;
    fk_err err;
    assert_int_equal(transfer_trip_check("assigned", "picked_up", &err), 0);
    assert_int_equal(transfer_trip_check("picked_up", "arrived", &err), 0);
    assert_int_equal(transfer_trip_check("assigned", "cancelled", &err), 0);
    const char *bad[][2] = {{"assigned", "arrived"}, {"arrived", "assigned"},
                            {"picked_up", "cancelled"}, {"cancelled", "assigned"},
                            {"assigned", "assigned"}, {"nowhere", "arrived"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(transfer_trip_check(bad[i][0], bad[i][1], &err), -1);
        assert_int_equal(err.code, FK_ECONFLICT);
        assert_string_equal(err.field, "state");
    }
    assert_int_equal(transfer_pickup_check("assigned", "aboard", &err), 0);
    assert_int_equal(transfer_pickup_check("assigned", "missed", &err), 0);
    assert_int_equal(transfer_pickup_check("aboard", "arrived", &err), 0);
    assert_int_equal(transfer_pickup_check("missed", "aboard", &err), -1);
    assert_int_equal(transfer_pickup_check("aboard", "missed", &err), -1);
    assert_int_equal(transfer_vehicle_check("available", "out_of_service", &err), 0);
    assert_int_equal(transfer_vehicle_check("disinfecting", "available", &err), 0);
    assert_int_equal(transfer_vehicle_check("available", "on_trip", &err), -1);
    assert_int_equal(transfer_vehicle_check("on_trip", "available", &err), -1);
    assert_true(transfer_vehicle_state_known("disinfecting"));
    assert_false(transfer_vehicle_state_known("parked"));
}

static void trip_state_from_pickups(void **state)
{
    (void)state;
    const char *waiting[] = {"aboard", "assigned"};
    const char *all_in[] = {"aboard", "missed", "aboard"};
    const char *none[] = {"missed", "missed"};
    assert_string_equal(transfer_trip_state_of("assigned", waiting, 2), "assigned");
    assert_string_equal(transfer_trip_state_of("assigned", all_in, 3), "picked_up");
    assert_string_equal(transfer_trip_state_of("assigned", none, 2), "cancelled");
    assert_string_equal(transfer_trip_state_of("picked_up", all_in, 3), "picked_up");
    assert_string_equal(transfer_trip_state_of("assigned", NULL, 0), "assigned");
}

static void lateness_and_levels(void **state)
{
    (void)state;
    const int64_t due = 100000, hour = 3600;
    assert_false(transfer_late("assigned", due, due)); /* at the deadline: in time */
    assert_true(transfer_late("assigned", due, due + 1));
    assert_true(transfer_late("picked_up", due, due + 1));
    assert_false(transfer_late("arrived", due, due + 99 * hour));
    assert_false(transfer_late("cancelled", due, due + 99 * hour));
    assert_false(transfer_late("assigned", 0, due));
    assert_int_equal(transfer_escalation_target("assigned", due, 8 * hour, due), TRANSFER_LEVEL_UNIT);
    assert_int_equal(transfer_escalation_target("assigned", due, 8 * hour, due + 1),
                     TRANSFER_LEVEL_DISTRICT);
    assert_int_equal(transfer_escalation_target("assigned", due, 8 * hour, due + 8 * hour),
                     TRANSFER_LEVEL_DISTRICT);
    assert_int_equal(transfer_escalation_target("assigned", due, 8 * hour, due + 8 * hour + 1),
                     TRANSFER_LEVEL_COMMAND);
    assert_int_equal(transfer_escalation_target("picked_up", due, 8 * hour, due + 99 * hour),
                     TRANSFER_LEVEL_COMMAND);
    assert_int_equal(transfer_escalation_target("arrived", due, 8 * hour, due + 99 * hour),
                     TRANSFER_LEVEL_UNIT);
    assert_string_equal(transfer_level_name(TRANSFER_LEVEL_DISTRICT), "district");
    assert_null(transfer_level_name(3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trip_and_pickup_moves),
        cmocka_unit_test(trip_state_from_pickups),
        cmocka_unit_test(lateness_and_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
