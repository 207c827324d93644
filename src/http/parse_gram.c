/*
 * The grammar engine of the parse stage (see parse_int.h for its rules), the arena the
 * request value lives in, and the rules shared by every parameter: field names, JSON paths,
 * quoted values; then select=.
 *
 * Characters are code points of UTF-8 (a byte that does not start a valid sequence counts as
 * one character), as PostgREST reads the query string as text; positions are shown as line
 * and column of characters.  A "letter" is an ASCII letter or any character beyond ASCII.
 */
#include "parse_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the arena ------------------------------------------------------------------------- */

struct rlh_ablock {
    rlh_ablock *next;
    size_t used, cap;
    max_align_t data[]; /* the allocations, each rounded up to 16 bytes */
};

void *rlh_arena_alloc(rlh_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 8192 ? n : 8192;
        rlh_ablock *b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = (unsigned char *)a->head->data + a->head->used;
    a->head->used += n;
    return memset(p, 0, n);
}

char *rlh_arena_strndup(rlh_arena *a, const char *s, size_t n)
{
    char *p = n + 1 ? rlh_arena_alloc(a, n + 1) : NULL;
    if (p && n) memcpy(p, s, n);
    return p;
}

void rlh_arena_start(rlh_arena *a, void *mem, size_t len)
{
    rlh_ablock *b = mem;
    b->next = NULL;
    b->used = 0;
    b->cap = len - offsetof(rlh_ablock, data);
    a->head = a->first = b;
}

void rlh_arena_free(rlh_arena *a)
{
    for (rlh_ablock *b = a->head, *next; b; b = next) {
        next = b->next;
        if (b != a->first) free(b);
    }
    a->head = a->first = NULL;
}

bool rlh_vec_push(rlh_arena *a, rlh_vec *v, const void *item, size_t size)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        void *grown = rlh_arena_alloc(a, cap * size);
        if (!grown) return false;
        if (v->n) memcpy(grown, v->items, v->n * size);
        v->items = grown;
        v->cap = cap;
    }
    memcpy((char *)v->items + v->n++ * size, item, size);
    return true;
}

/* ---- characters ------------------------------------------------------------------------ */

/* The code point at off (its length in *len), -1 at the end. */
static long cp_at(const rlh_gram *g, size_t off, size_t *len)
{
    *len = 0;
    if (off >= g->n) return -1;
    const unsigned char *p = (const unsigned char *)g->s + off;
    size_t left = g->n - off;
    unsigned c = p[0];
    size_t k = c < 0x80                ? 1
               : c >= 0xC2 && c < 0xE0 ? 2
               : c >= 0xE0 && c < 0xF0 ? 3
               : c >= 0xF0 && c < 0xF5 ? 4
                                       : 0;
    *len = 1;
    if (k <= 1 || k > left) return (long)c;
    long v = (long)(c & (0x7F >> k));
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80) return (long)c;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((k == 3 && v < 0x800) || (k == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF))
        return (long)c;
    *len = k;
    return v;
}

/* A character as the parser shows it: in single quotes (q '\'') or as a one-character string
 * in double quotes (q '"'), escaped as that language escapes them. */
static void show(long c, char q, char *out, size_t size)
{
    static const char *const ctl[] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "a",
                                      "b",   "t",   "n",   "v",   "f",   "r",   "SO",  "SI",
                                      "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
                                      "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US"};
    if (c == q || c == '\\')
        snprintf(out, size, "%c\\%c%c", q, (char)c, q);
    else if (c >= 0x20 && c < 0x7F)
        snprintf(out, size, "%c%c%c", q, (char)c, q);
    else if (c >= 0 && c < 0x20)
        snprintf(out, size, "%c\\%s%c", q, ctl[c], q);
    else if (c == 0x7F)
        snprintf(out, size, "%c\\DEL%c", q, q);
    else
        snprintf(out, size, "%c\\%ld%c", q, c, q);
}

/* ---- errors ---------------------------------------------------------------------------- */

static void unknown_at(rlh_gerr *e, size_t off)
{
    e->off = off;
    e->known = e->has_sysun = e->has_un = false;
    e->nexpect = 0;
}

static void add_expect(rlh_gerr *e, const char *text, bool literal)
{
    if (!text || e->nexpect == RLH_G_MAX_EXPECT) return;
    e->expect[e->nexpect++] = (rlh_gexp){text, literal};
    e->known = true;
}

/* *to = *from, the expectations it holds only (most hold none or a few of the room). */
static void err_copy(rlh_gerr *to, const rlh_gerr *from)
{
    if (to == from) return;
    memcpy(to, from, offsetof(rlh_gerr, expect));
    memcpy(to->expect, from->expect, from->nexpect * sizeof from->expect[0]);
    to->nexpect = from->nexpect;
}

/* Whether the merge of *a with *b (merge_into(a, b)) is *b as it is. */
static bool merge_is_b(const rlh_gerr *a, const rlh_gerr *b)
{
    return !(!b->known && a->known) && ((!a->known && b->known) || a->off < b->off);
}

/* *into = the merge of *into and *e: the further one, or both at one position. */
static void merge_into(rlh_gerr *into, const rlh_gerr *e)
{
    if (!e->known && into->known) return;
    if ((!into->known && e->known) || into->off < e->off) {
        err_copy(into, e);
        return;
    }
    if (into->off > e->off) return;
    if (!into->has_sysun && e->has_sysun) {
        into->has_sysun = true;
        into->sysun = e->sysun;
    }
    if (!into->has_un && e->has_un) {
        into->has_un = true;
        into->un = e->un;
    }
    for (size_t i = 0; i < e->nexpect; i++)
        add_expect(into, e->expect[i].text, e->expect[i].literal);
}

void rlh_g_init(rlh_gram *g, rlh_arena *a, const char *s, size_t n)
{
    *g = (rlh_gram){.s = s, .n = n, .a = a, .quiet = true};
    unknown_at(&g->err, 0);
}

bool rlh_g_again(rlh_gram *g)
{
    rlh_g_init(g, g->a, g->s, g->n);
    g->quiet = false;
    return true;
}

void rlh_g_position(const rlh_gram *g, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (size_t off = 0, len; off < g->err.off && off < g->n; off += len) {
        long c = cp_at(g, off, &len);
        if (c == '\n') {
            ++*line;
            *column = 1;
        } else if (c == '\t') {
            *column += 8 - ((*column - 1) % 8);
        } else {
            ++*column;
        }
    }
}

/* A literal as the parser shows it: in double quotes, escaped. */
static void show_literal(const char *text, char *out, size_t size)
{
    size_t o = 0;
    out[o++] = '"';
    for (const char *c = text; *c && o + 6 < size; c++) {
        if (*c == '"' || *c == '\\') out[o++] = '\\';
        out[o++] = *c;
    }
    out[o++] = '"';
    out[o] = '\0';
}

char *rlh_g_details(const rlh_gram *g)
{
    const rlh_gerr *e = &g->err;
    char buf[2048], shown[RLH_G_MAX_EXPECT][64], met[24];
    size_t len = 0, n = 0;
    buf[0] = '\0';
    if (e->has_un) {
        show(e->un, '\'', met, sizeof met);
        len += (size_t)snprintf(buf, sizeof buf, "unexpected %s", met);
    } else if (e->has_sysun) {
        if (e->sysun >= 0) show(e->sysun, '"', met, sizeof met);
        len += (size_t)snprintf(buf, sizeof buf, "unexpected %s",
                                e->sysun >= 0 ? met : "end of input");
    }
    for (size_t i = 0; i < e->nexpect; i++) { /* the distinct ones, in order */
        if (e->expect[i].literal)
            show_literal(e->expect[i].text, shown[n], sizeof shown[n]);
        else
            snprintf(shown[n], sizeof shown[n], "%s", e->expect[i].text);
        bool seen = !shown[n][0];
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(shown[k], shown[n]) == 0;
        n += !seen;
    }
    for (size_t i = 0; i < n && len < sizeof buf; i++) {
        const char *sep = i == 0       ? (len ? " expecting " : "expecting ")
                          : i + 1 == n ? " or "
                                       : ", ";
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", sep, shown[i]);
    }
    if (!buf[0]) snprintf(buf, sizeof buf, "unknown parse error");
    return rlh_arena_strndup(g->a, buf, strlen(buf));
}

/* ---- primitives ------------------------------------------------------------------------ */

long rlh_g_peek(const rlh_gram *g, size_t *len)
{
    return cp_at(g, g->pos, len);
}

void rlh_g_advance(rlh_gram *g, size_t len)
{
    g->pos += len;
    if (!g->quiet) unknown_at(&g->err, g->pos);
}

/* An error at off: what a character test met there (SysUnExpect), kept as the character: it
 * is written out only if the error is shown (rlh_g_details), most are merged away unseen. */
static void met_at(rlh_gram *g, rlh_gerr *e, size_t off)
{
    size_t len;
    unknown_at(e, off);
    long c = cp_at(g, off, &len);
    e->known = e->has_sysun = true;
    e->sysun = c < 0 ? -1 : c;
}

static int miss_with(rlh_gram *g, const char *e1, const char *e2, bool literal)
{
    if (g->quiet) return RLH_G_EMPTY;
    rlh_gerr e;
    met_at(g, &e, g->pos);
    add_expect(&e, e1, literal);
    add_expect(&e, e2, literal);
    merge_into(&g->err, &e);
    return RLH_G_EMPTY;
}

int rlh_g_miss(rlh_gram *g, const char *lit1, const char *lit2)
{
    return miss_with(g, lit1, lit2, true);
}

int rlh_g_miss_named(rlh_gram *g, const char *name1, const char *name2)
{
    return miss_with(g, name1, name2, false);
}

int rlh_g_char(rlh_gram *g, const char *c)
{
    if (g->fatal) return RLH_G_CONSUMED;
    if (g->pos < g->n && g->s[g->pos] == c[0]) {
        rlh_g_advance(g, 1);
        return RLH_G_OK;
    }
    return rlh_g_miss(g, c, NULL);
}

int rlh_g_string(rlh_gram *g, const char *s)
{
    if (g->fatal) return RLH_G_CONSUMED;
    size_t k = strlen(s), i = 0;
    while (i < k && g->pos + i < g->n && g->s[g->pos + i] == s[i])
        i++;
    if (i == k) {
        if (k) rlh_g_advance(g, k);
        return RLH_G_OK;
    }
    if (g->quiet) return i == 0 ? RLH_G_EMPTY : RLH_G_CONSUMED;
    rlh_gerr e;
    met_at(g, &e, g->pos + i); /* what differs, shown at the literal's start */
    e.off = g->pos;
    add_expect(&e, s, true);
    if (i == 0) {
        merge_into(&g->err, &e);
        return RLH_G_EMPTY;
    }
    err_copy(&g->err, &e);
    return RLH_G_CONSUMED;
}

int rlh_g_eof(rlh_gram *g)
{
    rlh_gerr e;
    size_t len;
    long c = cp_at(g, g->pos, &len);
    if (g->quiet) return c < 0 ? RLH_G_OK : RLH_G_EMPTY;
    if (c < 0) {
        met_at(g, &e, g->pos);
        add_expect(&e, "end of input", false);
        merge_into(&g->err, &e);
        return RLH_G_OK;
    }
    unknown_at(&e, g->pos);
    e.known = e.has_un = true;
    e.un = c;
    add_expect(&e, "end of input", false);
    merge_into(&g->err, &e);
    return RLH_G_EMPTY;
}

void rlh_g_ws(rlh_gram *g)
{
    while (g->pos < g->n && (g->s[g->pos] == ' ' || g->s[g->pos] == '\t'))
        rlh_g_advance(g, 1);
    rlh_g_miss(g, NULL, NULL);
}

/* The next character met a "not followed by" test: an error after it. */
static int refused(rlh_gram *g, long c, size_t len)
{
    if (g->quiet) return RLH_G_EMPTY;
    rlh_gerr e;
    unknown_at(&e, g->pos + len);
    e.known = e.has_un = true;
    e.un = c;
    merge_into(&g->err, &e);
    return RLH_G_EMPTY;
}

int rlh_g_not_char(rlh_gram *g, const char *c)
{
    size_t len;
    long next = rlh_g_peek(g, &len);
    if (next == c[0]) return refused(g, next, len);
    rlh_g_miss(g, c, NULL);
    return RLH_G_OK;
}

int rlh_g_not_noneof(rlh_gram *g, const char *set)
{
    size_t len;
    long next = rlh_g_peek(g, &len);
    if (next >= 0 && (next > 0x7F || !strchr(set, (int)next) || next == 0))
        return refused(g, next, len);
    rlh_g_miss(g, NULL, NULL);
    return RLH_G_OK;
}

/* ---- combinators ----------------------------------------------------------------------- */

void rlh_g_mark(const rlh_gram *g, rlh_gmark *m)
{
    m->pos = g->pos;
    if (!g->quiet) err_copy(&m->err, &g->err);
}

/* g's error = the merge of the mark's error with it (merge_into(&m->err, &g->err)). */
static void merge_over_mark(rlh_gram *g, const rlh_gmark *m)
{
    if (merge_is_b(&m->err, &g->err)) return; /* it stays as it is: nothing copied */
    rlh_gerr e;
    err_copy(&e, &m->err);
    merge_into(&e, &g->err);
    err_copy(&g->err, &e);
}

int rlh_g_tried(rlh_gram *g, const rlh_gmark *m, int r)
{
    if (r != RLH_G_CONSUMED || g->fatal) return r;
    if (!g->quiet) merge_over_mark(g, m);
    g->pos = m->pos;
    return RLH_G_EMPTY;
}

int rlh_g_looked(rlh_gram *g, const rlh_gmark *m, int r)
{
    if (r != RLH_G_OK) return r;
    g->pos = m->pos;
    if (!g->quiet) err_copy(&g->err, &m->err);
    return RLH_G_OK;
}

void rlh_g_label_mark(rlh_gram *g, rlh_gmark *m)
{
    rlh_g_mark(g, m);
    if (!g->quiet) unknown_at(&g->err, g->pos);
}

int rlh_g_labeled(rlh_gram *g, const rlh_gmark *m, int r, const char *name)
{
    if (g->quiet || g->fatal || r == RLH_G_CONSUMED || (r == RLH_G_OK && g->pos != m->pos))
        return r;
    if (r != RLH_G_OK || g->err.known) {
        g->err.nexpect = 0;
        add_expect(&g->err, name, false);
    }
    merge_over_mark(g, m);
    return r;
}

int rlh_g_ahead(rlh_gram *g, const char *s)
{
    rlh_gmark m;
    rlh_g_mark(g, &m);
    return rlh_g_tried(g, &m, rlh_g_looked(g, &m, rlh_g_string(g, s)));
}

int rlh_g_try_string(rlh_gram *g, const char *s)
{
    rlh_gmark m;
    rlh_g_mark(g, &m);
    return rlh_g_tried(g, &m, rlh_g_string(g, s));
}

int rlh_g_fatal(rlh_gram *g, const char *why)
{
    if (!g->fatal) g->fatal = why;
    return RLH_G_CONSUMED;
}

bool rlh_g_enter(rlh_gram *g)
{
    if (g->depth >= RLH_PARSE_MAX_DEPTH) {
        rlh_g_fatal(g, "nested too deep");
        return false;
    }
    g->depth++;
    return true;
}

char *rlh_g_text(rlh_gram *g, size_t from, size_t to, bool strip)
{
    while (strip && from < to && g->s[from] == ' ')
        from++;
    while (strip && to > from && g->s[to - 1] == ' ')
        to--;
    char *t = rlh_arena_strndup(g->a, g->s + from, to - from);
    if (!t) rlh_g_fatal(g, "out of memory");
    return t;
}

/* ---- names ----------------------------------------------------------------------------- */

static bool is_letter(long c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c > 0x7F;
}

/* The bytes of text at the end of v. */
static bool push_text(rlh_arena *a, rlh_vec *v, const char *text)
{
    for (; *text; text++)
        if (!rlh_vec_push(a, v, text, 1)) return false;
    return true;
}

/* many1 of a character class: 1 letters, digits, '_', ' ', '$' (an identifier); 2 anything
 * but "(-:.,>)" (a JSON key).  The text, stripped, in *out. */
static int many1(rlh_gram *g, int cls, const char **out)
{
    size_t start = g->pos, len;
    for (;;) {
        long c = rlh_g_peek(g, &len);
        bool ok = cls == 1 ? (c >= 0 && (is_letter(c) || (c >= '0' && c <= '9') || c == '_' ||
                                         c == ' ' || c == '$'))
                           : (c >= 0 && !(c < 0x80 && strchr("(-:.,>)", (int)c) && c != 0));
        if (!ok) break;
        rlh_g_advance(g, len);
    }
    if (cls == 1)
        rlh_g_miss_named(g, "letter", "digit");
    else
        rlh_g_miss(g, NULL, NULL);
    if (g->pos == start) return RLH_G_EMPTY;
    *out = rlh_g_text(g, start, g->pos, true);
    return *out ? RLH_G_OK : RLH_G_CONSUMED;
}

int rlh_g_identifier(rlh_gram *g, const char **name)
{
    return many1(g, 1, name);
}

/* Parts of class cls joined by dashes ("a-b"; a dash before '>' is an arrow, not a join). */
static int dashed(rlh_gram *g, int cls, const char **out)
{
    const char *part;
    int r = many1(g, cls, &part);
    if (r != RLH_G_OK) return r;
    rlh_vec joined = {0}; /* the parts after the first, each after its dash */
    for (;;) {
        size_t len;
        long c = rlh_g_peek(g, &len);
        if (c != '-') {
            rlh_g_miss(g, "-", NULL);
            break;
        }
        long next = g->pos + 1 < g->n ? (unsigned char)g->s[g->pos + 1] : -1;
        if (next == '>' && g->quiet) break;
        if (next == '>') { /* try (char '-' >> notFollowedBy (char '>')) */
            rlh_gerr e;
            unknown_at(&e, g->pos + 2);
            e.known = e.has_un = true;
            e.un = '>';
            merge_into(&g->err, &e);
            break;
        }
        rlh_g_advance(g, 1);
        rlh_g_not_char(g, ">");
        const char *more;
        if (many1(g, cls, &more) != RLH_G_OK) return RLH_G_CONSUMED;
        if (!joined.n && !push_text(g->a, &joined, part)) return rlh_g_fatal(g, "out of memory");
        if (!rlh_vec_push(g->a, &joined, "-", 1) || !push_text(g->a, &joined, more))
            return rlh_g_fatal(g, "out of memory");
    }
    if (joined.n && !(part = rlh_arena_strndup(g->a, joined.items, joined.n)))
        return rlh_g_fatal(g, "out of memory");
    *out = part;
    return RLH_G_OK;
}

int rlh_g_quoted(rlh_gram *g, const char **value)
{
    int r = rlh_g_char(g, "\"");
    if (r != RLH_G_OK) return r;
    rlh_vec v = {0};
    for (;;) {
        size_t len;
        long c = rlh_g_peek(g, &len);
        if (c >= 0 && c != '"' && c != '\\') {
            for (size_t i = 0; i < len; i++)
                if (!rlh_vec_push(g->a, &v, g->s + g->pos + i, 1))
                    return rlh_g_fatal(g, "out of memory");
            rlh_g_advance(g, len);
            continue;
        }
        if (c == '\\') {
            rlh_g_advance(g, 1);
            c = rlh_g_peek(g, &len);
            if (c < 0) {
                rlh_g_miss(g, NULL, NULL); /* anyChar */
                return RLH_G_CONSUMED;
            }
            for (size_t i = 0; i < len; i++)
                if (!rlh_vec_push(g->a, &v, g->s + g->pos + i, 1))
                    return rlh_g_fatal(g, "out of memory");
            rlh_g_advance(g, len);
            continue;
        }
        rlh_g_miss(g, "\\", NULL); /* noneOf "\\\"" <|> char '\\' */
        break;
    }
    if (rlh_g_char(g, "\"") != RLH_G_OK) return RLH_G_CONSUMED;
    char *t = rlh_arena_strndup(g->a, v.items ? v.items : "", v.n);
    if (!t) return rlh_g_fatal(g, "out of memory");
    *value = t;
    return RLH_G_OK;
}

/* A quoted name, or parts of class cls joined by dashes; what was expected is name. */
static int name_of(rlh_gram *g, int cls, const char *label, const char **out)
{
    rlh_gmark m;
    rlh_g_label_mark(g, &m);
    int r = rlh_g_quoted(g, out);
    if (r == RLH_G_EMPTY) r = dashed(g, cls, out);
    return rlh_g_labeled(g, &m, r, label);
}

int rlh_g_field_name(rlh_gram *g, const char **name)
{
    return name_of(g, 1, "field name (* or [a..z0..9_$])", name);
}

int rlh_g_delim(rlh_gram *g)
{
    rlh_gmark m;
    rlh_g_label_mark(g, &m);
    return rlh_g_labeled(g, &m, rlh_g_char(g, "."), "delimiter (.)");
}

/* ---- JSON paths ------------------------------------------------------------------------ */

/* try pJIdx: an optional '-', digits, then "->", "::", ".", "," or the end ahead. */
static int json_index(rlh_gram *g, const char **out)
{
    rlh_gmark m;
    rlh_g_mark(g, &m);
    size_t start = g->pos, len;
    if (rlh_g_peek(g, &len) == '-')
        rlh_g_advance(g, 1);
    else
        rlh_g_miss(g, "-", NULL);
    size_t digits = g->pos;
    while (rlh_g_peek(g, &len) >= '0' && rlh_g_peek(g, &len) <= '9')
        rlh_g_advance(g, 1);
    rlh_g_miss_named(g, "digit", NULL);
    int r = g->pos == digits ? (g->pos == start ? RLH_G_EMPTY : RLH_G_CONSUMED) : RLH_G_OK;
    if (r == RLH_G_OK) {
        static const char *const ends[] = {"->", "::", ".", ","};
        int e = RLH_G_EMPTY;
        for (size_t i = 0; i < 4 && e == RLH_G_EMPTY; i++)
            e = rlh_g_ahead(g, ends[i]);
        if (e == RLH_G_EMPTY) e = rlh_g_eof(g);
        if (e != RLH_G_OK) r = RLH_G_CONSUMED;
    }
    if (r == RLH_G_OK && !(*out = rlh_g_text(g, start, g->pos, false))) r = RLH_G_CONSUMED;
    return rlh_g_tried(g, &m, r);
}

int rlh_g_json_path(rlh_gram *g, rlh_col *col)
{
    rlh_vec steps = {0};
    for (;;) {
        rlh_jstep step = {0};
        int r = rlh_g_try_string(g, "->>");
        step.text = r == RLH_G_OK;
        if (r == RLH_G_EMPTY) r = rlh_g_try_string(g, "->");
        if (r == RLH_G_EMPTY) break;
        if (r != RLH_G_OK) return r;
        r = json_index(g, &step.key);
        step.index = r == RLH_G_OK;
        if (r == RLH_G_EMPTY) {
            rlh_gmark m;
            rlh_g_mark(g, &m);
            r = rlh_g_tried(
                g, &m,
                name_of(g, 2, "any non reserved character different from: .,>()", &step.key));
        }
        if (r != RLH_G_OK) return RLH_G_CONSUMED; /* the arrow was consumed */
        if (!rlh_vec_push(g->a, &steps, &step, sizeof step)) return rlh_g_fatal(g, "out of memory");
    }
    col->json = steps.items;
    col->njson = steps.n;
    return RLH_G_OK;
}

int rlh_g_field(rlh_gram *g, rlh_col *col)
{
    size_t start = g->pos;
    rlh_g_ws(g);
    int r = rlh_g_field_name(g, &col->name);
    if (r == RLH_G_OK) r = rlh_g_json_path(g, col);
    if (r == RLH_G_OK) rlh_g_ws(g);
    return r == RLH_G_EMPTY && g->pos != start ? RLH_G_CONSUMED : r;
}
