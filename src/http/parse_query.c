/*
 * The query string of a request into its value: split at '&' and ';' into key=value pairs
 * (percent-decoded, '+' a space), each pair classified by its key as PostgREST does it, and
 * parsed in PostgREST's order (order=, or=/and=, columns=, select=, filters, on_conflict=), so
 * that of several bad parameters the same one is reported.  Then limit=/offset= with the
 * Range header: the rows asked for, or 416.
 *
 * The classification: select, columns and on_conflict are themselves; a key whose last
 * dot-separated word is order, limit, offset, and or or belongs to the embed its other words
 * name; every other key with a value is a filter.  A key without '=' is no parameter.  Of
 * select, columns and on_conflict the first occurrence counts; of limit and offset the last.
 */
#include "parse_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct qparam {
    const char *key, *value; /* value NULL: the key came without '=' */
    size_t klen, vlen;
} qparam;

/* A formatted string in the arena. */
static char *afmt(rlh_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *afmt(rlh_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? rlh_arena_alloc(a, (size_t)n + 1) : NULL;
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The n bytes at s percent-decoded ('+' is a space; a '%' not followed by two hex digits is
 * itself); NULL when out of memory. */
static char *decode(rlh_arena *a, const char *s, size_t n, size_t *len)
{
    char *out = rlh_arena_alloc(a, n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out[o++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    *len = o;
    return out;
}

/* The last dot-separated word of key is one of words (NULL-terminated). */
static bool ends_in(const qparam *p, const char *const *words)
{
    const char *last = p->key;
    for (size_t i = 0; i < p->klen; i++)
        if (p->key[i] == '.') last = p->key + i + 1;
    size_t len = (size_t)(p->key + p->klen - last);
    for (; *words; words++)
        if (strlen(*words) == len && memcmp(*words, last, len) == 0) return true;
    return false;
}

static bool key_is(const qparam *p, const char *key)
{
    return strlen(key) == p->klen && memcmp(p->key, key, p->klen) == 0;
}

/* ---- syntax errors --------------------------------------------------------------------- */

typedef struct qctx {
    rlh_req *r;
    rlh_arena *a;
    bool *oom;
} qctx;

/* r becomes the syntax error of g (parsing what, on input), PGRST100; false.  PostgREST's
 * message counts columns in what the grammar read, reflite's sentence in the parameter's
 * value: shift characters (an or/and tree is read after its operator) less. */
static bool syntax_at(qctx *c, const rlh_gram *g, const char *what, const char *input, size_t ilen,
                      const char *subject, int shift)
{
    if (g->fatal && strcmp(g->fatal, "out of memory") == 0) return !(*c->oom = true);
    int line, col;
    rlh_gram at = *g;
    if (g->fatal) at.err.off = g->pos;
    rlh_g_position(&at, &line, &col);
    const char *details =
        g->fatal ? afmt(c->a, "nested more than %d deep", RLH_PARSE_MAX_DEPTH) : rlh_g_details(g);
    const char *msg = afmt(c->a, "\"failed to parse %s (%.*s)\" (line %d, column %d)", what,
                           (int)ilen, input, line, col);
    const char *sentence =
        afmt(c->a, "%s is not valid at line %d, column %d: %s.", subject, line,
             line == 1 && col > shift ? col - shift : col, details ? details : "");
    if (!details || !msg || !sentence ||
        !rlh_parse_fail(c->r, c->a, 400, "PGRST100", msg, details, NULL, sentence))
        *c->oom = true;
    return false;
}

static bool syntax(qctx *c, const rlh_gram *g, const char *what, const char *input, size_t ilen,
                   const char *subject)
{
    return syntax_at(c, g, what, input, ilen, subject, 0);
}

/* ---- the parameters -------------------------------------------------------------------- */

static bool tree_path(qctx *c, const qparam *p, rlh_path *path, rlh_col *col)
{
    rlh_gram g;
    rlh_g_init(&g, c->a, p->key, p->klen);
    if (rlh_g_tree_path(&g, path, col) == RLH_G_OK ||
        (rlh_g_again(&g) && rlh_g_tree_path(&g, path, col) == RLH_G_OK))
        return true;
    char *subject = afmt(c->a, "The parameter name '%.*s'", (int)p->klen, p->key);
    return subject ? syntax(c, &g, "tree path", p->key, p->klen, subject) : !(*c->oom = true);
}

static bool order_param(qctx *c, const qparam *p, rlh_vec *orders)
{
    rlh_order o = {0};
    rlh_col col = {0};
    rlh_gram g;
    if (!tree_path(c, p, &o.path, &col)) return false;
    rlh_g_init(&g, c->a, p->value, p->vlen);
    if (rlh_g_order(&g, &o.terms, &o.nterms) != RLH_G_OK && rlh_g_again(&g) &&
        rlh_g_order(&g, &o.terms, &o.nterms) != RLH_G_OK)
        return syntax(c, &g, "order", p->value, p->vlen, "order=");
    return rlh_vec_push(c->a, orders, &o, sizeof o) || !(*c->oom = true);
}

static bool logic_param(qctx *c, const qparam *p, rlh_vec *logic)
{
    rlh_logic_param l = {0};
    const char *op;
    rlh_gram g;
    rlh_g_init(&g, c->a, p->key, p->klen);
    if (rlh_g_logic_path(&g, &l.path, &op) != RLH_G_OK && rlh_g_again(&g) &&
        rlh_g_logic_path(&g, &l.path, &op) != RLH_G_OK) {
        char *subject = afmt(c->a, "The parameter name '%.*s'", (int)p->klen, p->key);
        return subject ? syntax(c, &g, "logic path", p->key, p->klen, subject) : !(*c->oom = true);
    }
    /* the tree is read as the operator followed by the value: "or(a.eq.1,b.eq.2)" */
    char *text = afmt(c->a, "%s%.*s", op, (int)p->vlen, p->value);
    if (!text) return !(*c->oom = true);
    rlh_g_init(&g, c->a, text, strlen(op) + p->vlen);
    if (rlh_g_logic(&g, &l.tree) != RLH_G_OK && rlh_g_again(&g) &&
        rlh_g_logic(&g, &l.tree) != RLH_G_OK) {
        char *subject = afmt(c->a, "%.*s=", (int)p->klen, p->key);
        return subject ? syntax_at(c, &g, "logic tree", p->value, p->vlen, subject, (int)strlen(op))
                       : !(*c->oom = true);
    }
    return rlh_vec_push(c->a, logic, &l, sizeof l) || !(*c->oom = true);
}

static bool filter_param(qctx *c, const qparam *p, rlh_vec *filters)
{
    rlh_filter f = {0};
    rlh_gram g;
    if (!tree_path(c, p, &f.path, &f.cond.col)) return false;
    rlh_g_init(&g, c->a, p->value, p->vlen);
    if (rlh_g_filter(&g, &f.cond) != RLH_G_OK && rlh_g_again(&g) &&
        rlh_g_filter(&g, &f.cond) != RLH_G_OK) {
        char *subject = afmt(c->a, "The filter %.*s=%.*s", (int)p->klen, p->key,
                             (int)(p->vlen < 60 ? p->vlen : 60), p->value);
        return subject ? syntax(c, &g, "filter", p->value, p->vlen, subject) : !(*c->oom = true);
    }
    return rlh_vec_push(c->a, filters, &f, sizeof f) || !(*c->oom = true);
}

/* columns= and on_conflict=: names separated by commas. */
static bool names_param(qctx *c, const qparam *p, const char *what, const char *const **names,
                        size_t *n)
{
    rlh_gram g;
    rlh_g_init(&g, c->a, p->value, p->vlen);
    if (rlh_g_columns(&g, names, n) == RLH_G_OK ||
        (rlh_g_again(&g) && rlh_g_columns(&g, names, n) == RLH_G_OK))
        return true;
    char *subject = afmt(c->a, "%.*s=", (int)p->klen, p->key);
    return subject ? syntax(c, &g, what, p->value, p->vlen, subject) : !(*c->oom = true);
}

static bool select_param(qctx *c, const qparam *p)
{
    static const rlh_sel star = {.kind = RLH_SEL_COLUMN, .col = {.name = "*"}};
    if (!p || !p->value) { /* no select=: every column */
        c->r->select = &star;
        c->r->nselect = 1;
        return true;
    }
    rlh_gram g;
    rlh_g_init(&g, c->a, p->value, p->vlen);
    if (rlh_g_select(&g, &c->r->select, &c->r->nselect) == RLH_G_OK ||
        (rlh_g_again(&g) && rlh_g_select(&g, &c->r->select, &c->r->nselect) == RLH_G_OK))
        return true;
    return syntax(c, &g, "select parameter", p->value, p->vlen, "select=");
}

/* ---- limit, offset and Range ----------------------------------------------------------- */

/* Ranges of rows [lo, hi] (hi_inf: no end); empty when hi < lo.  Bounds are kept within
 * 2^61 either way: beyond, a number of rows means "all". */
typedef struct span {
    int64_t lo, hi;
    bool hi_inf;
} span;

static const int64_t BIG = (int64_t)1 << 61;
static const span ALL = {0, 0, true};

static bool span_empty(span s)
{
    return !s.hi_inf && s.hi < s.lo;
}

static span span_meet(span a, span b)
{
    if (span_empty(a) || span_empty(b)) return (span){1, 0, false};
    span m = {a.lo > b.lo ? a.lo : b.lo, 0, a.hi_inf && b.hi_inf};
    m.hi = a.hi_inf ? b.hi : b.hi_inf ? a.hi : (a.hi < b.hi ? a.hi : b.hi);
    return m;
}

/* An integer as PostgREST reads limit and offset: spaces around, a minus sign. */
static bool read_integer(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
        i++;
    bool neg = i < n && s[i] == '-';
    i += neg;
    while (neg && i < n && s[i] == ' ')
        i++;
    size_t digits = i;
    int64_t v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        v = v >= BIG / 10 ? BIG : v * 10 + (s[i] - '0'); /* saturated, never past int64_t */
    if (i == digits) return false;
    while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
        i++;
    if (i != n) return false;
    v = v > BIG ? BIG : v;
    *out = neg ? -v : v;
    return true;
}

/* The rows limit= and offset= (either NULL) ask for, as PostgREST combines them. */
static span span_of(const qparam *limit, const qparam *offset)
{
    int64_t l = 0, o = 0;
    bool has_l = limit && read_integer(limit->value, limit->vlen, &l);
    bool has_o = offset && read_integer(offset->value, offset->vlen, &o);
    if (limit && offset) /* an unreadable limit counts as 0 here, an offset as 0 */
        return (span){o, o + (has_l ? l : 0) - 1, false};
    if (limit) return has_l ? (span){0, l - 1, false} : ALL;
    return has_o ? (span){o, 0, true} : ALL;
}

/* The Range header "first-last" or "first-" (anything else asks for every row). */
static span header_span(const char *h)
{
    size_t n = h ? strlen(h) : 0, i = 0, dash;
    int64_t lo = 0, hi = 0;
    while (i < n && h[i] >= '0' && h[i] <= '9')
        lo = lo > BIG ? BIG : lo * 10 + (h[i++] - '0');
    if (i == 0 || i == n || h[i] != '-') return ALL;
    dash = ++i;
    while (i < n && h[i] >= '0' && h[i] <= '9')
        hi = hi > BIG ? BIG : hi * 10 + (h[i++] - '0');
    if (i != n) return ALL;
    return (span){lo > BIG ? BIG : lo, hi > BIG ? BIG : hi, i == dash};
}

/* The key of a limit or offset parameter, as a limit's: "rel.offset" is "rel.limit". */
static bool same_range(const qparam *a, const qparam *b)
{
    size_t la = a->klen, lb = b->klen;
    while (la && a->key[la - 1] != '.')
        la--;
    while (lb && b->key[lb - 1] != '.')
        lb--;
    return la == lb && memcmp(a->key, b->key, la) == 0;
}

static bool ranges(qctx *c, const qparam *ps, size_t n, const char *range_header)
{
    static const char *const limit_w[] = {"limit", NULL}, *const offset_w[] = {"offset", NULL};
    rlh_vec embedded = {0};
    span top = ALL;
    for (size_t i = 0; i < n; i++) { /* each range once: at its last limit or offset */
        const qparam *p = &ps[i], *limit = NULL, *offset = NULL;
        if (!p->value || !(ends_in(p, limit_w) || ends_in(p, offset_w))) continue;
        bool later = false;
        for (size_t k = i + 1; k < n && !later; k++)
            later = ps[k].value && (ends_in(&ps[k], limit_w) || ends_in(&ps[k], offset_w)) &&
                    same_range(p, &ps[k]);
        if (later) continue;
        for (size_t k = 0; k <= i; k++) {
            if (!ps[k].value || !same_range(p, &ps[k])) continue;
            if (ends_in(&ps[k], limit_w)) limit = &ps[k];
            if (ends_in(&ps[k], offset_w)) offset = &ps[k];
        }
        span s = span_of(limit, offset);
        size_t dots = 0;
        for (size_t k = 0; k < p->klen; k++)
            dots += p->key[k] == '.';
        if (!dots) {
            top = s;
            continue;
        }
        rlh_range e = {
            .first = s.lo, .count = s.hi_inf ? 0 : s.hi - s.lo + 1, .bounded = !s.hi_inf};
        rlh_col col = {0};
        if (!tree_path(c, p, &e.path, &col)) return false;
        if (!rlh_vec_push(c->a, &embedded, &e, sizeof e)) return !(*c->oom = true);
    }
    c->r->ranges = embedded.items;
    c->r->nranges = embedded.n;
    /* the request's own rows: the Range header (GET only) within limit and offset; limit=0
     * asks for no row whatever the rest says */
    span header = c->r->method == RLH_GET ? header_span(range_header) : ALL;
    bool limit_zero = !top.hi_inf && top.hi == -1;
    span rows = limit_zero ? (span){0, -1, false} : span_meet(header, top);
    if (span_empty(rows) && !limit_zero) {
        bool lower_gt_upper = span_empty(header);
        bool ok = rlh_parse_fail(
            c->r, c->a, 416, "PGRST103", "Requested range not satisfiable",
            lower_gt_upper ? "The lower boundary must be lower than or equal to the upper "
                             "boundary in the Range header."
                           : "Limit should be greater than or equal to zero.",
            NULL,
            lower_gt_upper ? "The Range header asks for no row: its first row is after its last."
                           : "limit= asks for fewer than no rows: it takes 0 or more.");
        return ok ? false : !(*c->oom = true);
    }
    if (c->r->method == RLH_PUT && !(rows.lo == 0 && rows.hi_inf)) {
        bool ok = rlh_parse_fail(
            c->r, c->a, 400, "PGRST114",
            "limit/offset querystring parameters are not allowed for PUT", NULL, NULL,
            "A PUT writes the one row its filters name: limit= and offset= do not apply.");
        return ok ? false : !(*c->oom = true);
    }
    c->r->range = (rlh_range){.first = rows.lo,
                              .count = rows.hi_inf ? 0 : rows.hi - rows.lo + 1,
                              .bounded = !rows.hi_inf};
    return true;
}

/* ---- the query string ------------------------------------------------------------------ */

static bool split(qctx *c, const char *q, size_t n, rlh_vec *out)
{
    for (size_t start = 0, end; n && start <= n; start = end + 1) {
        for (end = start; end < n && q[end] != '&' && q[end] != ';'; end++)
            ;
        const char *eq = memchr(q + start, '=', end - start);
        qparam p = {0};
        size_t klen = eq ? (size_t)(eq - q) - start : end - start;
        if (!(p.key = decode(c->a, q + start, klen, &p.klen))) return !(*c->oom = true);
        if (eq && !(p.value = decode(c->a, eq + 1, (size_t)(q + end - eq - 1), &p.vlen)))
            return !(*c->oom = true);
        if (memchr(p.key, '\0', p.klen) || (p.value && memchr(p.value, '\0', p.vlen))) {
            bool ok = rlh_parse_fail(c->r, c->a, 400, "PGRST100",
                                     "The query string holds a NUL byte (%00)", NULL, NULL,
                                     "The query string holds a NUL byte (%00), which no name or "
                                     "value can hold.");
            return ok ? false : !(*c->oom = true);
        }
        if (!rlh_vec_push(c->a, out, &p, sizeof p)) return !(*c->oom = true);
    }
    return true;
}

/* The first parameter named key (whether it has a value or not), or NULL. */
static const qparam *first(const qparam *ps, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (key_is(&ps[i], key)) return &ps[i];
    return NULL;
}

bool rlh_parse_query(rlh_req *r, rlh_arena *a, const char *q, size_t n, const char *range_header,
                     bool *oom)
{
    static const char *const order_w[] = {"order", NULL}, *const logic_w[] = {"and", "or", NULL},
                             *const embeddable[] = {"order", "limit", "offset", "and", "or", NULL};
    qctx c = {r, a, oom};
    rlh_vec params = {0}, orders = {0}, logic = {0}, filters = {0};
    if (!split(&c, q ? q : "", q ? n : 0, &params)) return false;
    const qparam *ps = params.items, *p;
    size_t np = params.n;
    for (size_t i = 0; i < np; i++)
        if (ps[i].value && ends_in(&ps[i], order_w) && !order_param(&c, &ps[i], &orders))
            return false;
    for (size_t i = 0; i < np; i++)
        if (ps[i].value && ends_in(&ps[i], logic_w) && !logic_param(&c, &ps[i], &logic))
            return false;
    if ((p = first(ps, np, "columns")) && p->value &&
        !names_param(&c, p, "columns parameter", &r->columns, &r->ncolumns))
        return false;
    if (!select_param(&c, first(ps, np, "select"))) return false;
    for (size_t i = 0; i < np; i++) {
        const qparam *f = &ps[i];
        if (!f->value || ends_in(f, embeddable) || key_is(f, "select") || key_is(f, "columns") ||
            key_is(f, "on_conflict"))
            continue;
        if (!filter_param(&c, f, &filters)) return false;
    }
    if ((p = first(ps, np, "on_conflict")) && p->value &&
        !names_param(&c, p, "on_conflict parameter", &r->on_conflict, &r->non_conflict))
        return false;
    r->orders = orders.items;
    r->norders = orders.n;
    r->logic = logic.items;
    r->nlogic = logic.n;
    r->filters = filters.items;
    r->nfilters = filters.n;
    return ranges(&c, ps, np, range_header);
}
