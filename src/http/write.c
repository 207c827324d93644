/*
 * PATCH and DELETE through the stages: the request parsed and planned as a read is (its
 * conditions are the write's, its select= and order the answer's), the rows it reaches found
 * (exec.h's rlh_exec_target), written in one transaction, and with return=representation
 * answered as a GET of the same select= would answer for the rows written (on a table with an
 * integer key, the write is held to the keys of the rows found: found by the key, the
 * conditions still checked).
 *
 * What a write reaches is judged on the plan, not on the query string: conditions that hold
 * for every row (and=(), not.or=(), x=not.is.null of a NOT NULL column) are no filter, and a
 * write without one is refused unless Prefer: unfiltered=allow says so.  limit= reaches that
 * many rows and no more.  A singular Accept (application/vnd.pgrst.object+json) or Prefer:
 * handling=strict with max-affected=N that the rows written do not meet undoes the write.
 */
#include "answer.h"
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct write {
    rl_request *r;
    const rl_model *m;
    const rlh_req *req;
    const rlh_plan *p;
    rl_db *db;
    const rl_set *sets;
    size_t nsets;
    bool del, representation;
    rlh_exec_error err;
    rlh_fault fault; /* the request's error, when it has one */
    rlh_buf out;     /* the representation */
} write;

/* The representation of the rows of query rows (taken) into w->out, in the order of keys
 * (NULL: as they come); RL_OK or an error. */
static int represent(write *w, rl_query *rows, const rl_value *keys, size_t nkeys,
                     const rl_rows *kept)
{
    rlh_result res;
    int rc = rlh_exec_read_of(w->db, w->p, rows, keys, nkeys, kept, &res, &w->err);
    if (rc == RL_OK) {
        bool strip = w->req->nulls_stripped;
        if (w->req->accept == RLH_MEDIA_SINGULAR && res.root.count == 1)
            rlh_answer_object(&w->out, &res, 0, strip);
        else if (w->req->accept == RLH_MEDIA_CSV)
            rlh_answer_csv(&w->out, &res);
        else
            rlh_answer_json(&w->out, &res, strip);
    }
    rlh_result_free(&res);
    return rc;
}

/* The value a PATCH gives the integer key, when its body names the key. */
static const rl_value *new_key(const write *w)
{
    for (size_t i = 0; w->m->has_pk && i < w->nsets; i++)
        if (strcmp(w->sets[i].field, rlh_pk_name(w->m)) == 0) return &w->sets[i].value;
    return NULL;
}

/* PostgREST's error of a write whose rows were not what it asked (their number, n, in its
 * details) into f; true. */
static bool count_refused(rlh_fault *f, int status, const char *code, const char *message,
                          const char *details_form, int64_t n)
{
    char details[100];
    snprintf(details, sizeof details, details_form, (long long)n);
    rlh_perror e = {status, code, message, details, NULL, details, "RL_EINVAL", NULL};
    rlh_fail(f, &e);
    return true;
}

/* 406 for a singular answer of a write of other than one row. */
static bool not_one(rlh_fault *f, const rlh_req *req, int64_t changed)
{
    return req->accept == RLH_MEDIA_SINGULAR && changed != 1 &&
           count_refused(f, 406, "PGRST116", "Cannot coerce the result to a single JSON object",
                         "The result contains %lld rows", changed);
}

/* 400 for a return=representation of more rows than a table without an integer key is found
 * again by; RL_EINVAL. */
static int too_many(rlh_fault *f)
{
    char msg[160];
    snprintf(msg, sizeof msg,
             "return=representation on a table without an integer key is limited to %d rows.",
             RLH_MAX_REFOUND);
    rlh_fail_own(f, 400, "RL_EINVAL", msg, NULL);
    return RL_EINVAL;
}

/* Run the write in the open transaction: the representation read before (DELETE) or after
 * (PATCH), the number of rows written in *changed. */
static int run(write *w, int64_t *changed)
{
    /* with a representation of a table with an integer key, the write is held to the keys of
     * the rows found (the answer's): its statement finds them by the key, and still checks the
     * conditions, so that a row another transaction changed in between is not written */
    bool by_keys = w->representation && w->m->has_pk;
    rl_query *q = NULL;
    int rc = rlh_exec_target(w->db, w->p, &q, &w->err);
    rl_value *pks = NULL;
    size_t npks = 0;
    rl_rows *before = NULL; /* a table without an integer key: its rows, before */
    size_t max = rlh_max_rows(w->r);
    if (rc == RL_OK && w->representation) {
        rl_query *t = NULL;
        rc = rlh_exec_target(w->db, w->p, &t, &w->err); /* its own: q stays unread */
        if (rc == RL_OK && w->m->has_pk) {
            rc = rlh_pks_of(t, w->m, max, &pks, &npks);
            if (rc == RL_OK && npks > max) {
                rlh_fail_own(&w->fault, 400, "RL_EINVAL",
                             "return=representation is limited to max-rows rows.", NULL);
                rc = RL_EINVAL;
            }
        } else if (rc == RL_OK) {
            rl_limit(t, RLH_MAX_REFOUND + 1);
            rc = rl_fetch_all(t, &before);
            if (rc == RL_OK && before->count > RLH_MAX_REFOUND) rc = too_many(&w->fault);
        }
        rl_query_free(t);
    }
    if (rc == RL_OK && w->representation && w->del) {
        rl_query *rows =
            before ? rlh_refind(w->db, w->m, before, NULL, 0, false) : rl_select(w->db, w->m);
        if (rows && !before) rl_where_in(rows, rlh_pk_name(w->m), pks, npks, false);
        rc = rows ? represent(w, rows, NULL, 0, NULL) : RL_ENOMEM;
    }
    if (rc == RL_OK && by_keys) rc = rl_where_in(q, rlh_pk_name(w->m), pks, npks, false);
    if (rc == RL_OK)
        rc = w->del ? rl_delete_where(q, changed) : rl_update_where(q, w->sets, w->nsets, changed);
    if (rc == RL_OK && w->representation && !w->del) {
        const rl_value *key = new_key(w);
        rl_query *rows = before ? rlh_refind(w->db, w->m, before, w->sets, w->nsets, false)
                                : rl_select(w->db, w->m);
        if (rows && key)
            rl_where(rows, rlh_pk_name(w->m), RL_EQ, *key);
        else if (rows && !before)
            rl_where_in(rows, rlh_pk_name(w->m), pks, npks, false);
        rc = rows ? represent(w, rows, NULL, 0, NULL) : RL_ENOMEM;
    }
    free(pks);
    rl_rows_free(before);
    rl_query_free(q);
    return rc;
}

int rlh_write_end(rl_db *db, const rlh_req *req)
{
    if (rl_txn_depth(db) == 0) return RL_OK; /* a statement that was its own transaction */
    return req->prefer.tx == RLH_TX_ROLLBACK ? rl_rollback(db) : rl_commit(db);
}

/* The fault of a step that returned rc (not RL_OK): the request's own error (f's already, or
 * err's), else the database's. */
static void fail_of(rlh_fault *f, rl_request *r, rl_db *db, int rc, const rlh_exec_error *err)
{
    if (rc == RL_EINVAL && err->e.code) rlh_fail(f, &err->e);
    rlh_fail_db(f, r, db, -1, NULL, NULL, NULL); /* kept only when f has none */
}

/* Whether the rows written meet what the request asks of their number; else the fault says
 * why and the write is to be undone. */
static bool count_holds(write *w, int64_t changed)
{
    const rlh_preferences *pf = &w->req->prefer;
    if (not_one(&w->fault, w->req, changed)) return false;
    if (pf->handling == RLH_HANDLING_STRICT && pf->has_max_affected && changed > pf->max_affected)
        return !count_refused(&w->fault, 400, "PGRST124",
                              "Query result exceeds max-affected preference constraint",
                              "The query affects %lld rows", changed);
    return true;
}

/* The answer of a PATCH or DELETE that wrote changed rows (id: of /table/ID); 0 with a fault
 * when there is no such row. */
static int answer(write *w, const char *id, int64_t changed)
{
    if (id && changed == 0)
        return rlh_fail_own(&w->fault, 404, "RL_ENOTFOUND", "No row has this key.", NULL), 0;
    /* PostgREST's Content-Range: a PATCH's rows 0..n-1, a DELETE's none; their number when
     * counted */
    rlh_written a = {.status = w->representation ? 200 : 204,
                     .req = w->req,
                     .as = w->req->method,
                     .body = w->representation ? &w->out : NULL};
    char total[24] = "*";
    if (w->req->prefer.count == RLH_COUNT_EXACT || w->req->prefer.count == RLH_COUNT_ESTIMATED)
        snprintf(total, sizeof total, "%lld", (long long)changed);
    if (changed > 0 && !w->del)
        snprintf(a.range, sizeof a.range, "0-%lld/%s", (long long)changed - 1, total);
    else
        snprintf(a.range, sizeof a.range, "*/%s", total);
    return rlh_render_write(w->r, &a);
}

/* The representation of the rows a POST wrote into *b; RL_OK, or an error with f. */
static int created_rows(rl_request *r, const rlh_write_out *w, rlh_buf *b, rlh_fault *f)
{
    if (w->as_written) { /* "[...]": the array, or its one object */
        bool one = w->req->accept == RLH_MEDIA_SINGULAR;
        rlh_add(b, w->as_written->data + one, w->as_written->len - 2 * one);
        return RL_OK;
    }
    rl_query *rows = NULL;
    rlh_exec_error err = {0};
    if (w->put) {
        int rc = rlh_exec_target(w->db, w->p, &rows, &err);
        if (rc != RL_OK) {
            rl_query_free(rows);
            fail_of(f, r, w->db, rc, &err);
            return rc;
        }
    } else if (w->m->has_pk) {
        rows = rl_select(w->db, w->m);
        if (rows) rl_where_in(rows, rlh_pk_name(w->m), w->pks, w->nkept, false);
    } else if (w->nkept > RLH_MAX_REFOUND) {
        return too_many(f);
    }
    rl_rows kept = {.count = w->nkept, .items = (void *)w->rows};
    if (!w->put && !w->m->has_pk) rows = rlh_refind(w->db, w->m, &kept, NULL, 0, true);
    if (!rows) return rlh_fail_oom(f), RL_ENOMEM;
    write x = {.r = r, .m = w->m, .req = w->req, .p = w->p, .db = w->db};
    int rc = represent(&x, rows, w->put ? NULL : w->pks, w->put ? 0 : w->nkept,
                       w->put || w->m->has_pk ? NULL : &kept);
    if (rc != RL_OK) fail_of(f, r, w->db, rc, &x.err);
    rlh_add(b, x.out.data ? x.out.data : "", x.out.len);
    rlh_free(&x.out);
    return rc;
}

/* Whether field f of m is part of its key: of its primary key, or, for a view, shows a column
 * of a table's primary key (PostgREST takes a view's key from its tables). */
static bool in_key(const rl_models *ms, const rl_model *m, const rl_field *f)
{
    const char *column = f->name;
    const rl_model *t = m;
    if (!m->primary_key && !(t = rl_models_origin(ms, m, (size_t)(f - m->fields), &column)))
        return false;
    if (t->has_pk) return column && strcmp(column, rlh_pk_name(t)) == 0;
    for (size_t i = 0; column && t->primary_key && t->primary_key[i]; i++)
        if (strcmp(t->primary_key[i], column) == 0) return true;
    return false;
}

/* PostgREST's Location for the one row a POST wrote into b: its key as filters,
 * "/t?k1=eq.1&k2=eq.a" (a NULL "is.null"), read back from the database; false (b's content
 * of no use) for a table without a key or for a key that is binary. */
static bool location(rl_request *r, const rlh_write_out *w, rlh_buf *b)
{
    const rl_model *m = w->m;
    rlh_add(b, "/", 1);
    rlh_query_encode(b, m->table);
    if (m->has_pk) { /* the integer key, as the POST read it */
        rlh_add(b, "?", 1);
        rlh_query_encode(b, rlh_pk_name(m));
        rlh_addf(b, "=eq.%lld", (long long)w->pks[0].u.i);
        return !b->oom;
    }
    rl_rows kept = {.count = 1, .items = (void *)w->rows}, *rows = NULL;
    rl_query *q = rlh_refind(w->db, m, &kept, NULL, 0, true);
    if (!q) return false;
    rl_limit(q, 2);
    int rc = rl_fetch_all(q, &rows);
    rl_query_free(q);
    const rl_value *v = rc == RL_OK && rows->count == 1 ? rl_row_values(m, rows->items) : NULL;
    size_t nkey = 0;
    const rl_models *ms = rl_request_models(r);
    for (size_t f = 0; v && f < m->nfields; f++) {
        if (!in_key(ms, m, &m->fields[f])) continue;
        rlh_add(b, nkey++ ? "&" : "?", 1);
        rlh_query_encode(b, m->fields[f].name);
        const rl_value *x = &v[f];
        if (x->type == RL_V_NULL)
            rlh_adds(b, "=is.null");
        else if (x->type == RL_V_INT && m->fields[f].kind == RL_KIND_BOOLEAN)
            rlh_adds(b, x->u.i ? "=eq.true" : "=eq.false");
        else if (x->type == RL_V_INT)
            rlh_addf(b, "=eq.%lld", (long long)x->u.i);
        else if (x->type == RL_V_REAL) {
            char t[32];
            rlh_real_text(x->u.r, t);
            rlh_addf(b, "=eq.%s", t);
        } else if (x->type == RL_V_TEXT) {
            rlh_adds(b, "=eq.");
            rlh_query_encode(b, x->u.s);
        } else
            nkey = 0, v = NULL; /* a binary key: no Location */
    }
    rl_rows_free(rows);
    return v && nkey && !b->oom;
}

int rlh_write_created(rl_request *r, const rlh_write_out *w)
{
    rlh_buf b = {0}, where = {0};
    rlh_fault f;
    rlh_fault_none(&f);
    bool rep = w->req->prefer.ret == RLH_RETURN_REPRESENTATION;
    if (!not_one(&f, w->req, w->count) && rep) created_rows(r, w, &b, &f);
    /* the Location's key, read before the write ends (committed or rolled back) */
    bool located = !f.e.code && !w->put && w->req->prefer.ret == RLH_RETURN_HEADERS_ONLY &&
                   w->count == 1 && w->nkept == 1 && location(r, w, &where);
    if (!f.e.code && rlh_write_end(w->db, w->req) != RL_OK)
        rlh_fail_db(&f, r, w->db, -1, NULL, NULL, NULL);
    if (f.e.code && rl_txn_depth(w->db) > 0) rl_rollback(w->db);
    rlh_turn_give(r); /* written (or undone): the next write need not wait for the answer */
    if (f.e.code) {
        rlh_free(&b);
        rlh_free(&where);
        return rlh_answer_fault(r, &f);
    }
    rlh_written a = {.req = w->req, .as = w->put ? RLH_PUT : RLH_POST, .body = rep ? &b : NULL};
    if (w->put) { /* PostgREST's: 201 inserted, 200 replaced, 204 without a representation */
        a.status = !rep ? 204 : w->inserted ? 201 : 200;
    } else {
        if (located) a.location = where.data;
        if (w->req->prefer.count == RLH_COUNT_EXACT || w->req->prefer.count == RLH_COUNT_ESTIMATED)
            snprintf(a.range, sizeof a.range, "*/%lld", (long long)w->count);
        else
            snprintf(a.range, sizeof a.range, "*/*");
        a.resolution = w->resolution;
        a.status = w->merged && w->inserted <= 0 ? 200 : 201; /* PostgREST's: nothing new, 200 */
    }
    int rc = rlh_render_write(r, &a);
    rlh_free(&where);
    rlh_free(&b);
    return rc;
}

int rlh_write_change(rl_request *r, const rl_model *m, const char *id, const rl_set *sets,
                     size_t nsets, bool del, rlh_req *req, rlh_plan *p)
{
    rl_value key;
    if (id && (!m->has_pk || !rlh_parse_value(id, -1, &key))) {
        rlh_plan_free(p);
        rlh_req_free(req);
        return rlh_bad_key(r, m, id);
    }
    if (!p && !(p = rlh_request_planned(r, m, id, false, &req))) return 0;
    write w = {.r = r,
               .m = m,
               .req = req,
               .p = p,
               .db = rl_request_db(r),
               .sets = sets,
               .nsets = nsets,
               .del = del,
               .representation = req->prefer.ret == RLH_RETURN_REPRESENTATION};
    int rc = 0;
    if (!del && nsets == 0) { /* nothing to set: nothing written, whatever the filters */
        rlh_written a = {.status = w.representation ? 200 : 204,
                         .req = req,
                         .as = req->method,
                         .range = "*/*",
                         .body = w.representation ? &w.out : NULL};
        rlh_adds(&w.out, "[]");
        rc = rlh_render_write(r, &a);
    } else if (!rlh_plan_restricts(&p->root) && !req->prefer.unfiltered &&
               req->accept != RLH_MEDIA_SINGULAR) {
        /* a singular write reaches one row or is undone: it needs no filter */
        rlh_fail_own(&w.fault, 400, "RL_EINVAL",
                     del ? "A DELETE without a filter would delete every row."
                         : "A PATCH without a filter would change every row.",
                     "Add a filter, or the header Prefer: unfiltered=allow.");
    } else if (rlh_turn_take(r), rl_begin(w.db) != RL_OK) {
        rlh_fail_db(&w.fault, r, w.db, -1, NULL, NULL, NULL);
    } else {
        int64_t changed = 0;
        int run_rc = run(&w, &changed);
        if (run_rc != RL_OK)
            fail_of(&w.fault, r, w.db, run_rc, &w.err);
        else if (count_holds(&w, changed) && rlh_write_end(w.db, req) != RL_OK)
            rlh_fail_db(&w.fault, r, w.db, -1, NULL, NULL, NULL);
        if (w.fault.e.code && rl_txn_depth(w.db) > 0) rl_rollback(w.db);
        rlh_turn_give(r);
        if (!w.fault.e.code) rc = answer(&w, id, changed);
    }
    if (w.fault.e.code) rc = rlh_answer_fault(r, &w.fault);
    rlh_free(&w.out);
    rlh_plan_free(p);
    rlh_req_free(req);
    return rc;
}
