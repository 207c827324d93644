/*
 * The render stage of the server's answers: an error value as PostgREST writes it (one
 * function for every error the stages give), and a read's rows with PostgREST's statuses and
 * headers.  The bodies themselves are answer.c's (JSON, CSV); the pages' are page_*.c's.
 */
#include "answer.h"
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* r's arguments as a query string after what b holds, but the one called skip (NULL: none);
 * whether there was any. */
bool rlh_args_of(rl_request *r, const char *skip, rlh_buf *b)
{
    bool any = false;
    for (size_t i = 0; i < r->nargs; i++) {
        if (skip && strcmp(r->args[i].key, skip) == 0) continue;
        if (any) rlh_add(b, "&", 1);
        any = true;
        rlh_query_encode(b, r->args[i].key);
        rlh_add(b, "=", 1);
        rlh_query_encode(b, r->args[i].value);
    }
    return any;
}

static int by_key_then_value(const void *a, const void *b)
{
    const rlh_arg *x = *(const rlh_arg *const *)a, *y = *(const rlh_arg *const *)b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

/* Content-Location: the request's path with its arguments in order of name (then value), as
 * PostgREST names the answer it gives; no "?" when there are none. */
static void content_location(rl_request *r)
{
    const char *path = rl_request_path(r);
    size_t plain = 0; /* a path of plain bytes and no arguments is its own name (/books/5) */
    while (path[plain] && (path[plain] == '/' || rlh_query_plain((unsigned char)path[plain])))
        plain++;
    if (!r->nargs && !path[plain]) {
        rl_response_header(r, "Content-Location", path);
        return;
    }
    const rlh_arg *fixed[64], **sorted = fixed;
    if (r->nargs > 64 && !(sorted = malloc(r->nargs * sizeof *sorted))) return;
    for (size_t i = 0; i < r->nargs; i++)
        sorted[i] = &r->args[i];
    qsort(sorted, r->nargs, sizeof *sorted, by_key_then_value);
    rlh_buf b = {0};
    char seg[256]; /* the path encoded again, a segment at a time (a name has no "/") */
    for (const char *p = rl_request_path(r); *p;) {
        size_t n = strcspn(p, "/"), k = n < sizeof seg ? n : sizeof seg - 1;
        memcpy(seg, p, k);
        seg[k] = '\0';
        rlh_query_encode(&b, seg);
        p += n;
        if (*p) rlh_add(&b, p++, 1);
    }
    for (size_t i = 0; i < r->nargs; i++) {
        rlh_add(&b, i ? "&" : "?", 1);
        rlh_query_encode(&b, sorted[i]->key);
        rlh_add(&b, "=", 1);
        rlh_query_encode(&b, sorted[i]->value);
    }
    if (!b.oom) rl_response_header(r, "Content-Location", b.data);
    rlh_free(&b);
    if (sorted != fixed) free(sorted);
}

/* reflite's code for an error PostgREST names its own way. */
static const char *reflite_code(const rlh_perror *e)
{
    if (e->own_code) return e->own_code;
    if (e->status == 404) return "RL_ENOTFOUND";
    if (!strcmp(e->code, "42703") || !strcmp(e->code, "PGRST108")) return "RL_EFIELD";
    if (!strcmp(e->code, "22P02")) return "RL_ETYPE";
    if (!strcmp(e->code, "PGRST201")) return "RL_EAMBIGUOUS";
    if (!strcmp(e->code, "PGRST205")) return "RL_ENOTFOUND";
    if (!strncmp(e->code, "RL_", 3)) return e->code;
    return "RL_EINVAL";
}

/* Answer r with e, more members of its body after reflite's (more: NULL or ",..."). */
static int answer_error(rl_request *r, const rlh_perror *e, const rlh_buf *more)
{
    /* a name the tables do not have, or a value its column does not take: perhaps new since
     * the tables were read (the request is answered anew if the schema moved) */
    if (!strcmp(e->code, "42703") || !strcmp(e->code, "PGRST200") || !strcmp(e->code, "PGRST205") ||
        !strcmp(e->code, "22P02"))
        rlh_unknown_name(r);
    rlh_buf b = {0};
    rlh_adds(&b, "{");
    rlh_json_member(&b, "code", e->code);
    rlh_adds(&b, ",");
    rlh_json_key(&b, "details");
    if (e->details && !strcmp(e->code, "PGRST201")) /* its list of relationships, as JSON */
        rlh_adds(&b, e->details);
    else if (e->details)
        rlh_json_str(&b, e->details, strlen(e->details));
    else
        rlh_adds(&b, "null");
    rlh_adds(&b, ",");
    rlh_json_member(&b, "hint", e->hint);
    rlh_adds(&b, ",");
    rlh_json_member(&b, "message", e->message);
    rlh_adds(&b, ",\"reflite\":{");
    rlh_json_member(&b, "code", reflite_code(e));
    rlh_adds(&b, ",");
    rlh_json_member(&b, "message", e->sentence ? e->sentence : e->message);
    rlh_adds(&b, "}");
    if (more && more->len) rlh_add(&b, more->data, more->len);
    rlh_adds(&b, "}");
    if (e->allow) rl_response_header(r, "Allow", e->allow);
    /* the database comes back by itself: try again (not after a commit in doubt) */
    if (!strcmp(e->code, "RL_EDISCONNECTED")) rl_response_header(r, "Retry-After", "1");
    int rc = b.oom || (more && more->oom)
                 ? rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL)
                 : rl_respond(r, e->status, NULL, b.data, b.len);
    rlh_free(&b);
    return rc;
}

int rlh_answer_error(rl_request *r, const rlh_perror *e)
{
    return answer_error(r, e, NULL);
}

int rlh_answer_fault(rl_request *r, rlh_fault *f)
{
    int rc = f->e.code ? answer_error(r, &f->e, &f->more)
                       : rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    rlh_free(&f->more);
    return rc;
}

int rlh_db_error(rl_request *r, rl_db *db, long item, const char *where)
{
    rlh_fault f;
    rlh_fault_none(&f);
    rlh_fail_db(&f, r, db, item, where, NULL, NULL);
    return rlh_answer_fault(r, &f);
}

int rl_respond_db_error(rl_request *r, rl_db *db)
{
    if (!r || !db) return RL_EINVAL;
    return rlh_db_error(r, db, -1, NULL);
}

/* The media type of an answer of rows to req: NULL for JSON's (the server's default). */
static const char *media_of(const rlh_req *req)
{
    return req->accept == RLH_MEDIA_SINGULAR ? "application/vnd.pgrst.object+json; charset=utf-8"
           : req->accept == RLH_MEDIA_CSV    ? "text/csv; charset=utf-8"
                                             : NULL;
}

int rlh_render_write(rl_request *r, rlh_written *w)
{
    if (w->body && w->body->oom)
        return rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    if (w->location) rl_response_header(r, "Location", w->location);
    if (w->range[0]) rl_response_header(r, "Content-Range", w->range);
    rlh_preference_applied(r, w->req, w->as, w->resolution);
    if (!w->body) return rl_respond(r, w->status, NULL, NULL, 0);
    return rlh_respond_buf(r, w->status, media_of(w->req), w->body);
}

void rlh_preference_applied(rl_request *r, const rlh_req *q, rlh_method as, bool resolution)
{
    static const char *const returns[] = {[RLH_RETURN_REPRESENTATION] = "return=representation",
                                          [RLH_RETURN_MINIMAL] = "return=minimal",
                                          [RLH_RETURN_HEADERS_ONLY] = "return=headers-only"};
    static const char *const counts[] = {[RLH_COUNT_EXACT] = "count=exact",
                                         [RLH_COUNT_PLANNED] = "count=planned",
                                         [RLH_COUNT_ESTIMATED] = "count=estimated"};
    const rlh_preferences *p = &q->prefer;
    bool write = as != RLH_GET && as != RLH_HEAD;
    const char *said[9];
    size_t n = 0;
    char max[40];
    if (resolution && p->resolution)
        said[n++] = p->resolution == RLH_RESOLUTION_MERGE ? "resolution=merge-duplicates"
                                                          : "resolution=ignore-duplicates";
    if ((as == RLH_POST || as == RLH_PATCH) && p->missing)
        said[n++] = p->missing == RLH_MISSING_DEFAULT ? "missing=default" : "missing=null";
    if (write && p->ret) said[n++] = returns[p->ret];
    if (p->count) said[n++] = counts[p->count];
    if (write && p->tx) said[n++] = p->tx == RLH_TX_ROLLBACK ? "tx=rollback" : "tx=commit";
    if (p->handling)
        said[n++] = p->handling == RLH_HANDLING_STRICT ? "handling=strict" : "handling=lenient";
    if ((as == RLH_PATCH || as == RLH_DELETE) && p->handling == RLH_HANDLING_STRICT &&
        p->has_max_affected) {
        snprintf(max, sizeof max, "max-affected=%lld", (long long)p->max_affected);
        said[n++] = max;
    }
    rlh_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) rlh_adds(&b, ", ");
        rlh_adds(&b, said[i]);
    }
    if (n && !b.oom) rl_response_header(r, "Preference-Applied", b.data);
    rlh_free(&b);
}

/* Link: the next page after the last row, by its key, for a full first page so ordered. */
static void link_next(rl_request *r, const rl_model *m, const rlh_result *res, bool desc)
{
    const void *last = (const char *)res->root.items + (res->root.count - 1) * m->size;
    rlh_buf b = {0};
    rlh_adds(&b, "<");
    rlh_adds(&b, rl_request_path(r));
    rlh_adds(&b, "?");
    bool any = rlh_args_of(r, "offset", &b);
    rlh_addf(&b, "%s%s=%s.%lld>; rel=\"next\"", any ? "&" : "", rlh_pk_name(m), desc ? "lt" : "gt",
             (long long)rlh_row_pk(m, last));
    if (!b.oom) rl_response_header(r, "Link", b.data);
    rlh_free(&b);
}

/* The root's rows ordered by the key alone: 1 ascending, -1 descending, else 0. */
static int keyset_of(const rlh_pnode *n)
{
    if (n->norder != 1 || n->order[0].kid >= 0 || n->order[0].field != RLH_FIELD_PK ||
        n->order[0].njson)
        return 0;
    return n->order[0].dir == RLH_DIR_DESC ? -1 : 1;
}

int rlh_bad_key(rl_request *r, const rl_model *m, const char *id)
{
    char msg[300];
    snprintf(msg, sizeof msg, "%.100s is not a key of %.150s.", id, m->table);
    const rlh_perror e = {404,
                          "RL_ENOTFOUND",
                          msg,
                          NULL,
                          m->has_pk ? "A row's key is an integer."
                                    : "This table has no integer key: filter by its columns.",
                          msg,
                          NULL,
                          NULL};
    return rlh_answer_error(r, &e);
}

/* The answer to a read: the rows of res (the plan p run; id: a read of /table/ID) with
 * PostgREST's statuses (200, 206, 404/406 when one row was asked for and not found, 416) and
 * headers (Content-Range, Content-Location, Preference-Applied, Warning, Link). */
int rlh_render_read(rl_request *r, const rl_model *m, const char *id, const rlh_plan *p,
                    const rlh_result *res)
{
    const rlh_req *q = p->req;
    const rlh_pnode *root = &p->root;
    int rc;
    int64_t lower = root->offset, n = (int64_t)res->root.count, upper = lower + n - 1;
    char cr[80], total[24] = "*";
    if (res->total >= 0) snprintf(total, sizeof total, "%lld", (long long)res->total);
    if (res->total >= 0 && lower > res->total) {
        char details[200];
        snprintf(details, sizeof details,
                 "An offset of %lld was requested, but there are only "
                 "%lld rows.",
                 (long long)lower, (long long)res->total);
        snprintf(cr, sizeof cr, "*/%s", total);
        rl_response_header(r, "Content-Range", cr);
        rlh_perror e = {416,  "PGRST103", "Requested range not satisfiable", details, NULL, details,
                        NULL, NULL};
        return rlh_answer_error(r, &e);
    }
    rlh_buf b = {0};
    bool strip = q->nulls_stripped;
    if (id || q->accept == RLH_MEDIA_SINGULAR) {
        if (n != 1) {
            char details[100];
            snprintf(details, sizeof details, "The result contains %lld rows", (long long)n);
            rlh_perror e = {.status = id ? 404 : 406,
                            .code = "PGRST116",
                            .message = "Cannot coerce the result to a single JSON object",
                            .details = details,
                            .sentence = id ? "No row has this key." : details};
            return rlh_answer_error(r, &e);
        }
        if (q->accept == RLH_MEDIA_CSV) /* the one row as CSV, as the media type says */
            rlh_answer_csv(&b, res);
        else
            rlh_answer_object(&b, res, 0, strip);
    } else if (q->accept == RLH_MEDIA_CSV) {
        rlh_answer_csv(&b, res);
    } else {
        rlh_answer_json(&b, res, strip);
    }
    int status = 200;
    content_location(r);
    rlh_preference_applied(r, q, q->method, false);
    if (p->warning) { /* RFC 7234's form: code, agent, the text quoted */
        rlh_buf w = {0};
        rlh_adds(&w, "199 reflite ");
        rlh_json_str(&w, p->warning, strlen(p->warning));
        if (!w.oom) rl_response_header(r, "Warning", w.data);
        rlh_free(&w);
    }
    if (!id) {
        if (n > 0 && res->total != 0)
            snprintf(cr, sizeof cr, "%lld-%lld/%s", (long long)lower, (long long)upper, total);
        else
            snprintf(cr, sizeof cr, "*/%s", total);
        rl_response_header(r, "Content-Range", cr);
        if (res->total >= 0 && n < res->total) status = 206;
        int keyset = keyset_of(root);
        if (keyset && n > 0 && n == root->limit && lower == 0 && !res->root.values)
            link_next(r, m, res, keyset < 0);
    }
    if (b.oom)
        rc = rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    else
        rc = rlh_respond_buf(r, status, media_of(q), &b);
    rlh_free(&b);
    return rc;
}
