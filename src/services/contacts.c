/*
 * contacts.c - the stored contacts of cases (contract: contacts.h).
 */
#include "services/contacts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "model/person.h"
#include "model/role.h"
#include "services/codes.h"
#include "services/discovery.h"
#include "services/registry.h"

/* The case, checked for permission and jurisdiction (the registry audits the read). */
static int case_for(store *st, const actor *a, int64_t case_id, epicase *k, fk_err *err)
{
    if (actor_require(a, PERM_TRACE, err) != 0)
        return -1;
    return registry_case_get(st, a, case_id, k, err);
}

static void mask_for(const actor *a, contact_rec *c)
{
    registry_mask_name(a, c->person_name, sizeof c->person_name);
}

static int audit(store *st, const actor *a, const char *action, int64_t id, const char *detail,
                 fk_err *err)
{
    audit_rec rec;
    actor_audit(a, &rec, action, "contact", id, detail);
    return store_audit_append(st, &rec, err);
}

int contacts_list(store *st, const actor *a, int64_t case_id, contact_rec_list *out,
                  fk_err *err)
{
    epicase k;
    memset(out, 0, sizeof *out);
    if (case_for(st, a, case_id, &k, err) != 0 || audit(st, a, "list", 0, "case contacts", err) ||
        store_contact_list(st, case_id, out, err) != 0)
        return -1;
    for (size_t i = 0; i < out->n; i++)
        mask_for(a, &out->items[i]);
    return 0;
}

int contacts_review(store *st, const actor *a, int64_t contact_id, const char *status,
                    const char *note, contact_rec *out, fk_err *err)
{
    epicase k;
    if (!status || (strcmp(status, "confirmed") && strcmp(status, "dismissed") &&
                    strcmp(status, "proposed")))
        return fk_fail(err, FK_EINVAL, "status",
                       "status: must be confirmed, dismissed or proposed");
    if (note && strlen(note) >= sizeof out->note)
        return fk_fail(err, FK_EINVAL, "note", "note: at most %zu bytes", sizeof out->note - 1);
    if (actor_require(a, PERM_TRACE, err) != 0 || store_contact_get(st, contact_id, out, err) ||
        case_for(st, a, out->case_id, &k, err) != 0)
        return -1;
    audit_rec rec;
    actor_audit(a, &rec, "review", "contact", contact_id, status);
    char kept[sizeof out->note];
    snprintf(kept, sizeof kept, "%s", note ? note : out->note); /* no note: keep the old */
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_contact_review(st, contact_id, status, kept, a->username, fk_now(), &rec,
                                  err) ||
             codes_recompute_for(st, a, "contact", CODES_BY_CONTACT, contact_id, err) ? -1 : 0;
    if (store_end(st, rc, err) != 0 || store_contact_get(st, contact_id, out, err) != 0)
        return -1;
    mask_for(a, out);
    return 0;
}

static int text_field(const char *v, size_t cap, const char *field, bool required, fk_err *err)
{
    if (required && (!v || !v[0]))
        return fk_fail(err, FK_EINVAL, field, "%s: required", field);
    if (v && strlen(v) >= cap)
        return fk_fail(err, FK_EINVAL, field, "%s: at most %zu bytes", field, cap - 1);
    return 0;
}

int contacts_name(store *st, const actor *a, int64_t case_id, const char *subject,
                  const char *place, int64_t at, const char *note, contact_rec *out,
                  fk_err *err)
{
    epicase k;
    person p;
    memset(out, 0, sizeof *out);
    if (text_field(subject, sizeof out->subject, "contact", true, err) ||
        text_field(place, sizeof out->place, "place", false, err) ||
        text_field(note, sizeof out->note, "note", false, err) ||
        case_for(st, a, case_id, &k, err) != 0)
        return -1;
    int linked = discovery_person_of_subject(st, subject, &p, err);
    if (linked < 0)
        return -1;
    *out = (contact_rec){.case_id = case_id, .person_id = linked ? p.id : 0, .degree = 1,
                         .first_overlap = at ? at : k.reported_at, .found_at = fk_now()};
    snprintf(out->subject, sizeof out->subject, "%s", subject);
    snprintf(out->kind, sizeof out->kind, "interview");
    snprintf(out->place, sizeof out->place, "%s", place ? place : "");
    snprintf(out->source, sizeof out->source, "interview");
    snprintf(out->note, sizeof out->note, "%s", note ? note : "");
    audit_rec rec;
    actor_audit(a, &rec, "create", "contact", 0, "named in interview");
    if (store_contact_upsert(st, out, &rec, err) != 0 ||
        store_contact_get(st, out->id, out, err) != 0)
        return -1;
    mask_for(a, out);
    return 0;
}

int contacts_trajectory(store *st, const actor *a, int64_t case_id, const char *place,
                        int64_t start, int64_t end, fk_err *err)
{
    epicase k;
    person p;
    stay_rec s = {0};
    if (text_field(place, sizeof s.place, "place", true, err) != 0)
        return -1;
    if (end <= start)
        return fk_fail(err, FK_EINVAL, "end", "end: must be after start");
    if (case_for(st, a, case_id, &k, err) != 0 ||
        registry_person_get(st, a, k.person_id, &p, err) != 0)
        return -1;
    snprintf(s.subject, sizeof s.subject, "%s", p.id_number);
    snprintf(s.place, sizeof s.place, "%s", place);
    snprintf(s.source, sizeof s.source, "interview");
    s.start = start;
    s.end = end;
    char detail[96];
    snprintf(detail, sizeof detail, "trajectory %s", place);
    return audit(st, a, "create", case_id, detail, err) != 0 ? -1 : store_stay_insert(st, &s, err);
}

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The distinct cases of the edges, read without a second audit (the list is audited). */
static int chain_nodes(store *st, const actor *a, const chain_edge_list *e, case_list *nodes,
                       fk_err *err)
{
    size_t n = 0;
    int64_t *ids = fk_malloc((2 * e->n + 1) * sizeof *ids);
    for (size_t i = 0; i < e->n; i++) {
        ids[n++] = e->items[i].from_case;
        ids[n++] = e->items[i].to_case;
    }
    qsort(ids, n, sizeof *ids, cmp_id);
    nodes->items = fk_malloc((n + 1) * sizeof *nodes->items);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i > 0 && ids[i] == ids[i - 1])
            continue;
        epicase *k = &nodes->items[nodes->n];
        rc = store_case_get(st, ids[i], k, err);
        registry_mask_name(a, k->person_name, sizeof k->person_name);
        nodes->n += rc == 0;
    }
    free(ids);
    return rc;
}

int contacts_chains(store *st, const actor *a, chain_edge_list *out, case_list *nodes,
                    fk_err *err)
{
    memset(out, 0, sizeof *out);
    memset(nodes, 0, sizeof *nodes);
    if (actor_require(a, PERM_TRACE, err) != 0 || audit(st, a, "list", 0, "chains", err) != 0 ||
        store_chain_edges(st, a->area_code, out, err) != 0)
        return -1;
    if (chain_nodes(st, a, out, nodes, err) != 0) {
        chain_edge_list_free(out);
        case_list_free(nodes);
        return -1;
    }
    return 0;
}

void chain_edge_list_free(chain_edge_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
