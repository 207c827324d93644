/*
 * The headers of the parse stage: Prefer (every line of it, one list), media types as
 * PostgREST decodes them (Content-Type, each type of Accept), and the negotiation of Accept
 * against what a request can be answered with.
 *
 * Accept is read as PostgREST reads it: the types sorted by their q-value, then by how
 * specific they are (parameters count for, stars against), a q of 0 not excluding a type; the
 * first type the request can be answered with wins; none is 406 PGRST107 naming them all.
 */
#include "parse_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0;
}

/* ---- Prefer ---------------------------------------------------------------------------- */

/* An integer as the preference's value: out of 64 bits it wraps, as PostgREST reads it. */
static bool read_int64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    bool neg = i < n && s[i] == '-';
    i += neg;
    size_t digits = i;
    uint64_t v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (uint64_t)(s[i++] - '0');
    if (i == digits) return false;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    if (i != n) return false;
    if (neg) v = ~v + 1;
    memcpy(out, &v, sizeof v);
    return true;
}

/* One preference (stripped), n bytes at t, into p. */
static bool prefer_one(rlh_arena *a, const char *t, size_t n, rlh_preferences *p, rlh_vec *unknown,
                       bool *seen_max)
{
    static const struct {
        const char *text;
        int which, value;
    } known[] = {{"resolution=merge-duplicates", 0, RLH_RESOLUTION_MERGE},
                 {"resolution=ignore-duplicates", 0, RLH_RESOLUTION_IGNORE},
                 {"return=representation", 1, RLH_RETURN_REPRESENTATION},
                 {"return=minimal", 1, RLH_RETURN_MINIMAL},
                 {"return=headers-only", 1, RLH_RETURN_HEADERS_ONLY},
                 {"count=exact", 2, RLH_COUNT_EXACT},
                 {"count=planned", 2, RLH_COUNT_PLANNED},
                 {"count=estimated", 2, RLH_COUNT_ESTIMATED},
                 {"tx=commit", 3, RLH_TX_COMMIT},
                 {"tx=rollback", 3, RLH_TX_ROLLBACK},
                 {"missing=default", 4, RLH_MISSING_DEFAULT},
                 {"missing=null", 4, RLH_MISSING_NULL},
                 {"handling=strict", 5, RLH_HANDLING_STRICT},
                 {"handling=lenient", 5, RLH_HANDLING_LENIENT}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strlen(known[i].text) != n || memcmp(known[i].text, t, n) != 0) continue;
        int *slot[] = {(int *)&p->resolution, (int *)&p->ret,     (int *)&p->count,
                       (int *)&p->tx,         (int *)&p->missing, (int *)&p->handling};
        if (!*slot[known[i].which]) *slot[known[i].which] = known[i].value;
        return true;
    }
    if (n == 16 && memcmp(t, "unfiltered=allow", 16) == 0) { /* reflite's own */
        p->unfiltered = true;
        return true;
    }
    if (n >= 9 && memcmp(t, "timezone=", 9) == 0) {
        if (!p->timezone && !(p->timezone = rlh_arena_strndup(a, t + 9, n - 9))) return false;
        return true;
    }
    if (n >= 13 && memcmp(t, "max-affected=", 13) == 0) {
        /* the first max-affected= counts, readable or not */
        if (!*seen_max) p->has_max_affected = read_int64(t + 13, n - 13, &p->max_affected);
        *seen_max = true;
        return true;
    }
    char *copy = rlh_arena_strndup(a, t, n);
    return copy && rlh_vec_push(a, unknown, &copy, sizeof copy);
}

bool rlh_parse_prefer(rlh_arena *a, const rlh_header *h, size_t nh, rlh_preferences *p)
{
    rlh_vec unknown = {0};
    bool seen_max = false;
    *p = (rlh_preferences){0};
    for (size_t i = 0; i < nh; i++) {
        if (!h[i].name || strcasecmp(h[i].name, "prefer") != 0 || !h[i].value) continue;
        const char *v = h[i].value;
        for (size_t start = 0, len = strlen(v), end; len && start <= len; start = end + 1) {
            for (end = start; end < len && v[end] != ','; end++)
                ;
            size_t from = start, to = end;
            while (from < to && is_space((unsigned char)v[from]))
                from++;
            while (to > from && is_space((unsigned char)v[to - 1]))
                to--;
            if (!prefer_one(a, v + from, to - from, p, &unknown, &seen_max)) return false;
        }
    }
    if (!p->has_max_affected) p->max_affected = 0;
    p->unknown = unknown.items;
    p->nunknown = unknown.n;
    return true;
}

/* ---- media types ----------------------------------------------------------------------- */

/* A media type decoded: its kind, and what its parameters say. */
typedef struct mtype {
    rlh_media media;
    bool stripped;     /* nulls=stripped */
    bool plan_json;    /* vnd.pgrst.plan+json rather than +text */
    char for_mime[64]; /* a plan's for= type, as a mime */
    unsigned options;  /* a plan's options: analyze, verbose, settings, buffers, wal */
} mtype;

static bool tok_char(unsigned char c, const char *extra)
{
    return isalnum(c) || (c && strchr(extra, c));
}

/* type/subtype;key=value;... (PostgREST's tokenizer: what follows what it reads is ignored);
 * false when there is no type/subtype. */
static bool tokenize(const char *s, size_t n, size_t *main_len, size_t *sub_at, size_t *sub_len,
                     size_t *params_at)
{
    size_t i = 0;
    while (i < n && tok_char((unsigned char)s[i], ".*"))
        i++;
    if (i == 0 || i >= n || s[i] != '/') return false;
    *main_len = i++;
    *sub_at = i;
    while (i < n && tok_char((unsigned char)s[i], ".*+-"))
        i++;
    if (i == *sub_at) return false;
    *sub_len = i - *sub_at;
    *params_at = i;
    return true;
}

/* The value of parameter key (lower case) among the parameters at s (n bytes), the last one
 * given; its length in *len, or NULL. */
static const char *param(const char *s, size_t n, const char *key, size_t *len)
{
    const char *found = NULL;
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < n && isspace((unsigned char)s[j]))
            j++;
        if (j >= n || s[j] != ';') break;
        j++;
        while (j < n && isspace((unsigned char)s[j]))
            j++;
        size_t k = j;
        while (k < n && tok_char((unsigned char)s[k], "-"))
            k++;
        if (k == j) break;
        size_t klen = k - j;
        while (k < n && isspace((unsigned char)s[k]))
            k++;
        if (k >= n || s[k] != '=') break;
        k++;
        while (k < n && isspace((unsigned char)s[k]))
            k++;
        size_t v = k, vlen;
        if (k < n && s[k] == '"') {
            const char *close = memchr(s + k + 1, '"', n - k - 1);
            if (!close) break;
            v = k + 1;
            vlen = (size_t)(close - s) - v;
            k = (size_t)(close - s) + 1;
        } else {
            while (k < n && tok_char((unsigned char)s[k], "|-"))
                k++;
            if (k == v) break;
            vlen = k - v;
        }
        if (klen == strlen(key) && strncasecmp(s + j, key, klen) == 0) {
            found = s + v;
            *len = vlen;
        }
        i = k;
    }
    return found;
}

static bool is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

static const char *mime(const mtype *t, char *buf, size_t size);

static mtype decode(const char *s, size_t n, int depth)
{
    mtype t = {.media = RLH_MEDIA_OTHER};
    size_t ml, sa, sl, pa, len;
    if (!tokenize(s, n, &ml, &sa, &sl, &pa)) return t;
    const char *sub = s + sa, *params = s + pa, *v;
    size_t plen = n - pa;
    static const struct {
        const char *main, *sub;
        rlh_media media;
    } plain[] = {{"application", "json", RLH_MEDIA_JSON},
                 {"application", "geo+json", RLH_MEDIA_GEOJSON},
                 {"text", "csv", RLH_MEDIA_CSV},
                 {"text", "plain", RLH_MEDIA_TEXT},
                 {"text", "xml", RLH_MEDIA_XML},
                 {"application", "openapi+json", RLH_MEDIA_OPENAPI},
                 {"application", "x-www-form-urlencoded", RLH_MEDIA_URLENCODED},
                 {"application", "octet-stream", RLH_MEDIA_OCTET},
                 {"*", "*", RLH_MEDIA_ANY}};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (is(s, ml, plain[i].main) && is(sub, sl, plain[i].sub)) {
            t.media = plain[i].media;
            return t;
        }
    if (!is(s, ml, "application")) return t;
    v = param(params, plen, "nulls", &len);
    bool stripped = v && len == 8 && memcmp(v, "stripped", 8) == 0;
    if (is(sub, sl, "vnd.pgrst.object+json") || is(sub, sl, "vnd.pgrst.object")) {
        t.media = RLH_MEDIA_SINGULAR;
        t.stripped = stripped;
    } else if (is(sub, sl, "vnd.pgrst.array+json") || is(sub, sl, "vnd.pgrst.array")) {
        t.media = stripped ? RLH_MEDIA_ARRAY_STRIPPED : RLH_MEDIA_JSON;
        t.stripped = stripped;
    } else if (is(sub, sl, "vnd.pgrst.plan") || is(sub, sl, "vnd.pgrst.plan+text") ||
               is(sub, sl, "vnd.pgrst.plan+json")) {
        t.media = RLH_MEDIA_PLAN;
        t.plan_json = is(sub, sl, "vnd.pgrst.plan+json");
        v = param(params, plen, "for", &len);
        mtype f = depth < 4 ? decode(v ? v : "application/json", v ? len : 16, depth + 1)
                            : (mtype){.media = RLH_MEDIA_JSON};
        mime(&f, t.for_mime, sizeof t.for_mime);
        static const char *const opts[] = {"analyze", "verbose", "settings", "buffers", "wal"};
        v = param(params, plen, "options", &len);
        for (size_t i = 0; v && i < 5; i++)
            for (size_t at = 0, end; at <= len; at = end + 1) {
                for (end = at; end < len && v[end] != '|'; end++)
                    ;
                if (end - at == strlen(opts[i]) && memcmp(v + at, opts[i], end - at) == 0)
                    t.options |= 1u << i;
            }
    }
    return t;
}

rlh_media rlh_media_of(const char *text, size_t n, bool *nulls_stripped)
{
    mtype t = decode(text, n, 0);
    if (nulls_stripped) *nulls_stripped = t.stripped;
    return t.media;
}

/* The mime PostgREST names a decoded type with (NULL for RLH_MEDIA_OTHER: its own text). */
static const char *mime(const mtype *t, char *buf, size_t size)
{
    static const char *const names[] = {
        [RLH_MEDIA_JSON] = "application/json",
        [RLH_MEDIA_CSV] = "text/csv",
        [RLH_MEDIA_ARRAY_STRIPPED] = "application/vnd.pgrst.array+json;nulls=stripped",
        [RLH_MEDIA_ANY] = "*/*",
        [RLH_MEDIA_GEOJSON] = "application/geo+json",
        [RLH_MEDIA_TEXT] = "text/plain",
        [RLH_MEDIA_XML] = "text/xml",
        [RLH_MEDIA_OPENAPI] = "application/openapi+json",
        [RLH_MEDIA_URLENCODED] = "application/x-www-form-urlencoded",
        [RLH_MEDIA_OCTET] = "application/octet-stream"};
    if (t->media == RLH_MEDIA_SINGULAR) {
        snprintf(buf, size, "application/vnd.pgrst.object+json%s",
                 t->stripped ? ";nulls=stripped" : "");
    } else if (t->media == RLH_MEDIA_PLAN) {
        static const char *const opts[] = {"analyze", "verbose", "settings", "buffers", "wal"};
        size_t len = (size_t)snprintf(buf, size, "application/vnd.pgrst.plan+%s; for=\"%s\"",
                                      t->plan_json ? "json" : "text", t->for_mime);
        for (size_t i = 0, k = 0; i < 5 && len < size; i++)
            if (t->options & (1u << i))
                len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                        k++ ? "|" : "; options=", opts[i]);
    } else if (t->media == RLH_MEDIA_OTHER) {
        return NULL;
    } else {
        snprintf(buf, size, "%s", names[t->media]);
    }
    return buf;
}

/* ---- Accept ---------------------------------------------------------------------------- */

typedef struct accepted {
    const char *text; /* the type without spaces and without ;q= and what follows */
    size_t len;
    double q;
    int specificity; /* parameters minus stars */
    size_t order;
} accepted;

/* A q-value as PostgREST reads it: a number at the start, else 1. */
static double q_of(const char *s, size_t n)
{
    size_t i = 0, digits;
    bool neg = i < n && s[i] == '-';
    i += neg;
    digits = i;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i == digits) return 1.0;
    if (i + 1 < n && s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
        i++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    }
    if (i + 1 < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = i + 1 + (s[i + 1] == '-' || s[i + 1] == '+');
        if (e < n && isdigit((unsigned char)s[e])) {
            i = e;
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
        }
    }
    char num[64];
    if (i >= sizeof num) return neg ? -HUGE_VAL : HUGE_VAL;
    memcpy(num, s, i);
    num[i] = '\0';
    return strtod(num, NULL);
}

static int by_preference(const void *x, const void *y)
{
    const accepted *a = x, *b = y;
    if (a->q != b->q) return a->q > b->q ? -1 : 1;
    if (a->specificity != b->specificity) return a->specificity > b->specificity ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Whether the request can be answered with t (the root of the API: its OpenAPI document). */
static bool producible(const rlh_req *r, const mtype *t)
{
    if (!r->relation)
        return t->media == RLH_MEDIA_OPENAPI || t->media == RLH_MEDIA_JSON ||
               t->media == RLH_MEDIA_ANY;
    return t->media == RLH_MEDIA_JSON || t->media == RLH_MEDIA_ANY || t->media == RLH_MEDIA_CSV ||
           t->media == RLH_MEDIA_SINGULAR || t->media == RLH_MEDIA_ARRAY_STRIPPED;
}

bool rlh_negotiate(rlh_req *r, rlh_arena *a, const char *accept, bool *oom)
{
    if (!accept) {
        r->accept = r->relation ? RLH_MEDIA_JSON : RLH_MEDIA_OPENAPI;
        return true;
    }
    rlh_vec types = {0};
    size_t n = strlen(accept);
    for (size_t start = 0, end; n && start <= n; start = end + 1) {
        for (end = start; end < n && accept[end] != ','; end++)
            ;
        char *t = rlh_arena_alloc(a, end - start + 1);
        if (!t) return !(*oom = true);
        size_t len = 0;
        for (size_t i = start; i < end; i++)
            if (accept[i] != ' ') t[len++] = accept[i];
        accepted e = {.text = t, .len = len, .q = 1.0, .order = types.n};
        const char *q = strstr(t, ";q=");
        if (q) {
            e.len = (size_t)(q - t);
            size_t qlen = strcspn(q + 3, ";");
            e.q = q_of(q + 3, qlen);
        }
        for (size_t i = 0; i < e.len; i++)
            e.specificity += (t[i] == ';') - (t[i] == '*');
        if (!rlh_vec_push(a, &types, &e, sizeof e)) return !(*oom = true);
    }
    accepted *list = types.items;
    if (types.n) qsort(list, types.n, sizeof *list, by_preference);
    for (size_t i = 0; i < types.n; i++) {
        mtype t = decode(list[i].text, list[i].len, 0);
        if (!producible(r, &t)) continue;
        r->accept = !r->relation               ? RLH_MEDIA_OPENAPI
                    : t.media == RLH_MEDIA_ANY ? RLH_MEDIA_JSON
                                               : t.media;
        r->nulls_stripped = t.stripped;
        return true;
    }
    rlh_vec msg = {0};
    static const char lead[] = "None of these media types are available: ";
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof lead - 1; i++)
        ok = rlh_vec_push(a, &msg, &lead[i], 1);
    for (size_t i = 0; ok && i < types.n; i++) {
        char buf[160];
        mtype t = decode(list[i].text, list[i].len, 0);
        const char *m = mime(&t, buf, sizeof buf);
        size_t len = m ? strlen(m) : list[i].len;
        for (size_t k = 0; ok && i && k < 2; k++)
            ok = rlh_vec_push(a, &msg, &", "[k], 1);
        for (size_t k = 0; ok && k < len; k++)
            ok = rlh_vec_push(a, &msg, m ? &m[k] : &list[i].text[k], 1);
    }
    char *text = ok ? rlh_arena_strndup(a, msg.items, msg.n) : NULL;
    if (!text) return !(*oom = true);
    char sentence[200];
    snprintf(sentence, sizeof sentence, "The Accept header names no type this %s is given in: %s.",
             r->relation ? "request's answer" : "document",
             r->relation ? "application/json, application/vnd.pgrst.object+json or text/csv"
                         : "application/openapi+json or application/json");
    if (!rlh_parse_fail(r, a, 406, "PGRST107", text, NULL, NULL, sentence)) *oom = true;
    return false;
}
