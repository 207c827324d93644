/*
 * The parse stage's entry point: a request becomes its value or its error value, checked in
 * PostgREST's order: the method, the query string (parse_query.c), the rows asked for, then
 * what the answer may be (Accept, parse_headers.c) and the preferences under handling=strict
 * (for a write, the preferences first: PostgREST checks them in that order).
 *
 * One arena holds everything the value points to; the value and its arena are allocated
 * together, so that rlh_req_free needs nothing but the value.
 */
#include "parse_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The value and the arena that owns it. */
typedef struct owned {
    rlh_req req; /* first: a request value is its owner */
    rlh_arena arena;
    rlh_blocks *blocks;   /* where it goes back */
    max_align_t first[1]; /* the arena's first block: the rest of the RLH_BLOCK bytes */
} owned;

bool rlh_parse_fail(rlh_req *r, rlh_arena *a, int status, const char *code, const char *message,
                    const char *details, const char *hint, const char *sentence)
{
    rlh_perror *e = rlh_arena_alloc(a, sizeof *e);
    if (!e) return false;
    e->status = status;
    e->code = code;
    const char *in[] = {message, details, hint, sentence};
    const char **out[] = {&e->message, &e->details, &e->hint, &e->sentence};
    for (size_t i = 0; i < 4; i++)
        if (in[i] && !(*out[i] = rlh_arena_strndup(a, in[i], strlen(in[i])))) return false;
    r->error = e;
    return true;
}

static bool method_of(const char *m, rlh_method *out)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; m && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(m, names[i]) == 0) {
            *out = (rlh_method)i;
            return true;
        }
    return false;
}

/* The first header named name (any case), or NULL. */
static const char *header(const rlh_parse_in *in, const char *name)
{
    for (size_t i = 0; i < in->nheaders; i++)
        if (in->headers[i].name && strcasecmp(in->headers[i].name, name) == 0)
            return in->headers[i].value ? in->headers[i].value : "";
    return NULL;
}

/* handling=strict with preferences the server does not know: 400 PGRST122. */
static bool strict(rlh_req *r, rlh_arena *a, bool *oom)
{
    const rlh_preferences *p = &r->prefer;
    if (p->handling != RLH_HANDLING_STRICT || !p->nunknown) return true;
    size_t len = 0;
    for (size_t i = 0; i < p->nunknown; i++)
        len += strlen(p->unknown[i]) + 2;
    char *list = rlh_arena_alloc(a, len + 1), *details, *sentence;
    if (!list) return !(*oom = true);
    for (size_t i = 0, at = 0; i < p->nunknown; i++)
        at += (size_t)sprintf(list + at, "%s%s", i ? ", " : "", p->unknown[i]);
    details = rlh_arena_alloc(a, len + 32);
    sentence = rlh_arena_alloc(a, len + 96);
    if (!details || !sentence) return !(*oom = true);
    sprintf(details, "Invalid preferences: %s", list);
    sprintf(sentence, "Prefer: handling=strict refuses what the server does not know: %s.", list);
    if (!rlh_parse_fail(r, a, 400, "PGRST122", "Invalid preferences given with handling=strict",
                        details, NULL, sentence))
        *oom = true;
    return false;
}

/* Everything after the method: false when r became an error (or *oom). */
static bool parse_all(const rlh_parse_in *in, rlh_req *r, rlh_arena *a, bool *oom)
{
    if (!rlh_parse_query(r, a, in->query, in->query_len, header(in, "Range"), oom)) return false;
    if (!rlh_parse_prefer(a, in->headers, in->nheaders, &r->prefer)) return !(*oom = true);
    const char *ct = header(in, "Content-Type");
    r->content = RLH_MEDIA_JSON;
    if (ct) {
        if (!(r->content_type = rlh_arena_strndup(a, ct, strlen(ct)))) return !(*oom = true);
        r->content = rlh_media_of(ct, strlen(ct), NULL);
    }
    if (in->body_len) {
        char *body = rlh_arena_alloc(a, in->body_len + 1);
        if (!body) return !(*oom = true);
        memcpy(body, in->body, in->body_len);
        r->body = body;
        r->body_len = in->body_len;
    }
    if (r->method == RLH_OPTIONS) return true; /* answered with what the relation allows */
    bool write = r->method != RLH_GET && r->method != RLH_HEAD;
    const char *profile = header(in, write ? "Content-Profile" : "Accept-Profile");
    if (profile && !(r->profile = rlh_arena_strndup(a, profile, strlen(profile))))
        return !(*oom = true);
    if (write && !strict(r, a, oom)) return false;
    if (!rlh_negotiate(r, a, header(in, "Accept"), oom)) return false;
    return write || strict(r, a, oom);
}

rlh_req *rlh_parse(const rlh_parse_in *in)
{
    owned *o = rlh_block_take(in ? in->blocks : NULL); /* zeroed as it is handed out */
    if (!o) return NULL;
    memset(o, 0, offsetof(owned, first));
    o->blocks = in ? in->blocks : NULL;
    rlh_arena_start(&o->arena, o->first, RLH_BLOCK - offsetof(owned, first));
    rlh_req *r = &o->req;
    rlh_arena *a = &o->arena;
    bool oom = false;
    if (!in || !method_of(in->method, &r->method)) {
        const char *m = in && in->method ? in->method : "";
        char msg[160], sentence[220];
        snprintf(msg, sizeof msg, "Unsupported HTTP method: %.100s", m);
        snprintf(sentence, sizeof sentence,
                 "%.100s is not a method of the API: it takes GET, HEAD, POST, PUT, PATCH, "
                 "DELETE and OPTIONS.",
                 m);
        oom = !rlh_parse_fail(r, a, 405, "PGRST117", msg, NULL, NULL, sentence);
    } else if (in->relation &&
               !(r->relation = rlh_arena_strndup(a, in->relation, strlen(in->relation)))) {
        oom = true;
    } else if (!parse_all(in, r, a, &oom) && !oom) {
        /* r is the error: nothing else of it is set */
        const rlh_perror *e = r->error;
        rlh_method m = r->method;
        *r = (rlh_req){.error = e, .method = m};
    }
    if (oom) {
        rlh_req_free(r);
        return NULL;
    }
    return r;
}

bool rlh_req_add_key(rlh_req *r, const char *column, const char *value, bool ordered)
{
    rlh_arena *a = &((owned *)r)->arena;
    size_t clen = strlen(column);
    const char *col = rlh_arena_strndup(a, column, clen);
    if (!col) return false;
    if (value) {
        const char *v = rlh_arena_strndup(a, value, strlen(value));
        rlh_filter *fs = v ? rlh_arena_alloc(a, (r->nfilters + 1) * sizeof *fs) : NULL;
        if (!fs) return false;
        if (r->nfilters) memcpy(fs, r->filters, r->nfilters * sizeof *fs);
        fs[r->nfilters] = (rlh_filter){.cond = {.col = {.name = col}, .op = RLH_OP_EQ, .value = v}};
        r->filters = fs;
        r->nfilters++;
    }
    if (ordered) {
        rlh_order_term *t = rlh_arena_alloc(a, sizeof *t);
        rlh_order *os = t ? rlh_arena_alloc(a, (r->norders + 1) * sizeof *os) : NULL;
        if (!os) return false;
        *t = (rlh_order_term){.col = {.name = col}};
        if (r->norders) memcpy(os, r->orders, r->norders * sizeof *os);
        os[r->norders] = (rlh_order){.terms = t, .nterms = 1};
        r->orders = os;
        r->norders++;
    }
    return true;
}

void rlh_req_set_key(rlh_req *r, const char *value)
{
    if (r->nfilters) ((rlh_filter *)r->filters)[r->nfilters - 1].cond.value = value; /* its own */
}

void rlh_req_free(rlh_req *r)
{
    if (!r) return;
    owned *o = (owned *)r;
    rlh_arena_free(&o->arena);
    rlh_block_give(o->blocks, o);
}
