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
    char first = (char)(key[0] | 0x20); /* the wanted names start with p, a, r or c */
    if (first != 'p' && first != 'a' && first != 'r' && first != 'c') return MHD_YES;
    static const char *const wanted[] = {"Prefer",         "Accept",          "Range", "Range-Unit",
                                         "Accept-Profile", "Content-Profile", NULL};
    for (const char *const *w = wanted; *w && hs->n < 15; w++) /* one left for Accept */
        if (strcasecmp(key, *w) == 0) hs->h[hs->n++] = (rlh_header){*w, value ? value : ""};
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
    for (size_t i = 0; req && !req->error && i < req->nselect; i++) /* groups have no key */
        if (req->select[i].agg != RLH_AGG_NONE ||
            (req->select[i].col.name && !strcmp(req->select[i].col.name, "count")))
            by_key = false;
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

/* ---- the plans of plain reads by key, kept --------------------------------------------------- */

/* GET and HEAD of /{table}/{id} with nothing else asked (no query string, no header the parse
 * stage reads but an Accept of JSON) have one plan per table whatever the id: the last few
 * are kept on the connection (its models' until they are read again), the key's value set to
 * the next request's id. */
enum { RLH_KEYED = 4 };
typedef struct rlh_keyed {
    struct {
        const rl_model *m;
        bool head;
        rlh_req *req;
        rlh_plan *p;
    } kept[RLH_KEYED];
    size_t next; /* the one replaced next */
} rlh_keyed;

void rlh_keyed_forget(rlh_slot *slot)
{
    rlh_keyed *k = slot->keyed;
    for (size_t i = 0; k && i < RLH_KEYED; i++) {
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

/* A plain read by key on m: its kept plan, the key's value now id (NULL: none kept). */
static rlh_plan *keyed_plan(rl_request *r, const rl_model *m, const char *id)
{
    rlh_keyed *k = r->slot->keyed;
    bool head = strcmp(rl_request_method(r), "HEAD") == 0;
    for (size_t i = 0; k && i < RLH_KEYED; i++) {
        if (k->kept[i].m != m || k->kept[i].head != head) continue;
        rlh_req_set_key(k->kept[i].req, id);
        return k->kept[i].p;
    }
    return NULL;
}

/* Keep the plan p of a plain read by key on m (and its request value); false when it is not
 * kept (out of memory: the caller frees it). */
static bool keep_plan(rl_request *r, const rl_model *m, rlh_req *req, rlh_plan *p)
{
    rlh_keyed *k = r->slot->keyed;
    if (!k && !(k = r->slot->keyed = calloc(1, sizeof *k))) return false;
    size_t i = k->next++ % RLH_KEYED;
    rlh_plan_free(k->kept[i].p);
    rlh_req_free(k->kept[i].req);
    k->kept[i].m = m;
    k->kept[i].head = strcmp(rl_request_method(r), "HEAD") == 0;
    k->kept[i].req = req;
    k->kept[i].p = p;
    return true;
}

int rlh_get(rl_request *r, const rl_model *m, const char *id)
{
    rl_value key;
    if (id && (!m->has_pk || !rlh_parse_value(id, -1, &key))) return rlh_bad_key(r, m, id);
    rl_db *db = rl_request_db(r);
    bool keyed = id && db && r->slot && plain(r);
    rlh_plan *kept = keyed ? keyed_plan(r, m, id) : NULL;
    if (kept) return answer(r, m, id, kept, db);
    rlh_req *req;
    rlh_plan *p = rlh_request_planned(r, m, id, m->has_pk && !rl_request_query(r, "order"), &req);
    int rc = p ? answer(r, m, id, p, db) : 0;
    if (p && keyed && keep_plan(r, m, req, p)) return rc;
    rlh_plan_free(p);
    rlh_req_free(req);
    return rc;
}
