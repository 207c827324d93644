/*
 * Sets of keys: a set of rows' keys as the text of one bound parameter (a JSON array on
 * SQLite, an array literal on PostgreSQL; composite keys as arrays or objects), found again
 * through a small open-addressing table, and rows grouped by them in C: each row is counted
 * into its key's group and then moved there, keeping the order the query asked for.
 */
#include "keyset.h"
#include "db.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint64_t value_hash(const rl_value *v)
{
    uint64_t x;
    if (v->type == RL_V_TEXT) {
        x = 1469598103934665603ULL;
        for (const unsigned char *p = (const unsigned char *)v->u.s; *p; p++)
            x = (x ^ *p) * 1099511628211ULL;
    } else if (v->type == RL_V_REAL) {
        memcpy(&x, &v->u.r, sizeof x);
    } else {
        x = (uint64_t)v->u.i;
    }
    return x;
}

static size_t key_hash(const rl_value *v, int nk)
{
    uint64_t x = value_hash(&v[0]);
    for (int i = 1; i < nk; i++)
        x = (x ^ (x >> 31)) * 0x100000001b3ULL + value_hash(&v[i]);
    x *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29));
}

/* Whether values can be a key: a blob or NULL is none. */
static bool is_key(const rl_value *v, int nk)
{
    for (int i = 0; i < nk; i++)
        if (v[i].type != RL_V_INT && v[i].type != RL_V_TEXT && v[i].type != RL_V_REAL) return false;
    return true;
}

static bool key_same(const rl_value *a, const rl_value *b, int nk)
{
    for (int i = 0; i < nk; i++) {
        if (a[i].type != b[i].type) return false;
        if (a[i].type == RL_V_TEXT   ? strcmp(a[i].u.s, b[i].u.s) != 0
            : a[i].type == RL_V_REAL ? a[i].u.r != b[i].u.r
                                     : a[i].u.i != b[i].u.i)
            return false;
    }
    return true;
}

/* Whether rows a and b of m hold the same key in columns c, read in place: a row after another
 * of the same parent (the common case) costs a comparison, not values made and compared.  b's
 * key is known to be one (no NULL in it). */
static bool rows_same_key(const rl_model *m, const key_cols *c, const char *a, const char *b)
{
    for (int i = 0; i < c->n; i++) {
        if (c->code[i] == RLS_PK) {
            if (rli_row_pk(m, a) != rli_row_pk(m, b)) return false;
            continue;
        }
        const rl_field *f = &m->fields[c->code[i]];
        if (f->ctype == RL_CT_INT64) {
            int64_t x, y;
            memcpy(&x, a + f->offset, sizeof x);
            memcpy(&y, b + f->offset, sizeof y);
            if (x != y) return false;
        } else if (f->ctype == RL_CT_TEXT) {
            const char *x, *y;
            memcpy(&x, a + f->offset, sizeof x);
            memcpy(&y, b + f->offset, sizeof y);
            if (!x || strcmp(x, y) != 0) return false;
        } else {
            rl_value x = rli_field_value(f, a), y = rli_field_value(f, b);
            if (!key_same(&x, &y, 1)) return false;
        }
    }
    return true;
}

/* The index of the first parent with key k, or -1. */
ptrdiff_t rli_key_find(const key_map *m, const rl_value *k)
{
    if (!is_key(k, m->nk)) return -1;
    for (size_t s = key_hash(k, m->nk) & m->mask;; s = (s + 1) & m->mask) {
        if (!m->slot[s]) return -1;
        if (key_same(&m->keys[(m->slot[s] - 1) * (size_t)m->nk], k, m->nk))
            return (ptrdiff_t)m->slot[s] - 1;
    }
}

void rli_keyset_free(parent_set *ps)
{
    free(ps->keys);
    free(ps->first);
    free(ps->map.slot);
    rli_sb_free(&ps->text);
}

/* One value in the set's text: JSON (json) or a PostgreSQL array literal's element. */
static void key_text(strbuf *b, const rl_value *v, bool json)
{
    if (v->type == RL_V_INT) {
        rli_sb_int(b, v->u.i);
    } else if (v->type == RL_V_REAL) {
        char num[32];
        rli_real_text(v->u.r, num);
        rli_sb_puts(b, num);
    } else {
        rli_sb_putn(b, "\"", 1);
        const char *run = v->u.s; /* characters written as they are, in one go */
        for (const unsigned char *p = (const unsigned char *)v->u.s; *p; p++) {
            if (*p != '"' && *p != '\\' && (!json || *p >= 0x20)) continue;
            rli_sb_putn(b, run, (size_t)((const char *)p - run));
            run = (const char *)p + 1;
            if (*p == '"' || *p == '\\') {
                char esc[2] = {'\\', (char)*p};
                rli_sb_putn(b, esc, 2);
            } else {
                rli_sb_printf(b, "\\u%04x", *p);
            }
        }
        rli_sb_puts(b, run);
        rli_sb_putn(b, "\"", 1);
    }
}

/* A composite key in the set's text: a JSON array, or (names given) an object by column. */
static void tuple_text(strbuf *b, const rl_value *v, int nk, const char *const *names)
{
    rli_sb_putn(b, names ? "{" : "[", 1);
    for (int i = 0; i < nk; i++) {
        if (i) rli_sb_putn(b, ",", 1);
        if (names) {
            rl_value name = rl_text(names[i]);
            key_text(b, &name, true);
            rli_sb_putn(b, ":", 1);
        }
        key_text(b, &v[i], true);
    }
    rli_sb_putn(b, names ? "}" : "]", 1);
}

/* The values of columns c of a row of m, into v. */
void rli_key_values(const rl_model *m, const key_cols *c, const void *row, rl_value *v)
{
    for (int i = 0; i < c->n; i++)
        v[i] = c->code[i] == RLS_PK ? rl_int(rli_row_pk(m, row))
                                    : rli_field_value(&m->fields[c->code[i]], row);
}

/* The set of the keys of n rows of m: the values of their columns c (a row with a NULL among
 * them is left out of the set and of the map).  names: the column names the statement reads
 * a composite set by (a dialect with key_rows_records), else NULL. */
int rli_keyset_make(rl_db *db, const rl_model *m, const key_cols *c, const char *const *names,
                    const void *rows, size_t n, parent_set *ps)
{
    *ps = (parent_set){0};
    rli_sb_init(&ps->text);
    size_t cap = 16, nk = (size_t)c->n;
    while (cap < 2 * n)
        cap *= 2;
    ps->keys = malloc((n ? n : 1) * nk * sizeof *ps->keys);
    ps->first = malloc((n ? n : 1) * sizeof *ps->first);
    ps->map = (key_map){calloc(cap, sizeof(size_t)), cap - 1, ps->keys, c->n};
    if (!ps->keys || !ps->first || !ps->map.slot) return RL_ENOMEM;
    const char *br = nk > 1 ? "[]" : db->be->dialect->key_set_array;
    if (!db->be->dialect->key_rows_records) names = NULL;
    rli_sb_putn(&ps->text, br, 1);
    for (size_t i = 0; i < n; i++) {
        rl_value *v = &ps->keys[i * nk];
        rli_key_values(m, c, (const char *)rows + i * m->size, v);
        ps->first[i] = i;
        if (!is_key(v, c->n)) continue; /* no key: no parent */
        ptrdiff_t f = rli_key_find(&ps->map, v);
        if (f >= 0) {
            ps->first[i] = (size_t)f;
            continue;
        }
        size_t s = key_hash(v, c->n) & ps->map.mask;
        while (ps->map.slot[s])
            s = (s + 1) & ps->map.mask;
        ps->map.slot[s] = i + 1;
        if (ps->text.len > 1) rli_sb_putn(&ps->text, ",", 1);
        if (nk > 1)
            tuple_text(&ps->text, v, c->n, names);
        else
            key_text(&ps->text, v, br[0] == '[');
    }
    rli_sb_putn(&ps->text, br + 1, 1);
    return ps->text.oom ? RL_ENOMEM : RL_OK;
}

/* Move the rows of r into groups by their keys (keys + k * nk: row k's; NULL: the rows' columns
 * c), keeping their order in each group. */
int rli_group_rows(const rl_model *m, const key_cols *c, const rl_value *keys, const parent_set *ps,
                   size_t n, rl_rows *r, rl_groups *g)
{
    int nk = c->n;
    size_t *start = calloc(n ? n : 1, sizeof *start), *size = calloc(n ? n : 1, sizeof *size);
    size_t *owner = malloc((r->count ? r->count : 1) * sizeof *owner);
    if (!start || !size || !owner) {
        free(start), free(size), free(owner);
        return RL_ENOMEM;
    }
    /* Rows that already come group after group (the engine walked the key's index value by
     * value) stay where they are; others are moved into place.  A parent's rows come together:
     * a row with the key of the row before it has that row's parent, and only a new key is
     * looked up. */
    bool grouped = true;
    size_t prev = SIZE_MAX;
    rl_value here[RLS_KEY_MAX];
    ptrdiff_t p = -1;
    for (size_t k = 0; k < r->count; k++) {
        const char *row = (const char *)r->items + k * m->size;
        const rl_value *v = keys ? keys + k * (size_t)nk : here;
        if (k == 0 || p < 0 ||
            !(keys ? key_same(v, v - nk, nk) : rows_same_key(m, c, row, row - m->size))) {
            if (!keys) rli_key_values(m, c, row, here);
            p = rli_key_find(&ps->map, v); /* -1 for no key (a NULL in it) */
        }
        owner[k] = p >= 0 ? (size_t)p : SIZE_MAX; /* the statement matched the set only */
        if (p < 0)
            grouped = false;
        else if (size[p]++ == 0)
            start[p] = k;
        else if ((size_t)p != prev)
            grouped = false;
        prev = owner[k];
    }
    grouped = grouped && r->count > 0;
    void *items = grouped ? r->items : malloc((r->count ? r->count : 1) * m->size);
    size_t *fill = grouped ? NULL : calloc(n ? n : 1, sizeof *fill);
    if (!items || (!grouped && !fill)) {
        free(start), free(size), free(owner), free(fill);
        if (!grouped) free(items);
        return RL_ENOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; !grouped && i < n; i++)
        if (ps->first[i] == i) {
            start[i] = at;
            at += size[i];
        }
    for (size_t k = 0; !grouped && k < r->count; k++)
        if (owner[k] != SIZE_MAX)
            memcpy((char *)items + (start[owner[k]] + fill[owner[k]]++) * m->size,
                   (char *)r->items + k * m->size, m->size);
    if (grouped) {
        at = r->count;
        r->items = NULL; /* the groups own the rows now */
    }
    for (size_t i = 0; i < n; i++) { /* a parent given twice shares its first place's group */
        start[i] = start[ps->first[i]];
        size[i] = size[ps->first[i]];
    }
    free(fill);
    free(owner);
    *g = (rl_groups){.count = n, .start = start, .size = size, .total = at, .items = items};
    return RL_OK;
}
