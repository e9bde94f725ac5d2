#include "http/json_io.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"

static int check_keys(json_t *j, const char *const *allowed, fk_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, key))
            a++;
        if (!*a)
            return fk_fail(err, FK_EINVAL, key, "%s: unknown field", key);
    }
    return 0;
}

/* Copy a string field. Absent: leaves out as is (partial) or clears it.
 * null counts as "". Returns -1 on a wrong type or an over-long value. */
static int get_str(json_t *j, const char *key, char *out, size_t cap, bool partial, fk_err *err)
{
    json_t *v = json_object_get(j, key);
    if (!v) {
        if (!partial)
            out[0] = '\0';
        return 0;
    }
    if (json_is_null(v)) {
        out[0] = '\0';
        return 0;
    }
    if (!json_is_string(v))
        return fk_fail(err, FK_EINVAL, key, "%s: must be a string", key);
    if (json_string_length(v) >= cap)
        return fk_fail(err, FK_EINVAL, key, "%s: at most %zu bytes", key, cap - 1);
    if (memchr(json_string_value(v), '\0', json_string_length(v)))
        return fk_fail(err, FK_EINVAL, key, "%s: must not contain NUL", key);
    snprintf(out, cap, "%s", json_string_value(v));
    return 0;
}

static int get_id(json_t *j, const char *key, int64_t *out, bool partial, fk_err *err)
{
    json_t *v = json_object_get(j, key);
    if (!v) {
        if (!partial)
            *out = 0;
        return 0;
    }
    if (json_is_null(v)) {
        *out = 0;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return fk_fail(err, FK_EINVAL, key, "%s: must be a positive integer or null", key);
    *out = json_integer_value(v);
    return 0;
}

static int require(json_t *j, const char *key, bool partial, fk_err *err)
{
    json_t *v = json_object_get(j, key);
    if (partial || (v && !json_is_null(v)))
        return 0;
    return fk_fail(err, FK_EINVAL, key, "%s: required", key);
}

static int get_flags(json_t *j, unsigned *flags, bool partial, fk_err *err)
{
    json_t *v = json_object_get(j, "flags"), *f;
    size_t i;
    if (!v) {
        if (!partial)
            *flags = 0;
        return 0;
    }
    if (!json_is_array(v))
        return fk_fail(err, FK_EINVAL, "flags", "flags: must be an array of strings");
    *flags = 0;
    json_array_foreach(v, i, f) {
        unsigned bit = json_is_string(f) ? person_flag_from_name(json_string_value(f)) : 0;
        if (!bit)
            return fk_fail(err, FK_EINVAL, "flags",
                           "flags: unknown flag (elderly_alone, disabled, pregnant, chronic)");
        *flags |= bit;
    }
    return 0;
}

int person_from_json(json_t *j, person *p, bool partial, fk_err *err)
{
    static const char *const keys[] = {"name", "id_type", "id_number", "sex", "birth_date",
                                       "phone", "resident_type", "household_id", "address",
                                       "community_code", "work_unit", "flags", NULL};
    if (check_keys(j, keys, err) || require(j, "name", partial, err) ||
        require(j, "id_number", partial, err))
        return -1;
    if (partial && json_object_get(j, "id_number")) {
        /* a new ID number re-derives birth date and sex unless they are given too */
        p->birth_date[0] = '\0';
        p->sex[0] = '\0';
    }
    if (get_str(j, "name", p->name, sizeof p->name, partial, err) ||
        get_str(j, "id_type", p->id_type, sizeof p->id_type, partial, err) ||
        get_str(j, "id_number", p->id_number, sizeof p->id_number, partial, err) ||
        get_str(j, "sex", p->sex, sizeof p->sex, partial, err) ||
        get_str(j, "birth_date", p->birth_date, sizeof p->birth_date, partial, err) ||
        get_str(j, "phone", p->phone, sizeof p->phone, partial, err) ||
        get_str(j, "resident_type", p->resident_type, sizeof p->resident_type, partial, err) ||
        get_id(j, "household_id", &p->household_id, partial, err) ||
        get_str(j, "address", p->address, sizeof p->address, partial, err) ||
        get_str(j, "community_code", p->community_code, sizeof p->community_code, partial, err) ||
        get_str(j, "work_unit", p->work_unit, sizeof p->work_unit, partial, err) ||
        get_flags(j, &p->flags, partial, err))
        return -1;
    if (!p->id_type[0])
        snprintf(p->id_type, sizeof p->id_type, "resident");
    if (!p->resident_type[0])
        snprintf(p->resident_type, sizeof p->resident_type,
                 p->household_id ? "resident" : "non_resident");
    return 0;
}

json_t *json_instant(int64_t t)
{
    char buf[21];
    if (!t)
        return json_null();
    fk_instant_format(t, buf);
    return json_string(buf);
}

json_t *json_str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *person_to_json(const person *p)
{
    json_t *flags = json_array();
    for (unsigned bit = 1; bit <= PERSON_CHRONIC; bit <<= 1)
        if (p->flags & bit)
            json_array_append_new(flags, json_string(person_flag_name(bit)));
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o}",
                          "id", (json_int_t)p->id, "name", p->name, "id_type", p->id_type,
                          "id_number", p->id_number, "sex", p->sex, "birth_date", p->birth_date,
                          "phone", p->phone, "resident_type", p->resident_type, "household_id",
                          p->household_id ? json_integer(p->household_id) : json_null(),
                          "address", p->address, "community_code", p->community_code,
                          "work_unit", p->work_unit, "flags", flags);
    json_object_set_new(j, "created_at", json_instant(p->created_at));
    json_object_set_new(j, "updated_at", json_instant(p->updated_at));
    return j;
}

static int get_instant(json_t *j, const char *key, int64_t *out, bool partial, fk_err *err)
{
    json_t *v = json_object_get(j, key);
    if (!v) {
        if (!partial)
            *out = 0;
        return 0;
    }
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        *out = json_integer_value(v);
        return 0;
    }
    if (!json_is_string(v))
        return fk_fail(err, FK_EINVAL, key, "%s: must be an ISO 8601 time string", key);
    return fk_instant_parse(json_string_value(v), out, key, err);
}

int case_from_json(json_t *j, epicase *c, bool partial, fk_err *err)
{
    static const char *const create_keys[] = {"person_id", "classification", "severity",
                                              "reported_at", "sampling_date", "onset_date",
                                              "source", "hospital", NULL};
    if (check_keys(j, partial ? create_keys + 1 : create_keys, err) ||
        require(j, "person_id", partial, err) || require(j, "classification", partial, err) ||
        require(j, "sampling_date", partial, err) || require(j, "source", partial, err))
        return -1;
    if (get_id(j, "person_id", &c->person_id, partial, err) ||
        get_str(j, "classification", c->classification, sizeof c->classification, partial, err) ||
        get_str(j, "severity", c->severity, sizeof c->severity, partial, err) ||
        get_instant(j, "reported_at", &c->reported_at, partial, err) ||
        get_str(j, "sampling_date", c->sampling_date, sizeof c->sampling_date, partial, err) ||
        get_str(j, "onset_date", c->onset_date, sizeof c->onset_date, partial, err) ||
        get_str(j, "source", c->source, sizeof c->source, partial, err) ||
        get_str(j, "hospital", c->hospital, sizeof c->hospital, partial, err))
        return -1;
    if (!c->reported_at)
        c->reported_at = fk_now();
    return 0;
}

json_t *case_to_json(const epicase *c)
{
    json_t *j = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s}", "id",
                          (json_int_t)c->id, "number", (json_int_t)c->number, "person_id",
                          (json_int_t)c->person_id, "person_name", c->person_name,
                          "classification", c->classification, "severity", c->severity,
                          "status", c->status, "onset_date", json_str_or_null(c->onset_date),
                          "sampling_date", c->sampling_date, "source", c->source, "hospital",
                          c->hospital, "community_code", c->community_code);
    json_object_set_new(j, "reported_at", json_instant(c->reported_at));
    json_object_set_new(j, "created_at", json_instant(c->created_at));
    json_object_set_new(j, "updated_at", json_instant(c->updated_at));
    return j;
}

json_t *transition_to_json(const case_transition *t)
{
    json_t *j = json_pack("{s:I, s:I, s:o, s:s, s:s, s:s}", "id", (json_int_t)t->id, "case_id",
                          (json_int_t)t->case_id, "from_status", json_str_or_null(t->from_status),
                          "to_status", t->to_status, "actor", t->actor, "note", t->note);
    json_object_set_new(j, "at", json_instant(t->at));
    return j;
}

json_t *area_to_json(const area *a)
{
    return json_pack("{s:s, s:s, s:s, s:o}", "code", a->code, "name", a->name, "level", a->level,
                     "parent_code", json_str_or_null(a->parent_code));
}

json_t *audit_to_json(const audit_rec *a)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id", (json_int_t)a->id,
                          "actor", a->actor, "role", a->role, "action", a->action, "entity",
                          a->entity, "entity_id", (json_int_t)a->entity_id, "detail", a->detail,
                          "remote", a->remote);
    json_object_set_new(j, "at", json_instant(a->at));
    /* the gates' scans (code_scans) are numbered apart from the audit table's rows */
    json_object_set_new(j, "log", json_string(a->scan ? "code_scans" : "audit"));
    return j;
}

json_t *venue_to_json(const venue *v)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:f, s:f}", "id", (json_int_t)v->id, "code",
                     v->code, "name", v->name, "kind", v->kind, "grid_code", v->grid_code, "lon",
                     v->lon, "lat", v->lat);
}

json_t *hold_to_json(const hold_rec *h)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:i, s:I, s:s, s:s, "
                          "s:s, s:s, s:s}",
                          "id", (json_int_t)h->id, "person_id", (json_int_t)h->person_id,
                          "person_name", h->person_name, "id_number", h->id_number,
                          "round_id", (json_int_t)h->round_id, "round_name", h->round_name,
                          "tube_id", (json_int_t)h->tube_id, "barcode", h->barcode,
                          "site_name", h->site_name, "size", h->size,
                          "result_id", (json_int_t)h->result_id, "result", h->result,
                          "reason", h->reason, "state", h->state, "area_code", h->area_code,
                          "held_by", h->held_by);
    json_object_set_new(j, "held_at", json_instant(h->held_at));
    json_object_set_new(j, "ended_at", json_instant(h->ended_at));
    json_object_set_new(j, "ended_by", json_str_or_null(h->ended_by));
    json_object_set_new(j, "ended_result_id",
                        h->ended_result_id ? json_integer(h->ended_result_id) : json_null());
    json_object_set_new(j, "ended_result", json_str_or_null(h->ended_result));
    json_object_set_new(j, "lead_id", h->lead_id ? json_integer(h->lead_id) : json_null());
    json_object_set_new(j, "case_id", h->case_id ? json_integer(h->case_id) : json_null());
    json_object_set_new(j, "note", json_str_or_null(h->note));
    return j;
}

json_t *holds_to_json(const hold_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; l && i < l->n; i++)
        json_array_append_new(a, hold_to_json(&l->items[i]));
    return a;
}
