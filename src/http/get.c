/*
 * GET and HEAD of a table (or of one row, /table/ID) through the stages: the request parsed
 * (parse.h), planned on the connection's models (plan.h), run (exec.h) and written (answer.h),
 * with PostgREST's ranges, counts, singular answers and errors.  reflite adds to it: rows are
 * ordered by their integer key when order= says nothing (and a full first page so ordered
 * carries a Link to the next, by key), max_rows caps every answer, and an embedded relation
 * has at most ten times max_rows rows for one request.
 */
#include "answer.h"
#include "http_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the request as the parse stage takes it ------------------------------------------------ */

typedef struct headers {
    rlh_header h[16];
    size_t n;
} headers;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    headers *hs = cls;
    /* the wanted names by their length and first letter: most headers are none of them */
    static const struct {
        const char *name;
        size_t len;
    } wanted[] = {{"Prefer", 6},      {"Accept", 6},          {"Range", 5},
                  {"Range-Unit", 10}, {"Accept-Profile", 14}, {"Content-Profile", 15}};
    size_t len = strlen(key);
    char first = (char)(key[0] | 0x20);
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0] && hs->n < 15; i++) /* one left */
        if (wanted[i].len == len && (wanted[i].name[0] | 0x20) == first &&
            strcasecmp(key, wanted[i].name) == 0)
            hs->h[hs->n++] = (rlh_header){wanted[i].name, value ? value : ""};
    return MHD_YES;
}

/* ---- answering ------------------------------------------------------------------------------ */

/* Whether an embedded relation of rs has more rows than cap (a request's answer stays
 * bounded): the 400 naming it in *e (its message in msg). */
static bool too_many(const rlh_rset *rs, size_t cap, rlh_perror *e, char *msg, size_t n)
{
    for (size_t i = 0; i < rs->node->nkids; i++) {
        const rlh_rset *ks = &rs->kids[i];
        if (ks->count > cap) {
            snprintf(msg, n, "%.150s has over %zu rows to embed.", ks->node->name, cap);
            *e = (rlh_perror){.status = 400,
                              .code = "RL_ETOOLARGE",
                              .message = msg,
                              .hint = "Filter the relation (name.column=op.value) or read fewer "
                                      "rows.",
                              .sentence = msg,
                              .own_code = "RL_ETOOLARGE"};
            return true;
        }
        if (too_many(ks, cap, e, msg, n)) return true;
    }
    return false;
}

static int answer(rl_request *r, const rl_model *m, const char *id, rlh_plan *p, rl_db *db)
{
    const rlh_req *q = p->req;
    rlh_pnode *root = &p->root;
    size_t max = rlh_max_rows(r);
    bool capped = root->limit < 0 || (size_t)root->limit > max;
    if (capped) root->limit = (int64_t)max;
    rlh_exec_count count = {id ? RLH_COUNT_NONE : q->prefer.count, (int64_t)max};
    rlh_result res;
    rlh_exec_error err;
    int rc = rlh_exec_read(db, p, &count, &res, &err);
    if (rc == RL_EINVAL && err.e.code) {
        rlh_result_free(&res);
        return rlh_answer_error(r, &err.e);
    }
    if (rc != RL_OK) {
        rlh_result_free(&res);
        return rlh_db_error(r, db, -1, NULL);
    }
    rlh_perror e;
    char msg[400];
    if (too_many(&res.root, max * 10, &e, msg, sizeof msg)) {
        rlh_result_free(&res);
        return rlh_answer_error(r, &e);
    }
    rc = rlh_render_read(r, m, id, p, &res);
    rlh_result_free(&res);
    return rc;
}

/* The media type ?_format= asks for (json, csv: the twins of a page's rows), or NULL. */
static const char *format_of(rl_request *r)
{
    const char *f = rl_request_query(r, "_format");
    return !f                   ? NULL
           : !strcmp(f, "json") ? "application/json"
           : !strcmp(f, "csv")  ? "text/csv"
                                : NULL;
}

/* Whether the n items of select= group the rows: an aggregate (count, PostgREST's older
 * spelling, too), here or in a spread relation's items. */
static bool groups(const rlh_sel *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const rlh_sel *s = &items[i];
        if (s->kind == RLH_SEL_SPREAD && groups(s->items, s->nitems)) return true;
        if (s->kind == RLH_SEL_COLUMN &&
            (s->agg != RLH_AGG_NONE || (s->col.name && !strcmp(s->col.name, "count"))))
            return true;
    }
    return false;
}

/* The request value of r on m; query: the query string to parse instead of r's (a page's,
 * whose Accept is the page's own and not asked of the parser). */
static rlh_req *request_value_of(rl_request *r, const rl_model *m, const char *id, bool by_key,
                                 const char *query)
{
    rlh_buf qs = {0};
    const char *format = format_of(r);
    if (query)
        rlh_adds(&qs, query);
    else /* the query string again, as the HTTP layer split it */
        rlh_args_of(r, format ? "_format" : NULL, &qs);
    headers hs = {0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_header, &hs);
    if (query || format) { /* the Accept the page or ?_format= stands for */
        size_t k = 0;
        for (size_t i = 0; i < hs.n; i++)
            if (strcmp(hs.h[i].name, "Accept") != 0) hs.h[k++] = hs.h[i];
        hs.n = k;
        hs.h[hs.n++] = (rlh_header){"Accept", query ? "application/json" : format};
    }
    rlh_parse_in in = {.blocks = rlh_request_blocks(r),
                       .method = rl_request_method(r),
                       .relation = m->table,
                       .query = qs.data ? qs.data : "",
                       .query_len = qs.len,
                       .headers = hs.h,
                       .nheaders = hs.n};
    rlh_req *req = qs.oom ? NULL : rlh_parse(&in);
    rlh_free(&qs);
    if (req && !req->error && groups(req->select, req->nselect))
        by_key = false; /* groups have no key */
    if (req && !req->error && (id || by_key) &&
        !rlh_req_add_key(req, rlh_pk_name(m), id, by_key)) { /* the key of /table/ID */
        rlh_req_free(req);
        req = NULL;
    }
    return req;
}

static rlh_req *request_value(rl_request *r, const rl_model *m, const char *id, bool by_key)
{
    return request_value_of(r, m, id, by_key, NULL);
}

rlh_req *rlh_request_parsed(rl_request *r, const rl_model *m)
{
    return request_value(r, m, NULL, false);
}

static rlh_plan *request_plan(rl_request *r, const rlh_req *req)
{
    rlh_plan_opts o = {.blocks = rlh_request_blocks(r),
                       .schema = rlh_schema_name(r),
                       .aggregates = rlh_aggregates(r),
                       .max_embeds = 16,
                       .max_depth = 6};
    return req ? rlh_plan_read(req, rl_request_models(r), &o) : NULL;
}

static int plan_error(rl_request *r, const rlh_plan *p)
{
    static const rlh_perror oom = {
        .status = 500, .code = "RL_ENOMEM", .message = "Out of memory.", .own_code = "RL_ENOMEM"};
    return rlh_answer_error(r, p ? p->error : &oom);
}

rlh_plan *rlh_parsed_planned(rl_request *r, rlh_req **req)
{
    rlh_plan *p = request_plan(r, *req);
    if (p && !p->error) return p;
    plan_error(r, p);
    rlh_plan_free(p);
    rlh_req_free(*req);
    *req = NULL;
    return NULL;
}

rlh_plan *rlh_request_planned(rl_request *r, const rl_model *m, const char *id, bool by_key,
                              rlh_req **req)
{
    *req = request_value(r, m, id, by_key);
    return rlh_parsed_planned(r, req);
}

rlh_plan *rlh_query_planned(rl_request *r, const rl_model *m, const char *id, bool by_key,
                            const char *query, rlh_req **req)
{
    *req = request_value_of(r, m, id, by_key, query);
    return rlh_parsed_planned(r, req);
}

/* ---- the plans of plain requests, kept ---------------------------------------------------- */

/* A request with nothing asked beside its path and body (no query string, no header the parse
 * stage reads but an Accept of JSON) has one plan per table and method: a GET or HEAD of
 * /{table}/{id} whatever the id, a POST of /{table} whatever the body.  The last few are kept
 * on the connection (its models' until they are read again), a read's key set to the next
 * request's id. */
enum { RLH_KEPT = 4 };
typedef struct rlh_keyed {
    struct {
        const rl_model *m;
        char method[8];
        rlh_req *req;
        rlh_plan *p;
    } kept[RLH_KEPT];
    size_t next; /* the one replaced next */
} rlh_keyed;

void rlh_keyed_forget(rlh_slot *slot)
{
    rlh_keyed *k = slot->keyed;
    for (size_t i = 0; k && i < RLH_KEPT; i++) {
        rlh_plan_free(k->kept[i].p);
        rlh_req_free(k->kept[i].req);
    }
    free(k);
    slot->keyed = NULL;
}

/* Whether r asks nothing of the parse stage beside its path: no argument, no header it reads
 * but an Accept that JSON answers. */
static bool plain(rl_request *r)
{
    if (r->nargs) return false;
    headers hs = {0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_header, &hs);
    for (size_t i = 0; i < hs.n; i++)
        if (strcmp(hs.h[i].name, "Accept") != 0 ||
            (strcmp(hs.h[i].value, "*/*") != 0 && strcmp(hs.h[i].value, "application/json") != 0))
            return false;
    return true;
}

rlh_plan *rlh_plan_kept(rl_request *r, const rl_model *m, const char *id, bool by_key,
                        rlh_req **req, bool *kept)
{
    const char *method = rl_request_method(r);
    *kept = rl_request_db(r) && r->slot && strlen(method) < 8 && plain(r);
    rlh_keyed *k = *kept ? r->slot->keyed : NULL;
    for (size_t i = 0; k && i < RLH_KEPT; i++) {
        if (k->kept[i].m != m || strcmp(k->kept[i].method, method) != 0) continue;
        if (id) rlh_req_set_key(k->kept[i].req, id);
        *req = k->kept[i].req;
        return k->kept[i].p;
    }
    rlh_plan *p = rlh_request_planned(r, m, id, by_key, req);
    if (*kept && p && !k && !(k = r->slot->keyed = calloc(1, sizeof *k))) *kept = false;
    if (!*kept || !p) return p;
    size_t i = k->next++ % RLH_KEPT; /* kept in place of the oldest */
    rlh_plan_free(k->kept[i].p);
    rlh_req_free(k->kept[i].req);
    k->kept[i].m = m;
    snprintf(k->kept[i].method, sizeof k->kept[i].method, "%s", method);
    k->kept[i].req = *req;
    k->kept[i].p = p;
    return p;
}

int rlh_get(rl_request *r, const rl_model *m, const char *id)
{
    rl_value key;
    if (id && (!m->has_pk || !rlh_parse_value(id, -1, &key))) return rlh_bad_key(r, m, id);
    rlh_req *req;
    bool kept = false, by_key = m->has_pk && !rl_request_query(r, "order");
    rlh_plan *p = id ? rlh_plan_kept(r, m, id, by_key, &req, &kept)
                     : rlh_request_planned(r, m, id, by_key, &req);
    int rc = p ? answer(r, m, id, p, rl_request_db(r)) : 0;
    if (kept) return rc;
    rlh_plan_free(p);
    rlh_req_free(req);
    return rc;
}
