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
    bool refused; /* r is answered (a request's error) */
    rlh_buf out;  /* the representation */
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

/* Answer r with PostgREST's error of a write whose rows were not what it asked (their number,
 * n, in its details); true. */
static bool count_refused(rl_request *r, int status, const char *code, const char *message,
                          const char *details_form, int64_t n)
{
    char details[100];
    snprintf(details, sizeof details, details_form, (long long)n);
    rlh_perror e = {status, code, message, details, NULL, details, "RL_EINVAL"};
    rlh_answer_error(r, &e);
    return true;
}

/* 406 for a singular answer of a write of other than one row. */
static bool not_one(rl_request *r, const rlh_req *req, int64_t changed)
{
    return req->accept == RLH_MEDIA_SINGULAR && changed != 1 &&
           count_refused(r, 406, "PGRST116", "Cannot coerce the result to a single JSON object",
                         "The result contains %lld rows", changed);
}

/* 400 for a return=representation of more rows than a table without an integer key is found
 * again by; true. */
static bool too_many(rl_request *r)
{
    char msg[160];
    snprintf(msg, sizeof msg,
             "return=representation on a table without an integer key is limited to %d rows.",
             RLH_MAX_REFOUND);
    rl_respond_error(r, 400, "RL_EINVAL", msg, NULL, NULL);
    return true;
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
                rl_respond_error(w->r, 400, "RL_EINVAL",
                                 "return=representation is limited to max-rows rows.", NULL, NULL);
                w->refused = true;
            }
        } else if (rc == RL_OK) {
            rl_limit(t, RLH_MAX_REFOUND + 1);
            rc = rl_fetch_all(t, &before);
            if (rc == RL_OK && before->count > RLH_MAX_REFOUND) w->refused = too_many(w->r);
        }
        rl_query_free(t);
    }
    if (rc == RL_OK && !w->refused && w->representation && w->del) {
        rl_query *rows =
            before ? rlh_refind(w->db, w->m, before, NULL, 0, false) : rl_select(w->db, w->m);
        if (rows && !before) rl_where_in(rows, rlh_pk_name(w->m), pks, npks, false);
        rc = rows ? represent(w, rows, NULL, 0, NULL) : RL_ENOMEM;
    }
    if (rc == RL_OK && !w->refused && by_keys)
        rc = rl_where_in(q, rlh_pk_name(w->m), pks, npks, false);
    if (rc == RL_OK && !w->refused)
        rc = w->del ? rl_delete_where(q, changed) : rl_update_where(q, w->sets, w->nsets, changed);
    if (rc == RL_OK && !w->refused && w->representation && !w->del) {
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

/* The media type of a representation. */
static const char *media_of(const rlh_req *req)
{
    return req->accept == RLH_MEDIA_SINGULAR ? "application/vnd.pgrst.object+json; charset=utf-8"
           : req->accept == RLH_MEDIA_CSV    ? "text/csv; charset=utf-8"
                                             : NULL;
}

/* Whether the rows written meet what the request asks of their number; else r is answered
 * and the write is to be undone. */
static bool count_holds(write *w, int64_t changed)
{
    const rlh_preferences *pf = &w->req->prefer;
    if (not_one(w->r, w->req, changed)) return false;
    if (pf->handling == RLH_HANDLING_STRICT && pf->has_max_affected && changed > pf->max_affected)
        return !count_refused(w->r, 400, "PGRST124",
                              "Query result exceeds max-affected preference constraint",
                              "The query affects %lld rows", changed);
    return true;
}

static int answer(write *w, const char *id, int64_t changed)
{
    if (id && changed == 0)
        return rl_respond_error(w->r, 404, "RL_ENOTFOUND", "No row has this key.", NULL, NULL);
    if (w->out.oom) return rl_respond_error(w->r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    /* PostgREST's Content-Range: a PATCH's rows 0..n-1, a DELETE's none; their number when
     * counted */
    char cr[64], total[24] = "*";
    if (w->req->prefer.count == RLH_COUNT_EXACT || w->req->prefer.count == RLH_COUNT_ESTIMATED)
        snprintf(total, sizeof total, "%lld", (long long)changed);
    if (changed > 0 && !w->del)
        snprintf(cr, sizeof cr, "0-%lld/%s", (long long)changed - 1, total);
    else
        snprintf(cr, sizeof cr, "*/%s", total);
    rl_response_header(w->r, "Content-Range", cr);
    rlh_preference_applied(w->r, w->req, w->req->method, false);
    if (!w->representation) return rl_respond(w->r, 204, NULL, NULL, 0);
    return rlh_respond_buf(w->r, 200, media_of(w->req), &w->out);
}

/* The representation of the rows a POST wrote into *b; RL_OK, RL_EINVAL with *err (or after
 * answering r: *refused), or the connection's code. */
static int created_rows(rl_request *r, const rlh_write_out *w, rlh_buf *b, rlh_exec_error *err,
                        bool *refused)
{
    if (w->as_written) { /* "[...]": the array, or its one object */
        bool one = w->req->accept == RLH_MEDIA_SINGULAR;
        rlh_add(b, w->as_written->data + one, w->as_written->len - 2 * one);
        return RL_OK;
    }
    rl_query *rows = NULL;
    if (w->put) {
        int rc = rlh_exec_target(w->db, w->p, &rows, err);
        if (rc != RL_OK) {
            rl_query_free(rows);
            return rc;
        }
    } else if (w->m->has_pk) {
        rows = rl_select(w->db, w->m);
        if (rows) rl_where_in(rows, rlh_pk_name(w->m), w->pks, w->nkept, false);
    } else if (w->nkept > RLH_MAX_REFOUND) {
        *refused = too_many(r);
        return RL_EINVAL;
    }
    rl_rows kept = {.count = w->nkept, .items = (void *)w->rows};
    if (!w->put && !w->m->has_pk) rows = rlh_refind(w->db, w->m, &kept, NULL, 0, true);
    if (!rows) return RL_ENOMEM;
    write x = {.r = r, .m = w->m, .req = w->req, .p = w->p, .db = w->db};
    int rc = represent(&x, rows, w->put ? NULL : w->pks, w->put ? 0 : w->nkept,
                       w->put || w->m->has_pk ? NULL : &kept);
    *err = x.err;
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

/* PostgREST's Location for the one row a POST wrote: its key as filters, "/t?k1=eq.1&k2=eq.a"
 * (a NULL "is.null"), read back from the database; none for a table without a key or for a
 * key that is binary. */
static void location(rl_request *r, const rlh_write_out *w)
{
    const rl_model *m = w->m;
    rlh_buf b = {0};
    rlh_add(&b, "/", 1);
    rlh_query_encode(&b, m->table);
    if (m->has_pk) { /* the integer key, as the POST read it */
        rlh_add(&b, "?", 1);
        rlh_query_encode(&b, rlh_pk_name(m));
        rlh_addf(&b, "=eq.%lld", (long long)w->pks[0].u.i);
        rlh_add(&b, "", 1);
        if (!b.oom) rl_response_header(r, "Location", b.data);
        rlh_free(&b);
        return;
    }
    rl_rows kept = {.count = 1, .items = (void *)w->rows}, *rows = NULL;
    rl_query *q = rlh_refind(w->db, m, &kept, NULL, 0, true);
    if (!q) {
        rlh_free(&b);
        return;
    }
    rl_limit(q, 2);
    int rc = rl_fetch_all(q, &rows);
    rl_query_free(q);
    const rl_value *v = rc == RL_OK && rows->count == 1 ? rl_row_values(m, rows->items) : NULL;
    size_t nkey = 0;
    const rl_models *ms = rl_request_models(r);
    for (size_t f = 0; v && f < m->nfields; f++) {
        if (!in_key(ms, m, &m->fields[f])) continue;
        rlh_add(&b, nkey++ ? "&" : "?", 1);
        rlh_query_encode(&b, m->fields[f].name);
        const rl_value *x = &v[f];
        if (x->type == RL_V_NULL)
            rlh_adds(&b, "=is.null");
        else if (x->type == RL_V_INT && m->fields[f].kind == RL_KIND_BOOLEAN)
            rlh_adds(&b, x->u.i ? "=eq.true" : "=eq.false");
        else if (x->type == RL_V_INT)
            rlh_addf(&b, "=eq.%lld", (long long)x->u.i);
        else if (x->type == RL_V_REAL) {
            char t[32];
            rlh_real_text(x->u.r, t);
            rlh_addf(&b, "=eq.%s", t);
        } else if (x->type == RL_V_TEXT) {
            rlh_adds(&b, "=eq.");
            rlh_query_encode(&b, x->u.s);
        } else
            nkey = 0, v = NULL; /* a binary key: no Location */
    }
    if (v && nkey && !b.oom) {
        rlh_add(&b, "", 1);
        rl_response_header(r, "Location", b.data);
    }
    rlh_free(&b);
    rl_rows_free(rows);
}

int rlh_write_created(rl_request *r, const rlh_write_out *w)
{
    rlh_buf b = {0};
    rlh_exec_error err = {0};
    bool refused = false, rep = w->req->prefer.ret == RLH_RETURN_REPRESENTATION;
    int rc = RL_OK;
    if (not_one(r, w->req, w->count))
        refused = true;
    else if (rep)
        rc = created_rows(r, w, &b, &err, &refused);
    if (refused || rc != RL_OK) {
        if (rc == RL_EINVAL && err.e.code && !refused)
            rlh_answer_error(r, &err.e);
        else if (!refused)
            rlh_db_error(r, w->db, -1, NULL);
        if (rl_txn_depth(w->db) > 0) rl_rollback(w->db);
        rlh_free(&b);
        return 0;
    }
    if (rlh_write_end(w->db, w->req) != RL_OK) {
        rlh_db_error(r, w->db, -1, NULL);
        if (rl_txn_depth(w->db) > 0) rl_rollback(w->db);
        rlh_free(&b);
        return 0;
    }
    if (w->put) { /* PostgREST's: 201 inserted, 200 replaced, 204 without a representation */
        rlh_preference_applied(r, w->req, RLH_PUT, false);
        int rc = rep && !b.oom ? rlh_respond_buf(r, w->inserted ? 201 : 200, media_of(w->req), &b)
                 : rep         ? rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL)
                               : rl_respond(r, 204, NULL, NULL, 0);
        rlh_free(&b);
        return rc;
    }
    if (w->req->prefer.ret == RLH_RETURN_HEADERS_ONLY && w->count == 1 && w->nkept == 1)
        location(r, w);
    char cr[40];
    if (w->req->prefer.count == RLH_COUNT_EXACT || w->req->prefer.count == RLH_COUNT_ESTIMATED)
        snprintf(cr, sizeof cr, "*/%lld", (long long)w->count);
    else
        snprintf(cr, sizeof cr, "*/*");
    rl_response_header(r, "Content-Range", cr);
    rlh_preference_applied(r, w->req, RLH_POST, w->resolution);
    int status = w->merged && w->inserted <= 0 ? 200 : 201; /* PostgREST's: nothing new, 200 */
    if (!rep) {
        rlh_free(&b);
        return rl_respond(r, status, NULL, NULL, 0);
    }
    if (b.oom) {
        rlh_free(&b);
        return rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    }
    return rlh_respond_buf(r, status, media_of(w->req), &b);
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
    if (!del && nsets == 0) { /* nothing to set: nothing written, whatever the filters */
        rl_response_header(r, "Content-Range", "*/*");
        rlh_preference_applied(r, req, req->method, false);
        int rc = req->prefer.ret == RLH_RETURN_REPRESENTATION ? rl_respond(r, 200, NULL, "[]", 2)
                                                              : rl_respond(r, 204, NULL, NULL, 0);
        rlh_plan_free(p);
        rlh_req_free(req);
        return rc;
    }
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
    /* a singular write reaches one row or is undone: it needs no filter */
    if (!rlh_plan_restricts(&p->root) && !req->prefer.unfiltered &&
        req->accept != RLH_MEDIA_SINGULAR) {
        rc = rl_respond_error(r, 400, "RL_EINVAL",
                              del ? "A DELETE without a filter would delete every row."
                                  : "A PATCH without a filter would change every row.",
                              NULL, "Add a filter, or the header Prefer: unfiltered=allow.");
    } else if (rlh_turn_take(r), rl_begin(w.db) != RL_OK) {
        rc = rlh_db_error(r, w.db, -1, NULL);
    } else {
        int64_t changed = 0;
        int run_rc = run(&w, &changed);
        bool keep = run_rc == RL_OK && !w.refused && count_holds(&w, changed);
        if (run_rc == RL_EINVAL && w.err.e.code && !w.refused) {
            rl_rollback(w.db);
            rc = rlh_answer_error(r, &w.err.e);
        } else if (run_rc != RL_OK) {
            rc = rlh_db_error(r, w.db, -1, NULL);
            if (rl_txn_depth(w.db) > 0) rl_rollback(w.db);
        } else if (!keep) {
            rl_rollback(w.db);
        } else if (rlh_write_end(w.db, req) != RL_OK) {
            rc = rlh_db_error(r, w.db, -1, NULL);
            if (rl_txn_depth(w.db) > 0) rl_rollback(w.db);
        } else {
            rc = answer(&w, id, changed);
        }
    }
    rlh_free(&w.out);
    rlh_plan_free(p);
    rlh_req_free(req);
    return rc;
}
