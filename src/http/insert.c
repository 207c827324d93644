/*
 * POST /{table}: one object or an array, inserted in one transaction (all or nothing; the
 * failing item's index in the error), with the rows that refer to each nested under their
 * table's name; an upsert with "Prefer: resolution=merge-duplicates" and on_conflict=.  The
 * objects follow PostgREST's rules (columns=, the same keys in every object of an array);
 * the answer is written by write.c (rlh_write_created).
 */
#include "answer.h"
#include "http_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* on_conflict=a,b as a NULL-terminated list of field names (into names, up to max - 1). */
static bool conflict_of(rl_request *r, const rl_model *m, const char **names, size_t max)
{
    const char *v = rl_request_query(r, "on_conflict");
    names[0] = NULL;
    if (!v) return true;
    char copy[1024];
    if (strlen(v) >= sizeof copy) return false;
    snprintf(copy, sizeof copy, "%s", v);
    size_t n = 0;
    for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const rl_field *f = rlh_field(m, t);
        if (!f || n + 1 >= max) return false;
        names[n++] = f->name;
    }
    names[n] = NULL;
    return true;
}

/* The rows of one POST body. */
typedef struct ins {
    rl_request *r;
    rlh_fault *f; /* what went wrong */
    rl_db *db;
    long item;          /* the top-level item being inserted (-1: the body is one object) */
    bool merge, ignore; /* resolution=merge-duplicates / ignore-duplicates */
    const char *const *conflict; /* on_conflict= (none: the primary key) */
    int64_t inserted;            /* top-level rows that were not there before */
    int64_t written;             /* top-level rows inserted or updated */
    bool keep;                   /* the top-level rows are kept for the answer */
    rl_value *pks;               /* a table with an integer key: the top-level rows' keys */
    char *rows;                  /* else the top-level rows themselves (structs of the model) */
    size_t nrows, cap;
} ins;

/* Keep a top-level row written (its key, or the row itself: taken) for the answer; false
 * when out of memory. */
static bool keep_row(ins *c, const rl_model *m, void *row)
{
    if (c->nrows == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16, each = m->has_pk ? sizeof *c->pks : m->size;
        void *more = realloc(m->has_pk ? (void *)c->pks : (void *)c->rows, cap * each);
        if (!more) return false;
        if (m->has_pk)
            c->pks = more;
        else
            c->rows = more;
        c->cap = cap;
    }
    if (m->has_pk)
        c->pks[c->nrows++] = rl_int(rlh_row_pk(m, row));
    else
        memcpy(c->rows + c->nrows++ * m->size, row, m->size);
    return true;
}

enum { RLH_MAX_NESTING = 6 };

/* One row of m as a JSON object into b: the integer key, then every field (what a nested
 * insert answers with, as written). */
static void write_row(rlh_buf *b, const rl_model *m, const void *row)
{
    const rl_value *v = rl_row_values(m, (void *)row);
    rlh_add(b, "{", 1);
    if (m->has_pk) {
        rlh_json_key(b, rlh_pk_name(m));
        rlh_add_int(b, rlh_row_pk(m, row));
    }
    for (size_t i = 0; i < m->nfields; i++) {
        if (i || m->has_pk) rlh_add(b, ",", 1);
        rlh_json_key(b, rlh_column_of(&m->fields[i]));
        rlh_json_value(b, &v[i], m->fields[i].kind);
    }
    rlh_add(b, "}", 1);
}

/* The query of the row of m that holds row's values (of object o) in the conflict columns
 * into *out (the caller frees it): 1 when there is one, 0 when not (a column left out or NULL
 * never conflicts), or -1 with c->f. */
static int conflict_query(ins *c, const rl_model *m, const void *row, json_t *o, rl_query **out)
{
    const char *pk[RL_MAX_FIELDS + 1];
    const char *const *names = c->conflict;
    if (!names[0]) {
        size_t n = 0;
        if (m->has_pk)
            pk[n++] = rlh_pk_name(m);
        else
            while (m->primary_key && m->primary_key[n] && n < RL_MAX_FIELDS)
                pk[n] = m->primary_key[n], n++;
        pk[n] = NULL;
        names = pk;
    }
    rl_query *q = *out = rl_select(c->db, m);
    if (!q) return rlh_fail_oom(c->f);
    const rl_value *v = rl_row_values(m, (void *)row);
    bool open = names[0] != NULL;
    for (size_t i = 0; open && names[i]; i++) {
        const rl_field *f = rlh_field(m, names[i]);
        if (!f && m->has_pk && json_object_get(o, names[i]))
            rl_where(q, names[i], RL_EQ, rl_int(rlh_row_pk(m, row)));
        else if (f && v[f - m->fields].type != RL_V_NULL)
            rl_where(q, f->name, RL_EQ, v[f - m->fields]);
        else
            open = false;
    }
    int64_t n = 0;
    int rc = open ? rl_count(q, &n) : RL_OK;
    if (rc != RL_OK) return rlh_fail_db(c->f, c->r, c->db, c->item, NULL, NULL, NULL);
    return n > 0;
}

/* resolution=merge-duplicates of row (of object o) into the row q finds: the object's columns
 * set, and no other (PostgREST's ON CONFLICT DO UPDATE of the payload's columns); row's
 * integer key becomes the row's met when the object does not set it. */
static int merge_into(ins *c, const rl_model *m, void *row, json_t *o, rl_query *q)
{
    rl_set sets[RL_MAX_FIELDS + 1];
    size_t nsets = rlh_sets_of(m, o, row, sets);
    if (m->has_pk && !json_object_get(o, rlh_pk_name(m))) { /* the key of the row met */
        rl_value *pks;
        size_t n;
        rl_query *keys = rl_select(c->db, m);
        int rc = keys ? RL_OK : RL_ENOMEM;
        for (size_t i = 0; rc == RL_OK && i < nsets; i++) /* the target's values are set */
            if (c->conflict[0] && rlh_field(m, sets[i].field))
                for (size_t t = 0; c->conflict[t]; t++)
                    if (strcmp(c->conflict[t], sets[i].field) == 0)
                        rl_where(keys, sets[i].field, RL_EQ, sets[i].value);
        if (rc == RL_OK) rc = rlh_pks_of(keys, m, 1, &pks, &n);
        rl_query_free(keys);
        if (rc != RL_OK) return rc;
        if (n) memcpy((char *)row + m->pk_offset, &pks[0].u.i, sizeof pks[0].u.i);
        free(pks);
    }
    int64_t changed;
    return nsets ? rl_update_where(q, sets, nsets, &changed) : RL_OK;
}

/* Insert object o as a row of m (its key set to parent_pk when key is given), then the rows
 * nested in it: an array under the name of a table whose key refers to m ("books", or
 * "reviews!editor_id" when it has two), each row's key set to this row's pk.  The rows go
 * into out as JSON, the nested ones under their names (out NULL: an answer that does not show
 * them as written).  -1 with c->f. */
static int insert_tree(ins *c, const rl_model *m, json_t *o, const rl_field *key, int64_t parent_pk,
                       const char *where, int depth, rlh_buf *out)
{
    char msg[400];
    if (!json_is_object(o))
        return rlh_fail_at(c->f, "RL_EINVAL", where, "An item is not an object.");
    if (key && json_object_get(o, rlh_column_of(key))) {
        snprintf(msg, sizeof msg, "%.150s is set by the nesting: leave it out.",
                 rlh_column_of(key));
        return rlh_fail_at(c->f, "RL_EINVAL", where, msg);
    }
    void *row = calloc(1, m->size);
    if (!row) return rlh_fail_oom(c->f);
    int rc = rlh_row_from(c->r, c->f, m, o, row, where, true);
    if (rc == 0 && key) rl_row_values(m, row)[key - m->fields] = rl_int(parent_pk);
    rl_query *met = NULL;
    int there = rc == 0 && !key && (c->merge || c->ignore) ? conflict_query(c, m, row, o, &met) : 0;
    if (there < 0) rc = -1;
    if (!key && rc == 0 && !there) c->inserted++;
    if (there > 0 && c->ignore) { /* left as it is, and not in the answer */
        rl_query_free(met);
        rl_row_free(m, row);
        free(row);
        return 1;
    }
    /* as PostgREST inserts: a key the object gives is its own, 0 included (rl_insert would
     * assign one for 0); a null is NULL; a column it leaves out takes its default */
    json_t *own = m->has_pk ? json_object_get(o, rlh_pk_name(m)) : NULL;
    rl_value *v = rl_row_values(m, row);
    for (size_t f = 0; rc == 0 && !there && f < m->nfields; f++)
        if (!json_object_get(o, rlh_column_of(&m->fields[f])) && v[f].type == RL_V_NULL &&
            &m->fields[f] != key)
            v[f] = rl_default();
    unsigned how = RL_INSERT_NULL_IS_NULL | (own && !json_is_null(own) ? RL_INSERT_KEY_GIVEN : 0);
    if (rc == 0 &&
        (there ? merge_into(c, m, row, o, met) : rl_insert_ex(c->db, m, row, how)) != RL_OK) {
        rc = rlh_fail_db(c->f, c->r, c->db, c->item, where, m, row);
    }
    rl_query_free(met);
    int64_t pk = 0;
    bool kept = false;
    if (rc == 0 && depth == 0) c->written++;
    if (rc == 0) {
        if (out) {
            write_row(out, m, row);
            out->len -= out->len > 0; /* its closing brace: the nested rows come first */
        }
        if (m->has_pk) pk = rlh_row_pk(m, row);
        if (depth == 0 && c->keep && !keep_row(c, m, row)) rc = rlh_fail_oom(c->f);
        kept = depth == 0 && c->keep && !m->has_pk && rc == 0;
    }
    if (!kept) rl_row_free(m, row);
    free(row);
    if (rc < 0) return -1;
    const char *name;
    json_t *val;
    json_object_foreach(o, name, val)
    {
        if (!json_is_array(val) || rlh_field(m, name)) continue;
        const rl_model *t;
        const rl_field *k;
        int found = rlh_children_of(rl_request_models(c->r), m, name, &t, &k, msg, sizeof msg);
        if (found < 0) return rlh_fail_at(c->f, "RL_EAMBIGUOUS", where, msg);
        if (found == 0) {
            rlh_unknown_name(c->r);
            snprintf(msg, sizeof msg,
                     "The table %.150s has no column %.150s, and no table of that name refers "
                     "to it.",
                     m->table, name);
            return rlh_fail_at(c->f, "RL_EFIELD", where, msg);
        }
        if (depth + 1 >= RLH_MAX_NESTING)
            return rlh_fail_at(c->f, "RL_EINVAL", where, "Rows are nested more than 6 deep.");
        if (out) {
            rlh_add(out, ",", 1);
            rlh_json_key(out, name);
            rlh_add(out, "[", 1);
        }
        for (size_t i = 0; i < json_array_size(val); i++) {
            char at[300];
            snprintf(at, sizeof at, "%s%s%.100s[%zu]", where, *where ? ", " : "", name, i);
            if (i && out) rlh_add(out, ",", 1);
            if (insert_tree(c, t, json_array_get(val, i), k, pk, at, depth + 1, out) < 0) return -1;
        }
        if (out) rlh_add(out, "]", 1);
    }
    if (out) rlh_add(out, "}", 1);
    return 0;
}

/* Whether body j nests rows (an array under a name that is not a column) in any item. */
static bool nests(const rl_model *m, json_t *j)
{
    for (size_t i = 0; i < (json_is_array(j) ? json_array_size(j) : 1); i++) {
        json_t *o = json_is_array(j) ? json_array_get(j, i) : j;
        const char *name;
        json_t *val;
        json_object_foreach(o, name, val)
        {
            if (json_is_array(val) && !rlh_field(m, name)) return true;
        }
    }
    return false;
}

/* Whether objects a and b have the same keys. */
static bool same_keys(json_t *a, json_t *b)
{
    if (json_object_size(a) != json_object_size(b)) return false;
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v)
    {
        if (!json_object_get(b, k)) return false;
    }
    return true;
}

int rlh_columns_taken(rlh_fault *f, const rl_model *m, const rlh_req *req, json_t **j)
{
    bool many = json_is_array(*j);
    size_t n = many ? json_array_size(*j) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *o = many ? json_array_get(*j, i) : *j;
        if (json_is_object(o) && (!many || req->columns || same_keys(o, json_array_get(*j, 0))))
            continue;
        const rlh_perror e = {400,
                              "PGRST102",
                              "All object keys must match",
                              NULL,
                              NULL,
                              json_is_object(o) ? "The objects of an array have the same keys "
                                                  "(or columns= names the ones to take)."
                                                : "The items of an array are objects.",
                              "RL_EINVAL",
                              NULL};
        return rlh_fail(f, &e);
    }
    if (!req->columns) return 0;
    for (size_t c = 0; c < req->ncolumns; c++) {
        const char *name = req->columns[c];
        if (rlh_field(m, name) || (m->has_pk && strcmp(name, rlh_pk_name(m)) == 0)) continue;
        char msg[400], sentence[400];
        snprintf(msg, sizeof msg,
                 "Could not find the '%.150s' column of '%.150s' in the schema cache", name,
                 m->table);
        snprintf(sentence, sizeof sentence, "The table %.150s has no column %.150s.", m->table,
                 name);
        const rlh_perror e = {400, "PGRST204", msg, NULL, NULL, sentence, "RL_EFIELD", NULL};
        return rlh_fail(f, &e);
    }
    /* each object with the keys named, and no other; a named key it leaves out is NULL, as
     * PostgREST reads it, unless Prefer: missing=default leaves the column to its default */
    json_t *taken = many ? json_array() : NULL, *null = json_null();
    bool defaults = req->prefer.missing == RLH_MISSING_DEFAULT;
    for (size_t i = 0; i < n; i++) {
        json_t *o = many ? json_array_get(*j, i) : *j, *t = json_object();
        for (size_t c = 0; t && c < req->ncolumns; c++) {
            json_t *v = json_object_get(o, req->columns[c]);
            if (!v && !defaults) v = null;
            if (v && json_object_set(t, req->columns[c], v) != 0) {
                json_decref(t);
                t = NULL;
            }
        }
        if (!t || (many && (!taken || json_array_append_new(taken, t) != 0))) {
            json_decref(taken);
            return rlh_fail_oom(f);
        }
        if (!many) taken = t;
    }
    json_decref(*j);
    *j = taken;
    return 0;
}

/* The body of a POST, an object or an array, with PostgREST's rules for its objects, and the
 * request planned (*req, *p); NULL with f, or (*p NULL) after the plan's error was answered. */
static json_t *post_body(rl_request *r, rlh_fault *f, const rl_model *m, const char **conflict,
                         rlh_req **req, rlh_plan **p, bool *kept)
{
    *req = NULL;
    *p = NULL;
    json_t *j = rlh_body_json(r, f);
    if (!j) return NULL;
    if (!json_is_array(j) && !json_is_object(j))
        rlh_fail_own(f, 400, "RL_EINVAL", "The body is an object or an array of objects.", NULL);
    else if (!conflict_of(r, m, conflict, RL_MAX_FIELDS + 1))
        rlh_fail_own(f, 400, "RL_EFIELD", "on_conflict names a column the table does not have.",
                     NULL);
    else if ((*p = rlh_plan_kept(r, m, NULL, false, req, kept)) &&
             rlh_columns_taken(f, m, *req, &j) == 0)
        return j;
    json_decref(j);
    return NULL;
}

int rlh_post(rl_request *r, const rl_model *m)
{
    rlh_fault f;
    rlh_fault_none(&f);
    const char *conflict[RL_MAX_FIELDS + 1];
    rlh_req *req;
    rlh_plan *p;
    bool kept = false; /* p and req are the connection's (rlh_plan_kept) */
    json_t *j = post_body(r, &f, m, conflict, &req, &p, &kept);
    if (!j) {
        int rc = f.e.code ? rlh_answer_fault(r, &f) : 0; /* else the plan's error, answered */
        if (!kept) rlh_plan_free(p);
        if (!kept) rlh_req_free(req);
        return rc;
    }
    bool many = json_is_array(j);
    size_t n = many ? json_array_size(j) : 1;
    /* a resolution= needs a key to find duplicates by: without one it is not applied */
    bool resolve = m->has_pk || m->primary_key || req->non_conflict;
    /* a nested insert without select= answers with the rows as written, nested ones too */
    bool rep = req->prefer.ret == RLH_RETURN_REPRESENTATION;
    bool as_written = rep && !rl_request_query(r, "select") && nests(m, j);
    bool headers_only = req->prefer.ret == RLH_RETURN_HEADERS_ONLY;
    ins c = {.r = r,
             .f = &f,
             .db = rl_request_db(r),
             .merge = resolve && req->prefer.resolution == RLH_RESOLUTION_MERGE,
             .ignore = resolve && req->prefer.resolution == RLH_RESOLUTION_IGNORE,
             .conflict = conflict,
             .keep = (rep && !as_written) || headers_only};
    rlh_buf out = {0};
    /* one flat object, written as it is and not read back: its INSERT is a transaction of its
     * own, without a BEGIN and a COMMIT around it, which holds the engine's write lock for that
     * statement only: it waits for the lock in the engine (SQLite's busy handler), not for the
     * server's turn, which orders the writes that hold the lock across statements */
    bool alone = !many && !nests(m, j) && !c.merge && !c.ignore && !c.keep && !rep &&
                 req->prefer.tx != RLH_TX_ROLLBACK;
    if (!alone) rlh_turn_take(r);
    bool ok = alone || rl_begin(c.db) == RL_OK;
    if (!ok) rlh_fail_db(&f, r, c.db, -1, NULL, NULL, NULL);
    rlh_add(&out, "[", 1);
    for (size_t i = 0; ok && i < n; i++) {
        char where[32] = "";
        c.item = many ? (long)i : -1;
        if (many) snprintf(where, sizeof where, "item %zu", i);
        size_t at = out.len;
        if (out.len > 1) rlh_add(&out, ",", 1);
        int done = insert_tree(&c, m, many ? json_array_get(j, i) : j, NULL, 0, where, 0,
                               as_written ? &out : NULL);
        if (done == 1) out.len = at; /* a duplicate left out */
        ok = done >= 0;
    }
    rlh_add(&out, "]", 1);
    rlh_write_out w = {.req = req,
                       .p = p,
                       .m = m,
                       .db = c.db,
                       .count = c.written,
                       .inserted = c.inserted,
                       /* asked to merge: nothing new is a 200, also where no key applies it */
                       .merged = req->prefer.resolution == RLH_RESOLUTION_MERGE};
    if (ok) {
        w.pks = c.pks;
        w.rows = c.rows;
        w.nkept = c.nrows;
        w.as_written = as_written ? &out : NULL;
        w.resolution = resolve;
    }
    int rc = ok ? rlh_write_created(r, &w) : 0;
    if (!ok && rl_txn_depth(c.db) > 0) rl_rollback(c.db);
    if (!ok) rlh_turn_give(r);
    if (!ok) rc = rlh_answer_fault(r, &f);
    for (size_t i = 0; !m->has_pk && i < c.nrows; i++)
        rl_row_free(m, c.rows + i * m->size);
    free(c.rows);
    free(c.pks);
    rlh_free(&out);
    if (!kept) rlh_plan_free(p);
    if (!kept) rlh_req_free(req);
    json_decref(j);
    return rc;
}

/* ---- PUT: one row by its primary key -------------------------------------------------------- */

/* The names of m's primary key (at most max), or 0 when it has none. */
static size_t key_names(const rl_model *m, const char **names, size_t max)
{
    if (m->has_pk) {
        names[0] = rlh_pk_name(m);
        return 1;
    }
    size_t n = 0;
    while (m->primary_key && m->primary_key[n] && n < max) {
        names[n] = m->primary_key[n];
        n++;
    }
    return n;
}

/* Whether req's filters are exactly col=eq.value of each key column, and nothing else. */
static bool key_filters(const rlh_req *req, const char *const *keys, size_t nkeys)
{
    if (req->nlogic || req->nfilters != nkeys || nkeys == 0) return false;
    for (size_t k = 0; k < nkeys; k++) {
        size_t found = 0;
        for (size_t i = 0; i < req->nfilters; i++) {
            const rlh_filter *f = &req->filters[i];
            if (f->path.n || f->cond.negated || f->cond.op != RLH_OP_EQ || f->cond.col.njson ||
                f->cond.quant != RLH_QUANT_NONE)
                return false;
            found += strcmp(f->cond.col.name, keys[k]) == 0;
        }
        if (found != 1) return false;
    }
    return true;
}

/* Whether JSON value v is the value text of the URL's filter. */
static bool same_value(json_t *v, const char *text)
{
    if (json_is_string(v)) return strcmp(json_string_value(v), text) == 0;
    if (json_is_integer(v)) {
        rl_value x;
        return rlh_parse_value(text, RL_KIND_INTEGER, &x) && x.type == RL_V_INT &&
               x.u.i == json_integer_value(v);
    }
    if (json_is_real(v)) {
        char *end;
        double d = strtod(text, &end);
        return *text && !*end && d == json_real_value(v);
    }
    if (json_is_boolean(v)) return rlh_truth_of(text) == (json_is_true(v) ? 1 : 0);
    return false;
}

/* PostgREST's error of a PUT it refuses into f (allow: a 405's methods); -1. */
static int put_error(rlh_fault *f, int status, const char *code, const char *message,
                     const char *sentence, const char *allow)
{
    const rlh_perror e = {status, code, message, NULL, NULL, sentence, NULL, allow};
    return rlh_fail(f, &e);
}

/* The object of a PUT's body (an array's first), after PostgREST's checks; NULL with f. */
static json_t *put_object(rlh_fault *f, json_t *j, const rlh_req *req, const char *const *keys,
                          size_t nkeys)
{
    json_t *o = json_is_array(j) ? json_array_get(j, 0) : j;
    if (!json_is_object(o)) {
        rlh_fail_own(f, 400, "RL_EINVAL", "A PUT body is an object (or an array of one).", NULL);
        return NULL;
    }
    for (size_t k = 0; k < nkeys; k++) {
        const char *text = NULL;
        for (size_t i = 0; i < req->nfilters; i++)
            if (strcmp(req->filters[i].cond.col.name, keys[k]) == 0)
                text = req->filters[i].cond.value;
        json_t *v = json_object_get(o, keys[k]);
        if (!v || !text || !same_value(v, text)) {
            put_error(f, 400, "PGRST115",
                      "Payload values do not match URL in primary key column(s)",
                      "The body's key columns hold the values the URL's filters name.", NULL);
            return NULL;
        }
    }
    return o;
}

int rlh_put(rl_request *r, const rl_model *m)
{
    rlh_fault f;
    rlh_fault_none(&f);
    if (rl_request_query(r, "limit") || rl_request_query(r, "offset")) {
        put_error(&f, 400, "PGRST114",
                  "limit/offset querystring parameters are not allowed for PUT",
                  "A PUT names one row: limit= and offset= have no place in it.", NULL);
        return rlh_answer_fault(r, &f);
    }
    const char *keys[RL_MAX_FIELDS + 1];
    size_t nkeys = key_names(m, keys, RL_MAX_FIELDS);
    keys[nkeys] = NULL;
    /* the filters' shape first, as PostgREST: before whether their columns exist */
    rlh_req *req = rlh_request_parsed(r, m);
    if (req && !req->error && !key_filters(req, keys, nkeys)) {
        rlh_req_free(req);
        put_error(&f, 405, "PGRST105",
                  "Filters must include all and only primary key columns with 'eq' operators",
                  nkeys ? "A PUT names its row by key=eq.value of each primary key column, and "
                          "by nothing else."
                        : "A PUT needs a table with a primary key.",
                  "GET, HEAD, POST, PATCH, DELETE, OPTIONS");
        return rlh_answer_fault(r, &f);
    }
    rlh_plan *p = rlh_parsed_planned(r, &req);
    if (!p) return 0;
    int rc = 0;
    json_t *j = NULL, *o = NULL;
    void *row = NULL;
    if ((j = rlh_body_json(r, &f)) && (o = put_object(&f, j, req, keys, nkeys)) &&
        (row = calloc(1, m->size)) && rlh_row_from(r, &f, m, o, row, "", false) == 0) {
        rl_db *db = rl_request_db(r);
        rl_query *q = NULL;
        rlh_exec_error err = {0};
        int64_t had = 0;
        rlh_turn_take(r);
        int run = rl_begin(db);
        if (run == RL_OK) run = rlh_exec_target(db, p, &q, &err);
        if (run == RL_OK) run = rl_count(q, &had);
        rl_query_free(q);
        if (run == RL_OK) /* the URL's key, 0 included */
            run = m->has_pk ? rl_upsert_keyed(db, m, row, NULL) : rl_upsert(db, m, row, keys);
        if (run != RL_OK) {
            if (run == RL_EINVAL && err.e.code) rlh_fail(&f, &err.e);
            rlh_fail_db(&f, r, db, -1, NULL, NULL, NULL);
            if (rl_txn_depth(db) > 0) rl_rollback(db);
        } else {
            rlh_write_out w = {.req = req,
                               .p = p,
                               .m = m,
                               .db = db,
                               .count = 1,
                               .put = true,
                               .inserted = had == 0};
            rc = rlh_write_created(r, &w);
        }
    } else if (j && o && !row) {
        rlh_fail_oom(&f);
    }
    if (f.e.code) rc = rlh_answer_fault(r, &f);
    if (row) {
        rl_row_free(m, row);
        free(row);
    }
    json_decref(j);
    rlh_plan_free(p);
    rlh_req_free(req);
    return rc;
}
