/*
 * json_io.h - domain records to and from JSON, with field-level errors.
 *
 * Decoders refuse unknown keys, wrong types and over-long strings, naming the field;
 * they do not judge content (model/ validation does). With `partial` (PATCH) only the
 * keys present change the record. Encoders return new references. Pure, thread-safe.
 */
#ifndef FK_HTTP_JSON_IO_H
#define FK_HTTP_JSON_IO_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "store/store.h"

int person_from_json(json_t *j, person *p, bool partial, fk_err *err);
json_t *person_to_json(const person *p);

int case_from_json(json_t *j, epicase *c, bool partial, fk_err *err);
json_t *case_to_json(const epicase *c);
json_t *transition_to_json(const case_transition *t);

json_t *area_to_json(const area *a);
json_t *audit_to_json(const audit_rec *a);
json_t *venue_to_json(const venue *v);
/* A hold (store_positives.h) and a list of them as an array. */
json_t *hold_to_json(const hold_rec *h);
json_t *holds_to_json(const hold_list *l);

/* "YYYY-MM-DDTHH:MM:SSZ" as a JSON string, or null for 0. */
json_t *json_instant(int64_t t);
/* A JSON string, or null for "". */
json_t *json_str_or_null(const char *s);

#endif
